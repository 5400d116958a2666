// `dmsgsim bench`: wall-clock speed of the simulator's hot paths.
#include "scenarios/bench/bench.h"
#include "scenarios/cli/commands.h"
#include "sim/fmt.h"
#include "sim/json_writer.h"
#include "sim/world.h"

#include <functional>
#include <string>
#include <vector>

namespace scenarios::cli {
namespace {

void print_help(const Io& io) {
  fmt::print(io.out,
             "usage: dmsgsim bench [--json] [GROUP...]\n\nMeasures wall-clock speed on this machine. Groups (default: "
             "all):\n");
  for (const bench::Group& group : bench::groups()) fmt::print(io.out, "  {:<6} {}\n", group.name, group.description);
  fmt::print(
      io.out,
      "\nFigures vary with the machine and its load; they are reported, never asserted.\nUse a release build.\n");
}

}  // namespace

int bench_command(Args& args, const Io& io) {
  if (args.take_flag("help")) {
    print_help(io);
    return kExitOk;
  }
  const bool json = args.take_flag("json");
  std::vector<std::string> names = args.take_positionals();
  if (sim::Status status = args.finish(); !status) return usage_error(io, "bench", status.error().message);
  std::vector<const bench::Group*> selected;
  for (const std::string& name : names) {
    const bench::Group* found = nullptr;
    for (const bench::Group& group : bench::groups()) {
      if (group.name == name) found = &group;
    }
    if (found == nullptr) return usage_error(io, "bench", fmt::format("unknown benchmark group '{}'", name));
    selected.push_back(found);
  }
  if (selected.empty()) {
    for (const bench::Group& group : bench::groups()) selected.push_back(&group);
  }
  std::vector<bench::Figure> figures;
  for (const bench::Group* group : selected) {
    for (bench::Figure& f : group->run()) figures.push_back(std::move(f));
  }
  if (json) {
    std::string out;
    sim::JsonWriter writer(out);
    writer.begin_object();
    for (const bench::Figure& f : figures) {
      writer.key(f.name);
      writer.number(static_cast<int64_t>(f.value + 0.5));
    }
    writer.end_object();
    fmt::print(io.out, "{}\n", out);
  } else {
    for (const bench::Figure& f : figures) fmt::print(io.out, "{:<40} {:>14.0f}  {}\n", f.name, f.value, f.unit);
  }
  return kExitOk;
}

}  // namespace scenarios::cli
