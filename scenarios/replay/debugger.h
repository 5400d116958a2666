// Time travel through a trace: go to a tick, step, step back, inspect, watch a value.
#pragma once

#include "scenarios/replay/trace_session.h"
#include "sim/log.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace scenarios {

// A cursor on a trace. Moving forward re-executes and checks every tick against the
// recording; moving back rebuilds from the nearest snapshot. Values are read with JSON
// pointers into the world's dump (e.g. /actors/2/state/bytes_sent), or by node name with
// /nodes/NAME/... for /actors/ID/... (e.g. /nodes/c25/state/client).
class Debugger {
 public:
  // Opens at the trace's first tick.
  static sim::Result<Debugger> open(TraceSession session);

  uint64_t tick() const { return runner_->world().tick(); }
  uint64_t chain_hash() const { return runner_->world().chain_hash(); }
  const TraceSession& session() const { return session_; }
  sim::World& world() { return runner_->world(); }

  sim::Status go_to(uint64_t tick);
  sim::Status step(uint64_t ticks);
  sim::Status back(uint64_t ticks);

  // The value at `pointer`, as JSON text.
  sim::Result<std::string> print(std::string_view pointer);
  // What ran in the tick that ended at the cursor.
  sim::Result<std::vector<sim::Event>> events();
  // The log lines of that tick (the deterministic log, filtered).
  sim::Result<std::vector<std::string>> log(const sim::LogFilter& filter);

  // What a watch shows for a path that does not exist at a tick: absence is a value, so a
  // stream appearing or disappearing is a change. Not valid JSON, so it equals no value.
  static constexpr std::string_view kAbsent = "(absent)";

  struct Change {
    uint64_t tick = 0;   // the first tick showing the new value
    std::string before;  // JSON text, or kAbsent
    std::string after;   // JSON text, or kAbsent
  };
  // The next tick after the cursor where the value differs from its value at the tick
  // before; nullopt when it never changes until the end. Moves the cursor there.
  sim::Result<std::optional<Change>> watch_forward(std::string_view pointer);
  // The last tick at or before the cursor where the value differs from its value at the
  // tick before (when it took the value it has at the cursor); nullopt when it never
  // changed since the trace's start. Moves the cursor there.
  sim::Result<std::optional<Change>> watch_backward(std::string_view pointer);

 private:
  explicit Debugger(TraceSession session) : session_(std::move(session)) {}

  // Reads `pointer` in `world`, using `cache` (the value at the tick before) when the state
  // it lives in did not change.
  struct Probe {
    std::string pointer;
    std::optional<uint32_t> actor;  // the actor the pointer lies in, for pruning
    // The pointer within that actor's state ("/actors/ID/state" stripped), when it lies
    // there: what the store's change index can answer for.
    std::optional<std::string> in_state;
    uint64_t last_state_hash = 0;
    uint64_t last_actor_digest = 0;
    std::string value;
  };
  // A probe of `path` (resolved).
  sim::Result<Probe> make_probe(std::string_view path);
  // `pointer` with a leading /nodes/NAME turned into /actors/ID; unknown names fail.
  sim::Result<std::string> resolve(std::string_view pointer);
  // For a path missing from the state: an error, or with `absent_is_value` kAbsent.
  static sim::Result<std::string> read(sim::World& world, Probe& probe, bool force, bool absent_is_value);
  // From the cursor to tick `to`: the first (or last) tick whose value differs from the
  // tick before's. Leaves the cursor there (first) or at `to` (last).
  sim::Result<std::optional<Change>> scan(Probe& probe, uint64_t to, bool stop_at_first);
  // Runs the cursor forward to `target`, checking the chain.
  sim::Status advance_to(uint64_t target);
  // The same from the store's change index, when every tick in [from, to] is kept and the
  // pointer lies in one actor's state: only the ticks at which that actor changed are read,
  // from their stored part alone, and the change found is confirmed by restoring its tick.
  // nullopt when the index cannot answer (the caller scans instead).
  std::optional<sim::Result<std::optional<Change>>> indexed(Probe& probe, uint64_t from, uint64_t to,
                                                            bool stop_at_first);
  sim::Result<std::string> value_in_part(const Probe& probe, uint64_t tick) const;

  TraceSession session_;
  std::unique_ptr<ScenarioRunner> runner_;
};

}  // namespace scenarios
