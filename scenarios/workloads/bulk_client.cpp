// Sending and verifying pattern streams over dmsg.
#include "scenarios/workloads/bulk_client.h"

#include <algorithm>

namespace scenarios {
namespace {

constexpr uint64_t kStartTimer = 1;
constexpr size_t kChunk = 16 * 1024;

}  // namespace

void BulkClient::on_workload_start(sim::Context& ctx) {
  if (settings_.listen_port != 0) {
    const dmsg::ErrorCode listening = mutable_client().listen(settings_.listen_port);
    SIM_ASSERT_EQ(static_cast<int>(listening), 0);
  }
  if (settings_.peer && settings_.streams > 0) set_workload_timer(ctx, settings_.start_after, kStartTimer);
}

void BulkClient::on_workload_timer(sim::Context& ctx, uint64_t timer_id, uint64_t) {
  SIM_ASSERT_EQ(timer_id, kStartTimer);
  started_ = true;
  dial_more(ctx);
}

void BulkClient::dial_more(sim::Context& ctx) {
  HostView h = host(ctx);
  while (stats_.dials_started < settings_.streams && outgoing_.size() < settings_.parallel) {
    const uint64_t seed = settings_.seed * 1'000'003 + stats_.dials_started;
    ++stats_.dials_started;
    const uint32_t stream = mutable_client().dial(h, *settings_.peer, settings_.peer_port);
    outgoing_[stream] = Outgoing{seed, 0, false};
  }
  if (outgoing_.empty() && stats_.dials_started == settings_.streams && !stats_.finished_at) {
    stats_.finished_at = ctx.now();
  }
}

void BulkClient::send_more(sim::Context& ctx, uint32_t stream) {
  auto it = outgoing_.find(stream);
  if (it == outgoing_.end() || !it->second.open) return;
  Outgoing& out = it->second;
  HostView h = host(ctx);
  const uint64_t total = kPatternHeaderBytes + settings_.bytes_per_stream;
  uint8_t chunk[kChunk];
  while (out.sent < total) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(total - out.sent, kChunk));
    pattern_stream_fill(out.seed, out.sent, chunk, n);
    const size_t taken = mutable_client().write(h, stream, chunk, n);
    out.sent += taken;
    stats_.bytes_sent += taken;
    if (taken < n) return;  // the rest when the stream is writable again
  }
  mutable_client().close(h, stream);
  outgoing_.erase(it);
  ++stats_.streams_sent;
  dial_more(ctx);
}

void BulkClient::receive(sim::Context& ctx, uint32_t stream) {
  auto it = incoming_.find(stream);
  if (it == incoming_.end()) return;
  Incoming& in = it->second;
  HostView h = host(ctx);
  uint8_t chunk[kChunk];
  while (true) {
    const dmsg::ReadResult r = mutable_client().read(h, stream, chunk, sizeof chunk);
    if (r.state == dmsg::ReadResult::State::kData) {
      stats_.bytes_verified += in.feed(chunk, r.bytes);
      continue;
    }
    if (r.state == dmsg::ReadResult::State::kWouldBlock) return;
    if (r.state == dmsg::ReadResult::State::kEnd && in.verifier.is_clean()) ++stats_.streams_received;
    if (r.state == dmsg::ReadResult::State::kBroken) ++stats_.streams_broken;
    stats_.mismatches += in.verifier.mismatches;
    mutable_client().close(h, stream);
    incoming_.erase(it);
    return;
  }
}

void BulkClient::on_client_event(sim::Context& ctx, const dmsg::ClientEvent& event) {
  using Kind = dmsg::ClientEvent::Kind;
  HostView h = host(ctx);
  switch (event.kind) {
    case Kind::kDialed: {
      auto it = outgoing_.find(event.stream);
      if (it == outgoing_.end()) return;
      if (!event.dial_succeeded()) {
        ++stats_.dials_failed;
        ++stats_.dial_errors[static_cast<uint16_t>(event.error)];
        outgoing_.erase(it);
        dial_more(ctx);
        return;
      }
      ++stats_.dials_ok;
      it->second.open = true;
      send_more(ctx, event.stream);
      return;
    }
    case Kind::kIncoming:
      while (const std::optional<uint32_t> stream = mutable_client().accept(event.port)) {
        incoming_[*stream] = Incoming{};
        receive(ctx, *stream);
      }
      return;
    case Kind::kReadable:
      receive(ctx, event.stream);
      return;
    case Kind::kWritable:
      send_more(ctx, event.stream);
      return;
    case Kind::kClosed:
      if (outgoing_.erase(event.stream) != 0) {
        ++stats_.streams_broken;
        mutable_client().close(h, event.stream);
        dial_more(ctx);
      } else {
        receive(ctx, event.stream);
      }
      return;
    default:
      return;
  }
}

}  // namespace scenarios
