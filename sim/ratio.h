// Integer ratios: probabilities and multipliers without floating point.
#pragma once

#include "sim/fmt.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sim {

// numerator / denominator, with denominator > 0. Used for probabilities (at most 1) and
// for multipliers such as a 13/10 backoff factor. Kept in lowest terms so that equal
// values have one representation (and one serialization).
class Ratio {
 public:
  constexpr Ratio() = default;
  // Asserts denominator > 0; reduces to lowest terms.
  Ratio(uint64_t numerator, uint64_t denominator);
  static Ratio zero() { return Ratio(0, 1); }
  static Ratio one() { return Ratio(1, 1); }

  uint64_t numerator() const { return numerator_; }
  uint64_t denominator() const { return denominator_; }
  bool is_probability() const { return numerator_ <= denominator_; }
  bool is_zero() const { return numerator_ == 0; }

  // floor(value * this), exact for any value whose product fits in 128 bits.
  int64_t scale(int64_t value) const;

  friend bool operator==(const Ratio&, const Ratio&) = default;

  template <class Visitor>
  void visit(Visitor& v) {
    v("numerator", numerator_);
    v("denominator", denominator_);
  }

 private:
  uint64_t numerator_ = 0;
  uint64_t denominator_ = 1;
};

// Parses "0.05", "5%", "1/20", "1" or "0" straight into an integer ratio (never through a
// floating-point value). Returns nullopt for anything else, including a zero denominator.
std::optional<Ratio> parse_ratio(std::string_view text);

// Same, and also requires the value to be a probability in [0, 1].
std::optional<Ratio> parse_probability(std::string_view text);

std::string format_ratio(const Ratio& r);

}  // namespace sim

template <>
struct fmt::formatter<sim::Ratio> : fmt::formatter<std::string_view> {
  template <class Context>
  auto format(const sim::Ratio& r, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(sim::format_ratio(r), ctx);
  }
};
