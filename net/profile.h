// Fault profiles: the link behaviour and background faults a network starts with.
#pragma once

#include "sim/ratio.h"
#include "sim/result.h"
#include "sim/rng.h"
#include "sim/time.h"

#include <string>
#include <string_view>
#include <vector>

namespace net {

struct LinkProfile {
  /// Smallest one-way delay of a packet.
  sim::Duration latency_min = sim::Duration::milliseconds(1);
  /// Mean of the exponentially distributed delay added to latency_min; its spread is what
  /// reorders packets.
  sim::Duration latency_mean = sim::Duration::milliseconds(1);
  /// Probability that a packet is lost.
  sim::Ratio loss = sim::Ratio::zero();
  /// Probability that a packet is delivered twice (each copy with its own delay).
  sim::Ratio duplication = sim::Ratio::zero();
  /// Serialization rate in bits per second: a packet occupies its link for size * 8 / rate.
  uint64_t bandwidth_bits_per_s = 1'000'000'000;
  /// Packets a link holds in flight at most; more are dropped.
  uint32_t capacity_packets = 4096;
  /// Largest packet in bytes, headers included; larger packets are dropped.
  uint32_t mtu_bytes = 1500;

  friend bool operator==(const LinkProfile&, const LinkProfile&) = default;

  template <class Visitor>
  void visit(Visitor& v) {
    v("latency_min", latency_min);
    v("latency_mean", latency_mean);
    v("loss", loss);
    v("duplication", duplication);
    v("bandwidth_bits_per_s", bandwidth_bits_per_s);
    v("capacity_packets", capacity_packets);
    v("mtu_bytes", mtu_bytes);
  }
};

struct FaultProfile {
  std::string name;
  LinkProfile link;
  /// Probability per link per virtual second that the link clogs (delays everything).
  sim::Ratio clog_chance_per_s = sim::Ratio::zero();
  /// Shortest and longest random clog.
  sim::Duration clog_min = sim::Duration::milliseconds(500);
  sim::Duration clog_max = sim::Duration::seconds(3);
  /// Each node's wall clock is offset by a uniform draw in [-max, +max].
  sim::Duration clock_offset_max = sim::Duration::zero();

  friend bool operator==(const FaultProfile&, const FaultProfile&) = default;

  template <class Visitor>
  void visit(Visitor& v) {
    v("name", name);
    v("link", link);
    v("clog_chance_per_s", clog_chance_per_s);
    v("clog_min", clog_min);
    v("clog_max", clog_max);
    v("clock_offset_max", clock_offset_max);
  }
};

struct ProfileInfo {
  std::string_view name;
  std::string_view description;
};

// calm, lossy, hostile and swarm, with their documented numbers.
const std::vector<ProfileInfo>& profile_catalog();

// The named profile; `swarm` draws every knob from `rng` (the world's "net/profile"
// stream), the others ignore it. An unknown name is an error listing the known ones.
sim::Result<FaultProfile> make_profile(std::string_view name, sim::Rng& rng);

// The profile once its background faults stop (a chaos run's heal phase): no loss, no
// duplication, no clogs. Latency, bandwidth and clock offsets stay: they are the network's
// shape, not faults.
FaultProfile calmed(FaultProfile profile);

// One line for people: "lossy: latency 5ms + exp(20ms), loss 1/20, ...".
std::string describe_profile(const FaultProfile& profile);

}  // namespace net
