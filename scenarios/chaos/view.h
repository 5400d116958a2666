// The abstraction of a chaos world that the reference model predicts and checks: which
// servers and clients are up and how, their sessions, and every stream by its dial number
// with both ends' phases and byte counters. Computed from the live world; small.
#pragma once

#include "scenarios/chaos/chaos_client.h"
#include "scenarios/chaos/chaos_world.h"
#include "scenarios/world/memory_bound.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace scenarios::chaos {

struct ServerView {
  bool up = false;
  uint32_t sessions = 0;  // open sessions the server holds
  NodeFootprint footprint;
};

// A client's hostile span and what it saw of its acts (its current incarnation's).
struct OffenderView {
  HostileTable counts{};
  // The earliest raw dial still waiting for its answer (the client's own 20 s deadline
  // resolves it), and the acts whose session, stream or connection the protocol must end,
  // each with its server's index.
  std::optional<PendingAct> oldest_dial;
  struct Consequence {
    PendingAct act;
    std::optional<uint32_t> server;
  };
  std::vector<Consequence> consequences;
  std::string first_unexpected;  // the first act answered otherwise, in words
};

struct ClientView {
  bool up = false;
  Handling handling;
  std::vector<uint32_t> sessions;  // servers (by index) of its opened sessions, ascending
  uint32_t queued = 0;             // streams answered and waiting for accept()
  NodeFootprint footprint;
  OffenderView offender;
};

// One end of a stream, as its application recorded it.
struct EndView {
  bool present = false;  // false: this end's application has no record of the stream
  ChaosPhase phase = ChaosPhase::kDialing;
  dmsg::ErrorCode error = dmsg::ErrorCode::kOk;
  sim::Instant started;
  std::optional<sim::Instant> opened_at;  // the dial succeeded, or the stream was accepted
  std::optional<sim::Instant> ended_at;
  uint64_t requested = 0;  // payload bytes asked to write
  uint64_t written = 0;    // payload bytes the stream took
  uint64_t delivered = 0;  // payload bytes read from the other end, verified
  uint64_t mismatches = 0;
  uint64_t first_bad_offset = 0;  // with mismatches: the stream offset of the first byte that differed
  bool misrouted = false;
  bool close_requested = false;
  std::optional<uint32_t> relay;  // the server (by index) carrying it, while the client holds it
};

struct StreamView {
  uint64_t id = 0;
  uint32_t dialer = 0;  // client index
  uint32_t acceptor = 0;
  EndView at_dialer;
  EndView at_acceptor;
};

struct WorldView {
  sim::Instant at;
  bool footprints = false;  // whether the nodes' footprints were measured (they cost a save each)
  std::vector<ServerView> servers;
  std::vector<ClientView> clients;
  std::map<uint64_t, StreamView> streams;  // by dial number
};

// Per-entity tables (servers, clients, streams) for a person reading a failure.
std::string to_text(const WorldView& view);
// One end in a line: phase, error, relay, closing, and its byte counters.
std::string end_line(const EndView& end);

// Builds views of one chaos world (it knows the nodes' keys, computed once).
class Viewer {
 public:
  explicit Viewer(const sim::World& world);
  // With `footprints`, each node's memory footprint too (a snapshot encoding of it).
  WorldView look(const sim::World& world, bool footprints = false) const;
  // One client's end of stream `dial_id` (not present when it holds none), and the servers
  // (by index) it holds sessions to: for one entity's history, without the whole view.
  EndView end_of(const sim::World& world, uint32_t client, uint64_t dial_id) const;
  std::vector<uint32_t> sessions_of(const sim::World& world, uint32_t client) const;
  // The relay carrying stream `dial_id` of dialer `client`, as its server holds it: the
  // server's index and the bytes it passed on each way.
  struct RelayLegs {
    uint32_t server = 0;
    dmsg::Server::RelayedBytes bytes;
  };
  std::optional<RelayLegs> relay_of(const sim::World& world, uint32_t client, uint64_t dial_id) const;
  const ChaosNodes& nodes() const { return nodes_; }

 private:
  std::optional<uint32_t> server_index(const dmsg::PublicKey& pk) const;
  void add_ends(const sim::World& world, uint32_t client, WorldView& view) const;
  EndView end_view(const ChaosClient& node, uint32_t handle, const ChaosStream& s) const;

  ChaosNodes nodes_;
  std::map<dmsg::PublicKey, uint32_t> server_by_key_;
};

}  // namespace scenarios::chaos
