// The bound formulas and the prediction rules, on hand-made profiles and networks: what
// README's "Bounds" and "Predictions" sections state, number for number.
#include "net/network.h"
#include "net/transport_options.h"
#include "scenarios/fault/conductor.h"
#include "scenarios/world/delivery_bounds.h"
#include "scenarios/world/predictions.h"

#include <catch2/catch.hpp>

using scenarios::DeliveryBounds;
using scenarios::ServerListing;
using sim::Duration;

namespace {

net::FaultProfile profile(std::string_view name, uint64_t seed = 1) {
  sim::Rng draws = sim::Rng::stream(seed, "net/profile");
  return net::make_profile(name, draws).value();
}

constexpr uint64_t kWindow = 256 * 1024;

DeliveryBounds bounds_of(const net::FaultProfile& p) { return DeliveryBounds::of(p, net::TransportOptions{}, kWindow); }

// A network of discovery and servers s0..s(n-1), each server's clock `ahead[i]` ahead of
// discovery's (discovery's own clock 3 s off, so only the difference can matter).
net::Network network_with_offsets(const net::FaultProfile& p, const std::vector<Duration>& ahead) {
  net::Network network(p, sim::Rng::stream(1, "net"), sim::ActorId{0});
  const Duration discovery_offset = Duration::seconds(3);
  network.set_clock_offset(network.add_node("discovery", sim::ActorId{1}), discovery_offset);
  for (size_t i = 0; i < ahead.size(); ++i) {
    const net::NodeAddress s = network.add_node(fmt::format("s{}", i), sim::ActorId{static_cast<uint32_t>(i + 2)});
    network.set_clock_offset(s, discovery_offset + ahead[i]);
  }
  return network;
}

std::vector<std::string> servers(size_t n) {
  std::vector<std::string> names;
  for (size_t i = 0; i < n; ++i) names.push_back(fmt::format("s{}", i));
  return names;
}

}  // namespace

TEST_CASE("bounds: calm: one link is its latency's tail and an MTU, no retransmission is owed") {
  const DeliveryBounds b = bounds_of(profile("calm"));
  // 1 ms + 10 x 1 ms + 1500 bytes at 1 Gbit/s (12 us).
  CHECK(b.link_delay == Duration::microseconds(11'012));
  CHECK(b.relayed_round_trip == Duration::microseconds(44'048));
  CHECK(b.transmissions == 1);
  CHECK(b.recovery == Duration::zero());
  CHECK(b.exchange(3) == Duration::microseconds(132'144));
  // 300 000 bytes: 2 windows + 5 of slow start + 3 of a dial, and 2.4 ms on each hop.
  CHECK(b.transfer(300'000, 3) == Duration::microseconds(44'048 * 10 + 4'800));
}

TEST_CASE("bounds: loss costs retransmissions at rto_max until 10^-8 is left") {
  const DeliveryBounds lossy = bounds_of(profile("lossy"));
  // 5 % on each of four links: 18.5 % per try; 0.185^11 < 10^-8 <= 0.185^10.
  CHECK(lossy.transmissions == 11);
  CHECK(lossy.recovery == Duration::seconds(20));
  const DeliveryBounds hostile = bounds_of(profile("hostile"));
  // 20 %: 59 % per try, 35 tries; and the longest clog (3 s) on top.
  CHECK(hostile.transmissions == 35);
  CHECK(hostile.recovery == Duration::seconds(2 * 34 + 3));
  // Bounds grow with every knob: a slower link is never owed more.
  net::FaultProfile slower = profile("lossy");
  slower.link.bandwidth_bits_per_s /= 10;
  CHECK(bounds_of(slower).transfer(1 << 20) > lossy.transfer(1 << 20));
}

TEST_CASE("bounds: which links keep sessions by themselves") {
  const net::TransportOptions transport;
  const Duration ping_timeout = Duration::seconds(10);
  CHECK(DeliveryBounds::links_keep_sessions(profile("calm"), transport, ping_timeout));
  // 8 tries fit in 10 s at 9.75 % each: 8.2 x 10^-9.
  CHECK(DeliveryBounds::links_keep_sessions(profile("lossy"), transport, ping_timeout));
  // 6 tries at 36 % (the clog takes 3 s of the timeout).
  CHECK_FALSE(DeliveryBounds::links_keep_sessions(profile("hostile"), transport, ping_timeout));
  CHECK_FALSE(DeliveryBounds::links_keep_sessions(net::calmed(profile("hostile")), transport, Duration::zero()));
  CHECK(DeliveryBounds::links_keep_sessions(net::calmed(profile("hostile")), transport, ping_timeout));
}

TEST_CASE("bounds: a scenario's bounds come from the network's knobs, never its name") {
  const scenarios::ScenarioBounds calm = scenarios::ScenarioBounds::for_network(profile("calm"));
  // A dial's exchange and two hops' full send buffers (2 x 2.1 ms at 1 Gbit/s).
  CHECK(calm.dial == Duration::microseconds(132'144) + Duration::nanoseconds(2 * 2'097'152));
  CHECK(calm.dial < Duration::seconds(1));  // tighter than the fixed 1 s it replaced
  CHECK(calm.close_on_crash < Duration::seconds(45));
  CHECK(calm.reconnect_margin < Duration::seconds(65));
  net::FaultProfile renamed = profile("hostile");
  renamed.name = "calm";
  const scenarios::ScenarioBounds hostile = scenarios::ScenarioBounds::for_network(profile("hostile"));
  CHECK(scenarios::ScenarioBounds::for_network(renamed).dial == hostile.dial);
  CHECK(hostile.dial > calm.dial);
  CHECK(hostile.fill > hostile.stall);
}

TEST_CASE("predictions: a server's clock against discovery's window") {
  const net::FaultProfile calm = profile("calm");
  const Duration transit = bounds_of(calm).exchange(1);
  const std::vector<Duration> ahead = {
      Duration::seconds(4),                                             // inside the window: listed
      Duration::seconds(5),                                             // its edge: listed
      Duration::seconds(5) + transit,                                   // a slow post may still land: uncertain
      Duration::seconds(5) + transit + Duration::nanoseconds(1),        // refused however the post travels
      Duration::zero() - Duration::seconds(60),                         // behind by the window: listed
      Duration::zero() - Duration::seconds(60) - Duration::seconds(1),  // behind beyond it: refused
  };
  const net::Network network = network_with_offsets(calm, ahead);
  const scenarios::Predictions p = scenarios::predict(network, servers(ahead.size()));
  CHECK(p.listings == std::vector<ServerListing>{ServerListing::kListed, ServerListing::kListed,
                                                 ServerListing::kUncertain, ServerListing::kUnlisted,
                                                 ServerListing::kListed, ServerListing::kUnlisted});
  REQUIRE(p.made.size() == 2);
  CHECK(p.made[0].rule == scenarios::kServerClockRule);
  CHECK(p.made[0].node == "s3");
  CHECK(p.made[0].outcome.find("ahead of discovery's") != std::string::npos);
  CHECK(p.made[1].node == "s5");
  CHECK(p.made[1].outcome.find("behind") != std::string::npos);
}

TEST_CASE("predictions: a lossier network widens the uncertain band, never the refused one") {
  const std::vector<Duration> ahead = {Duration::seconds(8)};
  const scenarios::Predictions on_calm = scenarios::predict(network_with_offsets(profile("calm"), ahead), servers(1));
  const scenarios::Predictions on_hostile =
      scenarios::predict(network_with_offsets(profile("hostile"), ahead), servers(1));
  CHECK(on_calm.listings[0] == ServerListing::kUnlisted);
  CHECK(on_hostile.listings[0] == ServerListing::kUncertain);  // a post may spend 3 s retransmitted
  CHECK(on_hostile.made.empty());
}

TEST_CASE("calm: the network's background faults stop, its shape and clocks stay") {
  net::FaultProfile hostile = profile("hostile");
  const net::FaultProfile calmed = net::calmed(hostile);
  CHECK(calmed.link.loss.is_zero());
  CHECK(calmed.link.duplication.is_zero());
  CHECK(calmed.clog_chance_per_s.is_zero());
  CHECK(calmed.link.latency_mean == hostile.link.latency_mean);
  CHECK(calmed.link.bandwidth_bits_per_s == hostile.link.bandwidth_bits_per_s);
  net::Network network = network_with_offsets(hostile, {Duration::seconds(7)});
  network.calm_down();
  CHECK(network.profile() == calmed);
  CHECK(network.clock_offset(*network.find_node("s0")) == Duration::seconds(10));
}
