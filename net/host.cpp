// The host: from transport effects to packets, scheduled timers and application calls.
#include "net/host.h"

#include "net/network.h"
#include "sim/world.h"

namespace net {

Host::Host(const HostConfig& config, sim::Rng rng)
    : Actor(&kInterfaceTag),
      config_(config),
      rng_(rng),
      transport_(config.address, rng.fork("transport"), config.transport) {}

void Host::on_start(sim::Context& ctx) {
  if (!config_.process_up) return;
  as_app(ctx, [&] { on_app_start(ctx); });
}

void Host::kill_process(sim::Context& ctx) {
  if (!config_.process_up) return;
  config_.process_up = false;
  transport_.close_all_for_dead_process(ctx.now());
  flush(ctx);
}

void Host::stop_app(sim::Context& ctx) {
  if (!config_.process_up) return;
  as_app(ctx, [&] { on_app_stop(ctx); });
}

void Host::on_event(sim::Context& ctx, const sim::Event& event) {
  switch (event.kind) {
    case kConnTimer:
      on_conn_timer(ctx, event);
      break;
    case kAppTimer:
      // A dead process's timers die with it.
      if (config_.process_up) as_app(ctx, [&] { on_app_timer(ctx, event.arg0, event.arg1); });
      break;
    default:
      SIM_UNREACHABLE("host got event kind {}", event.kind);
  }
  flush(ctx);
}

void Host::on_packet(sim::Context& ctx, const Packet& packet) {
  SIM_ASSERT_EQ(packet.dst, config_.address);
  // With the process down the kernel still finishes the closes it started; nothing
  // listens, so everything else is answered with RST by the transport itself.
  transport_.on_segment(packet.src, packet.segment, ctx.now());
  flush(ctx);
}

void Host::on_conn_timer(sim::Context& ctx, const sim::Event& event) {
  const ConnId id = static_cast<ConnId>(event.arg0);
  auto it = conn_timers_.find(id);
  SIM_ASSERT_MSG(it != conn_timers_.end() && it->second.seq == event.seq, "stray timer for connection {}", id);
  conn_timers_.erase(it);
  const std::optional<sim::Instant> deadline = transport_.deadline(id);
  if (deadline && ctx.now() >= *deadline) {
    transport_.on_timer(id, ctx.now());
  } else {
    // The deadline moved later since this timer was set: set it again.
    reconcile_timers(ctx, {id});
  }
}

void Host::send(sim::Context& ctx, Outgoing&& out) {
  Network& network = ctx.world().mutate<Network>(config_.network);
  network.send(ctx, Packet{config_.address, out.dst, std::move(out.segment)});
}

void Host::flush(sim::Context& ctx) {
  if (flushing_) return;
  flushing_ = true;
  while (true) {
    transport_.take_outgoing(drained_.outgoing);
    transport_.take_touched(drained_.touched);
    transport_.take_events(drained_.events);
    if (drained_.outgoing.empty() && drained_.touched.empty() && drained_.events.empty()) break;
    for (Outgoing& out : drained_.outgoing) send(ctx, std::move(out));
    reconcile_timers(ctx, drained_.touched);
    for (const TransportEvent& event : drained_.events) {
      // After close() the application hears nothing more of a connection, as with a
      // closed socket: events queued before it are dropped with the connection.
      if (!transport_.exists(event.conn) || !config_.process_up) continue;
      on_transport_event(ctx, event);
    }
  }
  flushing_ = false;
}

void Host::reconcile_timers(sim::Context& ctx, const std::vector<ConnId>& touched) {
  for (ConnId id : touched) {
    const std::optional<sim::Instant> deadline = transport_.deadline(id);
    auto existing = conn_timers_.find(id);
    if (existing != conn_timers_.end()) {
      // A timer that fires no later than the deadline stays: it re-checks when it fires.
      if (deadline && existing->second.time <= *deadline) continue;
      ctx.cancel(existing->second);
      conn_timers_.erase(existing);
    }
    if (!deadline) continue;
    const sim::Duration delay = *deadline > ctx.now() ? *deadline - ctx.now() : sim::Duration::zero();
    conn_timers_[id] = ctx.schedule_self(delay, kConnTimer, id);
  }
}

// --- The application's view ---------------------------------------------------------------------

sim::Instant Host::wall_now(sim::Context& ctx) const {
  const Network& network = ctx.world().actor_as<Network>(config_.network);
  return ctx.now() + network.clock_offset(config_.address);
}

sim::Status Host::listen(sim::Context& ctx, uint16_t port) {
  sim::Status status = transport_.listen(port);
  flush(ctx);
  return status;
}

void Host::unlisten(sim::Context& ctx, uint16_t port) {
  transport_.unlisten(port, ctx.now());
  flush(ctx);
}

ConnId Host::connect(sim::Context& ctx, NodeAddress dst, uint16_t port) {
  const ConnId id = transport_.connect(dst, port, ctx.now());
  flush(ctx);
  return id;
}

std::optional<ConnId> Host::accept(sim::Context& ctx, uint16_t port) {
  std::optional<ConnId> id = transport_.accept(port);
  flush(ctx);
  return id;
}

size_t Host::write(sim::Context& ctx, ConnId id, const uint8_t* data, size_t size) {
  const size_t taken = transport_.write(id, data, size, ctx.now());
  flush(ctx);
  return taken;
}

size_t Host::writable_bytes(ConnId id) const {
  const Connection& c = transport_.connection(id);
  if (c.state() == ConnState::kFailed || c.state() == ConnState::kClosed) return 0;
  return c.send_buffer_free(transport_.options());
}

size_t Host::read(sim::Context& ctx, ConnId id, uint8_t* out, size_t size) {
  const size_t got = transport_.read(id, out, size, ctx.now());
  flush(ctx);
  return got;
}

void Host::shutdown(sim::Context& ctx, ConnId id) {
  transport_.shutdown(id, ctx.now());
  flush(ctx);
}

void Host::close(sim::Context& ctx, ConnId id) {
  transport_.close(id, ctx.now());
  flush(ctx);
}

void Host::abort(sim::Context& ctx, ConnId id) {
  transport_.abort(id, ctx.now());
  flush(ctx);
}

sim::Event Host::set_timer(sim::Context& ctx, sim::Duration delay, uint64_t timer_id, uint64_t arg) {
  return ctx.schedule_self(delay, kAppTimer, timer_id, arg);
}

void Host::cancel_timer(sim::Context& ctx, const sim::Event& timer) { ctx.cancel(timer); }

}  // namespace net
