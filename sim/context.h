// What an actor's handler may do: read the clock, schedule and cancel events, log.
#pragma once

#include "sim/event.h"
#include "sim/fmt.h"
#include "sim/log.h"
#include "sim/time.h"

#include <string_view>

namespace sim {

class World;

// Handed to an actor for the duration of one event. It is a view of the world for that
// actor, never stored.
class Context {
 public:
  Context(World& world, ActorId self) : world_(&world), self_(self) {}

  Instant now() const;
  ActorId self() const { return self_; }
  uint32_t incarnation() const;

  // Schedules `kind` for `target`'s current incarnation after `delay` (>= 0).
  Event schedule(Duration delay, ActorId target, uint32_t kind, uint64_t arg0 = 0, uint64_t arg1 = 0);
  Event schedule_self(Duration delay, uint32_t kind, uint64_t arg0 = 0, uint64_t arg1 = 0) {
    return schedule(delay, self_, kind, arg0, arg1);
  }
  // Cancels an event this actor scheduled that has not run yet.
  void cancel(const Event& event);

  template <class... Args>
  void log(LogLevel level, std::string_view component, fmt::format_string<Args...> format, Args&&... args) {
    if (!log_enabled(component, level)) return;
    write_log(level, component, fmt::format(format, std::forward<Args>(args)...));
  }

  World& world() { return *world_; }

 private:
  bool log_enabled(std::string_view component, LogLevel level) const;
  void write_log(LogLevel level, std::string_view component, std::string message);

  World* world_;
  ActorId self_;
};

}  // namespace sim
