// Golden files: recorded hash chains that every build must reproduce.
#pragma once

#include <string>

namespace test_support {

// Checks `actual` against tests/golden/`file`, or rewrites the file under --update-golden.
// `suite` names the meson test that regenerates it, for the failure message.
void check_golden(const std::string& file, const std::string& actual, const std::string& suite);

}  // namespace test_support
