// Edits to a chaos run's nodes and streams: keeping some servers or clients (renamed so the
// world stays s0.., c0..), and renaming dial numbers. Inputs naming a removed node go, with
// the inputs that depend on them; partition sides just lose it.
#pragma once

#include "scenarios/shrink/candidate.h"

#include <cstdint>
#include <map>
#include <vector>

namespace scenarios::shrink {

enum class NodeRole : uint8_t { kServer, kClient };

// `candidate` with only the nodes of `role` at `kept` (sorted indices); kept node i becomes
// the kept list's position.
Candidate keep_nodes(const Candidate& candidate, NodeRole role, const std::vector<uint32_t>& kept);

// `candidate` with client `from` merged into client `into`: every input that names `from`
// names `into` instead (its dials, writes, stops; the streams dialed to it), `from`'s
// handling commands go, and so does `from`.
Candidate merge_clients(const Candidate& candidate, uint32_t into, uint32_t from);

// `candidate` with the nodes of `role` renamed by `order` (order[new] = old; a permutation).
Candidate reorder_nodes(const Candidate& candidate, NodeRole role, const std::vector<uint32_t>& order);

// `candidate` with dial numbers renamed by `numbers` (old to new; every dial's number).
Candidate renumber_dials(const Candidate& candidate, const std::map<uint64_t, uint64_t>& numbers);

// nodes_named(), then the other nodes of `role` in index order: the order renumber()
// gives them.
std::vector<uint32_t> nodes_by_first_use(const Candidate& candidate, NodeRole role);
// The nodes of `role` that inputs other than handling commands name, in order of first
// mention (a handling command only says how an otherwise idle client would answer).
std::vector<uint32_t> nodes_named(const Candidate& candidate, NodeRole role);

}  // namespace scenarios::shrink
