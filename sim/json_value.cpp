// A small recursive-descent JSON parser, pointers and leaf-wise diffs.
#include "sim/json_value.h"

#include "sim/fmt.h"

namespace sim {
namespace {

constexpr int kMaxDepth = 256;

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<JsonValue> document() {
    JsonValue value;
    if (!parse_value(value, 0)) return Error{error_};
    skip_space();
    if (at_ != text_.size())
      return Error{fmt::format("JSON: unexpected '{}' at byte {} after the document", text_[at_], at_)};
    return value;
  }

 private:
  bool fail(std::string_view expected) {
    if (error_.empty()) {
      error_ = at_ < text_.size() ? fmt::format("JSON: expected {} at byte {}, found '{}'", expected, at_, text_[at_])
                                  : fmt::format("JSON: expected {} at byte {}, found the end", expected, at_);
    }
    return false;
  }

  void skip_space() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\n' || text_[at_] == '\t' || text_[at_] == '\r'))
      ++at_;
  }

  bool literal(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }

  bool parse_value(JsonValue& out, int depth) {
    if (depth > kMaxDepth) return fail("less nesting");
    skip_space();
    if (at_ >= text_.size()) return fail("a value");
    const char c = text_[at_];
    if (c == '{') return parse_object(out, depth);
    if (c == '[') return parse_array(out, depth);
    if (c == '"') {
      std::string text;
      if (!parse_string(text)) return false;
      out = JsonValue::string(std::move(text));
      return true;
    }
    if (literal("true")) {
      out = JsonValue::boolean(true);
      return true;
    }
    if (literal("false")) {
      out = JsonValue::boolean(false);
      return true;
    }
    if (literal("null")) {
      out = JsonValue::null();
      return true;
    }
    return parse_number(out);
  }

  bool parse_number(JsonValue& out) {
    const size_t start = at_;
    if (at_ < text_.size() && text_[at_] == '-') ++at_;
    size_t digits = 0;
    while (at_ < text_.size() && ((text_[at_] >= '0' && text_[at_] <= '9') || text_[at_] == '.' || text_[at_] == 'e' ||
                                  text_[at_] == 'E' || text_[at_] == '+' || text_[at_] == '-')) {
      ++at_;
      ++digits;
    }
    if (digits == 0) {
      at_ = start;
      return fail("a value");
    }
    out = JsonValue::number(std::string(text_.substr(start, at_ - start)));
    return true;
  }

  bool parse_string(std::string& out) {
    ++at_;  // the opening quote
    while (at_ < text_.size()) {
      const char c = text_[at_++];
      if (c == '"') return true;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at_ >= text_.size()) break;
      const char escaped = text_[at_++];
      switch (escaped) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u': {
          if (text_.size() - at_ < 4) return fail("four hex digits");
          unsigned code = 0;
          for (int i = 0; i < 4; ++i) {
            const char h = text_[at_++];
            code <<= 4;
            if (h >= '0' && h <= '9')
              code |= static_cast<unsigned>(h - '0');
            else if (h >= 'a' && h <= 'f')
              code |= static_cast<unsigned>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F')
              code |= static_cast<unsigned>(h - 'A' + 10);
            else
              return fail("a hex digit");
          }
          // Dumps escape only control characters; keep others as UTF-8 anyway.
          if (code < 0x80) {
            out += static_cast<char>(code);
          } else if (code < 0x800) {
            out += static_cast<char>(0xc0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3f));
          } else {
            out += static_cast<char>(0xe0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (code & 0x3f));
          }
          break;
        }
        default:
          --at_;
          return fail("an escape character");
      }
    }
    return fail("a closing quote");
  }

  bool parse_array(JsonValue& out, int depth) {
    ++at_;
    std::vector<JsonValue> items;
    skip_space();
    if (at_ < text_.size() && text_[at_] == ']') {
      ++at_;
      out = JsonValue::array({});
      return true;
    }
    while (true) {
      JsonValue item;
      if (!parse_value(item, depth + 1)) return false;
      items.push_back(std::move(item));
      skip_space();
      if (at_ < text_.size() && text_[at_] == ',') {
        ++at_;
        continue;
      }
      if (at_ < text_.size() && text_[at_] == ']') {
        ++at_;
        out = JsonValue::array(std::move(items));
        return true;
      }
      return fail("',' or ']'");
    }
  }

  bool parse_object(JsonValue& out, int depth) {
    ++at_;
    std::vector<std::pair<std::string, JsonValue>> members;
    skip_space();
    if (at_ < text_.size() && text_[at_] == '}') {
      ++at_;
      out = JsonValue::object({});
      return true;
    }
    while (true) {
      skip_space();
      if (at_ >= text_.size() || text_[at_] != '"') return fail("a member name");
      std::string key;
      if (!parse_string(key)) return false;
      skip_space();
      if (at_ >= text_.size() || text_[at_] != ':') return fail("':'");
      ++at_;
      JsonValue value;
      if (!parse_value(value, depth + 1)) return false;
      members.emplace_back(std::move(key), std::move(value));
      skip_space();
      if (at_ < text_.size() && text_[at_] == ',') {
        ++at_;
        continue;
      }
      if (at_ < text_.size() && text_[at_] == '}') {
        ++at_;
        out = JsonValue::object(std::move(members));
        return true;
      }
      return fail("',' or '}'");
    }
  }

  std::string_view text_;
  size_t at_ = 0;
  std::string error_;
};

std::string escape_pointer_token(const std::string& token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

void diff_into(const JsonValue& a, const JsonValue* b, const std::string& path, std::vector<JsonDifference>& out,
               size_t limit);

void absent_into(const JsonValue& b, const std::string& path, std::vector<JsonDifference>& out, size_t limit) {
  if (out.size() < limit) out.push_back({path, "(absent)", b.to_text()});
}

void diff_into(const JsonValue& a, const JsonValue* b, const std::string& path, std::vector<JsonDifference>& out,
               size_t limit) {
  if (out.size() >= limit) return;
  if (b == nullptr) {
    out.push_back({path, a.to_text(), "(absent)"});
    return;
  }
  if (a.kind() != b->kind()) {
    out.push_back({path, a.to_text(), b->to_text()});
    return;
  }
  switch (a.kind()) {
    case JsonValue::Kind::kObject:
      for (const auto& [key, value] : a.members())
        diff_into(value, b->find(key), path + "/" + escape_pointer_token(key), out, limit);
      for (const auto& [key, value] : b->members()) {
        if (a.find(key) == nullptr) absent_into(value, path + "/" + escape_pointer_token(key), out, limit);
      }
      return;
    case JsonValue::Kind::kArray: {
      const size_t common = std::min(a.items().size(), b->items().size());
      for (size_t i = 0; i < common; ++i)
        diff_into(a.items()[i], &b->items()[i], path + "/" + std::to_string(i), out, limit);
      for (size_t i = common; i < a.items().size(); ++i)
        diff_into(a.items()[i], nullptr, path + "/" + std::to_string(i), out, limit);
      for (size_t i = common; i < b->items().size(); ++i)
        absent_into(b->items()[i], path + "/" + std::to_string(i), out, limit);
      return;
    }
    default:
      if (a.scalar() != b->scalar()) out.push_back({path, a.to_text(), b->to_text()});
      return;
  }
}

}  // namespace

JsonValue JsonValue::boolean(bool value) {
  JsonValue v;
  v.kind_ = Kind::kBool;
  v.scalar_ = value ? "true" : "false";
  return v;
}

JsonValue JsonValue::number(std::string literal) {
  JsonValue v;
  v.kind_ = Kind::kNumber;
  v.scalar_ = std::move(literal);
  return v;
}

JsonValue JsonValue::string(std::string text) {
  JsonValue v;
  v.kind_ = Kind::kString;
  v.scalar_ = std::move(text);
  return v;
}

JsonValue JsonValue::array(std::vector<JsonValue> items) {
  JsonValue v;
  v.kind_ = Kind::kArray;
  v.items_ = std::move(items);
  return v;
}

JsonValue JsonValue::object(std::vector<std::pair<std::string, JsonValue>> members) {
  JsonValue v;
  v.kind_ = Kind::kObject;
  v.members_ = std::move(members);
  return v;
}

const JsonValue* JsonValue::find(std::string_view key) const {
  for (const auto& [name, value] : members_) {
    if (name == key) return &value;
  }
  return nullptr;
}

Result<const JsonValue*> JsonValue::at_pointer(std::string_view pointer) const {
  const JsonValue* current = this;
  if (pointer.empty()) return current;
  if (pointer[0] != '/') return Error{fmt::format("a JSON pointer starts with '/': '{}'", pointer)};
  size_t at = 1;
  std::string walked;
  while (true) {
    const size_t slash = pointer.find('/', at);
    std::string token(pointer.substr(at, slash == std::string_view::npos ? std::string_view::npos : slash - at));
    std::string unescaped;
    for (size_t i = 0; i < token.size(); ++i) {
      if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
        unescaped += token[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        unescaped += token[i];
      }
    }
    walked += "/" + token;
    if (current->kind_ == Kind::kObject) {
      current = current->find(unescaped);
      if (current == nullptr) return Error{fmt::format("no member '{}' at {}", unescaped, walked)};
    } else if (current->kind_ == Kind::kArray) {
      size_t index = 0;
      bool numeric = !unescaped.empty();
      for (char c : unescaped) {
        if (c < '0' || c > '9') numeric = false;
      }
      if (numeric) index = std::stoull(unescaped);
      if (!numeric || index >= current->items_.size()) {
        return Error{
            fmt::format("no element '{}' at {} (the array has {})", unescaped, walked, current->items_.size())};
      }
      current = &current->items_[index];
    } else {
      return Error{fmt::format("{} is not an object or array", walked.substr(0, walked.size() - token.size() - 1))};
    }
    if (slash == std::string_view::npos) return current;
    at = slash + 1;
  }
}

std::string JsonValue::to_text() const {
  switch (kind_) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
    case Kind::kNumber:
      return scalar_;
    case Kind::kString: {
      std::string out = "\"";
      for (char c : scalar_) {
        if (c == '"' || c == '\\') {
          out += '\\';
          out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
      }
      return out + "\"";
    }
    case Kind::kArray: {
      // Appended piece by piece, without a temporary string per item.
      std::string out = "[";
      for (size_t i = 0; i < items_.size(); ++i) {
        if (i != 0) out += ',';
        out += items_[i].to_text();
      }
      out += ']';
      return out;
    }
    case Kind::kObject: {
      std::string out = "{";
      for (size_t i = 0; i < members_.size(); ++i) {
        if (i != 0) out += ',';
        out += JsonValue::string(members_[i].first).to_text();
        out += ':';
        out += members_[i].second.to_text();
      }
      out += '}';
      return out;
    }
  }
  return "null";
}

Result<JsonValue> parse_json(std::string_view text) { return Parser(text).document(); }

std::vector<JsonDifference> diff_json(const JsonValue& left, const JsonValue& right, size_t limit) {
  std::vector<JsonDifference> out;
  diff_into(left, &right, "", out, limit);
  return out;
}

}  // namespace sim
