// The client side of discovery: requests with deadlines over one connection.
#pragma once

#include "dmsg/discovery_protocol.h"
#include "dmsg/framed_conn.h"
#include "dmsg/host.h"
#include "dmsg/identity.h"

#include <map>
#include <string>
#include <vector>

namespace dmsg {

// The outcome of one request, taken by the owner with take_results().
struct DiscoveryResult {
  enum class Outcome : uint8_t { kAnswered, kTimedOut, kConnectionFailed };
  uint32_t id = 0;
  Endpoint endpoint = Endpoint::kGetEntry;
  Outcome outcome = Outcome::kAnswered;
  Status status = Status::kOk;  // when answered
  std::optional<Entry> entry;
  std::vector<Entry> entries;
  std::string reason;
  uint64_t posted_sequence = 0;  // for a post: the sequence finally stored

  bool ok() const { return outcome == Outcome::kAnswered && status == Status::kOk; }

  template <class Visitor>
  void visit(Visitor& v) {
    v("id", id);
    v("endpoint", endpoint);
    v("outcome", outcome);
    v("status", status);
    v("entry", entry);
    v("entries", entries);
    v("reason", reason);
    v("posted_sequence", posted_sequence);
  }
};

// Sans-I/O: the owner passes its Host in and forwards connection events and timers. A
// post refused as stale (another incarnation of the same identity posted last) fetches
// the stored entry, adopts its sequence + 1, re-signs and retries, at most kMaxPostRetries
// times. Every request fails by itself after its deadline.
class DiscoveryClient {
 public:
  static constexpr uint64_t kTimerBase = 1'000'000;  // timer ids kTimerBase + request id
  static constexpr int kMaxPostRetries = 3;

  DiscoveryClient() = default;
  DiscoveryClient(std::string address, Identity owner, sim::Duration deadline = sim::Duration::seconds(5))
      : address_(std::move(address)), owner_(std::move(owner)), deadline_(deadline) {}

  uint32_t get_entry(Host& host, const PublicKey& pk);
  // Signs `entry` with the owner's identity before sending.
  uint32_t post_entry(Host& host, Entry entry);
  uint32_t delete_entry(Host& host);
  uint32_t available_servers(Host& host);
  uint32_t all_servers(Host& host);

  bool owns_timer(uint64_t timer_id) const { return timer_id >= kTimerBase; }
  void on_timer(Host& host, uint64_t timer_id);
  bool owns_conn(ConnId conn) const { return conn_ && conn_->conn == conn; }
  void on_conn_event(Host& host, const ConnEvent& event);

  std::vector<DiscoveryResult> take_results() { return std::exchange(results_, {}); }
  size_t pending() const { return pending_.size(); }

  template <class Visitor>
  void visit(Visitor& v);

 private:
  struct Pending {
    Endpoint endpoint = Endpoint::kGetEntry;
    sim::Bytes payload;
    sim::Event timer;
    std::optional<Entry> post;  // the entry being posted, for stale retries
    int retries = 0;
    bool fetching_for_retry = false;  // a GET issued to learn the stored sequence
    template <class Visitor>
    void visit(Visitor& v) {
      v("endpoint", endpoint);
      v("payload", payload);
      v("timer", timer);
      v("post", post);
      v("retries", retries);
      v("fetching_for_retry", fetching_for_retry);
    }
  };

  uint32_t start(Host& host, Endpoint endpoint, sim::Bytes payload, std::optional<Entry> post);
  void send(Host& host, uint32_t id);
  void ensure_connected(Host& host);
  void on_response(Host& host, const DiscoveryResponse& response);
  void finish(Host& host, uint32_t id, DiscoveryResult result);
  void fail_all(Host& host, DiscoveryResult::Outcome outcome, const std::string& reason);

  std::string address_;
  Identity owner_;
  sim::Duration deadline_ = sim::Duration::seconds(5);
  std::optional<FramedConn> conn_;
  uint32_t next_id_ = 1;
  std::map<uint32_t, Pending> pending_;
  std::vector<DiscoveryResult> results_;  // until the owner takes them
};

template <class Visitor>
void DiscoveryClient::visit(Visitor& v) {
  v("address", address_);
  v("owner", owner_);
  v("deadline", deadline_);
  v("conn", conn_);
  v("next_id", next_id_);
  v("pending", pending_);
  v("results", results_);
}

}  // namespace dmsg
