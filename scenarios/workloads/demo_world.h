// The built-in demo world: gossiping actors with timers, random delays and byte buffers.
#pragma once

#include "sim/actor.h"
#include "sim/byte_queue.h"
#include "sim/context.h"
#include "sim/rng.h"
#include "sim/world.h"

#include <optional>
#include <vector>

namespace scenarios {

struct DemoOptions {
  /// Number of gossiping actors.
  uint32_t actors = 8;
  /// Mean time between two messages sent by one actor.
  sim::Duration send_period = sim::Duration::milliseconds(10);
  /// Mean delivery delay of a message (exponentially distributed).
  sim::Duration delay_mean = sim::Duration::milliseconds(5);
};

// Sends a random value to a random peer at random intervals, keeps a running checksum of
// what it received, and buffers received bytes in a ByteQueue it drains now and then. It
// also schedules and cancels a spare timer at random, so every scheduler operation and
// every kind of state (RNG, events, byte queues, maps) is exercised by a plain run.
class Gossiper : public sim::ActorBase<Gossiper> {
 public:
  static constexpr std::string_view kTypeName = "demo.gossiper";
  enum Kind : uint32_t { kSendTimer = 1, kMessage = 2, kSpareTimer = 3 };

  Gossiper() = default;
  Gossiper(sim::Rng rng, std::vector<sim::ActorId> peers, const DemoOptions& options);

  void on_start(sim::Context& ctx) override;
  void on_event(sim::Context& ctx, const sim::Event& event) override;

  uint64_t sent() const { return sent_; }
  uint64_t received() const { return received_; }
  uint64_t checksum() const { return checksum_; }
  const sim::ByteQueue& inbox() const { return inbox_; }
  const std::map<uint32_t, uint64_t>& received_from() const { return received_from_; }
  // For tests that change state behind the world's back.
  uint64_t& checksum_for_test() { return checksum_; }

  template <class Visitor>
  void visit(Visitor& v) {
    v("rng", rng_);
    v("peers", peers_);
    v("send_period", send_period_);
    v("delay_mean", delay_mean_);
    v("sent", sent_);
    v("received", received_);
    v("checksum", checksum_);
    v("received_from", received_from_);
    v("inbox", inbox_);
    v("spare_timer", spare_timer_);
  }

 private:
  void on_send_timer(sim::Context& ctx);
  void on_message(sim::Context& ctx, const sim::Event& event);
  void schedule_send(sim::Context& ctx);

  sim::Rng rng_;
  std::vector<sim::ActorId> peers_;
  sim::Duration send_period_;
  sim::Duration delay_mean_;
  uint64_t sent_ = 0;
  uint64_t received_ = 0;
  uint64_t checksum_ = 0;
  std::map<uint32_t, uint64_t> received_from_;
  sim::ByteQueue inbox_;
  std::optional<sim::Event> spare_timer_;
};

void register_demo_actors(sim::ActorRegistry& registry);

// Spawns the demo's actors into an empty world.
void build_demo_world(sim::World& world, const DemoOptions& options);

}  // namespace scenarios
