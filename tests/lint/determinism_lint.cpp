// Rules and scanning of the determinism lint.
#include "tests/lint/determinism_lint.h"

#include <algorithm>
#include <filesystem>
#include <regex>
#include <sstream>

namespace lint {
namespace {

struct CompiledRule {
  Rule rule;
  std::regex pattern;
  // For rules a regex cannot express; used instead of the pattern when set.
  bool (*matches)(const std::string& line) = nullptr;
};

bool starts_with_word(const std::string& text, const char* word) {
  const std::string w = word;
  return text.rfind(w, 0) == 0 &&
         (text.size() == w.size() ||
          !(std::isalnum(static_cast<unsigned char>(text[w.size()])) || text[w.size()] == '_'));
}

bool contains_word(const std::string& text, const std::string& word) {
  return std::regex_search(text, std::regex("\\b" + word + "\\b"));
}

// A variable definition with static storage that can change: `static`/`thread_local`
// anywhere, or any definition at column 0 (namespace scope, including anonymous
// namespaces). Immutable when constexpr, or const at the top level (for a pointer, a
// const after its last '*').
bool is_mutable_static(const std::string& line) {
  const bool at_column_zero = !line.empty() && !std::isspace(static_cast<unsigned char>(line[0]));
  std::string text = line.substr(std::min(line.size(), line.find_first_not_of(" \t")));
  const bool storage_keyword = starts_with_word(text, "static") || starts_with_word(text, "thread_local");
  if (!storage_keyword && !at_column_zero) return false;
  if (!storage_keyword) {
    static const char* const kNotVariables[] = {
        "namespace", "using",  "template", "typedef", "struct", "class",   "enum",      "union",     "extern",
        "return",    "friend", "#",        "}",       "public", "private", "protected", "TEST_CASE", "int main"};
    for (const char* word : kNotVariables) {
      if (text.rfind(word, 0) == 0) return false;
    }
  }
  if (text.find("operator") != std::string::npos || contains_word(text, "typedef")) return false;
  const size_t end = text.find_first_of("=;{");
  if (end == std::string::npos) return false;
  const std::string declaration = text.substr(0, end);
  if (declaration.find('(') != std::string::npos) return false;  // a function
  if (declaration.find_first_not_of(" \t") == std::string::npos) return false;
  if (contains_word(declaration, "constexpr")) return false;
  const size_t last_indirection = declaration.find_last_of("*&");
  const std::string qualifiers =
      last_indirection == std::string::npos ? declaration : declaration.substr(last_indirection);
  return !contains_word(qualifiers, "const");
}

const std::vector<CompiledRule>& compiled_rules() {
  static const std::vector<CompiledRule> compiled = [] {
    const std::vector<std::pair<Rule, std::string>> table = {
        {{"wall-clock", "a wall clock makes runs depend on when they ran; use the world's virtual time"},
         R"(\b(system_clock|steady_clock|high_resolution_clock|gettimeofday|clock_gettime)\b)"},
        {{"threads", "threads interleave nondeterministically; the simulation is single-threaded"},
         R"(#\s*include\s*<(thread|mutex|future|condition_variable|shared_mutex|atomic)>|\bstd::(thread|jthread|async|mutex)\b|\bpthread_\w+)"},
        {{"random-header", "<random> distributions differ between standard libraries; use sim::Rng"},
         R"(#\s*include\s*<random>|\bstd::(random_device|mt19937(_64)?|minstd_rand0?|default_random_engine|\w+_distribution)\b)"},
        {{"ranges", "<ranges> views do not compile under Clang 14"},
         R"(#\s*include\s*<ranges>|\bstd::(ranges|views)::)"},
        {{"fmt-include", "include sim/fmt.h, which silences GCC 12's false warnings inside fmt's headers"},
         R"(#\s*include\s*<fmt/)"},
        {{"c-rand", "C library randomness is global and unseeded; use sim::Rng"},
         R"((^|[^\w.>:])(s?rand|random|drand48|lrand48|rand_r)\s*\()"},
        {{"time-call", "time() reads the wall clock; use the world's virtual time"},
         R"((^|[^\w.>:])time\s*\(|\bstd::time\s*\()"},
        {{"getenv", "the environment differs between machines and runs"}, R"(\b(secure_)?getenv\b)"},
        {{"randombytes", "OS randomness; keys and nonces come from simulation RNG streams"}, R"(\brandombytes_\w+)"},
        {{"std-hash", "std::hash differs between standard libraries; use XXH3"}, R"(\bstd::hash\b)"},
        {{"unordered", "unordered containers iterate in an unspecified order; use ordered maps or slot vectors"},
         R"(\bunordered_(map|set|multimap|multiset)\b)"},
        {{"pointer-key", "pointer keys order by address, which differs between runs"},
         R"(\bstd::(map|set|multimap|multiset)\s*<\s*(const\s+)?[\w:]+\s*\*)"},
    };
    std::vector<CompiledRule> out;
    for (const auto& [rule, pattern] : table) out.push_back({rule, std::regex(pattern), nullptr});
    out.push_back({{"mutable-static", "mutable statics carry state between runs in one process"},
                   std::regex(),
                   &is_mutable_static});
    return out;
  }();
  return compiled;
}

// Skips a raw string literal starting at text[i] == 'R' followed by '"'; returns the
// index just past it.
size_t raw_string_end(const std::string& text, size_t i) {
  const size_t open = text.find('(', i + 2);
  if (open == std::string::npos) return text.size();
  const std::string delimiter = ")" + text.substr(i + 2, open - i - 2) + "\"";
  const size_t close = text.find(delimiter, open);
  return close == std::string::npos ? text.size() : close + delimiter.size();
}

void blank(std::string& text, size_t from, size_t to) {
  for (size_t k = from; k < to && k < text.size(); ++k) {
    if (text[k] != '\n') text[k] = ' ';
  }
}

}  // namespace

const std::vector<Rule>& rules() {
  static const std::vector<Rule> all = [] {
    std::vector<Rule> out;
    for (const CompiledRule& c : compiled_rules()) out.push_back(c.rule);
    return out;
  }();
  return all;
}

std::string blank_comments_and_literals(const std::string& source) {
  std::string text = source;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    const char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (c == '/' && next == '/') {
      const size_t end = text.find('\n', i);
      blank(text, i, end == std::string::npos ? text.size() : end);
      i = end == std::string::npos ? text.size() : end;
    } else if (c == '/' && next == '*') {
      const size_t end = text.find("*/", i + 2);
      const size_t stop = end == std::string::npos ? text.size() : end + 2;
      blank(text, i, stop);
      i = stop;
    } else if (c == 'R' && next == '"' && (i == 0 || !std::isalnum(static_cast<unsigned char>(text[i - 1])))) {
      const size_t stop = raw_string_end(text, i);
      blank(text, i + 1, stop);
      i = stop;
    } else if (c == '"' || (c == '\'' && !(i > 0 && std::isxdigit(static_cast<unsigned char>(text[i - 1]))))) {
      // A quote right after a digit is a digit separator (1'000), not a literal.
      size_t k = i + 1;
      while (k < text.size() && text[k] != c && text[k] != '\n') k += text[k] == '\\' ? 2 : 1;
      blank(text, i + 1, k);
      i = k + 1;
    } else {
      ++i;
    }
  }
  return text;
}

std::vector<Finding> scan_text(const std::string& path, const std::string& text) {
  std::vector<Finding> findings;
  std::istringstream code(blank_comments_and_literals(text));
  std::istringstream original(text);
  std::string line;
  std::string original_line;
  int number = 0;
  while (std::getline(code, line)) {
    std::getline(original, original_line);
    ++number;
    for (const CompiledRule& c : compiled_rules()) {
      const bool hit = c.matches != nullptr ? c.matches(line) : std::regex_search(line, c.pattern);
      if (hit) findings.push_back({path, number, c.rule.name, original_line});
    }
  }
  return findings;
}

std::vector<std::string> source_files(const std::string& root, const std::vector<std::string>& dirs) {
  std::vector<std::string> files;
  for (const std::string& dir : dirs) {
    const std::filesystem::path base = std::filesystem::path(root) / dir;
    if (!std::filesystem::exists(base)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(base)) {
      const std::string extension = entry.path().extension().string();
      if (entry.is_regular_file() && (extension == ".h" || extension == ".cpp")) {
        files.push_back(std::filesystem::relative(entry.path(), root).generic_string());
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<AllowEntry> parse_allowlist(const std::string& text, std::string& error) {
  std::vector<AllowEntry> entries;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    const size_t separator = line.find(" -- ");
    std::istringstream head(line.substr(0, separator));
    AllowEntry entry;
    head >> entry.path >> entry.rule;
    if (separator != std::string::npos) entry.reason = line.substr(separator + 4);
    if (entry.path.empty() || entry.rule.empty() || entry.reason.size() < 10) {
      error = "allowlist line " + std::to_string(number) + " needs 'PATH RULE -- REASON' with a real reason: " + line;
      return {};
    }
    entries.push_back(entry);
  }
  return entries;
}

}  // namespace lint
