// The named fault profiles.
#include "net/profile.h"

#include "sim/fmt.h"

namespace net {
namespace {

using sim::Duration;
using sim::Ratio;

FaultProfile calm() {
  FaultProfile p;
  p.name = "calm";
  p.link.latency_min = Duration::milliseconds(1);
  p.link.latency_mean = Duration::milliseconds(1);
  p.link.bandwidth_bits_per_s = 1'000'000'000;
  return p;
}

// Stays well inside dmsg's 5 s handshake, 10 s ping and 20 s dial bounds: a round trip
// averages about 50 ms, and a handshake survives several losses.
FaultProfile lossy() {
  FaultProfile p;
  p.name = "lossy";
  p.link.latency_min = Duration::milliseconds(5);
  p.link.latency_mean = Duration::milliseconds(20);
  p.link.loss = Ratio(5, 100);
  p.link.duplication = Ratio(2, 100);
  p.link.bandwidth_bits_per_s = 100'000'000;
  return p;
}

FaultProfile hostile() {
  FaultProfile p;
  p.name = "hostile";
  p.link.latency_min = Duration::milliseconds(10);
  p.link.latency_mean = Duration::milliseconds(50);
  p.link.loss = Ratio(20, 100);
  p.link.duplication = Ratio(10, 100);
  p.link.bandwidth_bits_per_s = 10'000'000;
  p.clog_chance_per_s = Ratio(1, 100);
  p.clog_min = Duration::milliseconds(500);
  p.clog_max = Duration::seconds(3);
  return p;
}

// Every knob drawn from the seed, one draw per statement (DESIGN.md rule 4).
FaultProfile swarm(sim::Rng& rng) {
  FaultProfile p;
  p.name = "swarm";
  const int64_t loss_permille = rng.uniform(0, 300);
  p.link.loss = Ratio(static_cast<uint64_t>(loss_permille), 1000);
  const int64_t duplication_permille = rng.uniform(0, 200);
  p.link.duplication = Ratio(static_cast<uint64_t>(duplication_permille), 1000);
  p.link.latency_min = rng.uniform_duration(Duration::zero(), Duration::milliseconds(30));
  p.link.latency_mean = rng.uniform_duration(Duration::zero(), Duration::milliseconds(100));
  const int64_t megabits = rng.uniform(1, 1000);
  p.link.bandwidth_bits_per_s = static_cast<uint64_t>(megabits) * 1'000'000;
  const int64_t clog_per_mille = rng.uniform(0, 20);
  p.clog_chance_per_s = Ratio(static_cast<uint64_t>(clog_per_mille), 1000);
  p.clock_offset_max = Duration::seconds(10);
  return p;
}

}  // namespace

const std::vector<ProfileInfo>& profile_catalog() {
  static const std::vector<ProfileInfo> catalog = {
      {"calm", "latency 1ms + exp(1ms), no loss, 1 Gbit/s"},
      {"lossy", "latency 5ms + exp(20ms), loss 5%, duplication 2%, 100 Mbit/s"},
      {"hostile", "latency 10ms + exp(50ms), loss 20%, duplication 10%, 10 Mbit/s, clogs of 0.5-3s at 1%/link/s"},
      {"swarm",
       "drawn from the seed: loss 0-30%, duplication 0-20%, latency 0-30ms + exp(0-100ms), 1 Mbit/s-1 Gbit/s, "
       "clogs 0-2%/link/s, clock offsets up to +-10s"},
  };
  return catalog;
}

sim::Result<FaultProfile> make_profile(std::string_view name, sim::Rng& rng) {
  if (name == "calm") return calm();
  if (name == "lossy") return lossy();
  if (name == "hostile") return hostile();
  if (name == "swarm") return swarm(rng);
  return sim::Error{fmt::format("unknown profile '{}' (known: calm, lossy, hostile, swarm)", name)};
}

FaultProfile calmed(FaultProfile profile) {
  profile.link.loss = Ratio::zero();
  profile.link.duplication = Ratio::zero();
  profile.clog_chance_per_s = Ratio::zero();
  return profile;
}

std::string describe_profile(const FaultProfile& p) {
  std::string text =
      fmt::format("{}: latency {} + exp({}), loss {}, duplication {}, {} bit/s", p.name, p.link.latency_min,
                  p.link.latency_mean, p.link.loss, p.link.duplication, p.link.bandwidth_bits_per_s);
  if (!p.clog_chance_per_s.is_zero()) {
    text += fmt::format(", clogs {}-{} at {}/link/s", p.clog_min, p.clog_max, p.clog_chance_per_s);
  }
  if (p.clock_offset_max > Duration::zero()) text += fmt::format(", clock offsets up to +-{}", p.clock_offset_max);
  return text;
}

}  // namespace net
