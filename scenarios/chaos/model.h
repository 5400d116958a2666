// The reference model of the chaos run. Small and abstract: which servers and clients are
// up and how they handle streams, and per stream what each end was asked to write and
// whether it was asked to close. It takes the world's abstraction before a batch, applies
// the batch, and compares its prediction with the abstraction after it: exactly once no
// fault happened for the settle window and an operation's grace passed, by bounds before.
#pragma once

#include "scenarios/chaos/config.h"
#include "scenarios/chaos/view.h"
#include "scenarios/world/delivery_bounds.h"
#include "scenarios/world/predictions.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace scenarios::chaos {

enum class StopHow : uint8_t { kKill, kCrash, kStop };
std::string_view enum_name(StopHow how);

// One executed event of a batch, as the model sees it (the judge reads it from the inputs).
struct Action {
  EventKind kind = EventKind::kHeal;
  uint32_t node = 0;       // start/stop: the server or client; dial: the dialer
  uint32_t peer = 0;       // dial: the client dialed
  uint64_t stream = 0;     // dial: the new stream's number; write: the stream written
  bool dialer_end = true;  // write: the end that writes
  uint64_t bytes = 0;      // write
  bool close = false;      // write: that end closes its side afterwards
  StopHow how = StopHow::kKill;
  sim::Duration span;  // clog, loss burst: how long it lasts
};

// The time limits the model holds the system to.
struct ModelBounds {
  sim::Duration settle = sim::Duration::seconds(110);  // keepalive 40 s + largest backoff 60 s + margin
  // What the network's knobs allow for carrying an operation: its outcome is due a dial's
  // exchange plus the transfer of the bytes still outstanding after its latest operation.
  DeliveryBounds delivery;
  sim::Duration dial_deadline = sim::Duration::seconds(21);   // the client's 20 s plus a tick's margin
  sim::Duration close_on_loss = sim::Duration::seconds(5);    // a killed or stopped peer or relay
  sim::Duration close_on_crash = sim::Duration::seconds(50);  // keepalive 30 s + 10 s, plus margin
  // A running client holds a session to a running, listed server this long after both were
  // up and the links last disturbed: the server's entry reaches discovery (exchange(1)), the
  // client looks within its recheck interval or largest backoff step (60 s), and sets the
  // session up (exchange(4)). Owed on links that keep sessions.
  sim::Duration reconnect = sim::Duration::seconds(60);
  uint32_t backlog = 20;
  uint32_t max_sessions = 100;
  // Each node's state within its buffers plus a fixed amount per entry (memory_bound.h).
  MemoryBudget memory;
  // A hostile act's consequence (a session or stream the protocol ends) is due once the
  // act's bytes crossed the queues before them: the session's 64 KiB and the transport's
  // 256 KiB send buffer, transfer(320 KiB) after the act. A connection that never starts
  // its handshake is dropped 5 s (the handshake timeout) plus exchange(1) after it opened.
  sim::Duration hostile_consequence = sim::Duration::seconds(1);
  sim::Duration handshake_drop = sim::Duration::seconds(6);
  // Whether the links have background faults (loss, duplication, clogs): while they do,
  // the run is in its harsh phase.
  bool harsh = false;
  // DeliveryBounds::links_keep_sessions for the profile and the mux's ping timeout: on
  // links that can end a session by themselves, no session is owed, so neither the exact
  // checks nor the liveness check are (the run heals the network first).
  bool links_keep_sessions = true;

  // For a network of `profile` (as drawn): never a function of the batch interval.
  static ModelBounds for_profile(const net::FaultProfile& profile);
  // The time an operation's outcome is due after it, `bytes` still to be carried.
  sim::Duration operation_grace(uint64_t outstanding_bytes) const;
};

// A disagreement: the check that found it, the field, and both values.
struct Mismatch {
  std::string kind;   // the check's class: "exact", "bound", "oracle", "liveness"
  std::string field;  // e.g. "clients/c3/sessions"
  std::string expected;
  std::string actual;
  // For a check of a stream's bytes: the offset of the first byte that is wrong or missing.
  std::optional<uint64_t> byte_offset;

  std::string describe() const;
};

struct CheckReport {
  bool exact = false;  // the model predicted exactly (settled); otherwise bounds only
  std::vector<Mismatch> mismatches;
};

class Model {
 public:
  Model(uint32_t servers, uint32_t clients, ModelBounds bounds);

  // From the predictions (scenarios/world/predictions.h): whether discovery lists server
  // `s`. No client may hold a session to an unlisted one, at any instant; one whose
  // listing is uncertain is no client's obligation, and no dial's outcome rests on it.
  void set_listing(uint32_t s, ServerListing listing) { servers_.at(s).listing = listing; }

  // The world starts with everything up: a fault at time zero (sessions still to form).
  bool server_up(uint32_t s) const { return servers_[s].up; }
  bool client_up(uint32_t c) const { return clients_[c].up; }
  const Handling& handling(uint32_t c) const { return clients_[c].handling; }
  bool knows_stream(uint64_t id) const { return streams_.count(id) != 0; }
  bool partitioned() const { return partitioned_; }
  // No fault for the settle window, no partition still standing, and links that keep
  // sessions by themselves.
  bool is_settled(sim::Instant now) const {
    return bounds_.links_keep_sessions && !partitioned_ && now - last_fault_ >= bounds_.settle;
  }
  sim::Instant last_fault() const { return last_fault_; }
  const ModelBounds& bounds() const { return bounds_; }

  // A batch begins at `view` (the abstraction before it); its actions follow, in order.
  void begin_batch(const WorldView& view);
  void apply(const Action& action, sim::Instant now);
  // The network's background faults stopped (the heal phase begins): from now on the model
  // holds the system to `calmed`, the bounds of the calmed profile, counting the settle
  // window from now.
  void network_calmed(const ModelBounds& calmed, sim::Instant now);
  // Dials made in the harsh phase, and how many of them opened (as the views showed them).
  struct DialShare {
    uint64_t made = 0;
    uint64_t opened = 0;
  };
  const DialShare& harsh_dials() const { return harsh_dials_; }
  // A client is told how to handle streams (at the start, and after each restart, which
  // leaves it at the default): pending dials to it no longer have a certain outcome.
  void set_handling(uint32_t c, const Handling& handling);
  // Client `c` turns hostile, or its span ends (README, "Hostile peers"). Its streams, and
  // those dialed to or by it until the settle window after the span, are the offender's:
  // they may break, so only the safety checks and the bounds hold them. Its own sessions
  // are owed again from the span's end. Everything else is checked as if nothing happened:
  // a span is not a fault of the network or of the other nodes.
  void hostile_began(uint32_t c);
  void hostile_ended(uint32_t c, sim::Instant now);
  // Every span still in force ends (the fault phase is over).
  void end_hostile_spans(sim::Instant now);
  // Whether client `c` is hostile, or was within the settle window.
  bool offending(uint32_t c, sim::Instant now) const;
  // Whether any client is offending: the settle phase's liveness check waits for none.
  bool any_offending(sim::Instant now) const;
  // Compares the abstraction after a batch with the prediction from the one before it.
  CheckReport check(const WorldView& before, const WorldView& after) const;
  // After the fault phase, once settled: every running client holds a session to every
  // running server, and no dial is still pending.
  std::vector<Mismatch> check_liveness(const WorldView& view) const;

 private:
  // What a dial is predicted to come to, decided when it is made.
  enum class DialOutcome : uint8_t { kUnknown, kAccepted, kQueued, kRejected, kFailed };
  struct Node {
    bool up = true;
    ServerListing listing = ServerListing::kListed;  // servers only
    StopHow how = StopHow::kKill;
    sim::Instant up_since;  // its latest start (zero: up from the start)
    std::optional<sim::Instant> stopped_at;
    std::optional<sim::Instant> crashed_at;  // the latest crash: only keepalives tell of it
    Handling handling;
    bool hostile = false;                       // clients: a hostile span is in force
    std::optional<sim::Instant> hostile_ended;  // clients: the end of its latest span

    void stop(StopHow stopped_how, sim::Instant now) {
      up = false;
      how = stopped_how;
      stopped_at = now;
      if (how == StopHow::kCrash) crashed_at = now;
    }
  };
  struct Stream {
    uint32_t dialer = 0;
    uint32_t acceptor = 0;
    sim::Instant last_op;
    DialOutcome outcome = DialOutcome::kUnknown;
    uint64_t requested[2] = {0, 0};  // by the dialer's end [0] and the acceptor's [1]
    // What each end was asked to write and the other had not read by the view that opened
    // the batch of the latest operation: the bytes its grace must allow for.
    uint64_t outstanding[2] = {0, 0};
    uint64_t delivered_at_batch[2] = {0, 0};  // read by the acceptor's end [0] and the dialer's [1]
    bool close[2] = {false, false};
    bool harsh = false;    // dialed in the harsh phase
    bool opened = false;   // a view showed its dialer's end opened
    bool hostile = false;  // an end is or was an offender's while it existed (hostile_began)
  };

  void check_nodes(const WorldView& after, bool settled, CheckReport& report) const;
  // A client's hostile acts: answered as the protocol says, and within their bounds.
  void check_offender(uint32_t c, const ClientView& v, sim::Instant now, CheckReport& report) const;
  // Sessions a running client owes by now to running, listed servers (see bounds.reconnect).
  void check_reconnects(uint32_t c, const ClientView& v, sim::Instant now, CheckReport& report) const;
  // The servers a client must hold sessions to once settled: running and listed.
  std::vector<uint32_t> reachable_servers() const;
  // `sessions` without the servers whose listing is uncertain.
  std::vector<uint32_t> owed_sessions(const std::vector<uint32_t>& sessions) const;
  bool any_uncertain_server_up() const;
  void check_stream_bounds(const StreamView* before, const StreamView& after, sim::Instant now,
                           CheckReport& report) const;
  void check_stream_exact(uint64_t id, const Stream& s, const StreamView* before, const StreamView* after,
                          sim::Instant now, CheckReport& report) const;
  void check_end_released(const StreamView& stream, bool dialer_end, sim::Instant now, CheckReport& report) const;
  sim::Duration close_bound(StopHow how) const;
  // Whether news of something that happened at `since` should have arrived by `now`, given
  // `bound` on an undisturbed network: a disturbance near it (a clog, a loss burst, a
  // partition) leaves only keepalives to tell, and nothing is due while a partition lasts.
  bool news_overdue(sim::Instant since, sim::Duration bound, sim::Instant now) const;
  // Whether node `n` stopped after `since` and news of every such stop is overdue at `now`
  // (an earlier crash still excuses what its keepalives have not found yet).
  bool stop_news_overdue(const Node& n, sim::Instant since, sim::Instant now) const;
  // Whether node `n` has been running without a stop since `since`.
  bool ran_since(const Node& n, sim::Instant since) const;

  ModelBounds bounds_;
  std::vector<Node> servers_;
  std::vector<Node> clients_;
  std::map<uint64_t, Stream> streams_;
  sim::Instant last_fault_;
  bool partitioned_ = false;
  sim::Instant disturbed_until_;         // the end of the latest network disturbance
  std::map<uint32_t, uint32_t> queued_;  // per non-accepting client: queued at the batch start, plus this batch's
  std::map<uint32_t, uint32_t> dials_this_batch_;
  DialShare harsh_dials_;
};

}  // namespace scenarios::chaos
