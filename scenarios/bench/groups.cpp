// The list of benchmark groups.
#include "scenarios/bench/bench.h"

#include "scenarios/cli/wall_clock.h"

namespace scenarios::bench {

const std::vector<Group>& groups() {
  static const std::vector<Group> all = {
      {"sim", "scheduler events/s with 1k and 100k pending events; state hashing per idle tick and per changed actor",
       &run_sim_group},
      {"net", "payload MiB and events per wall second of a 64 MiB bulk transfer, on calm and with 10% loss",
       &run_net_group},
      {"trace",
       "a snapshot at every tick: transfer seed 9 and chaos seed 7 traces' size, peak RSS and recording "
       "overhead, each run in a child; median seek; a watch over the whole chaos trace",
       &run_trace_group},
      {"crypto", "XK and KK handshakes/s, signatures and verifications/s, 4 KiB record seal/open MiB/s vs raw AEAD",
       &run_crypto_group},
      {"dmsg", "sequential dials/s and one stream's MiB/s end to end on calm, with the crypto-only ceilings of both",
       &run_dmsg_group},
      {"chaos", "the default chaos world (5 servers, 50 clients, 200 streams) for one virtual hour: speedup, events/s",
       &run_chaos_group},
      {"shrink", "each planted bug's first failing chaos run (seeds 1-20) shrunk within 500 runs: inputs, runs, wall s",
       &run_shrink_group},
  };
  return all;
}

double seconds_since(int64_t start_ns) { return static_cast<double>(cli::wall_now_ns() - start_ns) / 1e9; }

}  // namespace scenarios::bench
