// The transfer scenario: pairs of nodes exchanging verifiable byte patterns both ways.
#pragma once

#include "net/host.h"
#include "net/profile.h"
#include "scenarios/workloads/pattern.h"
#include "sim/actor.h"

#include <optional>

namespace scenarios {

struct TransferSettings {
  /// Connects to `peer` (true) or listens and accepts one connection (false).
  bool initiator = false;
  net::NodeAddress peer{};
  uint16_t port = 7000;
  /// Bytes this node sends, and the pattern they follow.
  uint64_t bytes_to_send = 0;
  uint64_t send_seed = 0;
  /// Bytes this node expects from its peer, and their pattern.
  uint64_t bytes_expected = 0;
  uint64_t recv_seed = 0;

  template <class Visitor>
  void visit(Visitor& v) {
    v("initiator", initiator);
    v("peer", peer);
    v("port", port);
    v("bytes_to_send", bytes_to_send);
    v("send_seed", send_seed);
    v("bytes_expected", bytes_expected);
    v("recv_seed", recv_seed);
  }
};

// Writes its pattern as fast as the transport takes it, then shuts down its side; reads
// and verifies everything its peer sends until end of stream; then closes. An initiator
// whose connection could not be made (every SYN of a connect lost, say) redials, as an
// application would, after 1 s, 2 s, 4 s, ... at most kMaxRedialDelay apart.
class TransferNode : public sim::ActorBase<TransferNode, net::Host> {
 public:
  static constexpr std::string_view kTypeName = "scenarios.transfer_node";
  static constexpr sim::Duration kFirstRedialDelay = sim::Duration::seconds(1);
  static constexpr sim::Duration kMaxRedialDelay = sim::Duration::seconds(16);

  TransferNode() = default;
  TransferNode(const net::HostConfig& config, sim::Rng rng, const TransferSettings& settings);

  std::unique_ptr<net::Host> make_fresh(const net::HostConfig& config, sim::Rng rng) const override;

  const TransferSettings& settings() const { return settings_; }
  uint64_t bytes_sent() const { return bytes_sent_; }
  const PatternVerifier& verifier() const { return verifier_; }
  bool got_eof() const { return eof_; }
  std::optional<net::FailReason> failure() const { return failure_; }
  // Everything sent and acknowledged by end of stream, everything received and verified.
  bool is_complete() const;
  std::optional<sim::Instant> completed_at() const { return completed_at_; }
  // Connections an initiator dialed again after one could not be made.
  uint32_t redials() const { return redials_; }

  template <class Visitor>
  void visit(Visitor& v) {
    visit_host(v);
    v("settings", settings_);
    v("conn", conn_);
    v("connected", connected_);
    v("redials", redials_);
    v("bytes_sent", bytes_sent_);
    v("shut_down", shut_down_);
    v("verifier", verifier_);
    v("eof", eof_);
    v("failure", failure_);
    v("completed_at", completed_at_);
  }

 protected:
  void on_app_start(sim::Context& ctx) override;
  void on_transport_event(sim::Context& ctx, const net::TransportEvent& event) override;
  void on_app_timer(sim::Context& ctx, uint64_t timer_id, uint64_t arg) override;

 private:
  void pump_writes(sim::Context& ctx);
  void drain_reads(sim::Context& ctx);
  void maybe_complete(sim::Context& ctx);
  void redial_later(sim::Context& ctx);

  TransferSettings settings_;
  std::optional<net::ConnId> conn_;
  bool connected_ = false;  // the connection was made (failures after that are final)
  uint32_t redials_ = 0;
  uint64_t bytes_sent_ = 0;
  bool shut_down_ = false;
  PatternVerifier verifier_;
  bool eof_ = false;
  std::optional<net::FailReason> failure_;
  std::optional<sim::Instant> completed_at_;
};

struct TransferOptions {
  /// Pairs of nodes; pair i is a<i> (connects) and b<i> (listens).
  uint32_t pairs = 2;
  /// Bytes each a<i> sends to b<i>, and each b<i> sends back.
  uint64_t bytes_forward = 1 << 20;
  uint64_t bytes_back = 1 << 20;
  net::TransportOptions transport;
};

// Spawns the network with `profile` and the pairs.
void build_transfer_world(sim::World& world, const net::FaultProfile& profile, const TransferOptions& options);

void register_transfer_actors(sim::ActorRegistry& registry);

}  // namespace scenarios
