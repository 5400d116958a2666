// Log filters and line formatting.
#include "sim/log.h"

#include "sim/enum_names.h"
#include "sim/fmt.h"

#include <array>

namespace sim {
namespace {

constexpr std::array<EnumName<LogLevel>, 5> kLevelNames = {{
    {LogLevel::kTrace, "trace"},
    {LogLevel::kDebug, "debug"},
    {LogLevel::kInfo, "info"},
    {LogLevel::kWarn, "warn"},
    {LogLevel::kError, "error"},
}};

// A level, or "off" (nullopt inside the optional), or nothing at all for bad text.
std::optional<std::optional<LogLevel>> parse_threshold(std::string_view text) {
  if (text == "off") return std::optional<LogLevel>();
  std::optional<LogLevel> level = parse_log_level(text);
  if (!level) return std::nullopt;
  return level;
}

}  // namespace

std::string_view enum_name(LogLevel level) { return name_in(kLevelNames, level); }

std::optional<LogLevel> parse_log_level(std::string_view text) { return value_in(kLevelNames, text); }

Result<LogFilter> LogFilter::parse(std::string_view spec) {
  LogFilter filter;
  const std::string_view usage =
      "expected LEVEL or COMPONENT=LEVEL items separated by commas, LEVEL one of trace, debug, info, warn, error, off";
  if (spec.empty()) return Error{fmt::format("empty log filter: {}", usage)};
  while (!spec.empty()) {
    const size_t comma = spec.find(',');
    const std::string_view item = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    const size_t equals = item.find('=');
    if (equals == std::string_view::npos) {
      auto threshold = parse_threshold(item);
      if (!threshold) return Error{fmt::format("bad log level '{}': {}", item, usage)};
      filter.default_level_ = *threshold;
      continue;
    }
    const std::string_view component = item.substr(0, equals);
    auto threshold = parse_threshold(item.substr(equals + 1));
    if (component.empty() || !threshold) return Error{fmt::format("bad log filter item '{}': {}", item, usage)};
    filter.per_component_[std::string(component)] = *threshold;
  }
  return filter;
}

bool LogFilter::allows(std::string_view component, LogLevel level) const {
  auto it = per_component_.find(component);
  const std::optional<LogLevel>& threshold = it != per_component_.end() ? it->second : default_level_;
  return threshold.has_value() && level >= *threshold;
}

std::string format_log_line(const LogLine& line, const ActorNames& names) {
  const int64_t ns = line.time.ns();
  std::string node = "world";
  if (line.node) {
    const std::optional<std::string_view> name = names.of(*line.node);
    node = name ? std::string(*name) : fmt::format("node {}", *line.node);
  }
  return fmt::format("{:>6}.{:09}s {:<9} {:<10} {:<5} {}", ns / 1'000'000'000, ns % 1'000'000'000, node, line.component,
                     enum_name(line.level), names.apply_aliases(line.message));
}

Log::Log(LogFilter filter, std::FILE* sink, bool capture)
    : filter_(std::move(filter)), sink_(sink), capture_(capture) {}

void Log::set_window(Instant from, Instant to) {
  SIM_ASSERT_LE(from, to);
  window_from_ = from;
  window_to_ = to;
}

void Log::write(const LogLine& line) {
  if (!filter_.allows(line.component, line.level)) return;
  if (line.time < window_from_ || line.time > window_to_) return;
  std::string text = format_log_line(line, names_);
  if (sink_ != nullptr) {
    std::fprintf(sink_, "%s\n", text.c_str());
  }
  if (capture_) captured_.push_back(std::move(text));
}

}  // namespace sim
