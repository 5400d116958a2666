// Argument reading for the dmsgsim subcommands.
#include "scenarios/cli/args.h"

#include "sim/assert.h"
#include "sim/fmt.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace scenarios::cli {

std::optional<uint64_t> parse_u64(std::string_view text) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    int digit = -1;
    if (c >= '0' && c <= '9') digit = c - '0';
    if (base == 16 && c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    if (base == 16 && c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    if (digit < 0) return std::nullopt;
    const uint64_t limit = (UINT64_MAX - static_cast<uint64_t>(digit)) / static_cast<uint64_t>(base);
    if (value > limit) return std::nullopt;
    value = value * static_cast<uint64_t>(base) + static_cast<uint64_t>(digit);
  }
  return value;
}

sim::Status check_writable_file(const std::string& path) {
  if (path.empty()) return sim::Error{"the file name is empty"};
  std::error_code error;
  const bool existed = std::filesystem::exists(path, error);
  if (existed && std::filesystem::is_directory(path, error)) return sim::Error{fmt::format("{} is a folder", path)};
  std::FILE* file = std::fopen(path.c_str(), "ab");  // never truncates what is there
  if (file == nullptr) return sim::Error{fmt::format("cannot write {}: {}", path, std::strerror(errno))};
  std::fclose(file);
  if (!existed) std::filesystem::remove(path, error);
  return sim::Ok{};
}

bool Args::take_subcommand(std::string_view name) {
  if (words_.empty() || words_.front() != name) return false;
  words_.erase(words_.begin());
  return true;
}

bool Args::take_flag(std::string_view name) {
  const std::string flag = fmt::format("--{}", name);
  bool found = false;
  for (size_t i = 0; i < words_.size();) {
    if (words_[i] == flag) {
      words_.erase(words_.begin() + static_cast<std::ptrdiff_t>(i));
      found = true;
    } else if (words_[i].rfind(flag + "=", 0) == 0) {
      fail(fmt::format("option {} takes no value", flag));
      words_.erase(words_.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
  return found;
}

std::vector<std::string> Args::take_values(std::string_view name) {
  const std::string flag = fmt::format("--{}", name);
  std::vector<std::string> values;
  for (size_t i = 0; i < words_.size();) {
    if (words_[i] == flag) {
      if (i + 1 >= words_.size()) {
        fail(fmt::format("option {} needs a value", flag));
        words_.erase(words_.begin() + static_cast<std::ptrdiff_t>(i));
        continue;
      }
      values.push_back(words_[i + 1]);
      words_.erase(words_.begin() + static_cast<std::ptrdiff_t>(i),
                   words_.begin() + static_cast<std::ptrdiff_t>(i) + 2);
    } else if (words_[i].rfind(flag + "=", 0) == 0) {
      values.push_back(words_[i].substr(flag.size() + 1));
      words_.erase(words_.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
  return values;
}

std::optional<std::string> Args::take_value(std::string_view name) {
  std::vector<std::string> values = take_values(name);
  if (values.empty()) return std::nullopt;
  if (values.size() > 1) fail(fmt::format("option --{} given {} times", name, values.size()));
  return values.back();
}

std::vector<std::string> Args::take_positionals() {
  std::vector<std::string> positionals;
  std::vector<std::string> rest;
  for (std::string& word : words_) {
    if (word.rfind("--", 0) == 0) {
      rest.push_back(std::move(word));
    } else {
      positionals.push_back(std::move(word));
    }
  }
  words_ = std::move(rest);
  return positionals;
}

std::optional<uint64_t> Args::take_u64(std::string_view name) {
  std::optional<std::string> text = take_value(name);
  if (!text) return std::nullopt;
  std::optional<uint64_t> value = parse_u64(*text);
  if (!value) fail(fmt::format("--{} expects a non-negative integer (decimal or 0x hex), got '{}'", name, *text));
  return value;
}

std::optional<sim::Duration> Args::take_duration(std::string_view name) {
  std::optional<std::string> text = take_value(name);
  if (!text) return std::nullopt;
  std::optional<sim::Duration> value = sim::parse_duration(*text);
  if (!value) fail(fmt::format("--{}: {}", name, sim::duration_error(*text)));
  return value;
}

std::optional<uint64_t> Args::take_count(std::string_view name, uint64_t min, uint64_t max) {
  SIM_ASSERT_LE(min, max);
  std::optional<uint64_t> value = take_u64(name);
  if (value && (*value < min || *value > max)) {
    fail(fmt::format("--{} takes {} to {}, got {}", name, min, max, *value));
    return std::nullopt;
  }
  return value;
}

std::optional<sim::Duration> Args::take_duration_in(std::string_view name, sim::Duration min, sim::Duration max) {
  SIM_ASSERT_LE(min, max);
  std::optional<sim::Duration> value = take_duration(name);
  if (value && (*value < min || *value > max)) {
    fail(fmt::format("--{} takes {} to {}, got {}", name, min, max, *value));
    return std::nullopt;
  }
  return value;
}

std::optional<uint64_t> Args::take_size(std::string_view name, uint64_t min, uint64_t max) {
  std::optional<std::string> text = take_value(name);
  if (!text) return std::nullopt;
  constexpr std::pair<std::string_view, uint64_t> kUnits[] = {
      {"GiB", uint64_t{1} << 30}, {"MiB", uint64_t{1} << 20}, {"KiB", uint64_t{1} << 10}, {"B", 1}};
  std::string_view digits = *text;
  uint64_t unit = 1;
  for (const auto& [suffix, scale] : kUnits) {
    if (digits.ends_with(suffix)) {
      digits.remove_suffix(suffix.size());
      unit = scale;
      break;
    }
  }
  const std::optional<uint64_t> count = parse_u64(std::string(digits));
  if (!count || *count > max / unit || *count * unit < min) {
    fail(fmt::format("--{} takes a size from {} to {} bytes with a unit (B, KiB, MiB, GiB), got '{}'", name, min, max,
                     *text));
    return std::nullopt;
  }
  return *count * unit;
}

void Args::fail(std::string message) {
  if (!error_) error_ = std::move(message);
}

sim::Status Args::finish() const {
  if (error_) return sim::Error{*error_};
  if (!words_.empty()) return sim::Error{fmt::format("unknown argument '{}'", words_.front())};
  return sim::Ok{};
}

}  // namespace scenarios::cli
