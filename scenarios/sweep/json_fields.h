// Reading the members of a sweep's JSON lines: absent or mistyped members read as empty.
#pragma once

#include "sim/json_value.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scenarios::sweep {

// The string member, or "" (also for null, as lines write an absent text).
std::string text_field(const sim::JsonValue& object, std::string_view key);
std::optional<uint64_t> u64_field(const sim::JsonValue& object, std::string_view key);
std::optional<int64_t> i64_field(const sim::JsonValue& object, std::string_view key);
// An array of strings, or nullopt when it is absent or holds anything else.
std::optional<std::vector<std::string>> strings_field(const sim::JsonValue& object, std::string_view key);
const sim::JsonValue* array_field(const sim::JsonValue& object, std::string_view key);

// Values for lines: numbers as exact literals, "" as null.
sim::JsonValue number_value(uint64_t value);
sim::JsonValue signed_value(int64_t value);
sim::JsonValue text_or_null(const std::string& text);
sim::JsonValue strings_value(const std::vector<std::string>& items);

}  // namespace scenarios::sweep
