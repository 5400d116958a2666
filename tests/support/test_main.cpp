// The main of every test executable: arms the randombytes guard, handles our own flags
// (including child-process modes), then runs Catch2.
#include "tests/support/test_main.h"

#include "dmsg/crypto_init.h"
#include "tests/support/child_process.h"

#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace test_support {
namespace {

bool update_golden_flag = false;
std::string executable_path;
std::optional<SeedRange> seed_range_flag;

// FIRST:LAST, inclusive; a reversed range is refused.
std::optional<SeedRange> parse_seed_range(const char* text) {
  unsigned long long first = 0;
  unsigned long long last = 0;
  char tail = 0;
  if (std::sscanf(text, "%llu:%llu%c", &first, &last, &tail) != 2 || first > last) return std::nullopt;
  return SeedRange{first, last};
}

}  // namespace

bool update_golden() { return update_golden_flag; }

SeedRange seeds(uint64_t default_first, uint64_t default_last) {
  if (seed_range_flag) return *seed_range_flag;
  SeedRange range{default_first, default_last};
  // The sanitizer test setup runs a short cut of every randomized test: its first seeds.
  if (const char* cut = std::getenv("DMSGSIM_SEEDS_AT_MOST")) {
    const unsigned long long most = std::strtoull(cut, nullptr, 10);
    if (most > 0 && range.count() > most) range.last = range.first + most - 1;
  }
  return range;
}

std::string reproduce_seed(const std::string& test_spec, uint64_t seed) {
  return executable_path + " --seeds " + std::to_string(seed) + ":" + std::to_string(seed) + " \"" + test_spec + "\"";
}
const std::string& self_executable() { return executable_path; }

}  // namespace test_support

int main(int argc, char** argv) {
  if (!dmsg::initialize_crypto()) {
    std::fprintf(stderr, "FATAL: libsodium failed to initialize\n");
    return 2;
  }
  char path[4096];
  const ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
  test_support::executable_path = length > 0 ? std::string(path, static_cast<size_t>(length)) : std::string(argv[0]);
  std::vector<char*> catch_args;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seeds") == 0 && i + 1 < argc) {
      test_support::seed_range_flag = test_support::parse_seed_range(argv[i + 1]);
      if (!test_support::seed_range_flag) {
        std::fprintf(stderr, "--seeds expects FIRST:LAST (inclusive) with FIRST <= LAST, got '%s'\n", argv[i + 1]);
        return 2;
      }
      ++i;
      continue;
    }
    if (std::strcmp(argv[i], "--update-golden") == 0) {
      test_support::update_golden_flag = true;
      continue;
    }
    // `--child MODE ARGS...` runs a registered function instead of the tests, so a test
    // can check behaviour in a fresh process (a restore, an abort).
    if (std::strcmp(argv[i], "--child") == 0 && i + 1 < argc) {
      return test_support::run_child_mode(argv[i + 1], std::vector<std::string>(argv + i + 2, argv + argc));
    }
    catch_args.push_back(argv[i]);
  }
  return Catch::Session().run(static_cast<int>(catch_args.size()), catch_args.data());
}
