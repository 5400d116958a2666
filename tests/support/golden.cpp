// Reading, comparing and rewriting golden files.
#include "tests/support/golden.h"

#include "sim/file_io.h"
#include "sim/fmt.h"
#include "tests/support/test_main.h"

#include <catch2/catch.hpp>

namespace test_support {

void check_golden(const std::string& file, const std::string& actual, const std::string& suite) {
  const std::string path = fmt::format("{}/tests/golden/{}", DMSGSIM_SOURCE_ROOT, file);
  INFO("golden file " << path << " (regenerate with: meson test -C build " << suite << " --test-args=--update-golden)");
  if (update_golden()) {
    REQUIRE(sim::write_file(path, sim::Bytes(actual.begin(), actual.end())).ok());
    WARN("rewrote " << path);
    return;
  }
  sim::Result<sim::Bytes> recorded = sim::read_file(path);
  REQUIRE(recorded.ok());
  CHECK(std::string(recorded->begin(), recorded->end()) == actual);
}

}  // namespace test_support
