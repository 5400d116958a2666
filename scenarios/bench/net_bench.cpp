// Bulk transfer speed over the virtual network and transport.
#include "scenarios/bench/bench.h"
#include "scenarios/cli/wall_clock.h"
#include "scenarios/run/actor_types.h"
#include "scenarios/run/scenario.h"
#include "scenarios/workloads/transfer.h"
#include "sim/fmt.h"
#include "sim/world.h"

namespace scenarios::bench {
namespace {

constexpr uint64_t kBulkBytes = 64ULL << 20;

std::vector<Figure> bulk_transfer(const std::string& label, const net::FaultProfile& profile) {
  sim::World world(sim::WorldOptions{1, sim::Duration::milliseconds(1)}, all_actor_types());
  TransferOptions options;
  options.pairs = 1;
  options.bytes_forward = kBulkBytes;
  options.bytes_back = 0;
  build_transfer_world(world, profile, options);
  const ScenarioInfo& transfer = *find_scenario("transfer");
  const int64_t start = cli::wall_now_ns();
  const bool done = world.run_until([&](const sim::World& w) { return transfer.is_finished(w); }, 100'000'000);
  const double seconds = seconds_since(start);
  SIM_ASSERT_MSG(done, "the {} bulk transfer did not finish", label);
  const double mib = static_cast<double>(kBulkBytes) / (1 << 20);
  const double virtual_seconds = static_cast<double>(world.now().ns()) / 1e9;
  std::vector<Figure> figures = {
      {fmt::format("net_{}_mib_per_s", label), mib / seconds, "payload MiB per wall second (64 MiB, one way)"},
      {fmt::format("net_{}_events_per_s", label), static_cast<double>(world.events_processed()) / seconds,
       "events per wall second"},
      {fmt::format("net_{}_virtual_kib_per_s", label), mib * 1024 / virtual_seconds,
       "payload KiB per virtual second (goodput)"},
      {fmt::format("net_{}_virtual_s", label), virtual_seconds, "virtual seconds the 64 MiB took"},
  };
  // How the losses were repaired: deterministic counts, which explain the goodput.
  for (const scenarios::Figure& count : transfer.judge(world).figures) {
    if (count.name == "timeouts" || count.name == "fast_recoveries" || count.name == "tail_probes" ||
        count.name == "recoveries_undone" || count.name == "retransmissions") {
      figures.push_back(
          {fmt::format("net_{}_{}", label, count.name), static_cast<double>(count.value), "count over both ends"});
    }
  }
  return figures;
}

}  // namespace

std::vector<Figure> run_net_group() {
  sim::Rng unused = sim::Rng::stream(0, "bench");
  net::FaultProfile calm = net::make_profile("calm", unused).value();
  net::FaultProfile loss = calm;
  loss.name = "calm+10%loss";
  loss.link.loss = sim::Ratio(1, 10);
  net::FaultProfile lossy = net::make_profile("lossy", unused).value();
  std::vector<Figure> figures = bulk_transfer("calm", calm);
  for (Figure& f : bulk_transfer("loss10", loss)) figures.push_back(std::move(f));
  // The lossy profile reorders heavily as well (5 ms + exp(20 ms) a packet): its virtual
  // goodput is what selective acknowledgements and loss detection decide.
  for (Figure& f : bulk_transfer("lossy", lossy)) figures.push_back(std::move(f));
  return figures;
}

}  // namespace scenarios::bench
