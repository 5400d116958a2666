// Names of actors for people.
#include "sim/actor_names.h"

#include "sim/assert.h"
#include "sim/fmt.h"

#include <cctype>

namespace sim {
namespace {

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

}  // namespace

void ActorNames::name(ActorId actor, std::string name) {
  SIM_ASSERT(!name.empty());
  SIM_ASSERT_MSG(by_name_.count(name) == 0, "an actor name is given once");
  by_name_.emplace(name, to_index(actor));
  by_actor_[to_index(actor)] = std::move(name);
}

void ActorNames::alias(std::string token, std::string name) {
  SIM_ASSERT_MSG(by_name_.count(name) == 1, "an alias names a named actor");
  aliases_[std::move(token)] = std::move(name);
}

std::optional<std::string_view> ActorNames::of(ActorId actor) const {
  auto it = by_actor_.find(to_index(actor));
  if (it == by_actor_.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::string ActorNames::label(ActorId actor) const {
  if (std::optional<std::string_view> name = of(actor)) return std::string(*name);
  return fmt::format("actor {}", to_index(actor));
}

std::optional<ActorId> ActorNames::find(std::string_view name) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return std::nullopt;
  return static_cast<ActorId>(it->second);
}

std::string ActorNames::apply_aliases(std::string_view text) const {
  if (aliases_.empty()) return std::string(text);
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (!is_word_char(text[i])) {
      out += text[i++];
      continue;
    }
    size_t end = i;
    while (end < text.size() && is_word_char(text[end])) ++end;
    const std::string_view word = text.substr(i, end - i);
    auto it = aliases_.find(word);
    out += it == aliases_.end() ? word : std::string_view(it->second);
    i = end;
  }
  return out;
}

std::string ActorNames::list() const {
  std::string out;
  for (const auto& [actor, name] : by_actor_) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace sim
