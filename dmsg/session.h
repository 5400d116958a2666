// One dmsg session as its owner sees it: a connection, the XK handshake, then the mux.
#pragma once

#include "dmsg/host.h"
#include "dmsg/mux.h"
#include "dmsg/record.h"
#include "dmsg/session_handshake.h"
#include "sim/byte_queue.h"

#include <optional>
#include <string>
#include <vector>

namespace dmsg {

// What a session tells its owner, in order.
struct SessionEvent {
  enum class Kind : uint8_t {
    kOpened,  // the handshake completed: streams may be opened
    kMux,     // something happened on the multiplexer (see `mux`)
    kDied,    // the session is over (see `reason`); its streams are gone
    kRoom,    // the connection took queued bytes: stream data may be sent again
  };
  Kind kind = Kind::kOpened;
  MuxEvent mux;
  std::string reason;

  template <class Visitor>
  void visit(Visitor& v) {
    v("kind", kind);
    v("mux", mux);
    v("reason", reason);
  }
};

// A client's session counts as opened (kOpened) only once the server has spoken on it: the
// XK handshake completes at the client one message before it does at the server, and a
// session published before the server knows it would send dialers a 307. The server greets
// every new session with a ping for this.
//
// Owns the session's connection: the client connects and starts the Noise XK handshake,
// the server answers it, and the multiplexer runs over the connection afterwards (bytes
// pipelined right after the handshake are its first input). The handshake's ciphers seal
// the signed objects of dials on this hop (open_object fails the whole session when a
// record does not open: the hop itself is broken or hostile). Sans-I/O: the owner forwards
// the connection's events, calls on_tick at deadline(), and calls flush() after using mux().
class SessionConn {
 public:
  enum class Phase : uint8_t { kConnecting, kHandshaking, kOpen, kDead };

  SessionConn() = default;
  // Client side, for a connection being set up, given the server's X25519 key
  // (dh_public_of its public key).
  static SessionConn client(ConnId conn, const Identity& self, const Key32& server_static, const MuxOptions& mux,
                            sim::Instant now);
  // Server side, for an accepted connection.
  // Whether flush() has anything to do (so a caller need not touch an idle session).
  bool needs_flush() const;
  static SessionConn server(ConnId conn, const Identity& self, const MuxOptions& mux, sim::Instant now);

  void on_conn_event(Host& host, const ConnEvent& event);
  void on_tick(Host& host);
  std::optional<sim::Instant> deadline() const;
  // Moves the multiplexer's output to the connection (what does not fit waits).
  void flush(Host& host);

  // Graceful end: go-away, then FIN after everything queued that the transport takes. The
  // session is dead for its owner at once.
  void shut_down(Host& host, const std::string& reason);
  // Abrupt end: the connection is closed now.
  void close(Host& host, const std::string& reason);

  // Stream data the session takes now: what is queued for the connection (mux output
  // included) is kept under kQueueLimit, so that a slow connection holds stream data back
  // in the mux windows instead of in an ever longer queue in front of keepalives.
  static constexpr size_t kQueueLimit = 64 * 1024;
  size_t send_room();

  Phase phase() const { return phase_; }
  // Open, and (on the client) confirmed by the server's first frame.
  bool is_open() const { return phase_ == Phase::kOpen && !awaiting_server_; }
  ConnId conn() const { return conn_; }
  Mux& mux() { return mux_; }
  const Mux& mux() const { return mux_; }
  // The peer's X25519 static key, known after the handshake.
  std::optional<Key32> remote_static() const { return handshake_.remote_static(); }
  std::vector<SessionEvent> take_events();
  bool has_events() const { return !events_.empty(); }

  // Raw bytes for the connection after everything the mux produced (tests of hostile peers).
  void inject(Host& host, const sim::Bytes& bytes);
  // A hostile peer that stops reading the connection (its transport's window closes, so the
  // other end's writes back up), then reads again, catching up on what waited.
  void set_deaf(Host& host, bool deaf);

  // Signed objects on this hop: one record each.
  sim::Bytes seal_object(const sim::Bytes& object);
  // Takes one sealed object from `stream` once it has fully arrived (partial bytes wait in
  // `partial`). nullopt while incomplete; an error (which kills the session) when the record
  // does not open.
  std::optional<sim::Result<sim::Bytes>> take_object(uint32_t stream, sim::Bytes& partial);

  template <class Visitor>
  void visit(Visitor& v) {
    v("conn", conn_);
    v("phase", phase_);
    v("handshake", handshake_);
    v("mux", mux_);
    v("sealer", sealer_);
    v("opener", opener_);
    v("mux_options", mux_options_);
    v("out", out_);
    v("events", events_);
    v("room_wanted", room_wanted_);
    v("awaiting_server", awaiting_server_);
    v("deaf", deaf_);
  }

 private:
  void on_readable(Host& host);
  void flush_queue(Host& host);
  void after_handshake_input(Host& host);
  void on_mux_bytes(Host& host, const uint8_t* data, size_t size);
  void collect_mux_events(Host& host);
  void die(Host& host, std::string reason);

  ConnId conn_ = 0;
  Phase phase_ = Phase::kConnecting;
  SessionHandshake handshake_;
  MuxOptions mux_options_;
  Mux mux_;
  RecordSealer sealer_;
  RecordOpener opener_;
  sim::ByteQueue out_;  // bytes the transport has not taken yet
  bool deaf_ = false;   // set_deaf()
  std::vector<SessionEvent> events_;
  bool room_wanted_ = false;
  bool awaiting_server_ = false;  // client: the handshake is done, the server not heard yet  // send_room() ran out:
                                  // tell kRoom once it is back
};

}  // namespace dmsg
