// Editing a chaos run's nodes and streams.
#include "scenarios/shrink/node_edits.h"

#include "scenarios/chaos/chaos_world.h"
#include "scenarios/shrink/units.h"

#include <algorithm>
#include <optional>
#include <set>

namespace scenarios::shrink {
namespace {

using Kind = chaos::ChaosCommand::Kind;

uint32_t count_of(const chaos::ChaosConfig& config, NodeRole role) {
  return role == NodeRole::kServer ? config.servers : config.clients;
}

std::optional<uint32_t> index_of(std::string_view name, NodeRole role, uint32_t count) {
  return role == NodeRole::kServer ? chaos::server_index_named(name, count) : chaos::client_index_named(name, count);
}

std::string name_of(NodeRole role, uint32_t index) {
  return role == NodeRole::kServer ? chaos::server_name(index) : chaos::client_name(index);
}

// Renames nodes of one role by `renamed` (old index to new, nullopt: removed).
class NodeRenaming {
 public:
  NodeRenaming(NodeRole role, uint32_t count, std::vector<std::optional<uint32_t>> renamed)
      : role_(role), count_(count), renamed_(std::move(renamed)) {}

  // The name `name` gets; nullopt when it names a removed node. Other names stay.
  std::optional<std::string> rename(const std::string& name) const {
    const std::optional<uint32_t> index = index_of(name, role_, count_);
    if (!index) return name;
    if (!renamed_[*index]) return std::nullopt;
    return name_of(role_, *renamed_[*index]);
  }

  // A node list with removed nodes left out.
  std::vector<std::string> rename_all(const std::vector<std::string>& names) const {
    std::vector<std::string> out;
    for (const std::string& name : names) {
      if (std::optional<std::string> n = rename(name)) out.push_back(*n);
    }
    return out;
  }

  // The input renamed, or nullopt when it names a removed node it cannot do without.
  std::optional<FaultInput> apply(FaultInput input) const {
    const bool sides = input.kind == InputKind::kPartition || input.kind == InputKind::kPartitionOneWay;
    std::vector<std::string> left = rename_all(input.left);
    std::vector<std::string> right = rename_all(input.right);
    const bool lost = left.size() != input.left.size() || right.size() != input.right.size();
    if (lost && (!sides || left.empty() || right.empty())) return std::nullopt;
    input.left = std::move(left);
    input.right = std::move(right);
    if (const std::optional<chaos::ChaosCommand> command = chaos_command_of(input); command && command->peer_word()) {
      const std::optional<std::string> peer = rename(command->peer);
      if (!peer) return std::nullopt;
      input.words.at(*command->peer_word()) = *peer;
    }
    return rewritten(std::move(input));
  }

 private:
  NodeRole role_;
  uint32_t count_;
  std::vector<std::optional<uint32_t>> renamed_;
};

Candidate with_nodes_renamed(const Candidate& candidate, NodeRole role,
                             const std::vector<std::optional<uint32_t>>& renamed, uint32_t new_count) {
  chaos::ChaosConfig config = chaos_config_of(candidate);
  const NodeRenaming renaming(role, count_of(config, role), renamed);
  const std::vector<Unit> units = units_of(candidate.inputs);
  std::vector<size_t> dropped;
  std::vector<FaultInput> edited(candidate.inputs.size());
  for (size_t i = 0; i < candidate.inputs.size(); ++i) {
    if (std::optional<FaultInput> in = renaming.apply(candidate.inputs[i])) {
      edited[i] = std::move(*in);
    } else {
      dropped.push_back(i);
    }
  }
  Candidate out = candidate;
  out.inputs = without(edited, closure(candidate.inputs, units, dropped));
  // Each node keeps the keys it had (and with them, say, the server its streams go through).
  std::map<std::string, std::string> identities;
  for (const auto& [name, identity] : config.identities) {
    if (!index_of(name, role, count_of(config, role))) identities.emplace(name, identity);
  }
  for (uint32_t old = 0; old < renamed.size(); ++old) {
    if (!renamed[old]) continue;
    const auto given = config.identities.find(name_of(role, old));
    const std::string identity = given == config.identities.end() ? name_of(role, old) : given->second;
    if (identity != name_of(role, *renamed[old])) identities.emplace(name_of(role, *renamed[old]), identity);
  }
  config.identities = std::move(identities);
  (role == NodeRole::kServer ? config.servers : config.clients) = new_count;
  return with_chaos_config(std::move(out), config);
}

}  // namespace

Candidate keep_nodes(const Candidate& candidate, NodeRole role, const std::vector<uint32_t>& kept) {
  const uint32_t count = count_of(chaos_config_of(candidate), role);
  std::vector<std::optional<uint32_t>> renamed(count);
  for (uint32_t position = 0; position < kept.size(); ++position) {
    SIM_ASSERT_LT(kept[position], count);
    renamed[kept[position]] = position;
  }
  return with_nodes_renamed(candidate, role, renamed, static_cast<uint32_t>(kept.size()));
}

Candidate merge_clients(const Candidate& candidate, uint32_t into, uint32_t from) {
  const uint32_t count = chaos_config_of(candidate).clients;
  SIM_ASSERT(into < count && from < count && into != from);
  const std::string from_name = chaos::client_name(from);
  const std::string into_name = chaos::client_name(into);
  Candidate merged = candidate;
  std::erase_if(merged.inputs, [&](const FaultInput& input) {
    const std::optional<chaos::ChaosCommand> command = chaos_command_of(input);
    return command && command->kind == Kind::kHandling && input.left == std::vector<std::string>{from_name};
  });
  for (FaultInput& input : merged.inputs) {
    bool renamed = false;
    for (std::vector<std::string>* names : {&input.left, &input.right}) {
      for (std::string& name : *names) {
        if (name == from_name) {
          name = into_name;
          renamed = true;
        }
      }
    }
    const std::optional<chaos::ChaosCommand> command = chaos_command_of(input);
    if (command && command->peer_word() && command->peer == from_name) {
      input.words.at(*command->peer_word()) = into_name;
      renamed = true;
    }
    if (renamed) input = rewritten(std::move(input));
  }
  // A partition with `into` on both sides now cuts nothing sensible: it goes.
  std::erase_if(merged.inputs, [&](const FaultInput& input) {
    return std::find(input.left.begin(), input.left.end(), into_name) != input.left.end() &&
           std::find(input.right.begin(), input.right.end(), into_name) != input.right.end();
  });
  std::vector<uint32_t> kept;
  for (uint32_t i = 0; i < count; ++i) {
    if (i != from) kept.push_back(i);
  }
  return keep_nodes(merged, NodeRole::kClient, kept);
}

Candidate reorder_nodes(const Candidate& candidate, NodeRole role, const std::vector<uint32_t>& order) {
  const uint32_t count = count_of(chaos_config_of(candidate), role);
  SIM_ASSERT_EQ(order.size(), count);
  std::vector<std::optional<uint32_t>> renamed(count);
  for (uint32_t position = 0; position < order.size(); ++position) renamed.at(order[position]) = position;
  return with_nodes_renamed(candidate, role, renamed, count);
}

Candidate renumber_dials(const Candidate& candidate, const std::map<uint64_t, uint64_t>& numbers) {
  Candidate out = candidate;
  for (FaultInput& input : out.inputs) {
    const std::optional<chaos::ChaosCommand> command = chaos_command_of(input);
    if (!command || !command->names_dial()) continue;
    const size_t word = command->kind == Kind::kDial ? 2 : 1;  // dial NODE ID | write ID ...
    input.words.at(word) = std::to_string(numbers.at(command->dial_id));
    input = rewritten(std::move(input));
  }
  return out;
}

std::vector<uint32_t> nodes_named(const Candidate& candidate, NodeRole role) {
  const uint32_t count = count_of(chaos_config_of(candidate), role);
  std::vector<uint32_t> order;
  std::set<uint32_t> seen;
  auto mention = [&](const std::string& name) {
    const std::optional<uint32_t> index = index_of(name, role, count);
    if (index && seen.insert(*index).second) order.push_back(*index);
  };
  for (const FaultInput& input : candidate.inputs) {
    const std::optional<chaos::ChaosCommand> command = chaos_command_of(input);
    if (command && command->kind == Kind::kHandling) continue;
    for (const std::string& name : input.left) mention(name);
    if (command && command->peer_word()) mention(command->peer);
    for (const std::string& name : input.right) mention(name);
  }
  return order;
}

std::vector<uint32_t> nodes_by_first_use(const Candidate& candidate, NodeRole role) {
  std::vector<uint32_t> order = nodes_named(candidate, role);
  const std::set<uint32_t> seen(order.begin(), order.end());
  for (uint32_t i = 0; i < count_of(chaos_config_of(candidate), role); ++i) {
    if (!seen.contains(i)) order.push_back(i);
  }
  return order;
}

}  // namespace scenarios::shrink
