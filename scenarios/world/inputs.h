// External inputs: faults a person (or the chaos panel) applies to a world at a tick.
#pragma once

#include "sim/ratio.h"
#include "sim/result.h"
#include "sim/time.h"
#include "sim/world.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scenarios {

enum class InputKind : uint8_t {
  kPartition,        // partition A,B|C: no traffic either way between the sides
  kPartitionOneWay,  // partition-oneway A,B>C: no traffic from the left side to the right
  kHeal,             // heal: lift every partition
  kCalm,             // calm: background faults stop (loss, duplication, clogs), for good
  kClog,             // clog NODE DURATION, or clog A,B DURATION for a pair
  kHold,             // hold SRC>DST: keep the link's packets until release
  kRelease,          // release SRC>DST
  kLossBurst,        // loss-burst RATIO DURATION
  kClock,            // clock NODE OFFSET: set the node's wall-clock offset
  kCrash,            // crash NODE: silent host crash
  kKill,             // kill NODE: process kill; the host sends RSTs
  kRestart,          // restart NODE
  kStop,             // stop NODE: graceful stop of the node's application
  kCommand,          // command NODE WORDS...: hand a command to the node's application
};
std::string_view enum_name(InputKind kind);

// One timed input, as parsed from `AT KIND ARGS` (e.g. "2s partition a0,b0|a1").
struct FaultInput {
  sim::Duration at;
  InputKind kind = InputKind::kHeal;
  std::vector<std::string> left;   // nodes: the only node, a pair, or a partition's left side
  std::vector<std::string> right;  // a partition's right side, or a link's destination
  sim::Duration duration;          // clog, loss-burst; the offset of clock
  sim::Ratio ratio;                // loss-burst
  std::vector<std::string> words;  // a command's words
  std::string text;                // as given, for messages and traces

  template <class Visitor>
  void visit(Visitor& v) {
    v("at", at);
    v("kind", kind);
    v("left", left);
    v("right", right);
    v("duration", duration);
    v("ratio", ratio);
    v("words", words);
    v("text", text);
  }
};

// Parses one input; the error says what is wrong and what the syntax is.
sim::Result<FaultInput> parse_fault(std::string_view text);

// The input's canonical text, "AT KIND ARGS" from its fields (not from `text`): what an
// edited input is written as; parse_fault reads it back to the same fields.
std::string format_fault(const FaultInput& input);

// The syntax of every kind, for help texts.
std::string_view fault_syntax_help();

// The tick at whose start the input is applied.
uint64_t input_tick(const FaultInput& input, sim::Duration tick_length);

// Checks that every node the input names exists on the world's network, and that a
// command's node runs an application that understands it.
sim::Status validate_fault(const sim::World& world, sim::ActorId network, const FaultInput& input);

// Why applying the input now would change nothing (heal with no partition, release of a
// link not held, crash, kill or stop of a node that is down); nullopt when it would act.
std::optional<std::string> why_fault_has_no_effect(const sim::World& world, sim::ActorId network,
                                                   const FaultInput& input);

// Applies an input at the current tick boundary.
void apply_fault(sim::World& world, sim::ActorId network, const FaultInput& input);

}  // namespace scenarios
