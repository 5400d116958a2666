// Virtual durations and integer ratios: parsing, formatting, exact arithmetic.
#include "sim/ratio.h"
#include "sim/time.h"

#include <catch2/catch.hpp>

using sim::Duration;

TEST_CASE("sim: durations: parse units and fractions exactly") {
  CHECK(sim::parse_duration("150ms") == Duration::milliseconds(150));
  CHECK(sim::parse_duration("2s") == Duration::seconds(2));
  CHECK(sim::parse_duration("1.5s") == Duration::milliseconds(1500));
  CHECK(sim::parse_duration("0.000000001s") == Duration::nanoseconds(1));
  CHECK(sim::parse_duration("3us") == Duration::microseconds(3));
  CHECK(sim::parse_duration("2m") == Duration::seconds(120));
  CHECK(sim::parse_duration("1h") == Duration::seconds(3600));
  CHECK(sim::parse_duration("17ns") == Duration::nanoseconds(17));
}

TEST_CASE("sim: durations: reject text without a unit, junk and overflow") {
  CHECK_FALSE(sim::parse_duration("150").has_value());
  CHECK_FALSE(sim::parse_duration("").has_value());
  CHECK_FALSE(sim::parse_duration("ms").has_value());
  CHECK_FALSE(sim::parse_duration("1.ms").has_value());
  CHECK_FALSE(sim::parse_duration("-1s").has_value());
  CHECK_FALSE(sim::parse_duration("1.5ns").has_value());
  CHECK_FALSE(sim::parse_duration("99999999999999999999s").has_value());
  CHECK_FALSE(sim::parse_duration("10000000000h").has_value());
  CHECK_FALSE(sim::parse_duration("1sec").has_value());
}

TEST_CASE("sim: durations: format in the shortest exact form") {
  CHECK(sim::format_duration(Duration::zero()) == "0ns");
  CHECK(sim::format_duration(Duration::milliseconds(1500)) == "1.5s");
  CHECK(sim::format_duration(Duration::milliseconds(250)) == "250ms");
  CHECK(sim::format_duration(Duration::nanoseconds(1'000'001)) == "1.000001ms");
  CHECK(sim::format_duration(Duration::nanoseconds(-2'000)) == "-2us");
  for (int64_t ns : {1LL, 999LL, 1'234'567'891LL, 60'000'000'000LL}) {
    const Duration d = Duration::nanoseconds(ns);
    CHECK(sim::parse_duration(sim::format_duration(d)) == d);
  }
}

TEST_CASE("sim: ratios: decimal text parses straight into integer ratios") {
  CHECK(sim::parse_ratio("0.05") == sim::Ratio(1, 20));
  CHECK(sim::parse_ratio("1/20") == sim::Ratio(1, 20));
  CHECK(sim::parse_ratio("5%") == sim::Ratio(1, 20));
  CHECK(sim::parse_ratio("1.3") == sim::Ratio(13, 10));
  CHECK(sim::parse_ratio("0") == sim::Ratio::zero());
  CHECK(sim::parse_ratio("1") == sim::Ratio::one());
  CHECK(sim::parse_ratio("0.333333333333333333") == sim::Ratio(333333333333333333ULL, 1000000000000000000ULL));
}

TEST_CASE("sim: ratios: malformed text and non-probabilities are rejected") {
  CHECK_FALSE(sim::parse_ratio("1/0").has_value());
  CHECK_FALSE(sim::parse_ratio("0.").has_value());
  CHECK_FALSE(sim::parse_ratio(".5").has_value());
  CHECK_FALSE(sim::parse_ratio("1e-3").has_value());
  CHECK_FALSE(sim::parse_ratio("-0.1").has_value());
  CHECK_FALSE(sim::parse_ratio("abc").has_value());
  CHECK_FALSE(sim::parse_probability("1.01").has_value());
  CHECK_FALSE(sim::parse_probability("3/2").has_value());
  CHECK(sim::parse_probability("1/1") == sim::Ratio::one());
}

TEST_CASE("sim: ratios: scale is floor(value * ratio) without overflow") {
  CHECK(sim::Ratio(13, 10).scale(5'000'000'000) == 6'500'000'000);
  CHECK(sim::Ratio(1, 3).scale(10) == 3);
  // (2^63 - 1) / 2 * 13 overflows 64 bits; the exact floor is 5995191823955604273.
  CHECK(sim::Ratio(13, 10).scale(INT64_MAX / 2) == 5995191823955604273LL);
}
