// Candidates and the edits passes make to them.
#include "scenarios/shrink/candidate.h"

#include "scenarios/shrink/units.h"
#include "sim/binary.h"
#include "sim/fmt.h"

#include <algorithm>
#include <set>

namespace scenarios::shrink {

std::string candidate_key(const Candidate& candidate) {
  const sim::Bytes bytes = sim::encode(candidate);
  return std::string(bytes.begin(), bytes.end());
}

bool is_chaos(const Candidate& candidate) {
  return candidate.scenario == "chaos" && !candidate.config.scenario_config.empty();
}

chaos::ChaosConfig chaos_config_of(const Candidate& candidate) {
  SIM_ASSERT(is_chaos(candidate));
  sim::Result<chaos::ChaosConfig> config = chaos::parse_chaos_config(candidate.config.scenario_config);
  SIM_ASSERT_MSG(config.ok(), "a candidate's chaos configuration does not read back: {}",
                 config.ok() ? "" : config.error().message);
  return std::move(config).value();
}

Candidate with_chaos_config(Candidate candidate, const chaos::ChaosConfig& config) {
  candidate.config.scenario_config = chaos::chaos_config_json(config);
  candidate.config.servers = config.servers;
  candidate.config.clients = config.clients;
  candidate.config.profile = config.profile;
  return candidate;
}

Candidate with_profile(Candidate candidate, const std::string& spec) {
  if (!is_chaos(candidate)) {
    candidate.config.profile = spec;
    return candidate;
  }
  chaos::ChaosConfig config = chaos_config_of(candidate);
  config.profile = spec;
  return with_chaos_config(std::move(candidate), config);
}

FaultInput rewritten(FaultInput input) {
  input.text = format_fault(input);
  sim::Result<FaultInput> parsed = parse_fault(input.text);
  SIM_ASSERT_MSG(parsed.ok(), "an edited input does not parse: {}", parsed.ok() ? "" : parsed.error().message);
  return std::move(parsed).value();
}

std::optional<chaos::ChaosCommand> chaos_command_of(const FaultInput& input) {
  if (input.kind != InputKind::kCommand) return std::nullopt;
  sim::Result<chaos::ChaosCommand> command = chaos::parse_chaos_command(input.words);
  if (!command) return std::nullopt;
  return std::move(command).value();
}

Candidate in_run_order(Candidate c) {
  std::stable_sort(c.inputs.begin(), c.inputs.end(), [&](const FaultInput& x, const FaultInput& y) {
    return input_tick(x, c.config.tick) < input_tick(y, c.config.tick);
  });
  return c;
}

std::vector<FaultInput> without(const std::vector<FaultInput>& inputs, const std::vector<size_t>& indices) {
  std::vector<FaultInput> kept;
  size_t next = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (next < indices.size() && indices[next] == i) {
      ++next;
      continue;
    }
    kept.push_back(inputs[i]);
  }
  SIM_ASSERT_EQ(next, indices.size());
  return kept;
}

std::vector<FaultInput> only(const std::vector<FaultInput>& inputs, const std::vector<size_t>& indices) {
  std::vector<FaultInput> kept;
  for (const size_t i : indices) kept.push_back(inputs.at(i));
  return kept;
}

std::optional<std::string> orphan_write(const Candidate& candidate) {
  std::set<uint64_t> dialed;
  for (const FaultInput& input : candidate.inputs) {
    const std::optional<chaos::ChaosCommand> command = chaos_command_of(input);
    if (!command) continue;
    if (command->kind == chaos::ChaosCommand::Kind::kDial) dialed.insert(command->dial_id);
    if (command->kind == chaos::ChaosCommand::Kind::kWrite && !dialed.contains(command->dial_id)) return input.text;
  }
  return std::nullopt;
}

CandidateSize size_of(const Candidate& candidate) {
  CandidateSize size;
  size.inputs = candidate.inputs.size();
  size.units = units_of(candidate.inputs).size();
  if (is_chaos(candidate)) {
    size.chaos = true;
    const chaos::ChaosConfig config = chaos_config_of(candidate);
    size.servers = config.servers;
    size.clients = config.clients;
  }
  for (const FaultInput& input : candidate.inputs) {
    const std::optional<chaos::ChaosCommand> command = chaos_command_of(input);
    if (!command) continue;
    if (command->kind == chaos::ChaosCommand::Kind::kDial) ++size.streams;
    if (command->kind == chaos::ChaosCommand::Kind::kWrite) size.bytes += command->bytes;
  }
  return size;
}

}  // namespace scenarios::shrink
