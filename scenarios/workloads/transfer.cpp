// The transfer workload.
#include "scenarios/workloads/transfer.h"

#include "scenarios/world/net_assembly.h"
#include "sim/fmt.h"

namespace scenarios {
namespace {

// Bytes handed to the transport or taken from it per call.
constexpr size_t kChunkBytes = 16 * 1024;
constexpr uint64_t kRedialTimer = 1;

}  // namespace

TransferNode::TransferNode(const net::HostConfig& config, sim::Rng rng, const TransferSettings& settings)
    : ActorBase(config, rng), settings_(settings) {
  verifier_.seed = settings.recv_seed;
}

std::unique_ptr<net::Host> TransferNode::make_fresh(const net::HostConfig& config, sim::Rng rng) const {
  return std::make_unique<TransferNode>(config, rng, settings_);
}

void TransferNode::on_app_start(sim::Context& ctx) {
  if (settings_.initiator) {
    conn_ = connect(ctx, settings_.peer, settings_.port);
  } else {
    const sim::Status listening = listen(ctx, settings_.port);
    SIM_ASSERT_MSG(listening.ok(), "{}", listening.error().message);
  }
}

void TransferNode::on_transport_event(sim::Context& ctx, const net::TransportEvent& event) {
  using Kind = net::TransportEvent::Kind;
  switch (event.kind) {
    case Kind::kIncoming: {
      if (conn_) return;  // one connection per responder; later ones wait unaccepted
      conn_ = accept(ctx, event.port);
      SIM_ASSERT(conn_.has_value());
      pump_writes(ctx);
      drain_reads(ctx);
      return;
    }
    case Kind::kConnected:
      connected_ = true;
      pump_writes(ctx);
      return;
    case Kind::kWritable:
      pump_writes(ctx);
      return;
    case Kind::kReadable:
      drain_reads(ctx);
      return;
    case Kind::kPeerClosed:
      drain_reads(ctx);
      eof_ = true;
      maybe_complete(ctx);
      return;
    case Kind::kFailed:
      if (event.conn != conn_) return;
      if (settings_.initiator && !connected_) {
        ctx.log(sim::LogLevel::kInfo, "transfer", "connect failed: {}; dialing again", net::enum_name(event.reason));
        return redial_later(ctx);
      }
      failure_ = event.reason;
      ctx.log(sim::LogLevel::kInfo, "transfer", "connection failed: {}", net::enum_name(event.reason));
      return;
    case Kind::kClosed:
      maybe_complete(ctx);
      return;
  }
}

void TransferNode::redial_later(sim::Context& ctx) {
  conn_.reset();
  const uint32_t doublings = std::min<uint32_t>(redials_, 4);  // 1 s << 4 is the 16 s cap
  const sim::Duration delay = std::min(kFirstRedialDelay * (int64_t{1} << doublings), kMaxRedialDelay);
  ++redials_;
  set_timer(ctx, delay, kRedialTimer);
}

void TransferNode::on_app_timer(sim::Context& ctx, uint64_t timer_id, uint64_t) {
  SIM_ASSERT_MSG(timer_id == kRedialTimer, "transfer node got timer {}", timer_id);
  SIM_ASSERT(settings_.initiator && !conn_ && !connected_);
  conn_ = connect(ctx, settings_.peer, settings_.port);
}

void TransferNode::pump_writes(sim::Context& ctx) {
  if (!conn_ || failure_) return;
  uint8_t chunk[kChunkBytes];
  while (bytes_sent_ < settings_.bytes_to_send) {
    const uint64_t left = settings_.bytes_to_send - bytes_sent_;
    // Offer one byte more than fits, so a full buffer registers this writer for kWritable;
    // generating only that much keeps the pattern off the hot path.
    const size_t size = static_cast<size_t>(std::min<uint64_t>({kChunkBytes, left, writable_bytes(*conn_) + 1}));
    pattern_fill(settings_.send_seed, bytes_sent_, chunk, size);
    const size_t taken = write(ctx, *conn_, chunk, size);
    bytes_sent_ += taken;
    if (taken < size) return;  // the send buffer is full: kWritable comes back
  }
  if (!shut_down_) {
    shut_down_ = true;
    shutdown(ctx, *conn_);
  }
}

void TransferNode::drain_reads(sim::Context& ctx) {
  if (!conn_) return;
  uint8_t chunk[kChunkBytes];
  while (true) {
    const size_t got = read(ctx, *conn_, chunk, sizeof chunk);
    if (got == 0) return;
    if (!verifier_.check(chunk, got)) {
      ctx.log(sim::LogLevel::kError, "transfer", "pattern mismatch near offset {}", verifier_.first_mismatch);
    }
  }
}

bool TransferNode::is_complete() const {
  return !failure_ && shut_down_ && bytes_sent_ == settings_.bytes_to_send && eof_ &&
         verifier_.verified == settings_.bytes_expected && verifier_.is_clean();
}

void TransferNode::maybe_complete(sim::Context& ctx) {
  if (completed_at_ || !is_complete()) return;
  completed_at_ = ctx.now();
  close(ctx, *conn_);
  conn_.reset();
}

void build_transfer_world(sim::World& world, const net::FaultProfile& profile, const TransferOptions& options) {
  SIM_ASSERT_GT(options.pairs, 0u);
  const sim::ActorId network = spawn_network(world, profile);
  for (uint32_t i = 0; i < options.pairs; ++i) {
    // The responder is spawned first so the initiator knows its address.
    const uint64_t a_seed = 0xa000 + i;
    const uint64_t b_seed = 0xb000 + i;
    TransferSettings b;
    b.bytes_to_send = options.bytes_back;
    b.send_seed = b_seed;
    b.bytes_expected = options.bytes_forward;
    b.recv_seed = a_seed;
    const net::NodeAddress b_address =
        add_host<TransferNode>(world, network, fmt::format("b{}", i), options.transport, b);
    TransferSettings a;
    a.initiator = true;
    a.peer = b_address;
    a.port = b.port;
    a.bytes_to_send = options.bytes_forward;
    a.send_seed = a_seed;
    a.bytes_expected = options.bytes_back;
    a.recv_seed = b_seed;
    add_host<TransferNode>(world, network, fmt::format("a{}", i), options.transport, a);
  }
}

void register_transfer_actors(sim::ActorRegistry& registry) { registry.add<TransferNode>(); }

}  // namespace scenarios
