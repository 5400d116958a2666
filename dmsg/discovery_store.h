// The discovery service's store and rules (section 7), with no I/O of its own.
#pragma once

#include "dmsg/entry.h"
#include "sim/cached_map.h"
#include "sim/time.h"

#include <map>
#include <vector>

namespace dmsg {

// HTTP-like statuses of the upstream endpoints.
enum class Status : uint16_t {
  kOk = 200,
  kBadRequest = 400,    // malformed request or public key
  kUnauthorized = 401,  // bad signature
  kNotFound = 404,
  kUnprocessable = 422,  // invalid, or a stale iteration
};
std::string_view describe(Status status);

struct StoreOutcome {
  Status status = Status::kOk;
  std::string reason;  // for people and logs
};

// Entries by public key, with every validation rule. Server entries expire two minutes
// after their last post. Times are the discovery node's wall clock.
class DiscoveryStore {
 public:
  static constexpr sim::Duration kServerExpiry = sim::Duration::seconds(120);
  static constexpr sim::Duration kServerClockBehind = sim::Duration::seconds(60);
  static constexpr sim::Duration kServerClockAhead = sim::Duration::seconds(5);
  static constexpr size_t kMaxAvailableServers = 512;

  // POST entry: 200 stored; 401 bad signature; 422 invalid or stale.
  StoreOutcome post(const Entry& entry, sim::Instant now);
  // GET entry/{pk}: the entry, or nullopt (404).
  std::optional<Entry> get(const PublicKey& pk, sim::Instant now) const;
  // DELETE entry (signed by the entry's key over delete_message(pk, timestamp)).
  StoreOutcome remove(const PublicKey& pk, int64_t timestamp, const Signature& signature, sim::Instant now);
  // Servers with available sessions, most available first (ties by key), at most 512.
  std::vector<Entry> available_servers(sim::Instant now) const;
  std::vector<Entry> all_servers(sim::Instant now) const;
  // Forgets expired server entries (state hygiene; reads already ignore them).
  void purge_expired(sim::Instant now);

  size_t size() const { return entries_.size(); }

  static sim::Bytes delete_message(const PublicKey& pk, int64_t timestamp);

  template <class Visitor>
  void visit(Visitor& v) {
    v("entries", entries_);
  }

 private:
  struct Stored {
    Entry entry;
    sim::Instant posted_at;
    template <class Visitor>
    void visit(Visitor& v) {
      v("entry", entry);
      v("posted_at", posted_at);
    }
  };
  bool is_expired(const Stored& stored, sim::Instant now) const;
  StoreOutcome validate(const Entry& entry, sim::Instant now) const;

  sim::CachedMap<PublicKey, Stored> entries_;  // hashed incrementally: a request touches one
};

}  // namespace dmsg
