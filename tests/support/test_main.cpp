// The main of every test executable: arms the randombytes guard, handles our own flags
// (including child-process modes), then runs Catch2.
#include "tests/support/test_main.h"

#include "tests/support/child_process.h"

#define CATCH_CONFIG_RUNNER
#include <sodium.h>
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

std::optional<SeedRange> parse_seed_range(const char* text) {
  unsigned long long from = 0;
  unsigned long long to = 0;
  char tail = 0;
  if (std::sscanf(text, "%llu:%llu%c", &from, &to, &tail) != 2 || from >= to) return std::nullopt;
  return SeedRange{from, to};
}

// Any use of libsodium's randomness in a test is a determinism bug: keys and nonces must
// come from the simulation's RNG streams. Each entry point aborts with a message.
[[noreturn]] void forbidden_randomness(const char* what) {
  std::fprintf(stderr, "FATAL: OS randomness used (%s): draw from a simulation RNG stream instead\n", what);
  std::fflush(stderr);
  std::abort();
}

const char* guard_name() { return "dmsgsim-forbidden"; }
uint32_t guard_random() { forbidden_randomness("randombytes_random"); }
void guard_stir() {}
uint32_t guard_uniform(const uint32_t) { forbidden_randomness("randombytes_uniform"); }
void guard_buf(void* const, const size_t) { forbidden_randomness("randombytes_buf"); }
int guard_close() { return 0; }

randombytes_implementation forbidding_implementation = {
    &guard_name, &guard_random, &guard_stir, &guard_uniform, &guard_buf, &guard_close,
};

void arm_randomness_guard() {
  if (sodium_init() < 0) {
    std::fprintf(stderr, "FATAL: sodium_init failed\n");
    std::exit(2);
  }
  randombytes_set_implementation(&forbidding_implementation);
}

}  // namespace

bool update_golden() { return update_golden_flag; }

SeedRange seeds(uint64_t default_from, uint64_t default_to) {
  return seed_range_flag.value_or(SeedRange{default_from, default_to});
}

std::string reproduce_seed(const std::string& test_spec, uint64_t seed) {
  return executable_path + " --seeds " + std::to_string(seed) + ":" + std::to_string(seed + 1) + " \"" + test_spec +
         "\"";
}
const std::string& self_executable() { return executable_path; }

}  // namespace test_support

int main(int argc, char** argv) {
  test_support::arm_randomness_guard();
  char path[4096];
  const ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
  test_support::executable_path = length > 0 ? std::string(path, static_cast<size_t>(length)) : std::string(argv[0]);
  std::vector<char*> catch_args;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seeds") == 0 && i + 1 < argc) {
      test_support::seed_range_flag = test_support::parse_seed_range(argv[i + 1]);
      if (!test_support::seed_range_flag) {
        std::fprintf(stderr, "--seeds expects FROM:TO with FROM < TO, got '%s'\n", argv[i + 1]);
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
