// Hostile peers: a chaos client that misbehaves for a span of virtual time in one of nine
// ways, each with the outcome the protocol gives the offender (README, "Hostile peers").
// The span's start and end are recorded inputs (`command cN hostile KIND`, `command cN
// hostile end`); between them the client acts on a timer of its own.
#pragma once

#include "dmsg/errors.h"
#include "dmsg/identity.h"
#include "sim/ratio.h"
#include "sim/time.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace scenarios::chaos {

enum class HostileKind : uint8_t {
  kMalformedFrame,    // a frame of an unknown version on a session: the server ends that session
  kBadSignature,      // a stream request whose signature does not verify: refused, 300
  kReplayedRequest,   // a stream request sent again unchanged: refused as stale, 301
  kDialFlood,         // 200 requests a second, each too short to decode: each refused, 370 or 352
  kWindowViolation,   // data past the window the server gave a stream: that stream is reset
  kBadRecord,         // a record longer than any the peer opens, on a stream: that stream breaks
  kStalledHandshake,  // a connection that never starts its handshake: dropped at the 5 s timeout
  kNeverReads,        // the offender stops reading its sessions: only its own streams may stall
  kSpoofedSource,     // a request naming another client as its source, signed with that
                      // client's (stolen) key: refused, 302
};
inline constexpr size_t kHostileKinds = 9;

// "malformed-frame", ...: in commands, --json and README.
std::string_view enum_name(HostileKind kind);
std::optional<HostileKind> hostile_kind_named(std::string_view name);
// "malformed_frame", ...: the kind's key under "hostile" in a chaos config.
std::string_view config_key(HostileKind kind);
std::optional<HostileKind> hostile_kind_of_key(std::string_view key);
// What the protocol does to the offender's act, for a person reading the table.
std::string_view expected_outcome(HostileKind kind);

// How often the offender acts during its span: a flood 200 times a second, the rest once.
sim::Duration act_period(HostileKind kind);
// Whether `error` is the refusal the protocol gives a dial of this kind (false for kinds
// that do not dial).
bool answers_dial(HostileKind kind, dmsg::ErrorCode error);

// The documented defaults (README, "Hostile peers"): per batch and kind, 1/500.
std::array<sim::Ratio, kHostileKinds> default_hostile_probabilities();
// A span lasts a whole number of batches from this range.
inline constexpr sim::Duration kShortestSpan = sim::Duration::seconds(1);
inline constexpr sim::Duration kLongestSpan = sim::Duration::seconds(10);

// What an offender saw of its acts of one kind.
struct HostileCounts {
  uint64_t acts = 0;
  uint64_t idle = 0;        // found nothing to act on (no session, no open stream)
  uint64_t answered = 0;    // with the outcome the protocol gives
  uint64_t lost = 0;        // ended first by something else: its session or stream went, the
                            // client's own deadline
  uint64_t unexpected = 0;  // any other outcome: a bug

  // Whether any count is below `o`'s (counts of one incarnation only grow).
  bool any_below(const HostileCounts& o) const {
    return acts < o.acts || idle < o.idle || answered < o.answered || lost < o.lost || unexpected < o.unexpected;
  }
  // What was added since `earlier`.
  HostileCounts since(const HostileCounts& earlier) const {
    return {acts - earlier.acts, idle - earlier.idle, answered - earlier.answered, lost - earlier.lost,
            unexpected - earlier.unexpected};
  }
  HostileCounts& operator+=(const HostileCounts& o) {
    acts += o.acts;
    idle += o.idle;
    answered += o.answered;
    lost += o.lost;
    unexpected += o.unexpected;
    return *this;
  }
  friend bool operator==(const HostileCounts&, const HostileCounts&) = default;
  template <class Visitor>
  void visit(Visitor& v) {
    v("acts", acts);
    v("idle", idle);
    v("answered", answered);
    v("lost", lost);
    v("unexpected", unexpected);
  }
};
// The counts of every kind.
struct HostileTable {
  std::array<HostileCounts, kHostileKinds> of{};

  HostileCounts& operator[](size_t kind) { return of.at(kind); }
  const HostileCounts& operator[](size_t kind) const { return of.at(kind); }
  friend bool operator==(const HostileTable&, const HostileTable&) = default;
  template <class Visitor>
  void visit(Visitor& v) {
    static_assert(kHostileKinds == 9, "one field per kind");
    v("malformed_frame", of[0]);
    v("bad_signature", of[1]);
    v("replayed_request", of[2]);
    v("dial_flood", of[3]);
    v("window_violation", of[4]);
    v("bad_record", of[5]);
    v("stalled_handshake", of[6]);
    v("never_reads", of[7]);
    v("spoofed_source", of[8]);
  }
};

// One act whose outcome is still to come, and when it was made.
struct PendingAct {
  HostileKind kind = HostileKind::kMalformedFrame;
  sim::Instant at;
  bool original = false;     // kReplayedRequest: the first sending, which any refusal answers
  dmsg::PublicKey server{};  // the server the act went to (a session's, a stream's relay)
  uint64_t dial_id = 0;      // an act on a stream: the stream's dial number

  template <class Visitor>
  void visit(Visitor& v) {
    v("kind", kind);
    v("at", at);
    v("original", original);
    v("server", server);
    v("dial_id", dial_id);
  }
};

}  // namespace scenarios::chaos
