// Dispatches dmsgsim's subcommands and prints the top-level help.
#include "scenarios/cli/cli.h"

#include "dmsg/crypto_init.h"
#include "scenarios/cli/commands.h"
#include "sim/fmt.h"

#include <string>
#include <vector>

namespace scenarios::cli {
namespace {

constexpr std::string_view kHelp = R"(dmsgsim: the dmsg relay network on a deterministic discrete-event simulator

usage: dmsgsim COMMAND [OPTIONS]

commands:
  run      the six fault scenarios (a table), or one scenario from a seed: hashes, checks, --trace
  chaos    servers and clients under random events, checked against a reference model
  replay   re-execute a trace, verifying every tick's hash
  seek     the state at any tick of a trace
  diff     the first tick where two traces diverge, and how their states differ there
  fork     the run of a trace from a tick on, with a new seed
  debug    travel through a trace: goto, step, back, print, events, watch, history
  history  one node's, stream's or session's inputs, state changes and log lines
  shrink   a failing trace reduced to a minimal, explained run with the same fingerprint
  sweep    many seeds, each in a child process: one line per run, a summary, shards for clusters
  info     what a trace holds
  bench    measure the simulator's speed

options:
  --help       this text (also after a command: dmsgsim run --help, or dmsgsim help run)
  --version    the version

Exit codes: 0 success, 1 a run or check failed, 2 bad arguments or files.
)";

struct Command {
  std::string_view name;
  int (*handler)(Args&, const Io&);
};

constexpr Command kCommands[] = {
    {"run", &run_command},     {"chaos", &chaos_command},     {"replay", &replay_command}, {"seek", &seek_command},
    {"diff", &diff_command},   {"fork", &fork_command},       {"debug", &debug_command},   {"info", &info_command},
    {"bench", &bench_command}, {"history", &history_command}, {"shrink", &shrink_command}, {"sweep", &sweep_command},
};

}  // namespace

int usage_error(const Io& io, std::string_view command, std::string_view message) {
  fmt::print(io.err, "dmsgsim {}: {}\n(see dmsgsim {} --help)\n", command, message, command);
  return kExitBadInput;
}

int main(int argc, char** argv) {
  const Io io{stdout, stderr};
  if (!dmsg::initialize_crypto()) {
    fmt::print(io.err, "dmsgsim: libsodium failed to initialize\n");
    return kExitFailed;
  }
  std::vector<std::string> words(argv + 1, argv + argc);
  if (words.empty()) {
    fmt::print(io.err, "{}", kHelp);
    return kExitBadInput;
  }
  // `dmsgsim help COMMAND` is `dmsgsim COMMAND --help`.
  if (words.front() == "help" && words.size() == 2) words = {words[1], "--help"};
  const std::string command = words.front();
  if (command == "--help" || command == "-h" || (command == "help" && words.size() == 1)) {
    fmt::print(io.out, "{}", kHelp);
    return kExitOk;
  }
  if (command == "--version") {
    fmt::print(io.out, "dmsgsim {}\n", DMSGSIM_VERSION);
    return kExitOk;
  }
  for (const Command& entry : kCommands) {
    if (entry.name == command) {
      Args args(std::vector<std::string>(words.begin() + 1, words.end()));
      return entry.handler(args, io);
    }
  }
  fmt::print(io.err, "dmsgsim: unknown command '{}'\n(see dmsgsim --help)\n", command);
  return kExitBadInput;
}

}  // namespace scenarios::cli
