// An entity's history as `history` and `debug` print it.
#pragma once

#include "scenarios/replay/history.h"

#include <cstdio>
#include <string_view>

namespace scenarios::cli {

// One line an entry: "tick T  KIND  TEXT".
void print_history_text(std::FILE* out, const std::vector<HistoryEntry>& entries);
void print_history_json(std::FILE* out, std::string_view entity, uint64_t from, uint64_t to,
                        const std::vector<HistoryEntry>& entries);

}  // namespace scenarios::cli
