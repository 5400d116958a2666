// Runs the determinism lint over the simulated code, and proves each rule can fire.
#include "tests/lint/determinism_lint.h"

#include "sim/file_io.h"

#include <catch2/catch.hpp>

#include <map>
#include <regex>
#include <set>
#include <string>

namespace {

const std::string kRoot = DMSGSIM_SOURCE_ROOT;

std::string read_text(const std::string& relative) {
  sim::Result<sim::Bytes> bytes = sim::read_file(kRoot + "/" + relative);
  REQUIRE(bytes.ok());
  return std::string(bytes->begin(), bytes->end());
}

}  // namespace

TEST_CASE("lint: determinism: simulated code uses no banned construct outside the allowlist") {
  std::string error;
  const std::vector<lint::AllowEntry> allowed = lint::parse_allowlist(read_text("tests/lint/allowlist.txt"), error);
  REQUIRE(error.empty());
  const std::vector<std::string> files = lint::source_files(kRoot, {"sim", "net", "dmsg", "scenarios"});
  // A lint that scanned nothing proves nothing.
  REQUIRE(files.size() >= 20);
  std::set<std::pair<std::string, std::string>> used;
  std::vector<lint::Finding> violations;
  for (const std::string& file : files) {
    for (const lint::Finding& f : lint::scan_text(file, read_text(file))) {
      bool is_allowed = false;
      for (const lint::AllowEntry& entry : allowed) {
        if (entry.path == f.path && entry.rule == f.rule) {
          is_allowed = true;
          used.insert({entry.path, entry.rule});
        }
      }
      if (!is_allowed) violations.push_back(f);
    }
  }
  for (const lint::Finding& f : violations) {
    std::string why;
    for (const lint::Rule& rule : lint::rules()) {
      if (rule.name == f.rule) why = rule.why;
    }
    FAIL_CHECK(f.path << ":" << f.line << ": " << f.rule << " (" << why << ")\n    " << f.text);
  }
  for (const lint::AllowEntry& entry : allowed) {
    INFO("allowlist entry " << entry.path << " " << entry.rule);
    CHECK(used.count({entry.path, entry.rule}) == 1);
  }
}

TEST_CASE("lint: determinism: the fixture's banned constructs are reported one by one") {
  const std::string text = read_text("tests/lint/fixtures/banned_constructs.cpp.txt");
  std::map<int, std::string> expected;
  const std::regex marker(R"(// expect: ([a-z-]+))");
  int number = 0;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    ++number;
    std::smatch match;
    if (std::regex_search(line, match, marker)) expected[number] = match[1];
    if (end == std::string::npos) break;
    start = end + 1;
  }
  std::set<std::string> rules_expected;
  for (const auto& [line, rule] : expected) rules_expected.insert(rule);
  // Every rule has at least one line in the fixture.
  CHECK(rules_expected.size() == lint::rules().size());

  std::map<int, std::string> reported;
  for (const lint::Finding& f : lint::scan_text("fixture", text)) {
    INFO("line " << f.line << ": " << f.text);
    CHECK(reported.count(f.line) == 0);
    reported[f.line] = f.rule;
  }
  CHECK(reported == expected);
}

TEST_CASE("lint: determinism: an allowlist entry without a reason is refused") {
  std::string error;
  (void)lint::parse_allowlist("sim/x.cpp wall-clock\n", error);
  CHECK_THAT(error, Catch::Contains("REASON"));
  error.clear();
  (void)lint::parse_allowlist("sim/x.cpp wall-clock -- ok\n", error);
  CHECK_FALSE(error.empty());
}
