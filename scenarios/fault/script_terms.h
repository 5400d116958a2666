// What the fault scenarios' steps share: their ports and sizes, and small look-ups of the
// clients' records. Only scenarios/fault/ includes it.
#pragma once

#include "scenarios/fault/script_client.h"
#include "sim/assert.h"
#include "sim/fmt.h"

#include <string>

namespace scenarios::script {

constexpr uint16_t kPort = 7;
constexpr uint16_t kNeverAcceptedPort = 8;
constexpr uint16_t kEpiloguePort = 9;
constexpr uint32_t kMessageBytes = 1000;
constexpr uint32_t kLoopMessage = 4096;
constexpr uint32_t kRounds = 100;
constexpr uint32_t kBacklog = 20;
constexpr uint32_t kCappedTotal = 1 << 20;  // more than the windows and buffers take
constexpr int kStreamsPerRound = 3;

inline std::string ms(sim::Duration d) { return fmt::format("{}", d); }

inline bool ready(const ScriptClient& c) { return c.has_session() && c.is_published(); }

inline const ScriptStream& stream_of(const ScriptClient& c, int64_t handle) {
  const ScriptStream* s = c.stream(static_cast<uint32_t>(handle));
  SIM_ASSERT_MSG(s != nullptr, "scenario stream {} is unknown", handle);
  return *s;
}

// A client's dial by index, once resolved.
inline const ScriptDial* resolved_dial(const ScriptClient& c, size_t index) {
  if (index >= c.dials().size() || !c.dials()[index].resolved) return nullptr;
  return &c.dials()[index];
}

}  // namespace scenarios::script
