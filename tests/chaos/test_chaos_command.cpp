// dmsgsim chaos as a person uses it: exit codes, errors that say what to fix, the bug list,
// and the artifacts of a failure.
#include "scenarios/cli/commands.h"
#include "sim/file_io.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace {

struct Outcome {
  int exit_code = 0;
  std::string out;
  std::string err;
};

std::string read_all(std::FILE* file) {
  std::rewind(file);
  std::string text;
  char buffer[4096];
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, got);
  std::fclose(file);
  return text;
}

Outcome chaos(std::vector<std::string> words) {
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  REQUIRE(out != nullptr);
  REQUIRE(err != nullptr);
  scenarios::cli::Args args(std::move(words));
  Outcome o;
  o.exit_code = scenarios::cli::chaos_command(args, scenarios::cli::Io{out, err});
  o.out = read_all(out);
  o.err = read_all(err);
  return o;
}

const std::vector<std::string> kSmall = {"--servers", "3", "--clients", "8", "--streams", "30", "--duration", "60s"};

std::vector<std::string> small(std::vector<std::string> more) {
  std::vector<std::string> words = kSmall;
  words.insert(words.end(), more.begin(), more.end());
  return words;
}

}  // namespace

TEST_CASE("chaos: command: bad arguments exit 2 and say what is wrong") {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--plant-bug", "typo"}, "unknown bug 'typo'"},
      {{"--events", "0"}, "--events takes 1 to 1000000000, got 0"},
      {{"--events", "5", "--duration", "5s"}, "not both"},
      {{"--servers", "0"}, "--servers takes 1 to 100"},
      {{"--config", "/nonexistent/chaos.json"}, "/nonexistent/chaos.json"},
      {{"--profile", "stormy"}, "unknown profile 'stormy'"},
      {{"--batch-interval", "soon"}, "batch-interval"},
      {{"--batch-interval", "1500us"}, "not a whole number of ticks"},
      {{"--frobnicate"}, "frobnicate"},
  };
  for (const auto& [words, message] : cases) {
    INFO(words.front());
    const Outcome o = chaos(words);
    CHECK(o.exit_code == 2);
    CHECK(o.err.find(message) != std::string::npos);
  }
}

TEST_CASE("chaos: command: a config file with a float probability is refused, naming the key") {
  const std::string path = (std::filesystem::temp_directory_path() / "dmsgsim-chaos-float.json").string();
  const std::string json = R"({"probabilities": {"dial": 0.5}})";
  REQUIRE(sim::write_file(path, sim::Bytes(json.begin(), json.end())).ok());
  const Outcome o = chaos({"--config", path});
  CHECK(o.exit_code == 2);
  CHECK(o.err.find("probabilities/dial") != std::string::npos);
  std::filesystem::remove(path);
}

TEST_CASE("chaos: command: --list-bugs prints one name a line") {
  const Outcome o = chaos({"--list-bugs"});
  CHECK(o.exit_code == 0);
  CHECK(o.out ==
        "server-keeps-other-leg\nclient-never-reconnects\nbacklog-never-rejects\nrelay-drops-chunk\n"
        "client-slow-reconnect\nserver-resets-peer-session\nclient-port-outside-snapshot\n");
}

TEST_CASE("chaos: command: a passing run exits 0 and --json has every documented key") {
  const Outcome o = chaos(small({"--seed", "4", "--json"}));
  CHECK(o.exit_code == 0);
  for (const char* key :
       {"\"seed\"", "\"result\": \"pass\"", "\"checks\"", "\"kind\": \"exact\"", "\"figures\"", "\"events_executed\"",
        "\"dial\"", "\"exact_checks\"", "\"bound_checks\"", "\"mismatches\": []", "\"virtual_time_ns\"", "\"wall_ms\"",
        "\"state_hash\"", "\"chain_hash\""}) {
    INFO(key);
    CHECK(o.out.find(key) != std::string::npos);
  }
}

TEST_CASE("chaos: command: a failure writes the trace and both states, and how to reproduce it") {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "dmsgsim-chaos-failure";
  std::filesystem::remove_all(dir);
  const Outcome o = chaos({"--servers", "3", "--clients", "8", "--streams", "30", "--duration", "200s", "--seed", "1",
                           "--plant-bug", "client-never-reconnects", "--artifacts", dir.string()});
  CHECK(o.exit_code == 1);
  CHECK(o.out.find("mismatch: liveness check: clients/") != std::string::npos);
  for (const char* file : {"run.trace", "before.json", "before.txt", "after.json", "after.txt"}) {
    INFO(file);
    CHECK(std::filesystem::file_size(dir / file) > 0);
  }
  CHECK(o.err.find("reproduce: dmsgsim chaos --seed 1 --servers 3 --clients 8 --streams 30") != std::string::npos);
  CHECK(o.err.find("--plant-bug client-never-reconnects") != std::string::npos);
  std::filesystem::remove_all(dir);
}
