// The delivery formulas, in integer arithmetic so that every build computes the same bounds.
#include "scenarios/world/delivery_bounds.h"

#include "sim/assert.h"
#include "sim/wide_int.h"

#include <algorithm>

namespace scenarios {
namespace {

// Probabilities in parts per 10^12.
constexpr uint64_t kOne = 1'000'000'000'000;
constexpr uint64_t kTarget = 10'000;  // 10^-8
constexpr uint32_t kLinksPerRelayedRoundTrip = 4;
constexpr uint32_t kSlowStartRoundTrips = 5;

uint64_t ppt_of(const sim::Ratio& r) {
  SIM_ASSERT(r.is_probability());
  return static_cast<uint64_t>(r.scale(static_cast<int64_t>(kOne)));
}

// Products of probabilities in parts per 10^12, exact to the part (128-bit intermediates),
// rounded toward the conservative side: what is kept down, what is lost up.
uint64_t product_down(uint64_t a, uint64_t b) { return static_cast<uint64_t>(static_cast<sim::u128>(a) * b / kOne); }
uint64_t product_up(uint64_t a, uint64_t b) {
  return static_cast<uint64_t>((static_cast<sim::u128>(a) * b + kOne - 1) / kOne);
}

// The probability that a segment or its acknowledgement is lost on one of the path's links:
// 1 - (1 - loss)^links.
uint64_t path_loss(const sim::Ratio& loss, uint32_t links) {
  const uint64_t keep = kOne - ppt_of(loss);
  uint64_t kept = kOne;
  for (uint32_t i = 0; i < links; ++i) kept = product_down(kept, keep);
  return kOne - kept;
}

// p^n.
uint64_t power(uint64_t p, uint32_t n) {
  uint64_t out = kOne;
  for (uint32_t i = 0; i < n; ++i) out = product_up(out, p);
  return out;
}

// The smallest k with lost^k <= 10^-8.
uint32_t transmissions_for(uint64_t lost) {
  if (lost == 0) return 1;
  SIM_ASSERT_MSG(lost < kOne, "a path that loses everything has no bound");
  uint32_t k = 1;
  for (uint64_t p = lost; p > kTarget; ++k) p = product_up(p, lost);
  return k;
}

// The time `bytes` occupy a link of `bits_per_s`, with 128-bit intermediate products.
sim::Duration serialization_of(uint64_t bytes, uint64_t bits_per_s) {
  return sim::Duration::nanoseconds(sim::Ratio(bytes * 8, bits_per_s).scale(1'000'000'000));
}

}  // namespace

DeliveryBounds DeliveryBounds::of(const net::FaultProfile& profile, const net::TransportOptions& transport,
                                  uint64_t window_bytes) {
  const net::LinkProfile& link = profile.link;
  SIM_ASSERT(link.bandwidth_bits_per_s > 0);
  DeliveryBounds b;
  b.bandwidth_bits_per_s = link.bandwidth_bits_per_s;
  b.window_bytes = window_bytes;
  const sim::Duration serialization = serialization_of(link.mtu_bytes, link.bandwidth_bits_per_s);
  b.link_delay = link.latency_min + link.latency_mean * 10 + serialization;
  b.relayed_round_trip = b.link_delay * kLinksPerRelayedRoundTrip;
  b.transmissions = transmissions_for(path_loss(link.loss, kLinksPerRelayedRoundTrip));
  b.recovery = transport.rto_max * (b.transmissions - 1);
  if (!profile.clog_chance_per_s.is_zero()) b.recovery += profile.clog_max;
  return b;
}

bool DeliveryBounds::links_keep_sessions(const net::FaultProfile& profile, const net::TransportOptions& transport,
                                         sim::Duration ping_timeout) {
  const DeliveryBounds b = of(profile, transport, 1);
  constexpr uint32_t kLinksThereAndBack = 2;
  sim::Duration budget = ping_timeout - b.link_delay * kLinksThereAndBack;
  if (!profile.clog_chance_per_s.is_zero()) budget -= profile.clog_max;
  if (budget < sim::Duration::zero()) return false;
  uint32_t tries = 1;
  sim::Duration sent_at;
  for (sim::Duration rto = transport.rto_min;; rto = std::min(rto * 2, transport.rto_max)) {
    sent_at += rto;
    if (sent_at > budget) break;
    ++tries;
  }
  return power(path_loss(profile.link.loss, kLinksThereAndBack), tries) <= kTarget;
}

sim::Duration DeliveryBounds::session_setup() const {
  constexpr uint32_t kSessionSetupRoundTrips = 4;
  return exchange(kSessionSetupRoundTrips);
}

sim::Duration DeliveryBounds::serialization(uint64_t bytes) const {
  return serialization_of(bytes, bandwidth_bits_per_s);
}

sim::Duration DeliveryBounds::exchange(uint32_t round_trips) const {
  return relayed_round_trip * round_trips + recovery;
}

sim::Duration DeliveryBounds::transfer(uint64_t bytes, uint32_t round_trips) const {
  SIM_ASSERT(window_bytes > 0);
  const auto windows = static_cast<int64_t>((bytes + window_bytes - 1) / window_bytes);
  const sim::Duration serialization = serialization_of(bytes, bandwidth_bits_per_s) * 2;  // on both hops
  return relayed_round_trip * (windows + kSlowStartRoundTrips + round_trips) + serialization + recovery;
}

}  // namespace scenarios
