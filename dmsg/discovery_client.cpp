// Discovery requests: connection, deadlines, responses, the stale-sequence retry.
#include "dmsg/discovery_client.h"

#include "dmsg/wire.h"
#include "sim/fmt.h"

namespace dmsg {

uint32_t DiscoveryClient::get_entry(Host& host, const PublicKey& pk) {
  return start(host, Endpoint::kGetEntry, sim::Bytes(pk.begin(), pk.end()), std::nullopt);
}

uint32_t DiscoveryClient::post_entry(Host& host, Entry entry) {
  entry.static_pk = owner_.public_key();
  sign_entry(entry, owner_);
  const sim::Bytes payload = encode_entry(entry);
  return start(host, Endpoint::kPostEntry, payload, entry);
}

uint32_t DiscoveryClient::delete_entry(Host& host) {
  const int64_t timestamp = host.wall_now().ns();
  const sim::Bytes message = DiscoveryStore::delete_message(owner_.public_key(), timestamp);
  const Signature signature = owner_.sign(message.data(), message.size());
  sim::Bytes payload;
  WireWriter w(payload);
  w.fixed(owner_.public_key());
  w.i64(timestamp);
  w.fixed(signature);
  return start(host, Endpoint::kDeleteEntry, payload, std::nullopt);
}

uint32_t DiscoveryClient::available_servers(Host& host) {
  return start(host, Endpoint::kAvailableServers, {}, std::nullopt);
}

uint32_t DiscoveryClient::all_servers(Host& host) { return start(host, Endpoint::kAllServers, {}, std::nullopt); }

uint32_t DiscoveryClient::start(Host& host, Endpoint endpoint, sim::Bytes payload, std::optional<Entry> post) {
  const uint32_t id = next_id_++;
  Pending pending;
  pending.endpoint = endpoint;
  pending.payload = std::move(payload);
  pending.post = std::move(post);
  pending.timer = host.set_timer(deadline_, kTimerBase + id, 0);
  pending_[id] = std::move(pending);
  send(host, id);
  return id;
}

void DiscoveryClient::ensure_connected(Host& host) {
  if (conn_) return;
  std::optional<ConnId> conn = host.connect(address_, 8080);
  if (!conn) {
    fail_all(host, DiscoveryResult::Outcome::kConnectionFailed, fmt::format("cannot resolve '{}'", address_));
    return;
  }
  conn_ = FramedConn{*conn, false, {}, {}};
}

void DiscoveryClient::send(Host& host, uint32_t id) {
  ensure_connected(host);
  auto it = pending_.find(id);
  if (!conn_ || it == pending_.end()) return;
  const Pending& p = it->second;
  // A retry's fetch of the stored entry goes out as a GET under the same id.
  const DiscoveryRequest request =
      p.fetching_for_retry ? DiscoveryRequest{Endpoint::kGetEntry, id,
                                              sim::Bytes(owner_.public_key().begin(), owner_.public_key().end())}
                           : DiscoveryRequest{p.endpoint, id, p.payload};
  // Queued until the connection is up; flushed then.
  conn_->send(host, encode_request(request));
}

void DiscoveryClient::on_conn_event(Host& host, const ConnEvent& event) {
  if (!owns_conn(event.conn)) return;
  using Kind = ConnEvent::Kind;
  switch (event.kind) {
    case Kind::kConnected:
      conn_->connected = true;
      conn_->flush(host);
      return;
    case Kind::kWritable:
      conn_->flush(host);
      return;
    case Kind::kReadable:
    case Kind::kPeerClosed: {
      bool broken = false;
      for (const sim::Bytes& body : conn_->receive(host, broken)) {
        std::optional<DiscoveryResponse> response = decode_response_body(body);
        if (!response) {
          broken = true;
          break;
        }
        on_response(host, *response);
        if (!conn_) return;
      }
      if (broken || event.kind == Kind::kPeerClosed) {
        fail_all(host, DiscoveryResult::Outcome::kConnectionFailed,
                 broken ? "discovery sent a malformed response" : "discovery closed the connection");
      }
      return;
    }
    case Kind::kFailed:
    case Kind::kClosed:
      fail_all(host, DiscoveryResult::Outcome::kConnectionFailed, "the connection to discovery failed");
      return;
    case Kind::kIncoming:
      return;
  }
}

void DiscoveryClient::on_response(Host& host, const DiscoveryResponse& response) {
  auto it = pending_.find(response.id);
  if (it == pending_.end()) return;  // answered after its deadline
  Pending& p = it->second;
  if (p.fetching_for_retry) {
    p.fetching_for_retry = false;
    if (response.entry && response.entry->timestamp > p.post->timestamp) {
      // A later post of ours landed first (this one was delayed, or its owner gave up on
      // it and posted again): continuing would put older content over newer. Found by the
      // chaos run after a partition healed.
      DiscoveryResult result;
      result.id = response.id;
      result.endpoint = p.endpoint;
      result.status = Status::kUnprocessable;
      result.reason = "stale iteration: a newer entry of ours is stored";
      finish(host, response.id, std::move(result));
      return;
    }
    // The stored entry's sequence tells where to continue.
    Entry next = *p.post;
    next.sequence = response.entry ? response.entry->sequence + 1 : 0;
    next.timestamp = std::max(next.timestamp, response.entry ? response.entry->timestamp : next.timestamp);
    sign_entry(next, owner_);
    p.post = next;
    p.payload = encode_entry(next);
    send(host, response.id);
    return;
  }
  if (p.endpoint == Endpoint::kPostEntry && response.status == Status::kUnprocessable &&
      response.reason.find("stale") != std::string::npos && p.retries < kMaxPostRetries) {
    ++p.retries;
    p.fetching_for_retry = true;
    host.log(sim::LogLevel::kDebug, "discovery",
             fmt::format("post refused as stale ({}); fetching the stored entry", response.reason));
    send(host, response.id);
    return;
  }
  DiscoveryResult result;
  result.id = response.id;
  result.endpoint = p.endpoint;
  result.status = response.status;
  result.entry = response.entry;
  result.entries = response.entries;
  result.reason = response.reason;
  if (p.post) result.posted_sequence = p.post->sequence;
  finish(host, response.id, std::move(result));
}

void DiscoveryClient::on_timer(Host& host, uint64_t timer_id) {
  const uint32_t id = static_cast<uint32_t>(timer_id - kTimerBase);
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  DiscoveryResult result;
  result.id = id;
  result.endpoint = it->second.endpoint;
  result.outcome = DiscoveryResult::Outcome::kTimedOut;
  result.reason = fmt::format("no answer from discovery within {}", deadline_);
  pending_.erase(it);
  results_.push_back(std::move(result));
  (void)host;
}

void DiscoveryClient::finish(Host& host, uint32_t id, DiscoveryResult result) {
  auto it = pending_.find(id);
  SIM_ASSERT(it != pending_.end());
  host.cancel_timer(it->second.timer);
  pending_.erase(it);
  results_.push_back(std::move(result));
}

void DiscoveryClient::fail_all(Host& host, DiscoveryResult::Outcome outcome, const std::string& reason) {
  if (conn_) host.close(conn_->conn);
  conn_.reset();
  while (!pending_.empty()) {
    const uint32_t id = pending_.begin()->first;
    DiscoveryResult result;
    result.id = id;
    result.endpoint = pending_.begin()->second.endpoint;
    result.outcome = outcome;
    result.reason = reason;
    finish(host, id, std::move(result));
  }
}

}  // namespace dmsg
