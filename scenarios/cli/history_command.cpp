// `dmsgsim history`: one entity's inputs, state changes and log lines, in time order.
#include "scenarios/cli/commands.h"
#include "scenarios/cli/history_output.h"
#include "scenarios/cli/tick_arg.h"
#include "sim/fmt.h"

namespace scenarios::cli {
namespace {

constexpr std::string_view kHistoryHelp = R"(usage: dmsgsim history FILE ENTITY [--from T] [--to T] [--json]

One entity's life in a trace, in time order, each line with its tick: the inputs that name
it, its state changes, and the deterministic log lines (debug level) that mention it.

ENTITY is one of:
  a node by name     c25, s4, discovery, a (the names seek --text lists): every field of
                     its state that changed, as JSON pointer: before -> after
  stream:N           a chaos stream by its dial number: both ends as their clients hold
                     them (phase, relay server, bytes requested, written and delivered)
  session:C-S        a chaos client's session to a server, as the client holds it

  --from T  --to T   the boundaries to cover (ticks, or times with a unit; default: all)
  --json             one JSON object: entity, from, to, entries [{tick, kind, text}]

Exit codes: 0 shown, 1 the trace does not re-execute, 2 bad arguments, files or entity
(the message names what exists).
)";

}  // namespace

int history_command(Args& args, const Io& io) {
  if (args.take_flag("help")) {
    fmt::print(io.out, "{}", kHistoryHelp);
    return kExitOk;
  }
  std::optional<std::string> from_text = args.take_value("from");
  std::optional<std::string> to_text = args.take_value("to");
  const bool json = args.take_flag("json");
  std::vector<std::string> words = args.take_positionals();
  if (sim::Status done = args.finish(); !done) return usage_error(io, "history", done.error().message);
  if (words.size() != 2) return usage_error(io, "history", "expected a trace file and an entity");
  sim::Result<TraceSession> session = TraceSession::open_file(words[0]);
  if (!session) return usage_error(io, "history", session.error().message);
  const sim::TraceFile& trace = session->trace();
  const sim::Duration tick = session->run().config.tick;
  const std::optional<uint64_t> from =
      from_text ? parse_tick(*from_text, tick) : std::optional<uint64_t>(trace.first_tick);
  const std::optional<uint64_t> to = to_text ? parse_tick(*to_text, tick) : std::optional<uint64_t>(trace.last_tick());
  if (!from || !to || *from > *to || *from < trace.first_tick || *to > trace.last_tick()) {
    return usage_error(io, "history",
                       fmt::format("--from and --to take ticks or times with a unit within the trace (ticks {} to {}), "
                                   "from <= to",
                                   trace.first_tick, trace.last_tick()));
  }
  sim::Result<std::vector<HistoryEntry>> entries = entity_history(*session, words[1], *from, *to);
  if (!entries) return usage_error(io, "history", entries.error().message);
  json ? print_history_json(io.out, words[1], *from, *to, *entries) : print_history_text(io.out, *entries);
  return kExitOk;
}

}  // namespace scenarios::cli
