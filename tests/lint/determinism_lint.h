// The determinism lint: finds constructs that could make a simulated run irreproducible.
#pragma once

#include <string>
#include <vector>

namespace lint {

struct Rule {
  std::string name;
  std::string why;
};

struct Finding {
  std::string path;  // relative to the scanned root
  int line = 0;
  std::string rule;
  std::string text;  // the offending source line
};

struct AllowEntry {
  std::string path;
  std::string rule;
  std::string reason;
};

const std::vector<Rule>& rules();

// Findings in one file's text. Comments, string and character literals are blanked first,
// so a banned word in prose or in a help text is not a finding.
std::vector<Finding> scan_text(const std::string& path, const std::string& text);

// Every .h and .cpp file under `root`/dir for each dir, in sorted path order.
std::vector<std::string> source_files(const std::string& root, const std::vector<std::string>& dirs);

// Parses "PATH RULE -- REASON" lines ('#' starts a comment line). Sets `error` on a
// malformed line, including one without a reason.
std::vector<AllowEntry> parse_allowlist(const std::string& text, std::string& error);

// The source text with comments and literals replaced by spaces (newlines kept).
std::string blank_comments_and_literals(const std::string& text);

}  // namespace lint
