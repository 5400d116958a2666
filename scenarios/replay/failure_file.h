// failure.json: what a failing run leaves for the person (or tool) that debugs it, beside
// its trace: the run, the broken check and its fingerprint, the first tick at which the
// violated condition held, the bytes a byte check is about, and the commands to look.
#pragma once

#include "scenarios/replay/trace_session.h"

#include <string>

namespace scenarios {

// Where a failure first showed: the first boundary after the last passing check at which
// the primary failure's condition held, found by re-executing the trace with its judge and
// probing every boundary up to the failing one (conditions are not monotone: no bisection).
// A liveness failure is judged at its deadline: its own tick.
struct FailureOrigin {
  uint64_t first_tick = 0;
  bool searched = false;  // false: a liveness failure, at its own tick
};
sim::Result<FailureOrigin> locate_failure(const TraceSession& session, const Verdict& verdict);

// The failure file's text, for a verdict that failed. `trace_path` is how a person reaches
// the trace (for the commands it shows).
std::string failure_json(const TraceSession& session, const Verdict& verdict, const FailureOrigin& origin,
                         const std::string& trace_path);

// The one line a failing command prints on standard error: fingerprint, ticks, and for a
// byte check the stream, its end and the offset.
std::string failure_line(const Verdict& verdict, const FailureOrigin& origin);

// The command that shrinks the trace at `trace_path` (failure.json, chaos and run show it).
std::string shrink_command_for(const std::string& trace_path);

// Locates the failure and writes failure_json() to `path`.
sim::Result<FailureOrigin> write_failure_file(const TraceSession& session, const Verdict& verdict,
                                              const std::string& trace_path, const std::string& path);

}  // namespace scenarios
