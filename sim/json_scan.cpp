// Finding one value in JSON text without parsing the rest (json_text_at_pointer).
#include "sim/json_value.h"

#include "sim/fmt.h"

namespace sim {
namespace {

// Walks JSON text by skipping values. Anything it does not take on (escapes in a key,
// malformed text) makes it give up, and the caller parses the whole text instead.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  size_t at() const { return at_; }
  static bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
  void skip_space() {
    while (at_ < text_.size() && is_space(text_[at_])) ++at_;
  }
  bool take(char c) {
    skip_space();
    if (at_ >= text_.size() || text_[at_] != c) return false;
    ++at_;
    return true;
  }
  bool peek(char c) {
    skip_space();
    return at_ < text_.size() && text_[at_] == c;
  }
  // A key without escapes, as written.
  std::optional<std::string_view> plain_string() {
    if (!take('"')) return std::nullopt;
    const size_t start = at_;
    while (at_ < text_.size() && text_[at_] != '"') {
      if (text_[at_] == '\\') return std::nullopt;
      ++at_;
    }
    if (at_ >= text_.size()) return std::nullopt;
    return text_.substr(start, at_++ - start);
  }
  // Past one value of any kind; false on text it cannot skip. (Only the span found is
  // parsed, so a document parse_json refuses may go unnoticed beside the path.)
  bool skip_value() {
    skip_space();
    if (at_ >= text_.size()) return false;
    const char first = text_[at_];
    if (first == '"') return skip_string();
    if (first == '{' || first == '[') {
      int depth = 0;
      while (at_ < text_.size()) {
        const char c = text_[at_];
        if (c == '"') {
          if (!skip_string()) return false;
          continue;
        }
        if (c == '{' || c == '[') ++depth;
        if ((c == '}' || c == ']') && --depth == 0) {
          ++at_;
          return true;
        }
        ++at_;
      }
      return false;
    }
    const size_t start = at_;
    while (at_ < text_.size() && text_[at_] != ',' && text_[at_] != '}' && text_[at_] != ']' && !is_space(text_[at_]))
      ++at_;
    return at_ > start;
  }

 private:
  bool skip_string() {
    ++at_;  // the opening quote
    while (at_ < text_.size() && text_[at_] != '"') at_ += text_[at_] == '\\' ? 2 : 1;
    if (at_ >= text_.size()) return false;
    ++at_;
    return true;
  }

  std::string_view text_;
  size_t at_ = 0;
};

std::string unescape_token(std::string_view token) {
  std::string out;
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      out += token[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      out += token[i];
    }
  }
  return out;
}

// Where the value at `pointer` is: found (its span), absent, or not for the scanner.
struct Search {
  enum class Outcome : uint8_t { kFound, kAbsent, kGiveUp } outcome = Outcome::kAbsent;
  size_t begin = 0;
  size_t end = 0;
};

// Within the object the scanner is in: past the key `token` and its colon.
Search::Outcome find_member(Scanner& scan, const std::string& token) {
  while (!scan.peek('}')) {
    const std::optional<std::string_view> key = scan.plain_string();
    if (!key || !scan.take(':')) return Search::Outcome::kGiveUp;
    if (*key == token) return Search::Outcome::kFound;
    if (!scan.skip_value()) return Search::Outcome::kGiveUp;
    if (!scan.take(',') && !scan.peek('}')) return Search::Outcome::kGiveUp;
  }
  return Search::Outcome::kAbsent;
}

// Within the array the scanner is in: at element `token`.
Search::Outcome find_element(Scanner& scan, const std::string& token) {
  const bool numeric =
      !token.empty() && token.size() <= 18 && token.find_first_not_of("0123456789") == std::string::npos;
  if (!numeric) return Search::Outcome::kAbsent;
  const uint64_t index = std::stoull(token);
  for (uint64_t i = 0; i < index; ++i) {
    if (scan.peek(']')) return Search::Outcome::kAbsent;
    if (!scan.skip_value() || (!scan.take(',') && !scan.peek(']'))) return Search::Outcome::kGiveUp;
  }
  return scan.peek(']') ? Search::Outcome::kAbsent : Search::Outcome::kFound;
}

Search find_span(std::string_view text, std::string_view pointer) {
  Scanner scan(text);
  for (size_t at = 1;;) {
    const size_t slash = pointer.find('/', at);
    const std::string token = unescape_token(pointer.substr(at, slash == std::string_view::npos ? slash : slash - at));
    Search::Outcome step = Search::Outcome::kAbsent;  // a scalar has no members
    if (scan.take('{')) {
      step = find_member(scan, token);
    } else if (scan.take('[')) {
      step = find_element(scan, token);
    }
    if (step != Search::Outcome::kFound) return Search{step};
    if (slash == std::string_view::npos) break;
    at = slash + 1;
  }
  scan.skip_space();
  const size_t begin = scan.at();
  if (!scan.skip_value()) return Search{Search::Outcome::kGiveUp};
  return Search{Search::Outcome::kFound, begin, scan.at()};
}

}  // namespace

Result<std::optional<std::string>> json_text_at_pointer(std::string_view text, std::string_view pointer) {
  const auto parse_all = [&]() -> Result<std::optional<std::string>> {
    Result<JsonValue> document = parse_json(text);
    if (!document) return document.error();
    Result<const JsonValue*> found = document->at_pointer(pointer);
    if (!found) return std::optional<std::string>();
    return std::optional<std::string>((*found)->to_text());
  };
  if (pointer.empty() || pointer[0] != '/') return parse_all();
  const Search search = find_span(text, pointer);
  if (search.outcome == Search::Outcome::kGiveUp) return parse_all();
  if (search.outcome == Search::Outcome::kAbsent) return std::optional<std::string>();
  Result<JsonValue> value = parse_json(text.substr(search.begin, search.end - search.begin));
  if (!value) return parse_all();  // the skip went wrong somewhere: the whole parse says where
  return std::optional<std::string>(value->to_text());
}

}  // namespace sim
