// Exact parsing and arithmetic for integer ratios.
#include "sim/ratio.h"

#include "sim/assert.h"
#include "sim/wide_int.h"

#include <limits>
#include <numeric>

namespace sim {
namespace {

// Parses a run of decimal digits; nullopt if empty, not all digits, or overflowing.
std::optional<uint64_t> parse_digits(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

std::optional<Ratio> parse_decimal(std::string_view text, uint64_t extra_denominator) {
  size_t dot = text.find('.');
  std::string_view whole_text = text.substr(0, dot);
  std::string_view fraction_text = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (dot != std::string_view::npos && fraction_text.empty()) return std::nullopt;
  if (fraction_text.size() > 18) return std::nullopt;
  std::optional<uint64_t> whole = parse_digits(whole_text);
  if (!whole) return std::nullopt;
  uint64_t denominator = 1;
  uint64_t fraction = 0;
  if (!fraction_text.empty()) {
    std::optional<uint64_t> digits = parse_digits(fraction_text);
    if (!digits) return std::nullopt;
    fraction = *digits;
    for (size_t i = 0; i < fraction_text.size(); ++i) denominator *= 10;
  }
  u128 numerator = static_cast<u128>(*whole) * denominator + fraction;
  u128 full_denominator = static_cast<u128>(denominator) * extra_denominator;
  if (numerator > std::numeric_limits<uint64_t>::max() || full_denominator > std::numeric_limits<uint64_t>::max()) {
    return std::nullopt;
  }
  return Ratio(static_cast<uint64_t>(numerator), static_cast<uint64_t>(full_denominator));
}

}  // namespace

Ratio::Ratio(uint64_t numerator, uint64_t denominator) {
  SIM_ASSERT_GT(denominator, 0u);
  uint64_t divisor = std::gcd(numerator, denominator);
  numerator_ = numerator / divisor;
  denominator_ = denominator / divisor;
  SIM_ASSERT_GT(denominator_, 0u);
}

int64_t Ratio::scale(int64_t value) const {
  i128 product = static_cast<i128>(value) * static_cast<i128>(numerator_);
  i128 result = product / static_cast<i128>(denominator_);
  SIM_ASSERT(result <= std::numeric_limits<int64_t>::max());
  SIM_ASSERT(result >= std::numeric_limits<int64_t>::min());
  return static_cast<int64_t>(result);
}

std::optional<Ratio> parse_ratio(std::string_view text) {
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    std::optional<uint64_t> numerator = parse_digits(text.substr(0, slash));
    std::optional<uint64_t> denominator = parse_digits(text.substr(slash + 1));
    if (!numerator || !denominator || *denominator == 0) return std::nullopt;
    return Ratio(*numerator, *denominator);
  }
  if (!text.empty() && text.back() == '%') return parse_decimal(text.substr(0, text.size() - 1), 100);
  return parse_decimal(text, 1);
}

std::optional<Ratio> parse_probability(std::string_view text) {
  std::optional<Ratio> ratio = parse_ratio(text);
  if (!ratio || !ratio->is_probability()) return std::nullopt;
  return ratio;
}

std::string format_ratio(const Ratio& r) {
  if (r.denominator() == 1) return fmt::format("{}", r.numerator());
  return fmt::format("{}/{}", r.numerator(), r.denominator());
}

}  // namespace sim
