// Events are data: who receives them, when, in what order, and two integer arguments.
#pragma once

#include "sim/time.h"

#include <cstdint>

namespace sim {

// Actors are addressed by a dense id, never by pointer.
enum class ActorId : uint32_t {};

constexpr uint32_t to_index(ActorId id) { return static_cast<uint32_t>(id); }

// The kind an actor receives once when it is spawned or restarted (see Actor::on_start).
// Kinds below it are free for actor types to define.
constexpr uint32_t kStartEventKind = 0xffff'ffffu;

// What an actor asks the scheduler for.
struct EventSpec {
  Instant time;
  ActorId target{};
  uint32_t incarnation = 0;  // of the target; an event for an older incarnation is dropped
  uint32_t kind = 0;         // meaning defined by the target's type
  uint64_t arg0 = 0;
  uint64_t arg1 = 0;
};

// A scheduled event. Ordered by (time, seq); seq is stamped when the event is scheduled,
// so one actor's events for the same instant keep the order in which it scheduled them.
struct Event {
  Instant time;
  uint64_t seq = 0;
  ActorId target{};
  uint32_t incarnation = 0;
  uint32_t kind = 0;
  uint64_t arg0 = 0;
  uint64_t arg1 = 0;

  friend bool operator==(const Event&, const Event&) = default;

  template <class Visitor>
  void visit(Visitor& v) {
    v("time", time);
    v("seq", seq);
    v("target", target);
    v("incarnation", incarnation);
    v("kind", kind);
    v("arg0", arg0);
    v("arg1", arg1);
  }
};

// True if a runs before b.
inline bool runs_before(const Event& a, const Event& b) {
  if (a.time != b.time) return a.time < b.time;
  return a.seq < b.seq;
}

}  // namespace sim

template <>
struct fmt::formatter<sim::ActorId> : fmt::formatter<uint32_t> {
  template <class Context>
  auto format(sim::ActorId id, Context& ctx) const {
    return fmt::formatter<uint32_t>::format(sim::to_index(id), ctx);
  }
};
