// The demo world's gossiping actors.
#include "scenarios/workloads/demo_world.h"

namespace scenarios {
namespace {

// Above this many buffered bytes a gossiper drains half of its inbox.
constexpr size_t kInboxHighWater = 3 * sim::ByteQueue::kChunkBytes;
const sim::Ratio kSpareTimerChance(1, 4);
const sim::Ratio kCancelSpareChance(1, 2);

}  // namespace

Gossiper::Gossiper(sim::Rng rng, std::vector<sim::ActorId> peers, const DemoOptions& options)
    : rng_(rng), peers_(std::move(peers)), send_period_(options.send_period), delay_mean_(options.delay_mean) {
  SIM_ASSERT(!peers_.empty());
  SIM_ASSERT_GT(send_period_, sim::Duration::zero());
}

void Gossiper::on_start(sim::Context& ctx) {
  ctx.log(sim::LogLevel::kDebug, "demo", "gossiper starts with {} peers", peers_.size());
  schedule_send(ctx);
}

void Gossiper::on_event(sim::Context& ctx, const sim::Event& event) {
  switch (event.kind) {
    case kSendTimer:
      on_send_timer(ctx);
      return;
    case kMessage:
      on_message(ctx, event);
      return;
    case kSpareTimer:
      SIM_ASSERT(spare_timer_.has_value());
      SIM_ASSERT_EQ(spare_timer_->seq, event.seq);
      spare_timer_.reset();
      return;
    default:
      SIM_UNREACHABLE("gossiper got event kind {}", event.kind);
  }
}

void Gossiper::schedule_send(sim::Context& ctx) {
  const sim::Duration wait = rng_.uniform_duration(sim::Duration::zero(), send_period_ * 2);
  ctx.schedule_self(wait, kSendTimer);
}

void Gossiper::on_send_timer(sim::Context& ctx) {
  const uint64_t peer_index = rng_.below(peers_.size());
  const sim::ActorId peer = peers_[peer_index];
  const uint64_t value = rng_.next_u64();
  const sim::Duration delay = rng_.exponential_duration(delay_mean_);
  ctx.schedule(delay, peer, kMessage, value, sim::to_index(ctx.self()));
  ++sent_;
  ctx.log(sim::LogLevel::kTrace, "demo", "sends {:016x} to {} (arrives in {})", value, peer, delay);
  if (spare_timer_) {
    if (rng_.chance(kCancelSpareChance)) {
      ctx.cancel(*spare_timer_);
      spare_timer_.reset();
    }
  } else if (rng_.chance(kSpareTimerChance)) {
    const sim::Duration spare_delay = rng_.uniform_duration(sim::Duration::zero(), send_period_ * 4);
    spare_timer_ = ctx.schedule_self(spare_delay, kSpareTimer);
  }
  schedule_send(ctx);
}

void Gossiper::on_message(sim::Context& ctx, const sim::Event& event) {
  ++received_;
  checksum_ = checksum_ * 0x100000001b3ULL ^ event.arg0;
  ++received_from_[static_cast<uint32_t>(event.arg1)];
  uint8_t bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(event.arg0 >> (8 * i));
  inbox_.append(bytes, sizeof bytes);
  if (inbox_.size() > kInboxHighWater) inbox_.consume(inbox_.size() / 2);
  ctx.log(sim::LogLevel::kTrace, "demo", "received {:016x} from {}", event.arg0, event.arg1);
}

void register_demo_actors(sim::ActorRegistry& registry) { registry.add<Gossiper>(); }

void build_demo_world(sim::World& world, const DemoOptions& options) {
  SIM_ASSERT_GE(options.actors, 2u);
  SIM_ASSERT_EQ(world.actor_count(), 0u);
  for (uint32_t i = 0; i < options.actors; ++i) {
    std::vector<sim::ActorId> peers;
    for (uint32_t j = 0; j < options.actors; ++j) {
      if (j != i) peers.push_back(sim::ActorId{j});
    }
    sim::Rng rng = world.stream(fmt::format("demo/gossiper/{}", i));
    const sim::ActorId id = world.spawn(std::make_unique<Gossiper>(rng, std::move(peers), options));
    SIM_ASSERT_EQ(sim::to_index(id), i);
  }
}

}  // namespace scenarios
