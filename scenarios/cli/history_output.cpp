// Printing histories.
#include "scenarios/cli/history_output.h"

#include "sim/fmt.h"
#include "sim/json_writer.h"

namespace scenarios::cli {

void print_history_text(std::FILE* out, const std::vector<HistoryEntry>& entries) {
  for (const HistoryEntry& e : entries) fmt::print(out, "tick {:>9}  {:<5}  {}\n", e.tick, e.kind, e.text);
  fmt::print(out, "{} entries\n", entries.size());
}

void print_history_json(std::FILE* out, std::string_view entity, uint64_t from, uint64_t to,
                        const std::vector<HistoryEntry>& entries) {
  std::string text;
  sim::JsonWriter json(text);
  json.begin_object();
  json("entity", std::string(entity));
  json.count("from", from);
  json.count("to", to);
  json.key("entries");
  json.begin_array();
  for (const HistoryEntry& e : entries) {
    json.begin_object();
    json.count("tick", e.tick);
    json("kind", e.kind);
    json("text", e.text);
    json.end_object();
  }
  json.end_array();
  json.end_object();
  fmt::print(out, "{}\n", text);
}

}  // namespace scenarios::cli
