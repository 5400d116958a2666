// Entity histories: re-execute the trace, watch one entity, keep what touches it.
#include "scenarios/replay/history.h"

#include "scenarios/chaos/chaos_world.h"
#include "scenarios/chaos/view.h"
#include "scenarios/world/actor_names.h"
#include "sim/fmt.h"
#include "sim/json_value.h"
#include "sim/log.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <functional>
#include <set>

namespace scenarios {
namespace {

// Field changes shown per tick for a node; the rest are counted.
constexpr size_t kChangesPerTick = 20;

bool has_word(std::string_view text, std::string_view word) {
  for (size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    const auto is_name_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; };
    const bool starts = at == 0 || !is_name_char(text[at - 1]);
    const size_t end = at + word.size();
    if (starts && (end == text.size() || !is_name_char(text[end]))) return true;
  }
  return false;
}

// What an entity looks like at a boundary (text that changes when it does), and which
// inputs and log lines touch it.
struct Watch {
  std::vector<std::string> names;  // node names a log line or an input must mention
  std::function<bool(const FaultInput&)> touched_by;
  // The changes since the last call, as lines (the first call gives the state as it is).
  std::function<std::vector<std::string>(const sim::World&)> changes;
};

std::string exists_message(const sim::ActorNames& names) {
  return fmt::format(
      "nodes: {}; streams of a chaos trace as stream:N (its dial number); sessions as "
      "session:CLIENT-SERVER",
      names.list());
}

Watch node_watch(sim::ActorId id, std::string name) {
  auto last_digest = std::make_shared<std::optional<uint64_t>>();
  auto last_json = std::make_shared<std::optional<sim::JsonValue>>();
  Watch w;
  w.names = {name};
  w.touched_by = [name](const FaultInput& input) {
    return std::find(input.left.begin(), input.left.end(), name) != input.left.end() ||
           std::find(input.right.begin(), input.right.end(), name) != input.right.end() ||
           std::find(input.words.begin(), input.words.end(), name) != input.words.end();
  };
  w.changes = [id, last_digest, last_json](const sim::World& now) {
    std::vector<std::string> lines;
    const sim::Actor* actor = now.actor(id);
    if (actor == nullptr) {
      if (last_json->has_value()) lines.push_back("down");
      last_digest->reset();
      last_json->reset();
      return lines;
    }
    const uint64_t digest = now.actor_digest(id);
    if (*last_digest == digest) return lines;
    *last_digest = digest;
    std::string text;
    sim::JsonWriter json(text);
    actor->dump(json);
    sim::Result<sim::JsonValue> parsed = sim::parse_json(text);
    SIM_ASSERT_MSG(parsed.ok(), "an actor's own dump does not parse");
    if (!last_json->has_value()) {
      lines.push_back(fmt::format("up ({})", actor->type_name()));
    } else {
      const std::vector<sim::JsonDifference> diff = sim::diff_json(**last_json, *parsed, kChangesPerTick + 1);
      for (size_t i = 0; i < diff.size() && i < kChangesPerTick; ++i) {
        lines.push_back(fmt::format("{}: {} -> {}", diff[i].path, diff[i].left, diff[i].right));
      }
      if (diff.size() > kChangesPerTick) lines.push_back("... and more fields");
    }
    *last_json = std::move(parsed).value();
    return lines;
  };
  return w;
}

// A chaos stream: both ends, each as its client holds it.
sim::Result<Watch> stream_watch(const TraceSession& session, const sim::World& world, uint64_t dial) {
  const std::string id = std::to_string(dial);
  std::optional<std::pair<std::string, std::string>> ends;
  std::vector<std::string> dialed;
  for (const FaultInput& input : session.run().inputs) {
    const std::vector<std::string>& w = input.words;
    if (input.kind != InputKind::kCommand || w.size() != 3 || w[0] != "dial" || input.left.empty()) continue;
    dialed.push_back(w[2]);
    if (w[2] == id) ends = std::pair(input.left[0], w[1]);
  }
  if (!ends) {
    return sim::Error{fmt::format("no input dials stream {} (dialed: {})", dial,
                                  dialed.empty() ? std::string("none") : fmt::format("{}", fmt::join(dialed, ", ")))};
  }
  auto viewer = std::make_shared<chaos::Viewer>(world);
  const auto clients = static_cast<uint32_t>(viewer->nodes().clients.size());
  const std::optional<uint32_t> dialer = chaos::client_index_named(ends->first, clients);
  const std::optional<uint32_t> acceptor = chaos::client_index_named(ends->second, clients);
  if (!dialer || !acceptor) return sim::Error{fmt::format("stream {}'s dial names clients this world lacks", dial)};
  Watch w;
  w.names = {ends->first, ends->second};
  w.touched_by = [id](const FaultInput& input) {
    const std::vector<std::string>& words = input.words;
    return input.kind == InputKind::kCommand && words.size() >= 2 &&
           ((words[0] == "write" && words[1] == id) || (words[0] == "dial" && words.size() == 3 && words[2] == id));
  };
  // The last lines shown of the dialer's end, the relay's legs and the acceptor's end.
  auto last = std::make_shared<std::array<std::string, 3>>();
  const std::string dialer_name = ends->first;
  const std::string acceptor_name = ends->second;
  w.changes = [=](const sim::World& now) {
    const std::optional<chaos::Viewer::RelayLegs> relay = viewer->relay_of(now, *dialer, dial);
    const std::array<std::string, 3> current = {
        fmt::format("dialer {}: {}", dialer_name, chaos::end_line(viewer->end_of(now, *dialer, dial))),
        relay ? fmt::format("relay s{}: relayed {} to the acceptor, {} to the dialer", relay->server,
                            relay->bytes.to_responder, relay->bytes.to_initiator)
              : std::string("relay: none held"),
        fmt::format("acceptor {}: {}", acceptor_name, chaos::end_line(viewer->end_of(now, *acceptor, dial))),
    };
    std::vector<std::string> lines;
    for (size_t i = 0; i < current.size(); ++i) {
      if (current[i] != (*last)[i]) lines.push_back(current[i]);
    }
    *last = current;
    return lines;
  };
  return w;
}

// A chaos client's session to a server, as the client holds it.
sim::Result<Watch> session_watch(const sim::World& world, std::string_view pair) {
  const size_t dash = pair.find('-');
  if (dash == std::string_view::npos) return sim::Error{"a session is session:CLIENT-SERVER, e.g. session:c25-s4"};
  const std::string client(pair.substr(0, dash));
  const std::string server(pair.substr(dash + 1));
  auto viewer = std::make_shared<chaos::Viewer>(world);
  const std::optional<uint32_t> c =
      chaos::client_index_named(client, static_cast<uint32_t>(viewer->nodes().clients.size()));
  const std::optional<uint32_t> s =
      chaos::server_index_named(server, static_cast<uint32_t>(viewer->nodes().servers.size()));
  if (!c || !s) return sim::Error{fmt::format("session:{}: {} is no client or {} no server", pair, client, server)};
  Watch w;
  w.names = {client, server};
  w.touched_by = [client, server](const FaultInput& input) {
    const auto names_it = [&](const std::string& name) {
      return std::find(input.left.begin(), input.left.end(), name) != input.left.end() ||
             std::find(input.right.begin(), input.right.end(), name) != input.right.end();
    };
    return input.kind != InputKind::kCommand && (names_it(client) || names_it(server));
  };
  auto last = std::make_shared<std::optional<bool>>();
  w.changes = [=](const sim::World& now) {
    const std::vector<uint32_t> sessions = viewer->sessions_of(now, *c);
    const bool held = std::find(sessions.begin(), sessions.end(), *s) != sessions.end();
    std::vector<std::string> lines;
    if (*last != held) lines.push_back(held ? "open at the client" : "none at the client");
    *last = held;
    return lines;
  };
  return w;
}

sim::Result<Watch> watch_for(const TraceSession& session, const sim::World& world, std::string_view entity) {
  const sim::ActorNames names = name_actors(world);
  const bool chaos_world = session.run().scenario == "chaos";
  if (entity.starts_with("stream:") || entity.starts_with("session:")) {
    if (!chaos_world) {
      return sim::Error{fmt::format("{}: streams and sessions are followed in chaos traces; this one runs {} ({})",
                                    entity, session.run().scenario, exists_message(names))};
    }
    if (entity.starts_with("session:")) return session_watch(world, entity.substr(8));
    uint64_t dial = 0;
    const std::string_view digits = entity.substr(7);
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), dial);
    if (error != std::errc() || end != digits.data() + digits.size()) {
      return sim::Error{fmt::format("{}: a stream is stream:N, N its dial number", entity)};
    }
    return stream_watch(session, world, dial);
  }
  const std::optional<sim::ActorId> id = names.find(entity);
  if (!id) return sim::Error{fmt::format("no entity '{}' in this trace ({})", entity, exists_message(names))};
  return node_watch(*id, std::string(entity));
}

}  // namespace

sim::Result<std::vector<HistoryEntry>> entity_history(const TraceSession& session, std::string_view entity,
                                                      uint64_t from, uint64_t to) {
  const sim::Duration tick = session.run().config.tick;
  sim::Result<sim::LogFilter> filter = sim::LogFilter::parse("debug");
  SIM_ASSERT(filter.ok());
  sim::Log log(*filter, nullptr, /*capture=*/true);
  log.set_window(sim::Instant::zero() + tick * static_cast<int64_t>(from),
                 sim::Instant::zero() + tick * static_cast<int64_t>(to + 1) - sim::Duration::nanoseconds(1));
  sim::Result<std::unique_ptr<ScenarioRunner>> runner = session.at_tick(from, &log);
  if (!runner) return runner.error();
  ScenarioRunner& r = **runner;
  sim::Result<Watch> watch = watch_for(session, r.world(), entity);
  if (!watch) return watch.error();
  std::vector<HistoryEntry> entries;
  size_t logged = log.captured().size();
  auto take_log = [&](uint64_t at) {
    for (; logged < log.captured().size(); ++logged) {
      const std::string& line = log.captured()[logged];
      for (const std::string& name : watch->names) {
        if (has_word(line, name)) {
          entries.push_back({at, "log", line});
          break;
        }
      }
    }
  };
  take_log(from);
  while (true) {
    const uint64_t now = r.world().tick();
    for (const std::string& line : watch->changes(r.world())) entries.push_back({now, "state", line});
    if (now >= to) break;
    for (const FaultInput* input : r.inputs_due()) {
      if (watch->touched_by(*input)) entries.push_back({now, "input", input->text});
    }
    r.run_tick();
    take_log(now);
  }
  return entries;
}

}  // namespace scenarios
