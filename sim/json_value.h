// Parsed JSON: for structural diffs of state dumps, JSON pointers, and config files.
#pragma once

#include "sim/result.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sim {

// A JSON document. Numbers keep their literal text, so 64-bit values survive exactly;
// objects keep their members in document order.
class JsonValue {
 public:
  enum class Kind : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };

  JsonValue() = default;
  static JsonValue null() { return JsonValue(); }
  static JsonValue boolean(bool value);
  static JsonValue number(std::string literal);
  static JsonValue string(std::string text);
  static JsonValue array(std::vector<JsonValue> items);
  static JsonValue object(std::vector<std::pair<std::string, JsonValue>> members);

  Kind kind() const { return kind_; }
  bool is_object() const { return kind_ == Kind::kObject; }
  // The boolean, number literal or string text.
  const std::string& scalar() const { return scalar_; }
  const std::vector<JsonValue>& items() const { return items_; }
  const std::vector<std::pair<std::string, JsonValue>>& members() const { return members_; }
  // The member named `key`, or nullptr.
  const JsonValue* find(std::string_view key) const;

  // RFC 6901 pointer ("/actors/3/state/sent"); "" is the whole document.
  Result<const JsonValue*> at_pointer(std::string_view pointer) const;

  // Compact JSON text of this value.
  std::string to_text() const;

 private:
  Kind kind_ = Kind::kNull;
  std::string scalar_;
  std::vector<JsonValue> items_;
  std::vector<std::pair<std::string, JsonValue>> members_;
};

// Parses one document. Depth is limited, so hostile input cannot exhaust the stack; the
// error names the byte offset and what was expected.
Result<JsonValue> parse_json(std::string_view text);

// The value at `pointer` in a JSON document's text, as parse_json(text)->at_pointer()
// would give it (its compact text), or nullopt where that finds nothing; what lies beside
// the path is skipped, not parsed (watching one field of a large dump at many ticks). An
// error for text that is not JSON.
Result<std::optional<std::string>> json_text_at_pointer(std::string_view text, std::string_view pointer);

// One leaf that differs between two documents: its JSON pointer and both texts (a
// missing side is "(absent)").
struct JsonDifference {
  std::string path;
  std::string left;
  std::string right;
};

// Differences between two documents, leaf by leaf, in document order (at most `limit`).
std::vector<JsonDifference> diff_json(const JsonValue& left, const JsonValue& right, size_t limit = 200);

}  // namespace sim
