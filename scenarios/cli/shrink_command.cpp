// `dmsgsim shrink`: a failing trace reduced to a minimal run with the same fingerprint.
#include "scenarios/cli/commands.h"
#include "scenarios/cli/interrupt.h"
#include "scenarios/cli/shrink_output.h"
#include "scenarios/cli/wall_clock.h"
#include "scenarios/replay/failure_file.h"
#include "sim/file_io.h"
#include "sim/fmt.h"

#include <unistd.h>

namespace scenarios::cli {
namespace {

constexpr std::string_view kShrinkHelp =
    R"(usage: dmsgsim shrink TRACE [--out FILE] [--max-runs N] [--max-time D] [--json] [--progress]

Re-runs a failing run with parts removed or weakened, keeps every change after which it
still fails with the same fingerprint, and writes the smallest such run as a trace. The
original is re-run twice first and must fail with its fingerprint both times. Passes, run
to a fixpoint: cut at the failing tick; remove nodes (chaos: clients, servers, stream
slots); delta debugging over units (a dial and its writes, a stop and its restart, a
partition and its heal), then over the inputs within them; weaken faults (shorter clogs,
loss bursts and partitions, smaller ratios, crash to kill to stop); profile knobs toward
calm; close idle gaps and end the fault phase sooner; smaller writes. Then nodes and
streams are renumbered, and each remaining input is removed alone to tell whether the
result is 1-minimal.

  --out FILE      where the shrunk trace goes (default: TRACE with .min before its
                  extension, run.trace -> run.min.trace)
  --max-runs N    stop after N runs (default 2000); with it alone the result is
                  deterministic: the same trace shrinks to the same bytes
  --max-time D    stop after D of wall-clock time (e.g. 60s); the result then depends
                  on the machine's speed
  --json          one JSON object: fingerprint, minimal, stopped, before and after sizes,
                  passes, runs, cache hits, runs from checkpoints, slips, knobs, inputs
  --progress      a progress line on stderr even when it is no terminal

Stopped by the budget, it writes the best run found so far and says it is not minimal
(exit 0, "minimal": false); by SIGINT or SIGTERM, the same with exit 130 / 143.

Exit codes: 0 shrunk, 1 the shrunk trace does not replay to the same fingerprint (a bug),
2 bad arguments, a trace that cannot be read, a fork, or one that passes or does not fail
reproducibly.
)";

std::string default_out(const std::string& trace) {
  const size_t slash = trace.rfind('/');
  const size_t dot = trace.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash) || dot == slash + 1) {
    return trace + ".min";
  }
  return trace.substr(0, dot) + ".min" + trace.substr(dot);
}

sim::Status parse_shrink_options(Args& args, ShrinkRequest& o) {
  std::optional<std::string> out = args.take_value("out");
  if (std::optional<uint64_t> runs = args.take_u64("max-runs")) {
    if (*runs == 0) args.fail("--max-runs 0 leaves no run to shrink with: give at least 1");
    o.max_runs = *runs;
  }
  if (std::optional<sim::Duration> time = args.take_duration("max-time")) {
    if (*time <= sim::Duration::zero()) args.fail("--max-time 0 leaves no time to shrink in: give a positive duration");
    o.max_time = *time;
  }
  o.json = args.take_flag("json");
  o.progress = args.take_flag("progress");
  std::vector<std::string> words = args.take_positionals();
  if (words.size() != 1) args.fail("expected one trace file");
  if (sim::Status done = args.finish(); !done) return done;
  o.trace = words[0];
  o.out = out.value_or(default_out(o.trace));
  if (o.out == o.trace) return sim::Error{"--out is the input trace: the shrunk run would replace its original"};
  return check_writable_file(o.out);
}

// The progress line: the pass, runs, and the best run's size, after each kept change.
class ShrinkProgress {
 public:
  ShrinkProgress(const Io& io, bool forced) : io_(io), terminal_(isatty(fileno(io.err)) != 0) {
    enabled_ = forced || terminal_;
  }
  ~ShrinkProgress() {
    if (printed_ && terminal_) fmt::print(io_.err, "\n");
  }
  ShrinkProgress(const ShrinkProgress&) = delete;
  ShrinkProgress& operator=(const ShrinkProgress&) = delete;

  void update(std::string_view pass, const shrink::Candidate& best, const shrink::TrialCounts& counts) {
    if (!enabled_) return;
    const shrink::CandidateSize size = shrink::size_of(best);
    fmt::print(io_.err, "{}shrink: {} runs ({} cached), {}: {} inputs, {} servers, {} clients, {} streams{}",
               terminal_ ? "\r\033[K" : "", counts.runs, counts.cache_hits, pass, size.inputs, size.servers,
               size.clients, size.streams, terminal_ ? "" : "\n");
    std::fflush(io_.err);
    printed_ = true;
  }

 private:
  const Io& io_;
  bool terminal_;
  bool enabled_ = false;
  bool printed_ = false;
};

// The trace's own verdict, re-derived by a verified replay: what the shrink must keep.
sim::Result<Verdict> failing_verdict(const TraceSession& session) {
  if (session.trace().fork) {
    return sim::Error{
        "the trace is a fork, which starts from a snapshot without its checks' history: shrink the "
        "trace it was forked from"};
  }
  sim::Result<ReplayOutcome> replayed = session.replay();
  if (!replayed) return replayed.error();
  if (replayed->divergence) {
    return sim::Error{
        fmt::format("the trace does not replay (run `dmsgsim replay` on it):\n{}", describe(*replayed->divergence))};
  }
  if (!replayed->verdict) return sim::Error{fmt::format("the trace's run cannot be judged: {}", replayed->unjudged)};
  if (replayed->verdict->passed) return sim::Error{"the trace's run passes: there is no failure to shrink"};
  return *replayed->verdict;
}

// Writes the shrunk run's trace and checks that it replays to the fingerprint.
sim::Result<std::string> write_and_verify(const TraceSession& original, const shrink::ShrinkResult& result,
                                          const std::string& out, std::optional<uint64_t>& first_failing_tick) {
  sim::Result<sim::TraceFile> trace =
      shrink::record_candidate(original.scenario(), result.shrunk, result.shrunk_end_tick);
  if (!trace) return trace.error();
  if (sim::Result<uint64_t> written = sim::write_trace(out, *trace); !written) return written.error();
  sim::Result<TraceSession> session = TraceSession::open(std::move(trace).value());
  if (!session) return session.error();
  sim::Result<ReplayOutcome> replayed = session->replay();
  if (!replayed) return replayed.error();
  if (replayed->divergence) return std::string("diverged");
  if (!replayed->verdict) return fmt::format("not judged: {}", replayed->unjudged);
  if (replayed->verdict->fingerprint != result.fingerprint) {
    return fmt::format("gave {}", replayed->verdict->passed ? "a pass" : replayed->verdict->fingerprint);
  }
  if (sim::Result<FailureOrigin> origin = locate_failure(*session, *replayed->verdict); origin) {
    first_failing_tick = origin->first_tick;
  }
  return std::string("verified");
}

}  // namespace

int shrink_trace(const ShrinkRequest& o, const Io& io) {
  const int64_t started_ns = wall_now_ns();
  sim::Result<TraceSession> session = TraceSession::open_file(o.trace);
  if (!session) return usage_error(io, "shrink", session.error().message);
  sim::Result<Verdict> verdict = failing_verdict(*session);
  if (!verdict) return usage_error(io, "shrink", fmt::format("{}: {}", o.trace, verdict.error().message));
  const InterruptGuard interrupts;
  const std::optional<int64_t> deadline_ns =
      o.max_time ? std::optional<int64_t>(started_ns + o.max_time->ns()) : std::nullopt;
  shrink::Budget budget{o.max_runs, [deadline_ns] {
                          return InterruptGuard::requested() || (deadline_ns && wall_now_ns() > *deadline_ns);
                        }};
  ShrinkProgress progress(io, o.progress);
  shrink::ShrinkHooks hooks{
      &wall_now_ns, [&](std::string_view pass, const shrink::Candidate& best, const shrink::TrialCounts& counts) {
        progress.update(pass, best, counts);
      }};
  sim::Result<shrink::ShrinkResult> result =
      shrink::shrink_run(session->scenario(), session->run(), verdict->fingerprint, session->trace().last_tick(),
                         std::move(budget), hooks);
  if (!result) return usage_error(io, "shrink", fmt::format("{}: {}", o.trace, result.error().message));
  ShrinkReport report{o.trace, o.out, &*result, std::nullopt, "", 0};
  sim::Result<std::string> replay = write_and_verify(*session, *result, o.out, report.first_failing_tick);
  if (!replay) {
    fmt::print(io.err, "dmsgsim shrink: writing {}: {}\n", o.out, replay.error().message);
    return kExitBadInput;
  }
  report.replay = *replay;
  report.wall_ns = wall_now_ns() - started_ns;
  o.json ? print_shrink_json(io.out, report) : print_shrink_text(io.out, report);
  if (report.replay != "verified") return kExitFailed;
  if (InterruptGuard::requested()) return InterruptGuard::exit_code();
  return kExitOk;
}

int shrink_command(Args& args, const Io& io) {
  if (args.take_flag("help")) {
    fmt::print(io.out, "{}", kShrinkHelp);
    return kExitOk;
  }
  ShrinkRequest o;
  if (sim::Status parsed = parse_shrink_options(args, o); !parsed) {
    return usage_error(io, "shrink", parsed.error().message);
  }
  return shrink_trace(o, io);
}

}  // namespace scenarios::cli
