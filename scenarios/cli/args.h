// A small command-line argument reader with errors a person can act on.
#pragma once

#include "sim/result.h"
#include "sim/time.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scenarios::cli {

// Options are taken one by one by the command that knows them; finish() then reports
// anything left over. The first problem found is kept and reported.
class Args {
 public:
  explicit Args(std::vector<std::string> words) : words_(std::move(words)) {}

  // `--name` present (and removed)?
  bool take_flag(std::string_view name);
  // The value after `--name` (or `--name=value`), removed; nullopt when absent.
  std::optional<std::string> take_value(std::string_view name);
  // Every value of a repeatable option, in order.
  std::vector<std::string> take_values(std::string_view name);
  // Whether the first word is the subcommand `name` (removed if so).
  bool take_subcommand(std::string_view name);
  // The remaining words that do not start with "--", removed.
  std::vector<std::string> take_positionals();

  // Typed variants: a malformed value records an error naming the option.
  std::optional<uint64_t> take_u64(std::string_view name);
  std::optional<sim::Duration> take_duration(std::string_view name);
  // Range-checked variants: a value outside [min, max] records an error naming the range.
  std::optional<uint64_t> take_count(std::string_view name, uint64_t min, uint64_t max);
  std::optional<sim::Duration> take_duration_in(std::string_view name, sim::Duration min, sim::Duration max);
  // A size in bytes with a binary unit (512MiB, 64KiB, 2GiB, or plain bytes), in [min, max].
  std::optional<uint64_t> take_size(std::string_view name, uint64_t min, uint64_t max);

  // Records a problem found by the command itself.
  void fail(std::string message);
  // Reports the first problem, or words nobody took.
  sim::Status finish() const;

 private:
  std::vector<std::string> words_;
  std::optional<std::string> error_;
};

// Whether a file can be written at `path` (created, or replaced), checked before a long run
// so that its result is not lost at the end. Leaves no file behind that was not there.
sim::Status check_writable_file(const std::string& path);

// Decimal, or hexadecimal with a 0x prefix.
std::optional<uint64_t> parse_u64(std::string_view text);

}  // namespace scenarios::cli
