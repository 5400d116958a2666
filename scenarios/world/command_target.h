// Applications that take commands from outside the world, as recorded external inputs
// (`AT command NODE WORDS...`): what the chaos control panel tells its clients to do.
#pragma once

#include "sim/context.h"
#include "sim/result.h"

#include <string>
#include <vector>

namespace scenarios {

class CommandTarget {
 public:
  virtual ~CommandTarget() = default;
  // Whether `words` is a command this application understands (checked when a run or a
  // trace is loaded, so a bad command is a clear error, never a crash mid-run).
  virtual sim::Status check_command(const std::vector<std::string>& words) const = 0;
  // Carries out a checked command at a tick boundary, as the node's application.
  virtual void run_command(sim::Context& ctx, const std::vector<std::string>& words) = 0;
};

}  // namespace scenarios
