// `dmsgsim debug`: interactive time travel through a trace, scriptable from a pipe.
#include "scenarios/cli/commands.h"
#include "scenarios/cli/history_output.h"
#include "scenarios/cli/tick_arg.h"
#include "scenarios/replay/debugger.h"
#include "sim/fmt.h"

#include <unistd.h>

#include <iostream>
#include <sstream>

namespace scenarios::cli {
namespace {

constexpr std::string_view kDebugHelp = R"(usage: dmsgsim debug FILE

Time travel through a trace. Reads commands from standard input (a terminal, or a pipe
for scripts) and answers each on standard output:

  goto T          go to tick T (or a time with a unit: 2s)
  step [N]        N ticks forward (default 1), checking each against the recording
  back [N]        N ticks back
  print PATH      the value at a JSON pointer into the state, e.g. /actors/2/state, or
                  by node name: /nodes/s0/state (seek --text lists the names)
  events          the events that ran in the tick that ended here
  watch PATH      go to the next tick where the value at PATH changes; a path that
                  does not exist reads as (absent), so appearing and disappearing count
  watch-back PATH go to the last tick, at or before here, where it changed
  log [FILTER]    the deterministic log of the tick that ended here (default: trace)
  history ENTITY  how ENTITY got here: its history from the trace's start to this tick,
                  as `dmsgsim history` shows it (c25, stream:26, session:c25-s4)
  where           the current tick and chain hash
  help            this text
  quit            leave (so does the end of input)

Exit code: 0 when every command succeeded, 1 when any failed (its error was printed).
)";

void show_position(Debugger& debugger, const Io& io) {
  fmt::print(io.out, "tick {} chain 0x{:016x}\n", debugger.tick(), debugger.chain_hash());
}

void show_change(const std::optional<Debugger::Change>& change, Debugger& debugger, std::string_view direction,
                 const Io& io) {
  if (!change) {
    fmt::print(io.out, "no change {}; at tick {}\n", direction, debugger.tick());
    return;
  }
  fmt::print(io.out, "changed at tick {}: {} -> {}\n", change->tick, change->before, change->after);
}

enum class LineResult { kDone, kFailed, kQuit };

// Runs one command line and says whether it failed (its error is printed) or asked to leave.
LineResult run_line(Debugger& debugger, const std::string& line, const Io& io) {
  std::istringstream words(line);
  std::string command;
  if (!(words >> command)) return LineResult::kDone;
  std::string argument;
  words >> argument;
  const sim::Duration tick_length = debugger.session().run().config.tick;
  auto count = [&](uint64_t fallback) -> std::optional<uint64_t> {
    return argument.empty() ? std::optional<uint64_t>(fallback) : parse_u64(argument);
  };
  bool failed = false;
  auto fail = [&](std::string_view message) {
    fmt::print(io.out, "error: {}\n", message);
    failed = true;
  };
  auto report = [&](const sim::Status& status) {
    if (status) {
      show_position(debugger, io);
    } else {
      fail(status.error().message);
    }
  };
  if (command == "quit" || command == "exit") return LineResult::kQuit;
  if (command == "help") {
    fmt::print(io.out, "{}", kDebugHelp);
  } else if (command == "where") {
    show_position(debugger, io);
  } else if (command == "goto") {
    std::optional<uint64_t> tick = parse_tick(argument, tick_length);
    if (!tick) {
      fail("goto takes a tick or a time with a unit");
    } else {
      report(debugger.go_to(*tick));
    }
  } else if (command == "step" || command == "back") {
    std::optional<uint64_t> n = count(1);
    if (!n) {
      fail(fmt::format("{} takes a number of ticks", command));
    } else {
      report(command == "step" ? debugger.step(*n) : debugger.back(*n));
    }
  } else if (command == "print") {
    sim::Result<std::string> value = debugger.print(argument);
    if (value) {
      fmt::print(io.out, "{}\n", *value);
    } else {
      fail(value.error().message);
    }
  } else if (command == "events") {
    sim::Result<std::vector<sim::Event>> events = debugger.events();
    if (!events) {
      fail(events.error().message);
    } else {
      fmt::print(io.out, "{} events in the tick that ended at {}\n", events->size(), debugger.tick());
      for (const sim::Event& e : *events) {
        const std::optional<std::string_view> name = debugger.world().actor_names().of(e.target);
        const std::string target =
            name ? fmt::format("{} (actor {})", *name, e.target) : fmt::format("actor {}", e.target);
        fmt::print(io.out, "  {} seq {} -> {} kind {} args 0x{:x} 0x{:x}\n", e.time, e.seq, target, e.kind, e.arg0,
                   e.arg1);
      }
    }
  } else if (command == "watch" || command == "watch-back") {
    if (argument.empty()) {
      fail(fmt::format("{} takes a JSON pointer", command));
    } else {
      const bool forward = command == "watch";
      sim::Result<std::optional<Debugger::Change>> change =
          forward ? debugger.watch_forward(argument) : debugger.watch_backward(argument);
      if (change) {
        show_change(*change, debugger, forward ? "until the end" : "since the start", io);
      } else {
        fail(change.error().message);
      }
    }
  } else if (command == "history") {
    const sim::TraceFile& trace = debugger.session().trace();
    sim::Result<std::vector<HistoryEntry>> entries =
        argument.empty() ? sim::Result<std::vector<HistoryEntry>>(sim::Error{"history takes an entity"})
                         : entity_history(debugger.session(), argument, trace.first_tick, debugger.tick());
    if (entries) {
      print_history_text(io.out, *entries);
    } else {
      fail(entries.error().message);
    }
  } else if (command == "log") {
    sim::Result<sim::LogFilter> filter = sim::LogFilter::parse(argument.empty() ? "trace" : argument);
    if (!filter) {
      fail(filter.error().message);
    } else {
      sim::Result<std::vector<std::string>> lines = debugger.log(*filter);
      if (!lines) {
        fail(lines.error().message);
      } else {
        for (const std::string& l : *lines) fmt::print(io.out, "{}\n", l);
        fmt::print(io.out, "{} log lines\n", lines->size());
      }
    }
  } else {
    fail(fmt::format("unknown command '{}' (try help)", command));
  }
  return failed ? LineResult::kFailed : LineResult::kDone;
}

}  // namespace

int debug_command(Args& args, const Io& io) {
  if (args.take_flag("help")) {
    fmt::print(io.out, "{}", kDebugHelp);
    return kExitOk;
  }
  std::vector<std::string> files = args.take_positionals();
  if (sim::Status done = args.finish(); !done) return usage_error(io, "debug", done.error().message);
  if (files.size() != 1) return usage_error(io, "debug", "expected one trace file");
  sim::Result<TraceSession> session = TraceSession::open_file(files[0]);
  if (!session) return usage_error(io, "debug", session.error().message);
  sim::Result<Debugger> debugger = Debugger::open(std::move(session).value());
  if (!debugger) {
    fmt::print(io.err, "dmsgsim debug: {}\n", debugger.error().message);
    return kExitFailed;
  }
  const bool interactive = isatty(STDIN_FILENO) != 0;
  show_position(*debugger, io);
  std::string line;
  bool any_failed = false;
  while (true) {
    if (interactive) {
      fmt::print(io.out, "(dmsgsim) ");
      std::fflush(io.out);
    }
    if (!std::getline(std::cin, line)) break;
    const LineResult result = run_line(*debugger, line, io);
    std::fflush(io.out);
    if (result == LineResult::kQuit) break;
    any_failed = any_failed || result == LineResult::kFailed;
  }
  // A script can tell that one of its commands failed.
  return any_failed ? kExitFailed : kExitOk;
}

}  // namespace scenarios::cli
