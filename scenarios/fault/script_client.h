// The client application of the fault scenarios: it does what the conductor commands and
// records what happened, every byte checked against its pattern.
#pragma once

#include "scenarios/workloads/pattern.h"
#include "scenarios/world/dmsg_nodes.h"
#include "sim/fmt.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace scenarios {

// Commands, sent by the conductor as events (see Conductor::command). `arg` packs a stream
// handle in its high 32 bits and a value in its low 32 bits.
enum class ScriptCommand : uint32_t {
  kListen = 1,    // value: port; streams dialed to it are accepted while accepting is on
  kListenOnly,    // value: port; a listener that never accepts
  kDial,          // value: port of the peer
  kDialSelf,      // value: port of this client
  kWrite,         // stream, value: bytes more to write (a quota)
  kWriteForever,  // stream: write whenever the stream takes bytes
  kLoop,          // stream, value: message size; write one, then one more per message read
  kStopWriting,   // stream
  kReading,       // stream, value: 1 to read, 0 to leave bytes unread
  kClose,         // stream
};

inline uint64_t command_arg(uint32_t stream, uint32_t value) { return (uint64_t{stream} << 32) | value; }

// One stream as the application sees it: a pattern stream each way (see pattern.h).
struct ScriptStream {
  uint64_t tx_seed = 0;
  uint64_t tx_quota = 0;       // bytes (header included) to write in all
  bool tx_forever = false;     // no quota: write whatever the stream takes
  uint32_t loop_message = 0;   // kLoop: bytes per message (0: not looping)
  uint64_t loop_answered = 0;  // received bytes already answered with a message
  uint64_t written = 0;        // header included
  PatternStreamReader reader;
  bool reading = true;
  bool ended = false;   // read to the end
  bool broken = false;  // the stream reported closed
  bool closed = false;  // this side closed it
  std::optional<sim::Instant> broken_at;
  std::optional<sim::Instant> blocked_since;  // the last write took less than offered
  std::optional<sim::Instant> last_rx;
  sim::Duration longest_rx_gap;     // between deliveries
  sim::Instant longest_rx_gap_end;  // when it ended: where to seek to see it

  uint64_t payload_written() const { return written > kPatternHeaderBytes ? written - kPatternHeaderBytes : 0; }
  const PatternVerifier& rx() const { return reader.verifier; }

  template <class Visitor>
  void visit(Visitor& v) {
    v("tx_seed", tx_seed);
    v("tx_quota", tx_quota);
    v("tx_forever", tx_forever);
    v("loop_message", loop_message);
    v("loop_answered", loop_answered);
    v("written", written);
    v("reader", reader);
    v("reading", reading);
    v("ended", ended);
    v("broken", broken);
    v("closed", closed);
    v("broken_at", broken_at);
    v("blocked_since", blocked_since);
    v("last_rx", last_rx);
    v("longest_rx_gap", longest_rx_gap);
    v("longest_rx_gap_end", longest_rx_gap_end);
  }
};

struct ScriptDial {
  uint32_t stream = 0;
  sim::Instant started;
  std::optional<sim::Instant> resolved;
  dmsg::ErrorCode error = dmsg::ErrorCode::kOk;
  bool timed_out = false;

  // Resolved with a stream: a dial that timed out reports no error, yet has none.
  bool succeeded() const { return resolved && error == dmsg::ErrorCode::kOk && !timed_out; }
  // "error 401", "timed out", for check texts.
  std::string outcome() const {
    if (timed_out) return "timed out";
    return succeeded() ? "ok" : fmt::format("error {}", static_cast<int>(error));
  }

  template <class Visitor>
  void visit(Visitor& v) {
    v("stream", stream);
    v("started", started);
    v("resolved", resolved);
    v("error", error);
    v("timed_out", timed_out);
  }
};

class ScriptClient : public sim::ActorBase<ScriptClient, ClientNode> {
 public:
  static constexpr std::string_view kTypeName = "scenarios.script_client";

  ScriptClient() = default;
  ScriptClient(const net::HostConfig& config, sim::Rng rng, dmsg::Identity identity, dmsg::ClientOptions options,
               dmsg::PublicKey peer, uint64_t seed)
      : ActorBase(config, rng, std::move(identity), std::move(options)), peer_(peer), seed_(seed) {}
  std::unique_ptr<net::Host> make_fresh(const net::HostConfig& config, sim::Rng rng) const override {
    return std::make_unique<ScriptClient>(config, rng, client().identity(), client().options(), peer_, seed_);
  }

  const std::map<uint32_t, ScriptStream>& streams() const { return streams_; }
  const ScriptStream* stream(uint32_t handle) const;
  const std::vector<ScriptDial>& dials() const { return dials_; }
  // Streams accepted, in order.
  const std::vector<uint32_t>& accepted() const { return accepted_; }
  uint32_t sessions_lost() const { return sessions_lost_; }
  uint32_t sessions_opened() const { return sessions_opened_; }
  std::optional<sim::Instant> last_session_opened() const { return last_session_opened_; }
  bool has_session() const { return !client().delegated_servers().empty(); }
  bool is_published() const { return client().published() && !client().published()->empty(); }

  template <class Visitor>
  void visit(Visitor& v) {
    visit_client_node(v);
    v("peer", peer_);
    v("seed", seed_);
    v("accepting", accepting_);
    v("streams", streams_);
    v("dials", dials_);
    v("accepted", accepted_);
    v("sessions_lost", sessions_lost_);
    v("sessions_opened", sessions_opened_);
    v("last_session_opened", last_session_opened_);
  }

 protected:
  void on_workload_timer(sim::Context& ctx, uint64_t command, uint64_t arg) override;
  void on_client_event(sim::Context& ctx, const dmsg::ClientEvent& event) override;

 private:
  void dial(sim::Context& ctx, const dmsg::PublicKey& pk, uint16_t port);
  void accept_waiting(sim::Context& ctx, uint16_t port);
  ScriptStream& open_stream(sim::Context& ctx, uint32_t handle);
  void write_more(sim::Context& ctx, uint32_t handle);
  void read_more(sim::Context& ctx, uint32_t handle);

  dmsg::PublicKey peer_{};
  uint64_t seed_ = 0;
  std::map<uint16_t, bool> accepting_;  // listening ports: accept or not
  std::map<uint32_t, ScriptStream> streams_;
  std::vector<ScriptDial> dials_;
  std::vector<uint32_t> accepted_;
  uint32_t sessions_lost_ = 0;
  uint32_t sessions_opened_ = 0;
  std::optional<sim::Instant> last_session_opened_;
};

}  // namespace scenarios
