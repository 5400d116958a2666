// The dmsgsim subcommands and their shared exit codes.
#pragma once

#include "scenarios/cli/args.h"

#include <cstdio>
#include <string_view>

namespace scenarios::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,    // the scenario, replay or check failed
  kExitBadInput = 2,  // bad arguments or files
};

struct Io {
  std::FILE* out;
  std::FILE* err;
};

int run_command(Args& args, const Io& io);
int bench_command(Args& args, const Io& io);
int chaos_command(Args& args, const Io& io);
int info_command(Args& args, const Io& io);
int replay_command(Args& args, const Io& io);
int seek_command(Args& args, const Io& io);
int diff_command(Args& args, const Io& io);
int fork_command(Args& args, const Io& io);
int debug_command(Args& args, const Io& io);
int history_command(Args& args, const Io& io);
int shrink_command(Args& args, const Io& io);
int sweep_command(Args& args, const Io& io);
int sweep_merge_command(Args& args, const Io& io);  // `sweep merge`

// Prints "dmsgsim COMMAND: message" and a pointer to --help; returns kExitBadInput.
int usage_error(const Io& io, std::string_view command, std::string_view message);

}  // namespace scenarios::cli
