// fmt, for every file of the project: include this header, never <fmt/format.h> itself.
#pragma once

// GCC 12 at -O2 and -O3 warns "writing 1 byte into a region of size 0" inside fmt's own
// fill_t::operator= (fmt/core.h) wherever a format spec is parsed: a false positive of
// GCC's -Wstringop-overflow that fmt silences only for GCC 11 (fmtlib/fmt pull request
// 3054). The pragma covers fmt's headers alone, so the warning stays on for our code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif
#include <fmt/format.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
