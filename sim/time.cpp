// Parsing and formatting of virtual durations for people and command lines.
#include "sim/time.h"

#include "sim/assert.h"
#include "sim/wide_int.h"

#include <array>
#include <limits>

namespace sim {
namespace {

struct Unit {
  std::string_view suffix;
  int64_t ns;
};

constexpr std::array<Unit, 6> kUnits = {{
    {"ns", 1},
    {"us", 1'000},
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
}};

std::optional<int64_t> unit_of(std::string_view suffix) {
  for (const Unit& unit : kUnits) {
    if (unit.suffix == suffix) return unit.ns;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  size_t i = 0;
  int64_t whole = 0;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  if (text.empty() || !is_digit(text[0])) return std::nullopt;
  for (; i < text.size() && is_digit(text[i]); ++i) {
    if (whole > (kMax - 9) / 10) return std::nullopt;
    whole = whole * 10 + (text[i] - '0');
  }
  // Fraction digits are kept as an integer numerator over a power of ten.
  int64_t fraction = 0;
  int64_t fraction_scale = 1;
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (i >= text.size() || !is_digit(text[i])) return std::nullopt;
    for (; i < text.size() && is_digit(text[i]); ++i) {
      if (fraction_scale >= 1'000'000'000'000'000) return std::nullopt;
      fraction = fraction * 10 + (text[i] - '0');
      fraction_scale *= 10;
    }
  }
  std::optional<int64_t> unit = unit_of(text.substr(i));
  if (!unit) return std::nullopt;
  if (whole > kMax / *unit) return std::nullopt;
  int64_t ns = whole * *unit;
  // A fraction finer than a nanosecond is rejected rather than rounded.
  i128 fraction_ns = static_cast<i128>(fraction) * *unit;
  if (fraction_ns % fraction_scale != 0) return std::nullopt;
  int64_t extra = static_cast<int64_t>(fraction_ns / fraction_scale);
  if (ns > kMax - extra) return std::nullopt;
  return Duration::nanoseconds(ns + extra);
}

std::string duration_error(std::string_view text) {
  SIM_ASSERT(!parse_duration(text).has_value());
  constexpr std::string_view kUnitList = "ns, us, ms, s, m (minutes) or h";
  size_t digits = 0;
  while (digits < text.size() && ((text[digits] >= '0' && text[digits] <= '9') || text[digits] == '.')) ++digits;
  if (digits == 0)
    return fmt::format("'{}' is not a duration: a number with a unit, e.g. 150ms (units: {})", text, kUnitList);
  const std::string_view unit = text.substr(digits);
  if (!unit_of(unit)) {
    if (unit.empty()) return fmt::format("'{}' has no unit (units: {})", text, kUnitList);
    return fmt::format("'{}' has an unknown unit '{}' (units: {})", text, unit, kUnitList);
  }
  const std::string_view number = text.substr(0, digits);
  const size_t point = number.find('.');
  if (point != std::string_view::npos &&
      (point + 1 == number.size() || number.find('.', point + 1) != std::string_view::npos)) {
    return fmt::format("'{}' is not a number with a unit, e.g. 1.5s", text);
  }
  if (point != std::string_view::npos && number.size() - point - 1 <= 18) {
    // Short enough a fraction to have been read: it was finer than a nanosecond, or too large.
    const std::optional<Duration> whole = parse_duration(std::string(number.substr(0, point)) + std::string(unit));
    if (whole) return fmt::format("'{}' is finer than a nanosecond, the virtual clock's resolution", text);
  }
  return fmt::format("'{}' overflows the virtual clock: durations go up to {} (about 292 years)", text,
                     format_duration(Duration::nanoseconds(std::numeric_limits<int64_t>::max())));
}

std::string format_duration(Duration d) {
  int64_t ns = d.ns();
  std::string sign;
  if (ns < 0) {
    sign = "-";
    ns = -ns;
  }
  if (ns == 0) return "0ns";
  // Pick the largest unit that keeps at most 9 fraction digits, then trim zeros.
  struct Scale {
    int64_t ns;
    const char* suffix;
  };
  constexpr std::array<Scale, 4> kScales = {{{1'000'000'000, "s"}, {1'000'000, "ms"}, {1'000, "us"}, {1, "ns"}}};
  for (const Scale& scale : kScales) {
    if (ns >= scale.ns) {
      int64_t whole = ns / scale.ns;
      int64_t rest = ns % scale.ns;
      if (rest == 0) return fmt::format("{}{}{}", sign, whole, scale.suffix);
      std::string digits = fmt::format("{}", rest + scale.ns).substr(1);
      while (!digits.empty() && digits.back() == '0') digits.pop_back();
      return fmt::format("{}{}.{}{}", sign, whole, digits, scale.suffix);
    }
  }
  return fmt::format("{}{}ns", sign, ns);
}

}  // namespace sim
