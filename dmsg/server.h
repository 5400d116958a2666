// The dmsg relay server: sessions from clients, and streams relayed between them.
#pragma once

#include "dmsg/discovery_client.h"
#include "dmsg/host.h"
#include "dmsg/identity.h"
#include "dmsg/planted_bug.h"
#include "dmsg/session.h"
#include "dmsg/stream_request.h"
#include "dmsg/wakeup.h"

#include "sim/cached_map.h"

#include <map>
#include <set>
#include <string>

namespace dmsg {

struct ServerOptions {
  /// The port clients connect to.
  uint16_t port = 8081;
  /// Where clients reach this server: the address published in discovery ("node:port").
  std::string address;
  /// Sessions beyond this are refused (dmsgsim; upstream only lowers the advertised count).
  uint32_t max_sessions = 100;
  /// How often the discovery entry is re-posted (it expires 2 min after the last post).
  sim::Duration post_interval = sim::Duration::seconds(60);
  /// A failed post is retried this much later.
  sim::Duration post_retry = sim::Duration::seconds(5);
  std::string discovery_address = "discovery";
  MuxOptions mux;
  /// A checker self-test only (see planted_bug.h).
  PlantedBug planted_bug = PlantedBug::kNone;

  template <class Visitor>
  void visit(Visitor& v) {
    v("planted_bug", planted_bug);
    v("port", port);
    v("address", address);
    v("max_sessions", max_sessions);
    v("post_interval", post_interval);
    v("post_retry", post_retry);
    v("discovery_address", discovery_address);
    v("mux", mux);
  }
};

// A relay server. Each client keeps one session (a Noise XK connection carrying a mux); a
// dial arrives as a StreamRequest on a mux stream the client opened, is checked and
// forwarded (re-encrypted for the next hop) on a stream the server opens to the
// destination's session, and once the StreamResponse came back accepting it, the server
// relays bytes between the two legs. Relaying moves only what the outgoing leg's window
// takes, so a reader that stops reading stops its writer (backpressure) without touching
// other streams. Sans-I/O: the owner forwards connection events and timers.
class Server {
 public:
  static constexpr uint64_t kWakeTimer = 1;
  static constexpr uint64_t kPostTimer = 2;

  Server() = default;
  Server(Identity identity, ServerOptions options);

  void start(Host& host);
  // Graceful stop: every stream reset, go-away and FIN on every session, the discovery
  // entry deleted, no more sessions accepted.
  void stop(Host& host);
  void on_conn_event(Host& host, const ConnEvent& event);
  void on_timer(Host& host, uint64_t timer_id, uint64_t arg);

  const Identity& identity() const { return identity_; }
  const ServerOptions& options() const { return options_; }
  bool is_stopped() const { return stopped_; }
  size_t session_count() const { return sessions_.size(); }
  size_t open_session_count() const;
  size_t relay_count() const { return relays_.size(); }
  // The relay of the dial whose signed request hashed to `request_hash`, while this server
  // holds it: the bytes it passed on each way.
  struct RelayedBytes {
    uint64_t to_responder = 0;
    uint64_t to_initiator = 0;
  };
  std::optional<RelayedBytes> relayed(const Hash32& request_hash) const;
  // Mux streams still held across all sessions (a leak check for tests).
  size_t mux_stream_count() const;

  template <class Visitor>
  void visit(Visitor& v);

 private:
  struct Leg {
    uint32_t session = 0;
    uint32_t stream = 0;
    friend auto operator<=>(const Leg&, const Leg&) = default;
    friend std::string json_key(const Leg& leg) {
      return std::to_string(leg.session) + "/" + std::to_string(leg.stream);
    }
    template <class Visitor>
    void visit(Visitor& v) {
      v("session", session);
      v("stream", stream);
    }
  };
  enum class RelayPhase : uint8_t { kAwaitingRequest, kAwaitingResponse, kRelaying };
  // One dial through this server: the initiator's leg, then the responder's leg.
  struct Relay {
    RelayPhase phase = RelayPhase::kAwaitingRequest;
    Leg initiator;
    Leg responder;
    PublicKey responder_pk{};
    Hash32 request_hash{};
    sim::Bytes partial;             // a signed object arriving
    bool fin_to_responder = false;  // the initiator's FIN was passed on
    bool fin_to_initiator = false;
    // Bytes passed on each way once relaying (what a relay dropped is not among them).
    uint64_t bytes_to_responder = 0;
    uint64_t bytes_to_initiator = 0;
    template <class Visitor>
    void visit(Visitor& v) {
      v("phase", phase);
      v("initiator", initiator);
      v("responder", responder);
      v("responder_pk", responder_pk);
      v("request_hash", request_hash);
      v("partial", partial);
      v("fin_to_responder", fin_to_responder);
      v("fin_to_initiator", fin_to_initiator);
      v("bytes_to_responder", bytes_to_responder);
      v("bytes_to_initiator", bytes_to_initiator);
    }
  };
  struct ClientSession {
    SessionConn conn;
    Key32 client{};                               // the client's X25519 static key, once the handshake completed
    std::map<PublicKey, int64_t> last_timestamp;  // per src pk: replayed requests are refused
    template <class Visitor>
    void visit(Visitor& v) {
      v("conn", conn);
      v("client", client);
      v("last_timestamp", last_timestamp);
    }
  };

  void accept_sessions(Host& host, uint16_t port);
  void on_session_events(Host& host, uint32_t session);
  void on_session_opened(Host& host, uint32_t session);
  void on_session_room(Host& host, uint32_t session);
  void on_mux_event(Host& host, uint32_t session, const MuxEvent& event);
  void on_request_bytes(Host& host, uint32_t relay);
  void on_response_bytes(Host& host, uint32_t relay);
  std::optional<ErrorCode> check_request(uint32_t session, const StreamRequest& request);
  // Answers the dial with this server's own refusal and closes the initiator's leg.
  void reject(Host& host, uint32_t relay, const Hash32& request_hash, ErrorCode code);
  // Moves what the outgoing leg's window and session queue take (at most `budget` bytes),
  // passes a FIN on, and forgets a finished relay; true if bytes moved.
  bool pump(Host& host, uint32_t relay, bool from_initiator, size_t budget = SIZE_MAX);
  void pump_both(Host& host, uint32_t relay);
  void end_relay(Host& host, uint32_t relay, const std::string& reason);
  // Ends every relay with a leg on `session`.
  void end_relays_of(Host& host, uint32_t session, const std::string& reason);
  void end_session(Host& host, uint32_t session, const std::string& reason);
  void post_entry(Host& host);
  void on_discovery_results(Host& host);
  void flush_touched(Host& host);
  void rearm(Host& host);

  std::optional<uint32_t> relay_of(uint32_t session, uint32_t stream) const;
  SessionConn* live(uint32_t session);

  Identity identity_;
  ServerOptions options_;
  bool stopped_ = false;
  DiscoveryClient discovery_;
  uint64_t next_sequence_ = 0;
  bool post_in_flight_ = false;
  std::optional<sim::Event> post_timer_;
  Wakeup wakeup_{kWakeTimer};

  uint32_t next_session_ = 1;
  sim::CachedMap<uint32_t, ClientSession> sessions_;  // hashed incrementally: an event touches one or two
  std::map<ConnId, uint32_t> session_by_conn_;
  std::map<Key32, uint32_t> newest_by_client_;  // requests go to a client's newest session

  uint32_t next_relay_ = 1;
  uint64_t chunks_relayed_ = 0;  // chunks the relays moved, ever
  std::map<uint32_t, Relay> relays_;
  std::map<Leg, uint32_t> relay_by_leg_;

  // Outside the state: sessions whose output must be flushed before returning, and the
  // slow Ed25519-to-X25519 conversions already made (a pure function of the key).
  std::set<uint32_t> touched_;
  DhKeyCache dh_keys_;
};

template <class Visitor>
void Server::visit(Visitor& v) {
  v("identity", identity_);
  v("options", options_);
  v("stopped", stopped_);
  v("discovery", discovery_);
  v("next_sequence", next_sequence_);
  v("post_in_flight", post_in_flight_);
  v("post_timer", post_timer_);
  v("wakeup", wakeup_);
  v("next_session", next_session_);
  v("sessions", sessions_);
  v("session_by_conn", session_by_conn_);
  v("newest_by_client", newest_by_client_);
  v("next_relay", next_relay_);
  v("chunks_relayed", chunks_relayed_);
  v("relays", relays_);
  v("relay_by_leg", relay_by_leg_);
}

}  // namespace dmsg
