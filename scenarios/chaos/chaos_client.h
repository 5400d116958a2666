// The client application of the chaos run: it listens on one port, dials and writes when
// the control panel commands it (recorded `command` inputs), and checks every byte it reads.
#pragma once

#include "scenarios/chaos/hostile.h"
#include "scenarios/workloads/pattern.h"
#include "scenarios/world/command_target.h"
#include "scenarios/world/dmsg_nodes.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace scenarios::chaos {

// The port every chaos client listens on and dials.
constexpr uint16_t kChaosPort = 1;

// How the application treats streams dialed to it, chosen at each start.
struct Handling {
  bool accepts = true;  // false: a listener that never accepts (the backlog fills, then 401)
  bool reads = true;    // false: reads only a stream's 8-byte header, never its data

  friend bool operator==(const Handling&, const Handling&) = default;
  template <class Visitor>
  void visit(Visitor& v) {
    v("accepts", accepts);
    v("reads", reads);
  }
};

enum class ChaosPhase : uint8_t {
  kDialing,  // the dial has not resolved
  kFailed,   // the dial failed (error)
  kOpen,
  kClosed,  // this end closed it after writing everything asked and reading the peer's end
  kBroken,  // the stream broke
};
std::string_view enum_name(ChaosPhase phase);

// One end of a stream as the application sees it. Both ends name the stream by the panel's
// dial number: the dialer's pattern seed is that number, the acceptor's is it with the top
// bit set, and each end learns the other's from the stream's first 8 bytes.
struct ChaosStream {
  static constexpr uint64_t kAcceptorSeedBit = uint64_t{1} << 63;

  uint64_t dial_id = 0;  // 0: accepted, header not read yet
  bool dialer = false;
  ChaosPhase phase = ChaosPhase::kDialing;
  dmsg::ErrorCode error = dmsg::ErrorCode::kOk;
  bool timed_out = false;  // the dial's deadline passed (error stays kOk: no dmsg code says so)
  sim::Instant started;
  std::optional<sim::Instant> resolved;  // the dial resolved, or the stream was accepted
  std::optional<sim::Instant> ended_at;  // closed or broken
  uint64_t requested = 0;                // payload bytes the panel asked this end to write
  uint64_t written = 0;                  // bytes the stream took, header included
  bool close_requested = false;
  bool peer_ended = false;  // read the peer's end
  bool misrouted = false;   // the header named another stream
  PatternStreamReader reader;

  uint64_t tx_seed() const { return dialer ? dial_id : dial_id | kAcceptorSeedBit; }
  uint64_t payload_written() const { return written > kPatternHeaderBytes ? written - kPatternHeaderBytes : 0; }
  uint64_t delivered() const { return reader.verifier.verified; }

  template <class Visitor>
  void visit(Visitor& v) {
    v("dial_id", dial_id);
    v("dialer", dialer);
    v("phase", phase);
    v("error", error);
    v("timed_out", timed_out);
    v("started", started);
    v("resolved", resolved);
    v("ended_at", ended_at);
    v("requested", requested);
    v("written", written);
    v("close_requested", close_requested);
    v("peer_ended", peer_ended);
    v("misrouted", misrouted);
    v("reader", reader);
  }
};

// A chaos client's command (the words of an input `command NODE WORDS...`), parsed once
// for the client that carries it out and for the judge that reads it back:
//   handling accept|no-accept read|no-read    how this incarnation treats dialed streams
//   dial NODE ID                              dials NODE's chaos port as dial number ID
//   write ID dialer|acceptor BYTES [close]    that end of stream ID writes BYTES more, then
//                                             closes its side if asked
//   hostile KIND [NODE]                       turns hostile in that way (hostile.h) until
//                                             told `hostile end`; spoofed-source names the
//                                             client whose key it claims
struct ChaosCommand {
  enum class Kind : uint8_t { kHandling, kDial, kWrite, kHostile };
  Kind kind = Kind::kHandling;
  Handling handling;                   // handling
  std::string peer;                    // dial: the node dialed; hostile spoofed-source: the node claimed
  std::optional<HostileKind> hostile;  // hostile: the kind; none for `hostile end`
  uint64_t dial_id = 0;                // dial and write: the stream's dial number
  bool dialer_end = true;              // write: the end that writes
  uint64_t bytes = 0;                  // write
  bool close = false;                  // write: that end closes its side afterwards

  // The index of the word that names another node (a dial's peer, a spoofed source), if any.
  std::optional<size_t> peer_word() const {
    if (kind == Kind::kDial) return 1;                                               // dial NODE ID
    if (kind == Kind::kHostile && hostile == HostileKind::kSpoofedSource) return 2;  // hostile spoofed-source NODE
    return std::nullopt;
  }
  // Whether it carries a dial number (dial, write).
  bool names_dial() const { return kind == Kind::kDial || kind == Kind::kWrite; }
};
// An error names what is wrong and gives the forms.
sim::Result<ChaosCommand> parse_chaos_command(const std::vector<std::string>& words);

// A chaos client's record of its hostile spans: the span in force, the acts still waiting
// for their outcome, and what it saw of every act (its own incarnation's).
struct OffenderRecord {
  std::optional<HostileKind> kind;  // the span in force
  uint64_t span = 0;                // spans begun: the act timer's argument, so an old one is ignored
  std::string victim;               // spoofed-source: the client whose key the requests claim
  HostileTable counts{};
  std::map<uint32_t, PendingAct> dials;          // raw dials by stream handle
  std::map<uint32_t, PendingAct> streams;        // streams (by handle) an act must end
  std::map<dmsg::PublicKey, PendingAct> frames;  // sessions a malformed frame must end
  uint64_t silent_opened = 0;                    // stalled-handshake connections opened
  std::optional<sim::Bytes> replayable;          // replayed-request: the request sent first
  dmsg::PublicKey replay_server{};               // ... and the server it went through
  std::string first_unexpected;                  // the first act answered otherwise, in words

  template <class Visitor>
  void visit(Visitor& v) {
    v("kind", kind);
    v("span", span);
    v("victim", victim);
    v("counts", counts);
    v("dials", dials);
    v("streams", streams);
    v("frames", frames);
    v("silent_opened", silent_opened);
    v("replayable", replayable);
    v("replay_server", replay_server);
    v("first_unexpected", first_unexpected);
  }
};

class ChaosClient : public sim::ActorBase<ChaosClient, ClientNode>, public CommandTarget {
 public:
  static constexpr std::string_view kTypeName = "scenarios.chaos_client";

  ChaosClient() = default;
  ChaosClient(const net::HostConfig& config, sim::Rng rng, dmsg::Identity identity, dmsg::ClientOptions options)
      : ActorBase(config, rng, std::move(identity), std::move(options)) {}
  std::unique_ptr<net::Host> make_fresh(const net::HostConfig& config, sim::Rng rng) const override {
    return std::make_unique<ChaosClient>(config, rng, client().identity(), client().options());
  }

  // Commands: see ChaosCommand.
  sim::Status check_command(const std::vector<std::string>& words) const override;
  void run_command(sim::Context& ctx, const std::vector<std::string>& words) override;

  bool is_running() const { return is_process_up() && !client().is_stopped(); }
  const Handling& handling() const { return handling_; }
  const OffenderRecord& offender() const { return offender_; }
  // What it saw of its acts, per kind, the stalled handshakes the servers dropped included.
  HostileTable hostile_counts() const;
  // The earliest raw dial of an act still unanswered; the acts whose session, stream or
  // connection the protocol has not ended yet.
  std::optional<PendingAct> oldest_pending_dial() const;
  std::vector<PendingAct> pending_consequences() const;
  // By stream handle.
  const std::map<uint32_t, ChaosStream>& streams() const { return streams_; }

  template <class Visitor>
  void visit(Visitor& v) {
    visit_client_node(v);
    v("handling", handling_);
    v("streams", streams_);
    v("offender", offender_);
  }

 protected:
  void on_workload_start(sim::Context& ctx) override;
  void on_client_event(sim::Context& ctx, const dmsg::ClientEvent& event) override;
  void on_workload_timer(sim::Context& ctx, uint64_t timer_id, uint64_t arg) override;

 private:
  // The open end of stream `dial_id` (the dialer's or the acceptor's).
  std::optional<uint32_t> find(uint64_t dial_id, bool dialer) const;
  void dial(sim::Context& ctx, const std::string& node, uint64_t dial_id);
  void accept_waiting(sim::Context& ctx);
  void write_more(sim::Context& ctx, uint32_t handle);
  void read_more(sim::Context& ctx, uint32_t handle);
  void close_if_done(sim::Context& ctx, uint32_t handle);
  void end(sim::Context& ctx, uint32_t handle, ChaosPhase phase);

  // chaos_client_hostile.cpp: acting as a hostile peer.
  static constexpr uint64_t kHostileTimer = 1;
  void begin_hostile(sim::Context& ctx, HostileKind kind, const std::string& victim);
  void end_hostile(sim::Context& ctx);
  void act_hostile(sim::Context& ctx);
  // One act of the span's kind; false when there was nothing to act on.
  bool act_once(sim::Context& ctx, HostileKind kind);
  bool raw_dial(sim::Context& ctx, HostileKind kind, const sim::Bytes& request, const dmsg::Address& dst,
                std::optional<dmsg::PublicKey> server = std::nullopt, bool original = false);
  sim::Bytes signed_request(sim::Context& ctx, const dmsg::Identity& as, const dmsg::Address& dst);
  std::optional<uint32_t> open_stream_to_attack(sim::Context& ctx);
  std::optional<dmsg::PublicKey> random_session(sim::Context& ctx);
  // Takes an event that answers a pending act; true when the event was the act's alone.
  bool settle_act(sim::Context& ctx, const dmsg::ClientEvent& event);
  void count_outcome(const PendingAct& act, bool answered, const std::string& otherwise);
  void attacked_stream_ended(uint32_t handle, ChaosPhase phase, dmsg::ErrorCode error);

  Handling handling_;
  std::map<uint32_t, ChaosStream> streams_;
  OffenderRecord offender_;
};

}  // namespace scenarios::chaos
