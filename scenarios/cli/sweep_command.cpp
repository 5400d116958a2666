// `dmsgsim sweep`: many seeds, each run in a child process of its own, with a summary.
#include "scenarios/cli/commands.h"
#include "scenarios/cli/interrupt.h"
#include "scenarios/cli/wall_clock.h"
#include "scenarios/sweep/child_pool.h"
#include "scenarios/sweep/emit.h"
#include "scenarios/sweep/merge.h"
#include "scenarios/sweep/plan.h"
#include "scenarios/sweep/record.h"
#include "scenarios/sweep/summary.h"
#include "sim/file_io.h"
#include "sim/fmt.h"

#include <unistd.h>
#include <cstring>
#include <deque>
#include <filesystem>

namespace scenarios::cli {
namespace {

namespace fs = std::filesystem;
using sweep::ChildEnd;
using sweep::Outcome;
using sweep::RunRecord;

constexpr std::string_view kSweepHelp =
    R"(usage: dmsgsim sweep --seeds A:B (--chaos | --scenarios | --scenario NAME) [--profiles P,...]
                     [--config FILE] [--plant-bug NAME] [--jobs J] [--shard I/N] [--timeout D]
                     [--artifacts DIR] [--shrink] [--double-check PCT] [--json] [--progress]
       dmsgsim sweep ... --emit slurm|parallel --shards N [--array-limit M] [--hosts H,...]
                     [--out-dir DIR]
       dmsgsim sweep merge FILE... [--json]     (dmsgsim sweep merge --help)

Runs every (seed, profile, scenario) of the range, each as a child process of its own
(dmsgsim chaos or dmsgsim run --scenario), at most J at once, and reports one line per run,
then a summary. A child that crashes (a signal, an assertion) is recorded crashed, one past
its wall-time limit is killed and recorded hung, each with its reproduction command, and the
sweep goes on; a child that refuses its arguments (exit 2) stops the sweep at once.

  --seeds A:B        the seeds, both ends included
  --chaos            chaos runs (with the default world, or --config's)
  --scenarios        the six fault scenarios of the test plan, each per (seed, profile)
  --scenario NAME    one scenario (dmsgsim run --list names them)
  --profiles P,...   the network profiles, each a run of its own (default calm)
  --config FILE      a chaos config (README, "Chaos"); with --chaos only
  --plant-bug NAME   a checker self-test: every run with that bug (dmsgsim chaos --list-bugs)
  --jobs J           children at once (default: the machine's cores)
  --shard I/N        only runs I, I+N, I+2N, ... of the sweep's order (seed, then profile,
                     then scenario), I from 0: a Slurm array index or a GNU parallel argument
  --timeout D        a run's wall-time limit (default 10min)
  --artifacts DIR    where failing runs keep their files (default sweep-artifacts): one folder
                     per fingerprint, then per run (seed-N-PROFILE[-SCENARIO]), holding the
                     trace and failure.json (chaos: its states too); crashed and hung runs keep
                     their standard error
  --shrink           shrink each failing run's trace in its folder (run.min.trace, the
                     shrink's report in shrink.json and shrink.txt), each shrink a child with
                     the same limit (dmsgsim shrink --help)
  --double-check PCT re-run a sample of about PCT % of the passing runs, chosen by seed (the
                     same on every shard), and require the same chain; a different one is a
                     determinism failure, listed first in the summary
  --json             JSON lines: a "sweep" line (the range and shard), one "run" line per run
                     (seed, profile, scenario, shard, result, fingerprint, check, virtual time,
                     wall ms, chain hash, reproduce), then a "summary" line
  --progress         a progress line on stderr even when it is no terminal

Instead of running, for more than one machine:
  --emit slurm       print a bash script that submits the sweep as a Slurm job array, one
                     shard per task (--array-limit M at once), each task's JSON lines in
                     --out-dir DIR (default sweep-shards) as JOB_TASK.jsonl, and `sweep merge`
                     as a job depending on the array (afterany): DIR/JOB.merged.json
  --emit parallel    print a GNU parallel command line: one job per shard over --hosts H,...
                     (ssh logins; default ":" , this host), each shard's lines in DIR/I.jsonl,
                     a job log, then the merge into DIR/merged.json
  --shards N         with --emit: the number of shards

Ctrl-C (SIGINT) or SIGTERM: no new run starts, running children finish (within their
limit), and the summary says interrupted.

Exit codes: 0 every run passed, 1 the sweep found failures, 2 bad arguments (or a child
refused its own), 130 / 143 interrupted.
)";

struct EmitOptions {
  std::string engine;  // "slurm" or "parallel"
  std::string out_dir = "sweep-shards";
  uint32_t array_limit = 0;
  std::vector<std::string> hosts;
};

struct SweepOptions {
  std::optional<EmitOptions> emit;
  sweep::SweepSpec spec;
  size_t jobs = 1;
  int64_t timeout_ns = 600'000'000'000;
  std::string artifacts = "sweep-artifacts";
  uint32_t double_check_percent = 0;
  bool shrink = false;
  bool json = false;
  bool progress = false;
};

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    parts.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return parts;
    start = comma + 1;
  }
}

// "A:B" into the spec's range.
void take_seeds(Args& args, sweep::SweepSpec& spec) {
  std::optional<std::string> seeds = args.take_value("seeds");
  if (!seeds) return args.fail("--seeds A:B is required (e.g. --seeds 1:100)");
  const size_t colon = seeds->find(':');
  std::optional<uint64_t> first = parse_u64(seeds->substr(0, colon));
  std::optional<uint64_t> last = colon == std::string::npos ? first : parse_u64(seeds->substr(colon + 1));
  if (!first || !last) return args.fail(fmt::format("--seeds '{}' is no range A:B of seeds", *seeds));
  spec.first_seed = *first;
  spec.last_seed = *last;
}

void take_shard(Args& args, sweep::SweepSpec& spec) {
  std::optional<std::string> shard = args.take_value("shard");
  if (!shard) return;
  const size_t slash = shard->find('/');
  std::optional<uint64_t> index = parse_u64(shard->substr(0, slash));
  std::optional<uint64_t> count = slash == std::string::npos ? std::nullopt : parse_u64(shard->substr(slash + 1));
  if (!index || !count || *count > UINT32_MAX) return args.fail(fmt::format("--shard '{}' is no I/N", *shard));
  spec.shard = static_cast<uint32_t>(std::min<uint64_t>(*index, UINT32_MAX));
  spec.shards = static_cast<uint32_t>(*count);
}

void take_scenarios(Args& args, sweep::SweepSpec& spec) {
  const bool chaos = args.take_flag("chaos");
  const bool six = args.take_flag("scenarios");
  std::optional<std::string> one = args.take_value("scenario");
  if (int{chaos} + int{six} + int{one.has_value()} != 1) {
    return args.fail("give exactly one of --chaos, --scenarios and --scenario NAME");
  }
  if (chaos) spec.scenarios = {"chaos"};
  if (six) spec.scenarios = sweep::fault_scenario_names();
  if (one) spec.scenarios = {*one};
}

// A folder the sweep can write into, made now: refused before anything runs.
sim::Status prepare_artifacts(const std::string& dir) {
  std::error_code error;
  fs::create_directories(dir + "/.running", error);  // chaos children's folders, until a verdict
  if (error) return sim::Error{fmt::format("--artifacts {}: cannot make the folder: {}", dir, error.message())};
  const std::string probe = dir + "/.sweep-probe";
  if (sim::Status writable = check_writable_file(probe); !writable) {
    return sim::Error{fmt::format("--artifacts {}: {}", dir, writable.error().message)};
  }
  return sim::Ok{};
}

// --emit ENGINE with its --shards N (instead of --shard I/N) and the engine's own options.
void take_emit(Args& args, SweepOptions& o) {
  std::optional<std::string> engine = args.take_value("emit");
  std::optional<uint64_t> shards = args.take_count("shards", 1, 1'000'000);
  std::optional<uint64_t> limit = args.take_count("array-limit", 1, 1'000'000);
  std::optional<std::string> hosts = args.take_value("hosts");
  std::optional<std::string> out_dir = args.take_value("out-dir");
  if (!engine) {
    if (shards || limit || hosts || out_dir) args.fail("--shards, --array-limit, --hosts and --out-dir go with --emit");
    return;
  }
  if (*engine != "slurm" && *engine != "parallel") return args.fail("--emit takes slurm or parallel");
  if (!shards) return args.fail("--emit needs --shards N: the number of array tasks or parallel jobs");
  if (o.spec.shards != 1) return args.fail("--emit writes every shard: give --shards N, not --shard I/N");
  if (limit && *engine != "slurm") return args.fail("--array-limit goes with --emit slurm");
  if (hosts && *engine != "parallel") return args.fail("--hosts goes with --emit parallel");
  EmitOptions emit;
  emit.engine = *engine;
  if (out_dir) emit.out_dir = *out_dir;
  if (emit.out_dir.find_first_of(" \t\n") != std::string::npos) {
    return args.fail("--out-dir must not hold spaces: #SBATCH --output cannot quote them");
  }
  emit.array_limit = static_cast<uint32_t>(limit.value_or(0));
  if (hosts) emit.hosts = split_commas(*hosts);
  o.spec.shards = static_cast<uint32_t>(*shards);
  o.emit = std::move(emit);
}

std::string absolute(const std::string& path) { return fs::absolute(path).lexically_normal().string(); }

int emit_command(const SweepOptions& o, const Io& io) {
  sweep::EmitRequest request;
  request.spec = o.spec;
  if (!request.spec.config_path.empty()) request.spec.config_path = absolute(request.spec.config_path);
  std::error_code error;
  request.dmsgsim = fs::read_symlink("/proc/self/exe", error).string();
  if (error) return usage_error(io, "sweep", "cannot find this binary's path: " + error.message());
  request.out_dir = absolute(o.emit->out_dir);
  request.artifacts = absolute(o.artifacts);
  request.jobs_per_shard = o.jobs;
  request.timeout_ns = o.timeout_ns;
  request.double_check_percent = o.double_check_percent;
  request.shrink = o.shrink;
  request.array_limit = o.emit->array_limit;
  request.hosts = o.emit->hosts;
  fmt::print(io.out, "{}", o.emit->engine == "slurm" ? sweep::slurm_script(request) : sweep::parallel_command(request));
  return kExitOk;
}

sim::Result<SweepOptions> parse_sweep_options(Args& args) {
  SweepOptions o;
  take_seeds(args, o.spec);
  take_scenarios(args, o.spec);
  if (std::optional<std::string> profiles = args.take_value("profiles")) o.spec.profiles = split_commas(*profiles);
  if (std::optional<std::string> config = args.take_value("config")) o.spec.config_path = *config;
  if (std::optional<std::string> bug = args.take_value("plant-bug")) o.spec.planted_bug = *bug;
  const long cores = sysconf(_SC_NPROCESSORS_ONLN);
  o.jobs = args.take_count("jobs", 1, 1024).value_or(cores > 0 ? static_cast<size_t>(cores) : 1);
  take_shard(args, o.spec);
  if (std::optional<sim::Duration> limit =
          args.take_duration_in("timeout", sim::Duration::milliseconds(100), sim::Duration::seconds(7 * 86400))) {
    o.timeout_ns = limit->ns();
  }
  if (std::optional<std::string> artifacts = args.take_value("artifacts")) o.artifacts = *artifacts;
  o.double_check_percent = static_cast<uint32_t>(args.take_count("double-check", 0, 100).value_or(0));
  o.shrink = args.take_flag("shrink");
  o.json = args.take_flag("json");
  o.progress = args.take_flag("progress");
  take_emit(args, o);
  if (sim::Status done = args.finish(); !done) return done.error();
  if (sim::Status valid = sweep::validate(o.spec); !valid) return valid.error();
  if (!o.spec.config_path.empty()) {
    if (sim::Result<sim::Bytes> text = sim::read_file(o.spec.config_path); !text) {
      return sim::Error{fmt::format("--config {}: {}", o.spec.config_path, text.error().message)};
    }
  }
  if (o.emit) return o;  // the engine's tasks make their folders, on their hosts
  if (sim::Status ready = prepare_artifacts(o.artifacts); !ready) return ready.error();
  return o;
}

// A child's last line of standard error but a pointer to --help: its message.
std::string last_line(const std::string& text) {
  std::string trimmed = text;
  while (true) {
    while (!trimmed.empty() && trimmed.back() == '\n') trimmed.pop_back();
    const size_t newline = trimmed.rfind('\n');
    std::string line = newline == std::string::npos ? trimmed : trimmed.substr(newline + 1);
    if (line.rfind("(see dmsgsim", 0) != 0 || newline == std::string::npos) return line;
    trimmed.resize(newline);
  }
}

std::string signal_text(int signal) {
  const char* abbrev = sigabbrev_np(signal);
  return abbrev != nullptr ? fmt::format("SIG{}", abbrev) : fmt::format("signal {}", signal);
}

std::string slug(const std::string& text) {
  std::string out;
  for (const char c : text) out += std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' ? c : '_';
  return out.substr(0, 150);
}

// What a sweep's run goes through: its first run, then a re-run that double-checks it, or
// one that records a fault scenario's failing trace, and with --shrink the shrink of it.
enum class JobKind { kFirst, kRecheck, kRecord, kShrink };
struct Job {
  JobKind kind;
  size_t run;  // into Sweep::records_
};

class Sweep {
 public:
  Sweep(const SweepOptions& options, const Io& io) : o_(options), io_(io), pool_(options.jobs) {
    for (const sweep::RunId& id : sweep::shard_runs(o_.spec)) {
      RunRecord r;
      r.run = id;
      r.shard = o_.spec.shard;
      r.reproduce = sweep::reproduce_command(o_.spec, id);
      queue_.push_back(Job{JobKind::kFirst, records_.size()});
      records_.push_back(std::move(r));
    }
  }

  int run() {
    print_header();
    started_ns_ = wall_now_ns();
    while (!queue_.empty() || pool_.running() > 0) {
      if (InterruptGuard::requested()) drop_queue();
      while (pool_.has_room() && !queue_.empty()) start(queue_.front()), queue_.pop_front();
      for (auto& [ticket, end] : pool_.collect(100)) {
        const Job job = running_.at(ticket);
        running_.erase(ticket);
        if (std::optional<int> stop = finish(job, std::move(end))) {
          pool_.kill_all();
          return *stop;
        }
      }
      print_progress();
    }
    return print_summary();
  }

 private:
  // Interrupted: no run starts; a run whose double check or recording was still to come is
  // reported as its first run ended.
  void drop_queue() {
    for (const Job& job : queue_) {
      if (job.kind != JobKind::kFirst) report(records_[job.run]);
    }
    queue_.clear();
  }

  void start(const Job& job) {
    const RunRecord& r = records_[job.run];
    if (job.kind == JobKind::kShrink) {
      running_.emplace(pool_.start({"shrink", r.artifacts + "/run.trace", "--json"}, o_.timeout_ns), job);
      return;
    }
    std::vector<std::string> words = sweep::run_words(o_.spec, r.run);
    words.emplace_back("--json");
    if (job.kind == JobKind::kFirst && r.run.scenario == "chaos") {
      words.insert(words.end(), {"--artifacts", running_folder(r), "--overwrite"});
    }
    if (job.kind == JobKind::kRecord) words.insert(words.end(), {"--trace", r.artifacts + "/run.trace"});
    running_.emplace(pool_.start(words, o_.timeout_ns), job);
  }

  std::string running_folder(const RunRecord& r) const {
    return fmt::format("{}/.running/run-{}", o_.artifacts, r.run.index);
  }
  std::string final_folder(const RunRecord& r) const {
    std::string name = fmt::format("seed-{}-{}", r.run.seed, r.run.profile);
    if (o_.spec.scenarios.size() > 1 || r.run.scenario != "chaos") name += "-" + r.run.scenario;
    return fmt::format("{}/{}/{}", o_.artifacts, slug(sweep::failure_key(r)), name);
  }

  // Reads a child's end into `r`; nullopt for a verdict, else an exit code that stops the sweep.
  std::optional<int> classify(RunRecord& r, ChildEnd& end) {
    r.wall_ms = end.wall_ns / 1'000'000;
    if (end.timed_out) {
      r.outcome = Outcome::kHung;
      r.detail = fmt::format("killed after its limit of {} ms", o_.timeout_ns / 1'000'000);
      return std::nullopt;
    }
    if (end.signal != 0) {
      r.outcome = Outcome::kCrashed;
      r.fingerprint = "crashed:" + signal_text(end.signal);
      r.detail = last_line(end.err_tail);
      return std::nullopt;
    }
    if (end.exit_code == kExitBadInput) {
      fmt::print(io_.err, "dmsgsim sweep: `{}` refused its arguments, so every run would: {}\n", r.reproduce,
                 last_line(end.err_tail));
      return kExitBadInput;
    }
    sim::Result<RunRecord> verdict = sweep::record_from_child_json(end.out, r);
    const bool consistent = verdict && (end.exit_code == kExitOk) == (verdict->outcome == Outcome::kPass) &&
                            (end.exit_code == kExitOk || end.exit_code == kExitFailed);
    if (!consistent) {
      r.outcome = Outcome::kCrashed;
      r.fingerprint = fmt::format("crashed:exit {}", end.exit_code);
      r.detail = verdict ? last_line(end.err_tail) : verdict.error().message;
      return std::nullopt;
    }
    r = std::move(*verdict);
    return std::nullopt;
  }

  std::optional<int> finish(const Job& job, ChildEnd end) {
    RunRecord& r = records_[job.run];
    if (job.kind == JobKind::kRecord) return shrink_or_report(job);  // its trace and failure.json are written
    if (job.kind == JobKind::kShrink) {
      keep_shrink(r, end);
      return report(r);
    }
    if (job.kind == JobKind::kRecheck) {
      RunRecord again = r;
      if (std::optional<int> stop = classify(again, end)) return stop;
      if (again.outcome != r.outcome || again.chain_hash != r.chain_hash) {
        r.detail = fmt::format("a second run gave {} with chain {}, the first {} with chain {}",
                               sweep::outcome_name(again.outcome), again.chain_hash, sweep::outcome_name(r.outcome),
                               r.chain_hash);
        r.outcome = Outcome::kNondeterministic;
        keep_files(r, {});
      }
      return report(r);
    }
    if (std::optional<int> stop = classify(r, end)) return stop;
    if (r.outcome == Outcome::kPass) {
      remove_running_folder(r);
      if (sweep::double_checked(r.run.seed, o_.double_check_percent) && !InterruptGuard::requested()) {
        queue_.push_front(Job{JobKind::kRecheck, job.run});
        return std::nullopt;
      }
      return report(r);
    }
    keep_files(r, end.err_tail);
    if (r.outcome == Outcome::kFail && r.run.scenario != "chaos" && !InterruptGuard::requested()) {
      queue_.push_front(Job{JobKind::kRecord, job.run});  // the scenario again, recording its trace
      return std::nullopt;
    }
    return r.outcome == Outcome::kFail ? shrink_or_report(job) : report(r);
  }

  // A failure whose trace is kept: shrunk next with --shrink, else reported.
  std::optional<int> shrink_or_report(const Job& job) {
    if (o_.shrink && !InterruptGuard::requested() && fs::exists(records_[job.run].artifacts + "/run.trace")) {
      queue_.push_front(Job{JobKind::kShrink, job.run});
      return std::nullopt;
    }
    return report(records_[job.run]);
  }

  // The shrink's report beside the shrunk trace (run.min.trace, which it wrote there).
  void keep_shrink(RunRecord& r, const ChildEnd& end) {
    write_text(r.artifacts + "/shrink.json", end.out);
    if (!end.err_tail.empty()) write_text(r.artifacts + "/shrink.txt", end.err_tail);
    if (end.exit_code != kExitOk) {
      const std::string why = end.timed_out     ? "killed after the run's limit"
                              : end.signal != 0 ? "ended by " + signal_text(end.signal)
                                                : fmt::format("exit {}: {}", end.exit_code, last_line(end.err_tail));
      r.detail += (r.detail.empty() ? "" : "; ") + std::string("the shrink did not finish: ") + why;
    }
  }

  // A failing run's folder: chaos's own artifacts moved there, or standard error for a run
  // that crashed or hung.
  void keep_files(RunRecord& r, const std::string& err_tail) {
    r.artifacts = final_folder(r);
    std::error_code error;
    fs::remove_all(r.artifacts, error);
    fs::create_directories(fs::path(r.artifacts).parent_path(), error);
    const std::string running = running_folder(r);
    if (r.outcome == Outcome::kFail && fs::exists(running)) {
      fs::rename(running, r.artifacts, error);
    } else {
      fs::create_directories(r.artifacts, error);
      remove_running_folder(r);
    }
    if (!err_tail.empty()) write_text(r.artifacts + "/stderr.txt", err_tail);
    write_text(r.artifacts + "/reproduce.txt", r.reproduce + "\n");
    if (error) fmt::print(io_.err, "dmsgsim sweep: {}: {}\n", r.artifacts, error.message());
  }

  void write_text(const std::string& path, const std::string& text) {
    if (sim::Status written = sim::write_file(path, sim::Bytes(text.begin(), text.end())); !written) {
      fmt::print(io_.err, "dmsgsim sweep: {}\n", written.error().message);
    }
  }

  void remove_running_folder(const RunRecord& r) {
    std::error_code error;
    fs::remove_all(running_folder(r), error);
  }

  std::optional<int> report(const RunRecord& r) {
    ++done_;
    failures_ += sweep::is_failure(r.outcome) ? 1 : 0;
    finished_.push_back(r);
    clear_progress();
    if (o_.json) {
      fmt::print(io_.out, "{}\n", sweep::record_json(r).to_text());
    } else {
      fmt::print(io_.out, "{:>8} {:<8} {:<44} {:>5} {:<16} {:>10.3f}s {:>8}ms  {}\n", r.run.seed, r.run.profile,
                 r.run.scenario, r.shard, sweep::outcome_name(r.outcome), static_cast<double>(r.virtual_time_ns) / 1e9,
                 r.wall_ms, r.chain_hash.empty() ? "-" : r.chain_hash);
      if (sweep::is_failure(r.outcome)) {
        fmt::print(io_.out, "         {}{}\n         reproduce: {}\n", sweep::failure_key(r),
                   r.detail.empty() ? "" : ": " + r.detail, r.reproduce);
      }
    }
    std::fflush(io_.out);
    return std::nullopt;
  }

  void print_header() {
    const uint64_t total = sweep::run_count(o_.spec);
    const uint64_t mine = records_.size();
    if (o_.json) {
      fmt::print(io_.out, "{}\n", sweep::header_json(o_.spec, mine).to_text());
    } else {
      fmt::print(
          io_.out,
          "sweep of seeds {}-{}, shard {}/{}: {} of {} runs\n{:>8} {:<8} {:<44} {:>5} {:<16} {:>11} {:>10}  {}\n",
          o_.spec.first_seed, o_.spec.last_seed, o_.spec.shard, o_.spec.shards, mine, total, "seed", "profile",
          "scenario", "shard", "result", "virtual", "wall", "chain hash");
    }
  }

  int print_summary() {
    clear_progress();
    const sweep::Summary summary = sweep::summarize(finished_, InterruptGuard::requested());
    if (o_.json) {
      fmt::print(io_.out, "{}\n", sweep::summary_json(summary).to_text());
    } else {
      fmt::print(io_.out, "\n{}", sweep::summary_text(summary));
    }
    // `.running` stays: the shards of one sweep share the folder, and others may still run.
    if (InterruptGuard::requested()) return InterruptGuard::exit_code();
    return summary.all.failures > 0 ? kExitFailed : kExitOk;
  }

  void print_progress() {
    const bool on_terminal = isatty(fileno(io_.err)) != 0;
    if (!o_.progress && !on_terminal) return;
    const int64_t now = wall_now_ns();
    if (now - last_progress_ns_ < 500'000'000) return;
    last_progress_ns_ = now;
    const double elapsed_s = static_cast<double>(now - started_ns_) / 1e9;
    const double rate = elapsed_s > 0 ? static_cast<double>(done_) / elapsed_s : 0;
    const uint64_t left = records_.size() - done_;
    const std::string eta = rate > 0 ? fmt::format("{:.0f}s", static_cast<double>(left) / rate) : "?";
    fmt::print(io_.err, "{}sweep: {}/{} runs, {} failed, {:.2f} runs/s, ETA {}{}", on_terminal ? "\r" : "", done_,
               records_.size(), failures_, rate, eta, on_terminal ? "\x1b[K" : "\n");
    progress_shown_ = on_terminal;
  }
  void clear_progress() {
    if (progress_shown_) fmt::print(io_.err, "\r\x1b[K");
    progress_shown_ = false;
  }

  const SweepOptions& o_;
  const Io& io_;
  sweep::ChildPool pool_;
  std::vector<RunRecord> records_;
  std::deque<Job> queue_;
  std::map<uint64_t, Job> running_;
  std::vector<RunRecord> finished_;
  uint64_t done_ = 0;
  uint64_t failures_ = 0;
  int64_t started_ns_ = 0;
  int64_t last_progress_ns_ = 0;
  bool progress_shown_ = false;
};

}  // namespace

int sweep_command(Args& args, const Io& io) {
  if (args.take_subcommand("merge")) return sweep_merge_command(args, io);
  if (args.take_flag("help")) {
    fmt::print(io.out, "{}", kSweepHelp);
    return kExitOk;
  }
  sim::Result<SweepOptions> options = parse_sweep_options(args);
  if (!options) return usage_error(io, "sweep", options.error().message);
  if (options->emit) return emit_command(*options, io);
  InterruptGuard guard;
  return Sweep(*options, io).run();
}

}  // namespace scenarios::cli
