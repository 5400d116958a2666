// A client application that moves verifiable byte patterns over dmsg streams.
#pragma once

#include "scenarios/workloads/pattern.h"
#include "scenarios/world/dmsg_nodes.h"

#include <map>
#include <optional>

namespace scenarios {

struct BulkSettings {
  /// Accept every stream dialed to this port and verify what arrives (0: no listener).
  uint16_t listen_port = 0;
  /// Dial `peer`:`peer_port` this many times, one stream after another, and send
  /// `bytes_per_stream` pattern bytes on each before closing it.
  std::optional<dmsg::PublicKey> peer;
  uint16_t peer_port = 0;
  uint32_t streams = 0;
  uint64_t bytes_per_stream = 0;
  /// Streams dialed at once (each the next as soon as one finishes).
  uint32_t parallel = 1;
  /// When the first dial goes out (the peer must have published its entry by then).
  sim::Duration start_after = sim::Duration::seconds(2);
  uint64_t seed = 0;

  template <class Visitor>
  void visit(Visitor& v) {
    v("listen_port", listen_port);
    v("peer", peer);
    v("peer_port", peer_port);
    v("streams", streams);
    v("bytes_per_stream", bytes_per_stream);
    v("parallel", parallel);
    v("start_after", start_after);
    v("seed", seed);
  }
};

// What a bulk client has done so far.
struct BulkStats {
  uint32_t dials_started = 0;
  uint32_t dials_ok = 0;
  uint32_t dials_failed = 0;
  uint32_t streams_sent = 0;      // every byte written and the stream closed
  uint32_t streams_received = 0;  // read to the end, every byte verified
  uint32_t streams_broken = 0;
  uint64_t bytes_sent = 0;
  uint64_t bytes_verified = 0;
  uint64_t mismatches = 0;
  std::map<uint16_t, uint32_t> dial_errors;  // failed dials by error code (0: timed out)
  std::optional<sim::Instant> finished_at;   // the last dial's stream was sent

  template <class Visitor>
  void visit(Visitor& v) {
    v("dials_started", dials_started);
    v("dials_ok", dials_ok);
    v("dials_failed", dials_failed);
    v("streams_sent", streams_sent);
    v("streams_received", streams_received);
    v("streams_broken", streams_broken);
    v("bytes_sent", bytes_sent);
    v("bytes_verified", bytes_verified);
    v("mismatches", mismatches);
    v("dial_errors", dial_errors);
    v("finished_at", finished_at);
  }
};

// Every stream is a pattern stream (see pattern.h), verified at the receiver.
class BulkClient : public sim::ActorBase<BulkClient, ClientNode> {
 public:
  static constexpr std::string_view kTypeName = "scenarios.bulk_client";

  BulkClient() = default;
  BulkClient(const net::HostConfig& config, sim::Rng rng, dmsg::Identity identity, dmsg::ClientOptions options,
             BulkSettings settings)
      : ActorBase(config, rng, std::move(identity), std::move(options)), settings_(settings) {}
  std::unique_ptr<net::Host> make_fresh(const net::HostConfig& config, sim::Rng rng) const override {
    return std::make_unique<BulkClient>(config, rng, client().identity(), client().options(), settings_);
  }

  const BulkSettings& settings() const { return settings_; }
  const BulkStats& stats() const { return stats_; }
  bool done_sending() const { return stats_.finished_at.has_value(); }

  template <class Visitor>
  void visit(Visitor& v) {
    visit_client_node(v);
    v("settings", settings_);
    v("stats", stats_);
    v("outgoing", outgoing_);
    v("incoming", incoming_);
  }

 protected:
  void on_workload_start(sim::Context& ctx) override;
  void on_workload_timer(sim::Context& ctx, uint64_t timer_id, uint64_t arg) override;
  void on_client_event(sim::Context& ctx, const dmsg::ClientEvent& event) override;

 private:
  struct Outgoing {
    uint64_t seed = 0;
    uint64_t sent = 0;  // of 8 + bytes_per_stream
    bool open = false;
    template <class Visitor>
    void visit(Visitor& v) {
      v("seed", seed);
      v("sent", sent);
      v("open", open);
    }
  };
  using Incoming = PatternStreamReader;

  void dial_more(sim::Context& ctx);
  void send_more(sim::Context& ctx, uint32_t stream);
  void receive(sim::Context& ctx, uint32_t stream);

  BulkSettings settings_;
  BulkStats stats_;
  bool started_ = false;
  std::map<uint32_t, Outgoing> outgoing_;
  std::map<uint32_t, Incoming> incoming_;
};

}  // namespace scenarios
