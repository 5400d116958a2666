#include "scenarios/sweep/json_fields.h"

#include "scenarios/cli/args.h"

#include <climits>

namespace scenarios::sweep {
namespace {

const sim::JsonValue* member_of_kind(const sim::JsonValue& object, std::string_view key, sim::JsonValue::Kind kind) {
  const sim::JsonValue* value = object.find(key);
  return value != nullptr && value->kind() == kind ? value : nullptr;
}

}  // namespace

std::string text_field(const sim::JsonValue& object, std::string_view key) {
  const sim::JsonValue* value = member_of_kind(object, key, sim::JsonValue::Kind::kString);
  return value == nullptr ? std::string() : value->scalar();
}

std::optional<uint64_t> u64_field(const sim::JsonValue& object, std::string_view key) {
  const sim::JsonValue* value = member_of_kind(object, key, sim::JsonValue::Kind::kNumber);
  return value == nullptr ? std::nullopt : cli::parse_u64(value->scalar());
}

std::optional<int64_t> i64_field(const sim::JsonValue& object, std::string_view key) {
  const sim::JsonValue* value = member_of_kind(object, key, sim::JsonValue::Kind::kNumber);
  if (value == nullptr) return std::nullopt;
  const std::string_view text = value->scalar();
  const bool negative = !text.empty() && text[0] == '-';
  const std::optional<uint64_t> magnitude = cli::parse_u64(negative ? text.substr(1) : text);
  if (!magnitude || *magnitude > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return negative ? -static_cast<int64_t>(*magnitude) : static_cast<int64_t>(*magnitude);
}

std::optional<std::vector<std::string>> strings_field(const sim::JsonValue& object, std::string_view key) {
  const sim::JsonValue* array = array_field(object, key);
  if (array == nullptr) return std::nullopt;
  std::vector<std::string> out;
  for (const sim::JsonValue& item : array->items()) {
    if (item.kind() != sim::JsonValue::Kind::kString) return std::nullopt;
    out.push_back(item.scalar());
  }
  return out;
}

const sim::JsonValue* array_field(const sim::JsonValue& object, std::string_view key) {
  return member_of_kind(object, key, sim::JsonValue::Kind::kArray);
}

sim::JsonValue number_value(uint64_t value) { return sim::JsonValue::number(std::to_string(value)); }
sim::JsonValue signed_value(int64_t value) { return sim::JsonValue::number(std::to_string(value)); }

sim::JsonValue text_or_null(const std::string& text) {
  return text.empty() ? sim::JsonValue::null() : sim::JsonValue::string(text);
}

sim::JsonValue strings_value(const std::vector<std::string>& items) {
  std::vector<sim::JsonValue> values;
  for (const std::string& item : items) values.push_back(sim::JsonValue::string(item));
  return sim::JsonValue::array(std::move(values));
}

}  // namespace scenarios::sweep
