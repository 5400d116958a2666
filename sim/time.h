// Virtual time: integer nanoseconds as typed durations and instants.
#pragma once

#include "sim/fmt.h"

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sim {

// A span of virtual time in nanoseconds. Never a floating-point number: every decision
// that changes state is integer math.
class Duration {
 public:
  constexpr Duration() = default;
  static constexpr Duration nanoseconds(int64_t n) { return Duration(n); }
  static constexpr Duration microseconds(int64_t n) { return Duration(n * 1'000); }
  static constexpr Duration milliseconds(int64_t n) { return Duration(n * 1'000'000); }
  static constexpr Duration seconds(int64_t n) { return Duration(n * 1'000'000'000); }
  static constexpr Duration zero() { return Duration(0); }

  constexpr int64_t ns() const { return ns_; }
  // Whole multiples of `unit`, rounded towards zero.
  constexpr int64_t count_of(Duration unit) const { return ns_ / unit.ns_; }

  constexpr auto operator<=>(const Duration&) const = default;
  constexpr Duration operator+(Duration other) const { return Duration(ns_ + other.ns_); }
  constexpr Duration operator-(Duration other) const { return Duration(ns_ - other.ns_); }
  constexpr Duration operator*(int64_t factor) const { return Duration(ns_ * factor); }
  constexpr Duration operator/(int64_t divisor) const { return Duration(ns_ / divisor); }
  constexpr Duration& operator+=(Duration other) {
    ns_ += other.ns_;
    return *this;
  }
  constexpr Duration& operator-=(Duration other) {
    ns_ -= other.ns_;
    return *this;
  }

  template <class Visitor>
  void visit(Visitor& v) {
    v("ns", ns_);
  }

 private:
  constexpr explicit Duration(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

// A point in virtual time: nanoseconds since the start of the world.
class Instant {
 public:
  constexpr Instant() = default;
  static constexpr Instant from_ns(int64_t ns) { return Instant(ns); }
  static constexpr Instant zero() { return Instant(0); }

  constexpr int64_t ns() const { return ns_; }

  constexpr auto operator<=>(const Instant&) const = default;
  constexpr Instant operator+(Duration d) const { return Instant(ns_ + d.ns()); }
  constexpr Instant operator-(Duration d) const { return Instant(ns_ - d.ns()); }
  constexpr Duration operator-(Instant other) const { return Duration::nanoseconds(ns_ - other.ns_); }
  constexpr Instant& operator+=(Duration d) {
    ns_ += d.ns();
    return *this;
  }

  template <class Visitor>
  void visit(Visitor& v) {
    v("ns", ns_);
  }

 private:
  constexpr explicit Instant(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

// "1.5s", "250ms", "3us", "17ns", "2m" (minutes), "1h"; a bare integer is rejected so that
// a unit is never guessed. Returns nullopt on malformed text or overflow.
std::optional<Duration> parse_duration(std::string_view text);

// Why parse_duration refused `text`, for a person: the accepted units, or that the value
// overflows the virtual clock. Only for text parse_duration refuses.
std::string duration_error(std::string_view text);

// Shortest exact human form: "1.5s", "250ms", "0ns".
std::string format_duration(Duration d);

}  // namespace sim

template <>
struct fmt::formatter<sim::Duration> : fmt::formatter<std::string_view> {
  template <class Context>
  auto format(sim::Duration d, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(sim::format_duration(d), ctx);
  }
};

template <>
struct fmt::formatter<sim::Instant> : fmt::formatter<std::string_view> {
  template <class Context>
  auto format(sim::Instant t, Context& ctx) const {
    return fmt::formatter<std::string_view>::format("t=" + sim::format_duration(sim::Duration::nanoseconds(t.ns())),
                                                    ctx);
  }
};
