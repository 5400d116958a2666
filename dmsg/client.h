// The dmsg client: sessions to servers, dials, listeners and end-to-end encrypted streams.
#pragma once

#include "dmsg/backoff.h"
#include "dmsg/client_stream.h"
#include "dmsg/discovery_client.h"
#include "dmsg/host.h"
#include "dmsg/identity.h"
#include "dmsg/planted_bug.h"
#include "dmsg/session.h"
#include "dmsg/wakeup.h"
#include "sim/cached_map.h"

#include <map>
#include <string>
#include <vector>

namespace dmsg {

// Ways a client can be made to misbehave as a responder, so that tests can check how its
// peers treat a broken one. All off in normal use.
struct PeerFaults {
  /// Responses carry a signature that does not verify (the dialer fails with 350).
  bool corrupt_response_signature = false;
  /// Responses name another request (351).
  bool wrong_response_hash = false;
  /// Every request is refused with no reason given (352).
  bool refuse_without_reason = false;

  template <class Visitor>
  void visit(Visitor& v) {
    v("corrupt_response_signature", corrupt_response_signature);
    v("wrong_response_hash", wrong_response_hash);
    v("refuse_without_reason", refuse_without_reason);
  }
};

struct ClientOptions {
  /// Sessions the client keeps (0: one to every available server).
  uint32_t min_sessions = 1;
  std::string discovery_address = "discovery";
  /// A dial fails by itself after this long.
  sim::Duration dial_timeout = sim::Duration::seconds(20);
  /// Streams answered and waiting for accept() per listener; more are refused with 401.
  uint32_t listen_backlog = 20;
  /// How often the client checks that it has its sessions, besides reacting to losses.
  sim::Duration recheck_interval = sim::Duration::seconds(60);
  /// Bytes a stream holds each way beyond the mux window: sealed bytes waiting for the
  /// window, and opened bytes waiting for read().
  uint32_t stream_buffer_bytes = 64 * 1024;
  /// A closed stream whose last bytes the peer never takes is reset after this.
  sim::Duration close_linger = sim::Duration::seconds(60);
  MuxOptions mux;
  PeerFaults faults;
  /// A checker self-test only (see planted_bug.h).
  PlantedBug planted_bug = PlantedBug::kNone;

  template <class Visitor>
  void visit(Visitor& v) {
    v("planted_bug", planted_bug);
    v("min_sessions", min_sessions);
    v("discovery_address", discovery_address);
    v("dial_timeout", dial_timeout);
    v("listen_backlog", listen_backlog);
    v("recheck_interval", recheck_interval);
    v("stream_buffer_bytes", stream_buffer_bytes);
    v("close_linger", close_linger);
    v("mux", mux);
    v("faults", faults);
  }
};

// What the client tells its application, in order (take_events()).
struct ClientEvent {
  enum class Kind : uint8_t {
    kDialed,         // a dial resolved: `error` is kOk on success, else why it failed
    kIncoming,       // a stream waits in the listener on `port` for accept()
    kReadable,       // read() has bytes or the end of the stream
    kWritable,       // a write that took less than offered may take more now
    kClosed,         // the stream broke (`reason`); read() returns what was left
    kSessionOpened,  // with `server`
    kSessionClosed,  // with `server` and `reason`
  };
  Kind kind = Kind::kDialed;
  uint32_t stream = 0;
  uint16_t port = 0;
  ErrorCode error = ErrorCode::kOk;
  bool timed_out = false;  // kDialed: the deadline passed (error stays kOk: dmsg has no code for it)
  PublicKey server{};
  std::string reason;

  // kDialed: the stream is open. A timed-out dial carries no error code, so test this.
  bool dial_succeeded() const { return error == ErrorCode::kOk && !timed_out; }

  template <class Visitor>
  void visit(Visitor& v) {
    v("kind", kind);
    v("stream", stream);
    v("port", port);
    v("error", error);
    v("timed_out", timed_out);
    v("server", server);
    v("reason", reason);
  }
};

struct ReadResult {
  enum class State : uint8_t { kData, kWouldBlock, kEnd, kBroken, kUnknown };
  size_t bytes = 0;
  State state = State::kWouldBlock;
};

// A dmsg client. It keeps MinSessions sessions to servers found in discovery, publishes
// them as its delegated servers, and reconnects after a loss (discovery at once, then
// backoff). dial() reaches (pk, port) through a server both ends have a session with;
// listen()/accept() take streams dialed to this client. Every stream is end-to-end
// encrypted (Noise KK, then records). Nothing waits without a deadline; failures are
// values with dmsg's error codes. Sans-I/O: the owner forwards connection events and
// timers and then takes the events for its application.
class Client {
 public:
  static constexpr uint64_t kWakeTimer = 1;
  static constexpr uint16_t kEphemeralFirst = 49152;

  Client() = default;
  Client(Identity identity, ClientOptions options);

  void start(Host& host);
  // Closes every stream and session and deletes the entry: the client does nothing more.
  void stop(Host& host);
  void on_conn_event(Host& host, const ConnEvent& event);
  void on_timer(Host& host, uint64_t timer_id, uint64_t arg);
  std::vector<ClientEvent> take_events() { return std::exchange(events_, {}); }

  // --- The application's API ---
  // A stream handle at once; the outcome arrives as kDialed.
  uint32_t dial(Host& host, const PublicKey& pk, uint16_t port);
  // kOk, or kPortOccupied.
  ErrorCode listen(uint16_t port);
  // Frees the port; streams still waiting in its backlog are closed.
  void unlisten(Host& host, uint16_t port);
  std::optional<uint32_t> accept(uint16_t port);
  // Takes what fits now (backpressure) and says how much.
  size_t write(Host& host, uint32_t stream, const uint8_t* data, size_t size);
  ReadResult read(Host& host, uint32_t stream, uint8_t* out, size_t size);
  // Ends the stream: bytes written so far are still delivered, then the peer reads the
  // end. The handle is invalid afterwards.
  void close(Host& host, uint32_t stream);

  // --- Acting as a hostile peer, for tests of the others ---
  // Sends `signed_request` unchanged (nothing checked or signed) as a dial to `dst` over the
  // session to `server`; the outcome arrives as kDialed (an acceptance fails it: the stream
  // handshake in the request is the caller's).
  uint32_t dial_raw(Host& host, const PublicKey& server, const sim::Bytes& signed_request, const Address& dst);
  // Raw bytes into the session's connection, at a frame boundary.
  void inject_session_bytes(Host& host, const PublicKey& server, const sim::Bytes& bytes);
  // Raw bytes on a stream's mux stream, bypassing its records.
  void inject_stream_bytes(Host& host, uint32_t stream, const sim::Bytes& bytes);
  // Stops (or resumes) reading every session's connection, present and future ones: a
  // peer that never reads, whose server's writes to it back up.
  void set_deaf(Host& host, bool deaf);
  // A connection to `server` that completes TCP and never starts the handshake: the server
  // must drop it at its handshake timeout. false when the server's address is not known.
  bool open_silent_connection(Host& host, const PublicKey& server);
  // Silent connections still open (their servers have not dropped them), by connection.
  struct SilentConn {
    PublicKey server{};
    sim::Instant opened;
    template <class Visitor>
    void visit(Visitor& v) {
      v("server", server);
      v("opened", opened);
    }
  };
  const std::map<ConnId, SilentConn>& silent_connections() const { return silent_conns_; }

  // --- Inspection ---
  const Identity& identity() const { return identity_; }
  const ClientOptions& options() const { return options_; }
  // Servers with an open session, sorted (what the entry advertises).
  std::vector<PublicKey> delegated_servers() const;
  size_t session_count() const { return sessions_.size(); }
  // The delegated servers of the entry discovery holds, once one was stored.
  const std::optional<std::vector<PublicKey>>& published() const { return posted_; }
  size_t stream_count() const { return streams_.size(); }
  size_t mux_stream_count() const;
  const ClientStream* stream(uint32_t handle) const;
  size_t listener_count() const { return listeners_.size(); }
  size_t queued(uint16_t port) const;
  bool is_stopped() const { return stopped_; }

  template <class Visitor>
  void visit(Visitor& v);

 private:
  struct ClientSession {
    SessionConn conn;
    bool opened = false;      // the handshake completed at some point
    bool going_away = false;  // the server sent go-away: no new streams
    int64_t last_request_timestamp = 0;
    std::map<PublicKey, int64_t> last_seen_timestamp;  // per dialer: replays are refused
    template <class Visitor>
    void visit(Visitor& v) {
      v("conn", conn);
      v("opened", opened);
      v("going_away", going_away);
      v("last_request_timestamp", last_request_timestamp);
      v("last_seen_timestamp", last_seen_timestamp);
    }
  };
  struct Listener {
    std::vector<uint32_t> queue;  // answered streams waiting for accept()
    template <class Visitor>
    void visit(Visitor& v) {
      v("queue", queue);
    }
  };
  // Why a discovery request was made.
  struct Lookup {
    enum class Purpose : uint8_t { kServers, kDialTarget, kDialServer, kPost, kDelete };
    Purpose purpose = Purpose::kServers;
    uint32_t stream = 0;
    PublicKey server{};
    std::vector<PublicKey> posted;
    template <class Visitor>
    void visit(Visitor& v) {
      v("purpose", purpose);
      v("stream", stream);
      v("server", server);
      v("posted", posted);
    }
  };

  // client_sessions.cpp: sessions, discovery, reconnect.
  void refresh_servers(Host& host);
  void maintain(Host& host);
  bool start_session(Host& host, const PublicKey& server);
  // A connection to the server's published address; nullopt when it is not known.
  std::optional<ConnId> connect_to(Host& host, const PublicKey& server);
  void on_session_events(Host& host, const PublicKey& server);
  void on_session_opened(Host& host, const PublicKey& server);
  void on_session_room(Host& host, const PublicKey& server);
  void end_session(Host& host, const PublicKey& server, const std::string& reason);
  void post_entry_if_changed(Host& host);
  void on_discovery_results(Host& host);
  void on_lookup(Host& host, const Lookup& lookup, const DiscoveryResult& result);
  void on_tick(Host& host);
  void on_silent_conn_event(Host& host, const ConnEvent& event);
  // Every public entry ends here: session output flushed, the timer re-armed.
  void finish_call(Host& host);
  size_t wanted_sessions() const;
  ClientSession* open_session(const PublicKey& server);

  // client_dial.cpp: dialing and answering dials.
  void on_dial_lookup(Host& host, const Lookup& lookup, const DiscoveryResult& result);
  void advance_dial(Host& host, uint32_t stream);
  void send_request(Host& host, uint32_t stream, const PublicKey& server);
  void on_response(Host& host, uint32_t stream, const sim::Bytes& signed_response);
  void fail_dial(Host& host, uint32_t stream, ErrorCode error, const std::string& reason, bool timed_out = false);
  void on_incoming(Host& host, const PublicKey& server);
  void on_request(Host& host, uint32_t stream, const sim::Bytes& signed_request);
  std::optional<ErrorCode> check_request(ClientSession& session, const StreamRequest& request) const;
  void refuse(Host& host, uint32_t stream, const sim::Bytes& signed_request, ErrorCode error);
  std::optional<uint16_t> allocate_port();

  // client_stream.cpp: moving bytes, closing, breaking.
  void on_mux_event(Host& host, const PublicKey& server, const MuxEvent& event);
  void on_stream_bytes(Host& host, uint32_t stream);
  void pull(Host& host, uint32_t stream);
  // Moves sealed bytes into the mux as its window and the session's queue allow, at most
  // `budget` of them; true if any moved.
  bool flush_out(Host& host, uint32_t stream, size_t budget = SIZE_MAX);
  void maybe_tell_writable(uint32_t stream);
  void break_stream(Host& host, uint32_t stream, ErrorCode error, const std::string& reason);
  void forget(uint32_t stream);
  void maybe_forget(uint32_t stream);
  void index(uint32_t stream);
  Mux* mux_of(const ClientStream& stream);

  Identity identity_;
  ClientOptions options_;
  bool started_ = false;
  bool stopped_ = false;
  DiscoveryClient discovery_;
  std::map<uint32_t, Lookup> lookups_;
  std::vector<PublicKey> known_servers_;  // from the last available_servers answer
  std::map<PublicKey, std::string> server_addresses_;
  sim::CachedMap<PublicKey, ClientSession> sessions_;  // hashed incrementally: an event touches one
  std::map<ConnId, PublicKey> session_by_conn_;
  // Acting as a hostile peer: sessions not read, connections that never handshake (by when
  // each was opened).
  bool deaf_ = false;
  std::map<ConnId, SilentConn> silent_conns_;
  Backoff backoff_;
  std::optional<sim::Instant> retry_at_;  // the next reconnect attempt
  sim::Instant recheck_at_;
  std::optional<std::vector<PublicKey>> posted_;  // delegated servers in the stored entry
  bool post_in_flight_ = false;
  std::optional<sim::Instant> repost_at_;  // after a failed post
  uint64_t next_sequence_ = 0;

  uint32_t next_stream_ = 1;
  std::map<uint32_t, ClientStream> streams_;
  std::map<MuxRef, uint32_t> stream_by_mux_;
  std::map<uint16_t, Listener> listeners_;
  uint16_t next_ephemeral_ = kEphemeralFirst;
  Wakeup wakeup_{kWakeTimer};
  std::vector<ClientEvent> events_;  // until the application takes them
  // Outside the state: the slow Ed25519-to-X25519 conversions already made.
  DhKeyCache dh_keys_;
  // Outside the state on purpose, for the planted bug client-port-outside-snapshot: the port
  // counter it uses instead of next_ephemeral_, which a restored world starts afresh.
  uint16_t unsaved_next_ephemeral_ = kEphemeralFirst;
};

template <class Visitor>
void Client::visit(Visitor& v) {
  v("identity", identity_);
  v("options", options_);
  v("started", started_);
  v("stopped", stopped_);
  v("discovery", discovery_);
  v("lookups", lookups_);
  v("known_servers", known_servers_);
  v("server_addresses", server_addresses_);
  v("sessions", sessions_);
  v("session_by_conn", session_by_conn_);
  v("deaf", deaf_);
  v("silent_conns", silent_conns_);
  v("backoff", backoff_);
  v("retry_at", retry_at_);
  v("recheck_at", recheck_at_);
  v("posted", posted_);
  v("post_in_flight", post_in_flight_);
  v("repost_at", repost_at_);
  v("next_sequence", next_sequence_);
  v("next_stream", next_stream_);
  v("streams", streams_);
  v("stream_by_mux", stream_by_mux_);
  v("listeners", listeners_);
  v("next_ephemeral", next_ephemeral_);
  v("wakeup", wakeup_);
  v("events", events_);
}

}  // namespace dmsg
