// Discovery's validation rules and queries.
#include "dmsg/discovery_store.h"

#include "dmsg/wire.h"
#include "sim/enum_names.h"
#include "sim/fmt.h"

#include <algorithm>

namespace dmsg {
namespace {

constexpr std::array<sim::EnumName<Status>, 5> kStatusNames = {{
    {Status::kOk, "200 ok"},
    {Status::kBadRequest, "400 bad request"},
    {Status::kUnauthorized, "401 unauthorized"},
    {Status::kNotFound, "404 not found"},
    {Status::kUnprocessable, "422 unprocessable"},
}};

StoreOutcome refuse(Status status, std::string reason) { return StoreOutcome{status, std::move(reason)}; }

}  // namespace

std::string_view describe(Status status) { return sim::name_in(kStatusNames, status); }

sim::Bytes DiscoveryStore::delete_message(const PublicKey& pk, int64_t timestamp) {
  sim::Bytes out = {'d', 'm', 's', 'g', '-', 'd', 'e', 'l', 'e', 't', 'e'};
  // Room for the key and the timestamp up front: growing the 11-byte vector inside
  // WireWriter::fixed makes GCC 12 at -O3 warn falsely of an out-of-bounds memcpy.
  out.reserve(out.size() + pk.size() + sizeof(int64_t));
  WireWriter w(out);
  w.fixed(pk);
  w.i64(timestamp);
  return out;
}

bool DiscoveryStore::is_expired(const Stored& stored, sim::Instant now) const {
  return stored.entry.server.has_value() && now - stored.posted_at > kServerExpiry;
}

StoreOutcome DiscoveryStore::validate(const Entry& entry, sim::Instant now) const {
  if (entry.version != Entry::kVersion)
    return refuse(Status::kUnprocessable, fmt::format("unknown version '{}'", entry.version));
  if (!entry.client && !entry.server) return refuse(Status::kUnprocessable, "an entry needs a client or a server part");
  if (!entry_signature_valid(entry)) return refuse(Status::kUnauthorized, "bad signature");
  if (entry.server) {
    if (entry.server->address.empty()) return refuse(Status::kUnprocessable, "a server entry needs an address");
    const sim::Instant stamped = sim::Instant::from_ns(entry.timestamp);
    if (stamped < now - kServerClockBehind || stamped > now + kServerClockAhead) {
      return refuse(Status::kUnprocessable,
                    fmt::format("server timestamp {} is outside [now - 1m, now + 5s] (now {})", stamped, now));
    }
  }
  return StoreOutcome{};
}

StoreOutcome DiscoveryStore::post(const Entry& entry, sim::Instant now) {
  if (StoreOutcome invalid = validate(entry, now); invalid.status != Status::kOk) return invalid;
  auto it = entries_.find(entry.static_pk);
  const bool exists = it != entries_.end() && !is_expired(it->second, now);
  if (!exists && entry.sequence != 0) {
    return refuse(Status::kUnprocessable,
                  fmt::format("stale iteration: a new entry starts at sequence 0, not {}", entry.sequence));
  }
  if (exists) {
    const Entry& stored = it->second.entry;
    if (entry.sequence <= stored.sequence) {
      return refuse(Status::kUnprocessable, fmt::format("stale iteration: sequence {} is not above the stored {}",
                                                        entry.sequence, stored.sequence));
    }
    if (entry.timestamp < stored.timestamp) {
      return refuse(Status::kUnprocessable, "stale iteration: the timestamp is earlier than the stored one");
    }
  }
  entries_[entry.static_pk] = Stored{entry, now};
  return StoreOutcome{};
}

std::optional<Entry> DiscoveryStore::get(const PublicKey& pk, sim::Instant now) const {
  auto it = entries_.find(pk);
  if (it == entries_.end() || is_expired(it->second, now)) return std::nullopt;
  return it->second.entry;
}

StoreOutcome DiscoveryStore::remove(const PublicKey& pk, int64_t timestamp, const Signature& signature,
                                    sim::Instant now) {
  const sim::Bytes message = delete_message(pk, timestamp);
  if (!verify_signature(pk, message.data(), message.size(), signature))
    return refuse(Status::kUnauthorized, "bad signature");
  auto it = entries_.find(pk);
  if (it == entries_.end() || is_expired(it->second, now)) return refuse(Status::kNotFound, "no such entry");
  if (timestamp < it->second.entry.timestamp) return refuse(Status::kUnprocessable, "a delete older than the entry");
  entries_.erase(pk);
  return StoreOutcome{};
}

std::vector<Entry> DiscoveryStore::available_servers(sim::Instant now) const {
  // Ranked by reference, then copied: sorting the entries themselves moves optionals
  // through a temporary buffer, where GCC 12 at -O3 warns falsely of an uninitialized read.
  std::vector<const Entry*> ranked;
  for (const auto& [pk, stored] : entries_) {
    if (stored.entry.server && stored.entry.server->available_sessions > 0 && !is_expired(stored, now)) {
      ranked.push_back(&stored.entry);
    }
  }
  // Most available first; the map's key order breaks ties, so the order never depends on
  // anything else.
  std::stable_sort(ranked.begin(), ranked.end(), [](const Entry* a, const Entry* b) {
    return a->server->available_sessions > b->server->available_sessions;
  });
  if (ranked.size() > kMaxAvailableServers) ranked.resize(kMaxAvailableServers);
  std::vector<Entry> servers;
  servers.reserve(ranked.size());
  for (const Entry* entry : ranked) servers.push_back(*entry);
  return servers;
}

std::vector<Entry> DiscoveryStore::all_servers(sim::Instant now) const {
  std::vector<Entry> servers;
  for (const auto& [pk, stored] : entries_) {
    if (stored.entry.server && !is_expired(stored, now)) servers.push_back(stored.entry);
  }
  return servers;
}

void DiscoveryStore::purge_expired(sim::Instant now) {
  entries_.erase_if([&](const PublicKey&, const Stored& stored) { return is_expired(stored, now); });
}

}  // namespace dmsg
