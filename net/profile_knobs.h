// The knobs of a fault profile by name, and profile specs that set them: "hostile" is the
// named profile, "hostile,loss=1/10,latency_mean=5ms" the same with two knobs changed. A
// trace records the spec, so a run with changed knobs replays as it ran (the shrinker
// moves knobs toward calm this way).
#pragma once

#include "net/profile.h"
#include "sim/result.h"
#include "sim/rng.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace net {

enum class KnobUnit : uint8_t {
  kDuration,  // nanoseconds
  kRatio,     // parts per million
  kCount,     // packets, bytes or bits per second
};

struct ProfileKnob {
  std::string_view name;
  KnobUnit unit;
};

// Every knob, in the order specs write them.
const std::vector<ProfileKnob>& profile_knobs();
// nullptr for an unknown name.
const ProfileKnob* find_profile_knob(std::string_view name);

// A knob's value as an integer in its unit (a ratio in parts per million, rounded down),
// and set from one; the integer form is what a search over a knob moves.
int64_t knob_number(const FaultProfile& profile, const ProfileKnob& knob);
void set_knob_number(FaultProfile& profile, const ProfileKnob& knob, int64_t value);
// The value as a spec writes it ("5ms", "1/20", "1000000").
std::string knob_text(const FaultProfile& profile, const ProfileKnob& knob);

// The profile a spec names: "NAME[,KNOB=VALUE]...". Knob values are durations with a
// unit, probabilities ("0.05", "1/20", "5%") or plain integers, as the knob's unit needs;
// errors name the knob and the known ones. `swarm` draws its knobs from `rng` first, so a
// spec's draws are the same as its base profile's.
sim::Result<FaultProfile> make_profile_spec(std::string_view spec, sim::Rng& rng);

// The spec of `profile` relative to the profile named `base` built with the same draws
// (`base_profile`): the base name, then every knob that differs, in profile_knobs() order.
std::string profile_spec(std::string_view base, const FaultProfile& base_profile, const FaultProfile& profile);

// The name before the first comma: the profile a spec starts from.
std::string_view spec_base_name(std::string_view spec);

}  // namespace net
