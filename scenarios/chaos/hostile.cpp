// The hostile kinds' names, rhythms and expected outcomes.
#include "scenarios/chaos/hostile.h"

#include "sim/enum_names.h"

namespace scenarios::chaos {
namespace {

struct KindInfo {
  HostileKind kind;
  std::string_view name;
  std::string_view key;
  std::string_view outcome;
};

constexpr std::array<KindInfo, kHostileKinds> kKinds = {{
    {HostileKind::kMalformedFrame, "malformed-frame", "malformed_frame", "the server ends that session"},
    {HostileKind::kBadSignature, "bad-signature", "bad_signature", "the dial is refused: 300 (bad signature)"},
    {HostileKind::kReplayedRequest, "replayed-request", "replayed_request",
     "the replay is refused: 301 (stale timestamp)"},
    {HostileKind::kDialFlood, "dial-flood", "dial_flood",
     "every request refused: 370 (too short), or 352 past the mux's accept backlog"},
    {HostileKind::kWindowViolation, "window-violation", "window_violation",
     "the server resets that stream (the offender sees 200)"},
    {HostileKind::kBadRecord, "bad-record", "bad_record", "the peer breaks that stream (the offender sees 200)"},
    {HostileKind::kStalledHandshake, "stalled-handshake", "stalled_handshake",
     "the server drops the connection at its 5 s handshake timeout"},
    {HostileKind::kNeverReads, "never-reads", "never_reads",
     "nothing owed: its own streams stall, its sessions may end by keepalive"},
    {HostileKind::kSpoofedSource, "spoofed-source", "spoofed_source",
     "the dial is refused: 302 (source is not the session's client)"},
}};

const KindInfo& info(HostileKind kind) {
  for (const KindInfo& k : kKinds) {
    if (k.kind == kind) return k;
  }
  SIM_UNREACHABLE("hostile kind {}", static_cast<int>(kind));
}

// The kind whose `field` is `text`.
std::optional<HostileKind> kind_where(std::string_view KindInfo::*field, std::string_view text) {
  for (const KindInfo& k : kKinds) {
    if (k.*field == text) return k.kind;
  }
  return std::nullopt;
}

}  // namespace

std::string_view enum_name(HostileKind kind) { return info(kind).name; }
std::string_view config_key(HostileKind kind) { return info(kind).key; }
std::string_view expected_outcome(HostileKind kind) { return info(kind).outcome; }

std::optional<HostileKind> hostile_kind_named(std::string_view name) { return kind_where(&KindInfo::name, name); }
std::optional<HostileKind> hostile_kind_of_key(std::string_view key) { return kind_where(&KindInfo::key, key); }

sim::Duration act_period(HostileKind kind) {
  return kind == HostileKind::kDialFlood ? sim::Duration::milliseconds(5) : sim::Duration::seconds(1);
}

bool answers_dial(HostileKind kind, dmsg::ErrorCode error) {
  using dmsg::ErrorCode;
  switch (kind) {
    case HostileKind::kBadSignature:
      return error == ErrorCode::kRequestBadSignature;
    case HostileKind::kReplayedRequest:
      return error == ErrorCode::kRequestStaleTimestamp;
    case HostileKind::kDialFlood:
      // Past the server mux's accept backlog (256) a request is reset before it is read.
      return error == ErrorCode::kSignedObjectTooShort || error == ErrorCode::kRejectedWithoutReason;
    case HostileKind::kSpoofedSource:
      return error == ErrorCode::kRequestBadSrcPk;
    default:
      return false;
  }
}

std::array<sim::Ratio, kHostileKinds> default_hostile_probabilities() {
  std::array<sim::Ratio, kHostileKinds> p;
  p.fill(sim::Ratio(1, 500));
  return p;
}

}  // namespace scenarios::chaos
