// Pass 3, the world: fewer streams, clients and servers; and pass 7, renumbering.
#include "scenarios/shrink/ddmin.h"
#include "scenarios/shrink/node_edits.h"
#include "scenarios/shrink/passes.h"

#include <algorithm>
#include <array>

namespace scenarios::shrink {
namespace {

using Kind = chaos::ChaosCommand::Kind;

}  // namespace

namespace {

// Fewer nodes of one role: first every node no input names, at once; then ddmin over the
// rest. A chaos world has at least one node of each role (a size of 0 means the default).
// How much later the inputs of a smaller world may start.
constexpr std::array<sim::Duration, 3> kLaterStarts = {sim::Duration::zero(), sim::Duration::seconds(10),
                                                       sim::Duration::seconds(30)};

// Every input after tick 0 moved `later`, and the chaos fault phase with them.
Candidate started_later(const Candidate& c, sim::Duration later) {
  Candidate out = c;
  for (FaultInput& input : out.inputs) {
    if (input.at == sim::Duration::zero()) continue;
    input.at = input.at + later;
    input = rewritten(std::move(input));
  }
  chaos::ChaosConfig config = chaos_config_of(out);
  config.duration = config.duration + later;
  return with_chaos_config(std::move(out), config);
}

bool remove_nodes_of(Shrinking& s, NodeRole role) {
  const chaos::ChaosConfig config = chaos_config_of(s.best());
  const uint32_t count = role == NodeRole::kServer ? config.servers : config.clients;
  std::vector<uint32_t> named = nodes_named(s.best(), role);
  std::sort(named.begin(), named.end());
  bool changed = false;
  if (!named.empty() && named.size() < count) {
    // A smaller world may take longer to set up (its discovery entries are published at
    // other times) than the inputs, moved early for the larger one, allow: fewer nodes are
    // worth a later start, which the gap pass then pulls back as far as it can. And the
    // keys the survivors carried over may be what the failure needed the others for.
    const Candidate kept_keys = keep_nodes(s.best(), role, named);
    chaos::ChaosConfig natural = chaos_config_of(kept_keys);
    natural.identities.clear();
    const Candidate own_keys = with_chaos_config(kept_keys, natural);
    for (const sim::Duration later : kLaterStarts) {
      for (const Candidate* fewer : {&kept_keys, &own_keys}) {
        if (changed || (fewer == &own_keys && candidate_key(own_keys) == candidate_key(kept_keys))) continue;
        changed = s.attempt(later == sim::Duration::zero() ? *fewer : started_later(*fewer, later));
      }
    }
  }
  const Candidate start = s.best();
  const uint32_t now = role == NodeRole::kServer ? chaos_config_of(start).servers : chaos_config_of(start).clients;
  const std::vector<size_t> kept = ddmin(now, [&](const std::vector<size_t>& some) {
    if (some.empty()) return false;
    return s.attempt(keep_nodes(start, role, std::vector<uint32_t>(some.begin(), some.end())));
  });
  return changed || kept.size() < now;
}

// The dial numbers of a candidate, in input order.
std::vector<uint64_t> dials_of(const Candidate& c) {
  std::vector<uint64_t> dials;
  for (const FaultInput& input : c.inputs) {
    const std::optional<chaos::ChaosCommand> command = chaos_command_of(input);
    if (command && command->kind == Kind::kDial) dials.push_back(command->dial_id);
  }
  return dials;
}

// Stream `from`'s writes moved onto stream `into` (each on the same end: its dialer's
// writes become `into`'s dialer's), and `from`'s dial removed: one stream fewer, the same
// bytes each way.
Candidate merge_stream(const Candidate& c, uint64_t into, uint64_t from) {
  std::string into_ends[2];  // [0] the dialer, [1] the acceptor
  for (const FaultInput& input : c.inputs) {
    const std::optional<chaos::ChaosCommand> command = chaos_command_of(input);
    if (command && command->kind == Kind::kDial && command->dial_id == into) {
      into_ends[0] = input.left[0];
      into_ends[1] = command->peer;
    }
  }
  Candidate out = c;
  std::erase_if(out.inputs, [&](const FaultInput& input) {
    const std::optional<chaos::ChaosCommand> command = chaos_command_of(input);
    return command && command->kind == Kind::kDial && command->dial_id == from;
  });
  for (FaultInput& input : out.inputs) {
    const std::optional<chaos::ChaosCommand> command = chaos_command_of(input);
    if (!command || command->kind != Kind::kWrite || command->dial_id != from) continue;
    input.left = {into_ends[command->dialer_end ? 0 : 1]};
    input.words.at(1) = std::to_string(into);
    input = rewritten(std::move(input));
  }
  return out;
}

// Each item merged into an earlier one, last items first: `items` lists a run's items in
// order, `merge(c, into, from)` is the run with `from` merged into `into`.
template <class Item>
bool merge_into_earlier(Shrinking& s, std::vector<Item> (*items)(const Candidate&),
                        Candidate (*merge)(const Candidate&, Item, Item)) {
  bool changed = false;
  for (size_t b = items(s.best()).size(); b-- > 1;) {
    const std::vector<Item> now = items(s.best());
    if (b >= now.size()) continue;
    for (size_t a = 0; a < b; ++a) {
      if (s.attempt(merge(s.best(), now[a], now[b]))) {
        changed = true;
        break;
      }
    }
  }
  return changed;
}

std::vector<uint32_t> named_clients(const Candidate& c) {
  std::vector<uint32_t> named = nodes_named(c, NodeRole::kClient);
  std::sort(named.begin(), named.end());
  return named;
}

}  // namespace

bool remove_nodes(Shrinking& s) {
  if (!is_chaos(s.best())) return false;
  // Fewer streams (each merged into an earlier one), fewer clients and servers, then the
  // clients left merged into each other (one client's dials made by another).
  bool changed = merge_into_earlier<uint64_t>(s, &dials_of, &merge_stream);
  for (const NodeRole role : {NodeRole::kClient, NodeRole::kServer}) changed |= remove_nodes_of(s, role);
  changed |= merge_into_earlier<uint32_t>(s, &named_clients, &merge_clients);
  // Stream slots: as many as the run dials (the panel's limit; the run itself has no panel).
  chaos::ChaosConfig config = chaos_config_of(s.best());
  const uint32_t dials = static_cast<uint32_t>(std::max<uint64_t>(size_of(s.best()).streams, 1));
  if (config.streams > dials) {
    config.streams = dials;
    changed |= s.attempt(with_chaos_config(s.best(), config));
  }
  return changed;
}

bool renumber(Shrinking& s) {
  if (!is_chaos(s.best())) return false;
  bool changed = false;
  // Every node with the keys of its own name, if the failure survives it.
  if (chaos::ChaosConfig config = chaos_config_of(s.best()); !config.identities.empty()) {
    config.identities.clear();
    changed = s.attempt(with_chaos_config(s.best(), config));
  }
  return renumber_nodes_and_dials(s) || changed;
}

bool renumber_nodes_and_dials(Shrinking& s) {
  Candidate nodes = s.best();
  for (const NodeRole role : {NodeRole::kClient, NodeRole::kServer}) {
    nodes = reorder_nodes(nodes, role, nodes_by_first_use(nodes, role));
  }
  std::map<uint64_t, uint64_t> numbers;
  for (const FaultInput& input : s.best().inputs) {
    const std::optional<chaos::ChaosCommand> command = chaos_command_of(input);
    if (command && command->kind == Kind::kDial) numbers.emplace(command->dial_id, numbers.size() + 1);
  }
  const auto is_identity = [&] {
    return std::all_of(numbers.begin(), numbers.end(), [](const auto& n) { return n.first == n.second; });
  };
  const bool nodes_change = candidate_key(nodes) != candidate_key(s.best());
  if (nodes_change && !is_identity() && s.attempt(renumber_dials(nodes, numbers))) return true;
  if (nodes_change && s.attempt(nodes)) return true;
  return !is_identity() && s.attempt(renumber_dials(s.best(), numbers));
}

}  // namespace scenarios::shrink
