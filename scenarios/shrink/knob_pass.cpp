// Pass 5: each profile knob toward calm.
#include "net/profile_knobs.h"
#include "scenarios/run/actor_types.h"
#include "scenarios/shrink/passes.h"
#include "scenarios/shrink/search.h"
#include "scenarios/world/net_assembly.h"

namespace scenarios::shrink {
namespace {

// Positions between calm's value (0) and the value in force (kFar) a knob's search moves on.
constexpr int64_t kFar = 1024;

// The profiles a candidate's spec and its base name give, with the candidate's draws.
struct Profiles {
  std::string base;
  net::FaultProfile base_profile;
  net::FaultProfile in_force;
  net::FaultProfile calm;
};

Profiles profiles_of(const Candidate& c) {
  const sim::World world(sim::WorldOptions{c.config.seed, c.config.tick}, all_actor_types());
  Profiles p;
  p.base = std::string(net::spec_base_name(c.config.profile));
  p.base_profile = world_profile(world, p.base).value();
  p.in_force = world_profile(world, c.config.profile).value();
  p.calm = world_profile(world, "calm").value();
  return p;
}

// calm + (far - calm) * position / kFar, without overflowing for any knob's range.
int64_t between(int64_t calm, int64_t far, int64_t position) {
  const int64_t span = far - calm;
  return calm + span / kFar * position + span % kFar * position / kFar;
}

void record(std::vector<KnobFinding>& findings, KnobFinding finding) {
  for (KnobFinding& f : findings) {
    if (f.knob == finding.knob) {
      finding.from = f.from;  // where it started, in the first round
      f = std::move(finding);
      return;
    }
  }
  findings.push_back(std::move(finding));
}

// Moves one knob toward calm's value, as far as the failure survives.
bool calm_knob(Shrinking& s, const net::ProfileKnob& knob) {
  const Profiles p = profiles_of(s.best());
  const int64_t calm = net::knob_number(p.calm, knob);
  const int64_t far = net::knob_number(p.in_force, knob);
  if (calm == far) return false;
  auto profile_at = [&](int64_t position) {
    net::FaultProfile profile = p.in_force;
    net::set_knob_number(profile, knob, between(calm, far, position));
    return profile;
  };
  const NumberSearch found = smallest_failing(0, kFar, [&](int64_t position) {
    return s.attempt(with_profile(s.best(), net::profile_spec(p.base, p.base_profile, profile_at(position))));
  });
  KnobFinding finding{std::string(knob.name), net::knob_text(p.in_force, knob),
                      net::knob_text(profile_at(found.value), knob), std::nullopt};
  if (found.passes_at) finding.stops_failing_at = net::knob_text(profile_at(*found.passes_at), knob);
  record(s.knob_findings(), std::move(finding));
  return found.value < kFar;
}

}  // namespace

bool calm_knobs(Shrinking& s) {
  bool changed = false;
  for (const net::ProfileKnob& knob : net::profile_knobs()) {
    if (s.trials().out_of_budget()) return changed;
    changed |= calm_knob(s, knob);
  }
  // Every knob at calm's value: the run is on calm itself (whose checks are tighter).
  const Profiles p = profiles_of(s.best());
  if (p.base != "calm" && net::profile_spec("calm", p.calm, p.in_force) == "calm") {
    changed |= s.attempt(with_profile(s.best(), "calm"));
  }
  return changed;
}

}  // namespace scenarios::shrink
