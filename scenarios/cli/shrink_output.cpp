// Printing a shrink.
#include "scenarios/cli/shrink_output.h"

#include "sim/fmt.h"
#include "sim/json_writer.h"

namespace scenarios::cli {
namespace {

using shrink::CandidateSize;

std::string seconds(int64_t ns) { return fmt::format("{}.{:01}s", ns / 1'000'000'000, ns / 100'000'000 % 10); }

sim::Duration virtual_length(const shrink::Candidate& c, uint64_t end_tick) {
  return c.config.tick * static_cast<int64_t>(end_tick);
}

struct SizeRow {
  std::string_view name;
  uint64_t CandidateSize::*field;
};
constexpr std::array<SizeRow, 6> kSizeRows = {{
    {"inputs", &CandidateSize::inputs},
    {"units", &CandidateSize::units},
    {"servers", &CandidateSize::servers},
    {"clients", &CandidateSize::clients},
    {"streams", &CandidateSize::streams},
    {"bytes", &CandidateSize::bytes},
}};

void write_size(sim::JsonWriter& json, const shrink::Candidate& c, uint64_t end_tick) {
  const CandidateSize size = shrink::size_of(c);
  json.begin_object();
  for (const SizeRow& row : kSizeRows) {
    const bool node_row = row.field == &CandidateSize::servers || row.field == &CandidateSize::clients;
    if (node_row && !size.chaos) {
      json.key(row.name);
      json.null();
    } else {
      json.count(row.name, size.*row.field);
    }
  }
  json.count("virtual_time_ns", static_cast<uint64_t>(virtual_length(c, end_tick).ns()));
  json.key("profile");
  json.string(c.config.profile);
  json.end_object();
}

}  // namespace

void print_shrink_text(std::FILE* out, const ShrinkReport& report) {
  const shrink::ShrinkResult& r = *report.result;
  fmt::print(out, "shrink {}: {}\n", report.trace_path, r.fingerprint);
  const CandidateSize before = shrink::size_of(r.original);
  const CandidateSize after = shrink::size_of(r.shrunk);
  fmt::print(out, "  {:<14} {:>12} {:>12}\n", "", "before", "after");
  for (const SizeRow& row : kSizeRows) {
    const bool node_row = row.field == &CandidateSize::servers || row.field == &CandidateSize::clients;
    if (node_row && !before.chaos) continue;  // other scenarios' worlds are fixed
    fmt::print(out, "  {:<14} {:>12} {:>12}\n", row.name, before.*row.field, after.*row.field);
  }
  fmt::print(out, "  {:<14} {:>12} {:>12}\n", "virtual time", virtual_length(r.original, r.original_end_tick),
             virtual_length(r.shrunk, r.shrunk_end_tick));
  fmt::print(out, "  {:<14} {:>12} {:>12}\n", "profile", r.original.config.profile, r.shrunk.config.profile);
  fmt::print(out, "passes ({} rounds):\n  {:<24} {:>6} {:>6} {:>8} {:>6} {:>8}\n", r.rounds, "pass", "tried", "kept",
             "removed", "runs", "wall");
  for (const shrink::PassStats& p : r.passes) {
    fmt::print(out, "  {:<24} {:>6} {:>6} {:>8} {:>6} {:>8}\n", p.name, p.tried, p.kept, p.removed, p.runs,
               seconds(p.wall_ns));
  }
  const shrink::TrialCounts& c = r.counts;
  fmt::print(out, "runs {} (cache hits {}, started from a checkpoint {}), slips to other failures {}, wall {}\n",
             c.runs, c.cache_hits, c.from_checkpoint, c.slips, seconds(report.wall_ns));
  for (const auto& [fingerprint, n] : c.slipped_to) fmt::print(out, "  slipped to {} ({} runs)\n", fingerprint, n);
  for (const shrink::KnobFinding& k : r.knobs) {
    if (!k.stops_failing_at) {
      fmt::print(out, "knob {}: does not matter ({} -> calm's {})\n", k.knob, k.from, k.to);
    } else {
      fmt::print(out, "knob {}: {} -> {}; at {} it no longer fails this way\n", k.knob, k.from, k.to,
                 *k.stops_failing_at);
    }
  }
  fmt::print(out, "explanation: the run fails at tick {}", r.shrunk_end_tick);
  if (report.first_failing_tick) fmt::print(out, " (its condition first held at tick {})", *report.first_failing_tick);
  fmt::print(out, "; its inputs:\n");
  for (const shrink::InputFinding& f : r.inputs) {
    fmt::print(out, "  tick {:>9}  {:<44} {} (without it: {})\n", f.tick, f.input,
               f.essential ? "essential" : "not essential", f.removal);
  }
  fmt::print(out, "wrote {}: replay {}\n", report.out_path, report.replay);
  fmt::print(out, "minimal: {}{}\n", r.minimal ? "yes (1-minimal: every input is essential)" : "no",
             r.stopped.empty() ? "" : fmt::format(" (stopped: {})", r.stopped));
}

void print_shrink_json(std::FILE* out, const ShrinkReport& report) {
  const shrink::ShrinkResult& r = *report.result;
  std::string text;
  sim::JsonWriter json(text);
  json.begin_object();
  json.key("trace");
  json.string(report.trace_path);
  json.key("out");
  json.string(report.out_path);
  json.key("fingerprint");
  json.string(r.fingerprint);
  json("minimal", r.minimal);
  json.string_or_null("stopped", r.stopped);
  json.key("replay");
  json.string(report.replay);
  json.key("before");
  write_size(json, r.original, r.original_end_tick);
  json.key("after");
  write_size(json, r.shrunk, r.shrunk_end_tick);
  json.count("failed_tick", r.shrunk_end_tick);
  json.key("first_failing_tick");
  report.first_failing_tick ? json.number(static_cast<int64_t>(*report.first_failing_tick)) : json.null();
  json.count("rounds", r.rounds);
  json.key("passes");
  json.begin_array();
  for (const shrink::PassStats& p : r.passes) {
    json.begin_object();
    json.key("name");
    json.string(p.name);
    json.count("tried", p.tried);
    json.count("kept", p.kept);
    json.count("removed", p.removed);
    json.count("runs", p.runs);
    json.count("wall_ms", static_cast<uint64_t>(p.wall_ns / 1'000'000));
    json.end_object();
  }
  json.end_array();
  json.count("runs", r.counts.runs);
  json.count("cache_hits", r.counts.cache_hits);
  json.count("from_checkpoint", r.counts.from_checkpoint);
  json.count("slips", r.counts.slips);
  json.key("slipped_to");
  json.begin_object();
  for (const auto& [fingerprint, n] : r.counts.slipped_to) json.count(fingerprint, n);
  json.end_object();
  json.count("wall_ms", static_cast<uint64_t>(report.wall_ns / 1'000'000));
  json.key("knobs");
  json.begin_array();
  for (const shrink::KnobFinding& k : r.knobs) {
    json.begin_object();
    json.key("knob");
    json.string(k.knob);
    json.key("from");
    json.string(k.from);
    json.key("to");
    json.string(k.to);
    json("matters", k.stops_failing_at.has_value());
    json.string_or_null("stops_failing_at", k.stops_failing_at.value_or(""));
    json.end_object();
  }
  json.end_array();
  json.key("inputs");
  json.begin_array();
  for (const shrink::InputFinding& f : r.inputs) {
    json.begin_object();
    json.count("tick", f.tick);
    json.key("input");
    json.string(f.input);
    json("essential", f.essential);
    json.key("without_it");
    json.string(f.removal);
    json.end_object();
  }
  json.end_array();
  json.end_object();
  fmt::print(out, "{}\n", text);
}

}  // namespace scenarios::cli
