// The deterministic log: lines stamped with virtual time and node, outside the world's hash.
#pragma once

#include "sim/actor_names.h"
#include "sim/event.h"
#include "sim/result.h"
#include "sim/time.h"

#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sim {

enum class LogLevel : uint8_t { kTrace, kDebug, kInfo, kWarn, kError };

std::string_view enum_name(LogLevel level);
std::optional<LogLevel> parse_log_level(std::string_view text);

// Which lines are kept: a default level and per-component overrides.
// Syntax: comma-separated items, each `LEVEL` (the default) or `COMPONENT=LEVEL`, where
// LEVEL is trace, debug, info, warn, error or off. Example: "warn,net=debug,dmsg=trace".
class LogFilter {
 public:
  // Keeps nothing.
  LogFilter() = default;
  static Result<LogFilter> parse(std::string_view spec);

  bool allows(std::string_view component, LogLevel level) const;

 private:
  std::optional<LogLevel> default_level_;  // nullopt: off
  std::map<std::string, std::optional<LogLevel>, std::less<>> per_component_;
};

struct LogLine {
  Instant time;
  std::optional<ActorId> node;
  std::string component;
  LogLevel level = LogLevel::kInfo;
  std::string message;
};

// One line of text: the time, the node by its name when `names` gives one (else "node N"),
// the component, the level and the message with its aliases replaced by names.
std::string format_log_line(const LogLine& line, const ActorNames& names = {});

// Receives log lines from a world. It is an observer: nothing in it reaches behaviour, a
// hash or a trace, so the same run logs the same lines whatever the filter.
class Log {
 public:
  // Lines go to `sink` (not owned) when it is non-null, and are kept in captured() when
  // `capture` is set.
  explicit Log(LogFilter filter, std::FILE* sink = stderr, bool capture = false);

  bool enabled(std::string_view component, LogLevel level) const { return filter_.allows(component, level); }
  // Restricts output to lines stamped within [from, to].
  void set_window(Instant from, Instant to);
  // The names lines show their nodes by (the world passes its own on).
  void set_names(ActorNames names) { names_ = std::move(names); }
  void write(const LogLine& line);

  const std::vector<std::string>& captured() const { return captured_; }

 private:
  LogFilter filter_;
  ActorNames names_;
  std::FILE* sink_;
  bool capture_;
  Instant window_from_ = Instant::zero();
  Instant window_to_ = Instant::from_ns(INT64_MAX);
  std::vector<std::string> captured_;
};

}  // namespace sim
