// The command line as a user meets it: regressions of bugs found by trying it, one test each.
#include "tests/support/background_run.h"
#include "tests/support/dmsgsim_process.h"
#include "tests/support/test_main.h"

#include "sim/fmt.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

namespace {

using test_support::run_dmsgsim;
using test_support::scratch_path;

// A recorded run to travel through.
std::string recorded(const std::string& name, const std::string& run_args) {
  const std::string path = scratch_path(name + ".trace");
  const test_support::DmsgsimRun run = run_dmsgsim(fmt::format("run {} --trace {}", run_args, path));
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  return path;
}

}  // namespace

TEST_CASE("cli: debug: events lists what ran in a busy tick") {
  const std::string trace = recorded("busy", "--scenario demo --ticks 200");
  const test_support::DmsgsimRun debug = run_dmsgsim("debug " + trace, "goto 10\nevents\n");
  INFO(debug.output);
  CHECK(debug.exit_code == 0);
  std::smatch match;
  REQUIRE(std::regex_search(debug.output, match, std::regex(R"((\d+) events in the tick that ended at 10)")));
  CHECK(std::stoul(match[1]) > 0);
  // One line per event follows the count.
  CHECK(std::regex_search(debug.output, std::regex(R"(\n  \S+ seq \d+ -> actor \d+ kind)")));
  std::remove(trace.c_str());
}

TEST_CASE("cli: debug: watch treats a missing path as a value, so appearing is a change") {
  const std::string trace = recorded("appear", "--scenario transfer --seed 5");
  const test_support::DmsgsimRun debug =
      run_dmsgsim("debug " + trace, "watch /actors/1/state/transport/connections/1\nwhere\n");
  INFO(debug.output);
  CHECK(debug.exit_code == 0);
  CHECK(std::regex_search(debug.output, std::regex(R"(changed at tick [1-9]\d*: \(absent\) -> \{)")));
  // print still says that a path is not there.
  const test_support::DmsgsimRun print = run_dmsgsim("debug " + trace, "print /actors/1/state/nothing\n");
  CHECK(print.exit_code == 1);
  CHECK_THAT(print.output, Catch::Contains("error: "));
  std::remove(trace.c_str());
}

TEST_CASE("cli: debug: the exit code is 1 when any command failed, 0 when none did") {
  const std::string trace = recorded("exit", "--scenario demo --ticks 20");
  CHECK(run_dmsgsim("debug " + trace, "goto 5\nstep 2\nback 1\nwhere\n").exit_code == 0);
  for (const char* script : {"goto 999\nwhere\n", "step x\n", "frobnicate\n", "print /nope\nwhere\n"}) {
    INFO(script);
    const test_support::DmsgsimRun debug = run_dmsgsim("debug " + trace, script);
    CHECK(debug.exit_code == 1);
    CHECK_THAT(debug.output, Catch::Contains("error: "));
  }
  std::remove(trace.c_str());
}

TEST_CASE("cli: ranges: counts and durations beyond the virtual clock are refused") {
  const std::string trace = recorded("range", "--scenario demo --ticks 20");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"fork " + trace + " --tick 5 --seed 2 --trace /dev/null --ticks 18446744073709551615", "--ticks takes 1 to"},
      {"fork " + trace + " --tick 5 --seed 2 --trace /dev/null --ticks 0", "--ticks takes 1 to"},
      {"run --scenario demo --ticks 18446744073709551615", "--ticks takes 1 to"},
      {"run --scenario demo --ticks 0", "--ticks takes 1 to"},
      {"run --scenario demo --tick-length 2h", "--tick-length takes 1ns to 3600s"},
      {"run --scenario demo --tick-length 1", "has no unit (units: ns, us, ms, s, m (minutes) or h)"},
      {"run --scenario demo --tick-length 1sec", "unknown unit 'sec'"},
      {"run --scenario demo --tick-length 99999999999999999999s", "overflows the virtual clock"},
      {"run --scenario demo --tick-length 0.5ns", "finer than a nanosecond"},
      {"chaos --duration 1000000000h", "overflows the virtual clock"},
      {"chaos --duration 200000y", "unknown unit 'y'"},
      {"chaos --events 0", "--events takes 1 to"},
      {"run --scenario demo --snapshot-every 0 --trace /dev/null", "--snapshot-every takes 1 to"},
  };
  for (const auto& [args, message] : cases) {
    INFO(args);
    const test_support::DmsgsimRun run = run_dmsgsim(args);
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.output, Catch::Contains(message));
  }
  std::remove(trace.c_str());
}

TEST_CASE("cli: run: an input that changes nothing is warned about and listed") {
  // The calm transfer ends at 328 ms, so a crash at 1 s never happens.
  const test_support::DmsgsimRun late = run_dmsgsim("run --scenario transfer --seed 5 --fault '1s crash a0' --json");
  INFO(late.output);
  CHECK(late.exit_code == 0);
  CHECK_THAT(late.output, Catch::Contains("warning: input '1s crash a0' changed nothing: due at tick 1000, after the "
                                          "run ended at tick"));
  CHECK(std::regex_search(
      late.output, std::regex(R"("inputs_not_applied":\s*\[\s*\{\s*"input":\s*"1s crash a0",\s*"reason":\s*"due)")));
  const test_support::DmsgsimRun heal = run_dmsgsim("run --scenario transfer --seed 5 --fault '10ms heal' --json");
  CHECK_THAT(heal.output, Catch::Contains("there was no partition to heal"));
  const test_support::DmsgsimRun applied =
      run_dmsgsim("run --scenario transfer --seed 5 --fault '10ms partition a0|b0' --fault '20ms heal' --json");
  CHECK(std::regex_search(applied.output, std::regex(R"("inputs_not_applied":\s*\[\s*\])")));
  CHECK_THAT(applied.output, !Catch::Contains("warning"));
}

TEST_CASE("cli: run: a partition or link with a node on both sides is refused") {
  for (const char* fault :
       {"1s partition a0|a0", "1s partition a0,b0|b0", "1s partition-oneway a0>a0", "1s hold b0>b0"}) {
    INFO(fault);
    const test_support::DmsgsimRun run = run_dmsgsim(fmt::format("run --scenario transfer --fault '{}'", fault));
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.output, Catch::Contains("is on both sides"));
  }
}

TEST_CASE("cli: run: the tick length is --tick-length, and a scenario's limit is virtual time") {
  const test_support::DmsgsimRun old = run_dmsgsim("run --scenario demo --tick 1ms");
  CHECK(old.exit_code == 2);
  CHECK_THAT(old.output, Catch::Contains("--tick is now --tick-length"));
  // The calm transfer takes about 328 ms of virtual time. Its limit of 600 s used to be
  // 600 000 ticks, which at 100 ns ticks is 60 ms: the run stopped before it finished.
  const test_support::DmsgsimRun fine = run_dmsgsim("run --scenario transfer --seed 5 --tick-length 100ns --json");
  INFO(fine.output);
  CHECK(fine.exit_code == 0);
  CHECK(std::regex_search(fine.output, std::regex(R"("result":\s*"pass")")));
  CHECK(std::regex_search(fine.output, std::regex(R"("tick_ns":\s*100,)")));
}

// Prints the seeds it is given, for the seed-range test below.
TEST_CASE("cli: seeds: echo", "[.][seed-echo]") {
  const test_support::SeedRange range = test_support::seeds(1, 1);
  for (uint64_t seed = range.first; seed <= range.last; ++seed)
    std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
}

TEST_CASE("cli: seeds: a test executable's --seeds A:B is inclusive, and a reversed range is refused") {
  const std::string self = test_support::self_executable();
  auto run_self = [&](const std::string& args) {
    const test_support::DmsgsimRun run = test_support::run_shell(fmt::format("{} {}", self, args));
    return std::make_pair(run.exit_code, run.output);
  };
  const auto [echo_code, echo] = run_self("--seeds 3:5 '[seed-echo]'");
  CHECK(echo_code == 0);
  CHECK_THAT(echo, Catch::Contains("seed 3\nseed 4\nseed 5\n"));
  CHECK_THAT(echo, !Catch::Contains("seed 6"));
  const auto [one_code, one] = run_self("--seeds 7:7 '[seed-echo]'");
  CHECK(one_code == 0);
  CHECK_THAT(one, Catch::Contains("seed 7\n"));
  const auto [reversed_code, reversed] = run_self("--seeds 5:3 '[seed-echo]'");
  CHECK(reversed_code == 2);
  CHECK_THAT(reversed, Catch::Contains("FIRST <= LAST"));
}

TEST_CASE("cli: run: SIGINT and SIGTERM stop at a tick boundary and keep what was recorded") {
  for (const auto& [signal_number, code] : {std::pair{SIGINT, 130}, std::pair{SIGTERM, 143}}) {
    INFO("signal " << signal_number);
    const std::string trace = scratch_path(fmt::format("interrupted-{}.trace", signal_number));
    // Far more ticks than the test waits for: only the signal ends it.
    test_support::Background run = test_support::start_dmsgsim(
        {"run", "--scenario", "demo", "--ticks", "100000000000", "--progress", "--trace", trace});
    CHECK(test_support::interrupt_when_running(run, signal_number, "virtual ") == code);
    const test_support::DmsgsimRun replay = run_dmsgsim("replay " + trace);
    INFO(replay.output);
    CHECK(replay.exit_code == 0);
    CHECK_THAT(replay.output, Catch::Contains("verified"));
    std::remove(trace.c_str());
  }
}

TEST_CASE("cli: chaos: SIGINT stops the run, which is neither a pass nor a failure") {
  const std::string trace = scratch_path("interrupted-chaos.trace");
  test_support::Background run =
      test_support::start_dmsgsim({"chaos", "--duration", "1000000h", "--progress", "--trace", trace, "--json"});
  CHECK(test_support::interrupt_when_running(run, SIGINT, "virtual ") == 130);
  CHECK(run_dmsgsim("replay " + trace).exit_code == 0);
  std::remove(trace.c_str());
}

TEST_CASE("cli: outputs: a trace or artifacts path that cannot be written is refused before the run") {
  const test_support::DmsgsimRun run = run_dmsgsim("run --scenario demo --trace /nonexistent/folder/x.trace");
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.output, Catch::Contains("--trace: cannot write /nonexistent/folder/x.trace"));
  const test_support::DmsgsimRun chaos = run_dmsgsim("chaos --trace /nonexistent/x.trace");
  CHECK(chaos.exit_code == 2);
  const test_support::DmsgsimRun artifacts = run_dmsgsim("chaos --artifacts /nonexistent/a/b");
  CHECK(artifacts.exit_code == 2);
  CHECK_THAT(artifacts.output, Catch::Contains("--artifacts: cannot make /nonexistent/a/b"));
}

TEST_CASE("cli: chaos: a failure folder is never overwritten without being asked to") {
  const std::string folder = scratch_path("artifacts");
  std::filesystem::remove_all(folder);
  std::filesystem::create_directories(folder);
  const std::string failing = "chaos --seed 1 --plant-bug relay-drops-chunk --servers 3 --clients 8 --duration 200s";
  // The default folder: a second failure of the same seed gets a folder of its own.
  CHECK(run_dmsgsim(failing, "", folder).exit_code == 1);
  CHECK(run_dmsgsim(failing, "", folder).exit_code == 1);
  CHECK(std::filesystem::exists(folder + "/chaos-failure-seed-1/run.trace"));
  CHECK(std::filesystem::exists(folder + "/chaos-failure-seed-1-2/run.trace"));
  // A named folder that holds files: refused before the run, unless --overwrite.
  const test_support::DmsgsimRun refused = run_dmsgsim(failing + " --artifacts chaos-failure-seed-1", "", folder);
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.output, Catch::Contains("holds files already; give --overwrite"));
  CHECK(run_dmsgsim(failing + " --artifacts chaos-failure-seed-1 --overwrite", "", folder).exit_code == 1);
  std::filesystem::remove_all(folder);
}

TEST_CASE("cli: a chaos failure points at itself: failure line, failure.json, replay's verdict, history") {
  const std::string folder = scratch_path("walkthrough");
  std::filesystem::remove_all(folder);
  const test_support::DmsgsimRun failed = run_dmsgsim(
      fmt::format("chaos --seed 1 --plant-bug relay-drops-chunk --servers 3 --clients 8 --artifacts {}", folder));
  INFO(failed.output);
  CHECK(failed.exit_code == 1);
  CHECK_THAT(failed.output,
             Catch::Contains("failure: chaos:oracle.content:streams/*/dialer:relay-drops-chunk at tick"));
  CHECK_THAT(failed.output, Catch::Contains("first bad byte at offset"));
  REQUIRE(std::filesystem::exists(folder + "/failure.json"));
  CHECK(std::filesystem::exists(folder + "/first.txt"));
  const test_support::DmsgsimRun replay = run_dmsgsim(fmt::format("replay {}/run.trace", folder));
  CHECK(replay.exit_code == 0);
  CHECK_THAT(replay.output,
             Catch::Contains("result: fail") &&
                 Catch::Contains("fingerprint: chaos:oracle.content:streams/*/dialer:relay-drops-chunk"));
  const test_support::DmsgsimRun history = run_dmsgsim(fmt::format("history {}/run.trace c0 --to 100", folder));
  CHECK(history.exit_code == 0);
  CHECK_THAT(history.output, Catch::Contains("state  up (scenarios.chaos_client)"));
  const test_support::DmsgsimRun unknown = run_dmsgsim(fmt::format("history {}/run.trace c99", folder));
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.output, Catch::Contains("no entity 'c99'") && Catch::Contains("c7"));
  const test_support::DmsgsimRun debug =
      run_dmsgsim(fmt::format("debug {}/run.trace", folder), "goto 50\nhistory s0\nhistory stream:x\n");
  CHECK(debug.exit_code == 1);  // the second history names no stream
  CHECK_THAT(debug.output, Catch::Contains("state  up"));
  std::filesystem::remove_all(folder);
}

TEST_CASE("cli: diff: traces of different runs say how the runs differ first") {
  const std::string a = recorded("diff-a", "--scenario demo --ticks 30 --seed 1");
  const std::string b = recorded("diff-b", "--scenario demo --ticks 40 --seed 2");
  const test_support::DmsgsimRun diff = run_dmsgsim(fmt::format("diff {} {}", a, b));
  INFO(diff.output);
  CHECK(diff.exit_code == 1);
  CHECK(diff.output.rfind("the runs differ in seed: 0x0000000000000001 | 0x0000000000000002\n", 0) == 0);
  CHECK_THAT(diff.output, Catch::Contains("the runs differ in length: ticks 0 to 30 | ticks 0 to 40"));
  const test_support::DmsgsimRun same = run_dmsgsim(fmt::format("diff {} {}", a, a));
  CHECK(same.exit_code == 0);
  CHECK_THAT(same.output, !Catch::Contains("the runs differ"));
  std::remove(a.c_str());
  std::remove(b.c_str());
}

TEST_CASE("cli: help: dmsgsim help COMMAND is COMMAND --help") {
  for (const char* command : {"run", "chaos", "seek", "fork", "debug", "info", "history"}) {
    INFO(command);
    const test_support::DmsgsimRun help = run_dmsgsim(fmt::format("help {}", command));
    CHECK(help.exit_code == 0);
    CHECK(help.output == run_dmsgsim(fmt::format("{} --help", command)).output);
  }
}

TEST_CASE("cli: info: a chaos trace shows its whole configuration") {
  const std::string trace = scratch_path("chaos-info.trace");
  REQUIRE(run_dmsgsim(fmt::format("chaos --seed 3 --servers 2 --clients 4 --duration 10s --batch-interval 500ms "
                                  "--trace {}",
                                  trace))
              .exit_code == 0);
  const test_support::DmsgsimRun info = run_dmsgsim("info " + trace);
  INFO(info.output);
  CHECK(info.exit_code == 0);
  CHECK_THAT(info.output, Catch::Contains("servers 2, clients 4"));
  CHECK_THAT(info.output, Catch::Contains(R"("duration": "10s", "batch_interval": "500ms")"));
  CHECK_THAT(info.output, Catch::Contains(R"("dial": "1/2")"));
  std::remove(trace.c_str());
}

TEST_CASE("cli: info: a fault scenario's trace shows the bounds its checks hold") {
  const std::string trace = recorded("fault-info", "--scenario self_dial_should_work --profile lossy");
  const test_support::DmsgsimRun info = run_dmsgsim("info " + trace);
  INFO(info.output);
  CHECK(info.exit_code == 0);
  // lossy's dial bound, exchange(3) + queue: 3 x 820.48 ms + 20 s of recovery + 41.94 ms (README, "Bounds").
  CHECK_THAT(info.output, Catch::Contains(R"(parameters {"bounds":{"dial":22503383040,)"));
  std::remove(trace.c_str());
}

TEST_CASE("cli: names: every node goes by one name in the log, dumps, tables and debugger paths") {
  const std::string trace = scratch_path("names.trace");
  REQUIRE(
      run_dmsgsim(fmt::format("chaos --seed 4 --servers 2 --clients 4 --streams 10 --duration 30s --trace {}", trace))
          .exit_code == 0);
  // seek --text: every actor with its name, then the servers, clients and streams tables.
  const test_support::DmsgsimRun text = run_dmsgsim("seek " + trace + " --tick 20s --text");
  INFO(text.output);
  CHECK(text.exit_code == 0);
  CHECK(std::regex_search(text.output, std::regex(R"(\n +3  s1 +scenarios\.dmsg_server )")));
  CHECK(std::regex_search(text.output, std::regex(R"(\n +7  c3 +scenarios\.chaos_client )")));
  for (const char* table : {"\nservers\n", "\nclients\n", "\nstreams ("})
    CHECK_THAT(text.output, Catch::Contains(table));
  // seek --json: the name beside the id.
  const test_support::DmsgsimRun json = run_dmsgsim("seek " + trace + " --tick 20s --json");
  CHECK(std::regex_search(json.output, std::regex(R"("3": \{\s*"name": "s1",\s*"type": "scenarios.dmsg_server")")));
  // The debugger takes /nodes/NAME for /actors/ID, and lists the names for a wrong one.
  const test_support::DmsgsimRun debug =
      run_dmsgsim("debug " + trace, "goto 20s\nprint /nodes/s1/type\nprint /actors/3/type\nprint /nodes/zz/type\n");
  INFO(debug.output);
  CHECK(debug.exit_code == 1);
  CHECK_THAT(debug.output, Catch::Contains("\"scenarios.dmsg_server\"\n\"scenarios.dmsg_server\"\n"));
  CHECK_THAT(debug.output, Catch::Contains("error: no node named 'zz' (the names: network, discovery, s0, s1, c0"));
  std::remove(trace.c_str());
}

TEST_CASE("cli: names: log lines name the node and the peer, not an id and a key") {
  const test_support::DmsgsimRun run = run_dmsgsim("run --scenario reconnect_to_server_should_succeed --log info");
  INFO(run.output);
  CHECK(run.exit_code == 0);
  CHECK(std::regex_search(run.output, std::regex(R"(s [ab] +client +info  session to s0 ended)")));
  CHECK_FALSE(std::regex_search(run.output, std::regex(R"(node +\d)")));
}
