// Profile knobs and profile specs.
#include "net/profile_knobs.h"

#include "sim/fmt.h"
#include "sim/time.h"

#include <charconv>

namespace net {
namespace {

constexpr int64_t kPartsPerMillion = 1'000'000;

// Where a knob lives in the profile: one accessor per unit, so a knob is a name and a
// member, never a special case.
// P is FaultProfile or const FaultProfile: the pointer keeps its constness.
template <class P>
auto* duration_of(P& p, std::string_view name) {
  using Result = decltype(&p.clog_min);
  if (name == "latency_min") return &p.link.latency_min;
  if (name == "latency_mean") return &p.link.latency_mean;
  if (name == "clog_min") return &p.clog_min;
  if (name == "clog_max") return &p.clog_max;
  if (name == "clock_offset_max") return &p.clock_offset_max;
  return Result{nullptr};
}

template <class P>
auto* ratio_of(P& p, std::string_view name) {
  using Result = decltype(&p.link.loss);
  if (name == "loss") return &p.link.loss;
  if (name == "duplication") return &p.link.duplication;
  if (name == "clog_chance") return &p.clog_chance_per_s;
  return Result{nullptr};
}

// Counts are held in members of different widths; each is read and written as int64_t.
std::optional<int64_t> count_of(const FaultProfile& p, std::string_view name) {
  if (name == "bandwidth") return static_cast<int64_t>(p.link.bandwidth_bits_per_s);
  if (name == "capacity") return static_cast<int64_t>(p.link.capacity_packets);
  if (name == "mtu") return static_cast<int64_t>(p.link.mtu_bytes);
  return std::nullopt;
}

void set_count(FaultProfile& p, std::string_view name, int64_t value) {
  SIM_ASSERT_GT(value, 0);
  if (name == "bandwidth") p.link.bandwidth_bits_per_s = static_cast<uint64_t>(value);
  if (name == "capacity") p.link.capacity_packets = static_cast<uint32_t>(value);
  if (name == "mtu") p.link.mtu_bytes = static_cast<uint32_t>(value);
}

// The largest count a knob takes: what its member holds, and enough for any real link.
int64_t count_limit(std::string_view name) { return name == "bandwidth" ? int64_t{1} << 50 : int64_t{UINT32_MAX}; }

std::string known_knobs() {
  std::string names;
  for (const ProfileKnob& k : profile_knobs()) names += (names.empty() ? "" : ", ") + std::string(k.name);
  return names;
}

sim::Status set_knob_text(FaultProfile& p, const ProfileKnob& knob, std::string_view value) {
  switch (knob.unit) {
    case KnobUnit::kDuration: {
      const std::optional<sim::Duration> d = sim::parse_duration(value);
      if (!d) return sim::Error{fmt::format("knob {}: {}", knob.name, sim::duration_error(value))};
      *duration_of(p, knob.name) = *d;
      return sim::Ok{};
    }
    case KnobUnit::kRatio: {
      const std::optional<sim::Ratio> r = sim::parse_probability(value);
      if (!r) return sim::Error{fmt::format("knob {}: '{}' is not a probability (0.05, 1/20, 5%)", knob.name, value)};
      *ratio_of(p, knob.name) = *r;
      return sim::Ok{};
    }
    case KnobUnit::kCount: {
      int64_t n = 0;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (error != std::errc() || end != value.data() + value.size() || n <= 0 || n > count_limit(knob.name)) {
        return sim::Error{
            fmt::format("knob {}: '{}' is not a whole number from 1 to {}", knob.name, value, count_limit(knob.name))};
      }
      set_count(p, knob.name, n);
      return sim::Ok{};
    }
  }
  SIM_UNREACHABLE("a knob of unit {}", static_cast<int>(knob.unit));
}

}  // namespace

const std::vector<ProfileKnob>& profile_knobs() {
  static const std::vector<ProfileKnob> knobs = {
      {"latency_min", KnobUnit::kDuration},
      {"latency_mean", KnobUnit::kDuration},
      {"loss", KnobUnit::kRatio},
      {"duplication", KnobUnit::kRatio},
      {"bandwidth", KnobUnit::kCount},
      {"capacity", KnobUnit::kCount},
      {"mtu", KnobUnit::kCount},
      {"clog_chance", KnobUnit::kRatio},
      {"clog_min", KnobUnit::kDuration},
      {"clog_max", KnobUnit::kDuration},
      {"clock_offset_max", KnobUnit::kDuration},
  };
  return knobs;
}

const ProfileKnob* find_profile_knob(std::string_view name) {
  for (const ProfileKnob& k : profile_knobs()) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

int64_t knob_number(const FaultProfile& profile, const ProfileKnob& knob) {
  const FaultProfile& p = profile;
  switch (knob.unit) {
    case KnobUnit::kDuration:
      return duration_of(p, knob.name)->ns();
    case KnobUnit::kRatio: {
      const sim::Ratio& r = *ratio_of(p, knob.name);
      return r.scale(kPartsPerMillion);
    }
    case KnobUnit::kCount:
      return *count_of(p, knob.name);
  }
  SIM_UNREACHABLE("a knob of unit {}", static_cast<int>(knob.unit));
}

void set_knob_number(FaultProfile& profile, const ProfileKnob& knob, int64_t value) {
  switch (knob.unit) {
    case KnobUnit::kDuration:
      SIM_ASSERT_GE(value, 0);
      *duration_of(profile, knob.name) = sim::Duration::nanoseconds(value);
      return;
    case KnobUnit::kRatio:
      SIM_ASSERT(value >= 0 && value <= kPartsPerMillion);
      *ratio_of(profile, knob.name) = sim::Ratio(static_cast<uint64_t>(value), kPartsPerMillion);
      return;
    case KnobUnit::kCount:
      set_count(profile, knob.name, std::min(value, count_limit(knob.name)));
      return;
  }
  SIM_UNREACHABLE("a knob of unit {}", static_cast<int>(knob.unit));
}

std::string knob_text(const FaultProfile& profile, const ProfileKnob& knob) {
  const FaultProfile& p = profile;
  switch (knob.unit) {
    case KnobUnit::kDuration:
      return sim::format_duration(*duration_of(p, knob.name));
    case KnobUnit::kRatio:
      return sim::format_ratio(*ratio_of(p, knob.name));
    case KnobUnit::kCount:
      return std::to_string(*count_of(p, knob.name));
  }
  SIM_UNREACHABLE("a knob of unit {}", static_cast<int>(knob.unit));
}

std::string_view spec_base_name(std::string_view spec) { return spec.substr(0, spec.find(',')); }

sim::Result<FaultProfile> make_profile_spec(std::string_view spec, sim::Rng& rng) {
  sim::Result<FaultProfile> profile = make_profile(spec_base_name(spec), rng);
  if (!profile) return profile.error();
  size_t at = spec.find(',');
  while (at != std::string_view::npos) {
    const size_t next = spec.find(',', at + 1);
    const std::string_view setting = spec.substr(at + 1, next == std::string_view::npos ? next : next - at - 1);
    const size_t equals = setting.find('=');
    const ProfileKnob* knob = find_profile_knob(setting.substr(0, equals));
    if (equals == std::string_view::npos || knob == nullptr) {
      return sim::Error{
          fmt::format("profile '{}': '{}' is not KNOB=VALUE with a known knob ({})", spec, setting, known_knobs())};
    }
    if (sim::Status set = set_knob_text(*profile, *knob, setting.substr(equals + 1)); !set) {
      return sim::Error{fmt::format("profile '{}': {}", spec, set.error().message)};
    }
    at = next;
  }
  if (profile->clog_min > profile->clog_max) {
    return sim::Error{fmt::format("profile '{}': clog_min is above clog_max", spec)};
  }
  profile->name = std::string(spec);
  return profile;
}

std::string profile_spec(std::string_view base, const FaultProfile& base_profile, const FaultProfile& profile) {
  std::string spec(base);
  for (const ProfileKnob& knob : profile_knobs()) {
    if (knob_number(base_profile, knob) != knob_number(profile, knob) ||
        knob_text(base_profile, knob) != knob_text(profile, knob)) {
      spec += fmt::format(",{}={}", knob.name, knob_text(profile, knob));
    }
  }
  return spec;
}

}  // namespace net
