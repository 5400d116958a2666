// The session multiplexer (yamux semantics), as a state machine with no I/O of its own.
#pragma once

#include "dmsg/frame.h"
#include "sim/byte_queue.h"
#include "sim/time.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dmsg {

// The reason a stream is reset when its peer sends data past the window it was given.
inline constexpr std::string_view kWindowViolation = "window violation";

struct MuxOptions {
  /// Receive window per stream per direction, bytes.
  uint32_t window_bytes = 256 * 1024;
  /// Streams opened by the peer and not yet accepted; more are refused with RST.
  uint32_t accept_backlog = 256;
  /// Keepalive: a ping this often, and the session dies without an answer in time.
  sim::Duration ping_interval = sim::Duration::seconds(30);
  sim::Duration ping_timeout = sim::Duration::seconds(10);
  /// A stream we opened and the peer never acknowledged is reset.
  sim::Duration open_timeout = sim::Duration::seconds(75);
  /// A stream closed in one direction only is reset after this.
  sim::Duration half_closed_timeout = sim::Duration::seconds(300);

  template <class Visitor>
  void visit(Visitor& v) {
    v("window_bytes", window_bytes);
    v("accept_backlog", accept_backlog);
    v("ping_interval", ping_interval);
    v("ping_timeout", ping_timeout);
    v("open_timeout", open_timeout);
    v("half_closed_timeout", half_closed_timeout);
  }
};

struct MuxEvent {
  enum class Kind : uint8_t {
    kIncoming,  // a stream waits for accept()
    kOpened,    // a stream we opened was acknowledged
    kReadable,
    kWritable,     // the peer's window reopened
    kPeerClosed,   // FIN: reads end once the buffer is drained
    kReset,        // the stream is gone (reason says why)
    kGoAway,       // the peer opens no more streams and accepts none
    kSessionDead,  // keepalive failed or the peer broke the protocol
  };
  Kind kind = Kind::kIncoming;
  uint32_t stream = 0;
  std::string reason;

  template <class Visitor>
  void visit(Visitor& v) {
    v("kind", kind);
    v("stream", stream);
    v("reason", reason);
  }
};

// One side of a session. Frames come in as bytes (on_bytes) and go out as bytes
// (take_output); the owner moves them over the session's connection. Stream ids are odd
// for the client side, even for the server side. A stream misbehaving (a window
// violation, a duplicate SYN) is reset alone; only a malformed frame kills the session.
class Mux {
 public:
  enum class Side : uint8_t { kClient, kServer };

  Mux() = default;
  Mux(Side side, MuxOptions options, sim::Instant now);

  // --- Owner operations ---
  std::optional<uint32_t> open(sim::Instant now);
  std::optional<uint32_t> accept();
  size_t write(uint32_t stream, const uint8_t* data, size_t size);
  size_t read(uint32_t stream, uint8_t* out, size_t size);
  size_t readable_bytes(uint32_t stream) const;
  // What a write would take now: the peer's window left for the stream.
  size_t writable_bytes(uint32_t stream) const;
  // The peer sent FIN and everything before it was read.
  bool is_drained(uint32_t stream) const;
  void close(uint32_t stream, sim::Instant now);
  void reset(uint32_t stream);
  void go_away();
  // A keepalive ping now (the server greets a new session with one, see SessionConn).
  void ping(sim::Instant now);
  bool has_stream(uint32_t stream) const { return streams_.count(stream) != 0; }
  // Whether write() can take anything on `stream` now or later: the session lives, the
  // stream was not reset (perhaps by a frame whose event is still queued) nor closed here.
  bool is_writable_stream(uint32_t stream) const;
  size_t stream_count() const { return streams_.size(); }
  bool is_dead() const { return dead_; }

  // --- Inputs ---
  void on_bytes(const uint8_t* data, size_t size, sim::Instant now);
  void on_tick(sim::Instant now);
  std::optional<sim::Instant> deadline() const;

  // --- Outputs ---
  sim::Bytes take_output();
  size_t output_bytes() const { return output_.size(); }
  std::vector<MuxEvent> take_events() { return std::exchange(events_, {}); }

  template <class Visitor>
  void visit(Visitor& v);

 private:
  enum class StreamState : uint8_t { kSynSent, kWaitingAccept, kOpen };
  struct Stream {
    StreamState state = StreamState::kSynSent;
    uint32_t send_window = 0;  // what the peer still takes
    uint32_t recv_window = 0;  // what we still take
    uint32_t recv_freed = 0;   // read since our last window update
    sim::ByteQueue recv_buffer;
    bool local_closed = false;
    bool remote_closed = false;
    sim::Instant since;  // opened, or first half-closed
    template <class Visitor>
    void visit(Visitor& v) {
      v("state", state);
      v("send_window", send_window);
      v("recv_window", recv_window);
      v("recv_freed", recv_freed);
      v("recv_buffer", recv_buffer);
      v("local_closed", local_closed);
      v("remote_closed", remote_closed);
      v("since", since);
    }
  };

  void send_frame(FrameType type, uint16_t flags, uint32_t stream, uint32_t length, const uint8_t* payload = nullptr);
  void on_frame(const FrameHeader& header, const uint8_t* payload, sim::Instant now);
  void on_stream_frame(const FrameHeader& header, const uint8_t* payload, sim::Instant now);
  void on_syn(const FrameHeader& header, sim::Instant now);
  void on_ping(const FrameHeader& header);
  void reset_stream(uint32_t stream, std::string reason, bool tell_peer);
  void maybe_finish(uint32_t stream);
  void kill(std::string reason);
  bool is_ours(uint32_t stream) const { return (stream % 2 == 1) == (side_ == Side::kClient); }

  Side side_ = Side::kClient;
  MuxOptions options_;
  uint32_t next_id_ = 1;
  std::map<uint32_t, Stream> streams_;
  std::vector<uint32_t> accept_queue_;
  sim::ByteQueue input_;
  sim::ByteQueue output_;
  bool sent_go_away_ = false;
  bool received_go_away_ = false;
  bool dead_ = false;
  sim::Instant next_ping_;
  std::optional<sim::Instant> ping_deadline_;
  uint32_t ping_id_ = 0;
  std::vector<MuxEvent> events_;  // until the owner takes them
};

template <class Visitor>
void Mux::visit(Visitor& v) {
  v("side", side_);
  v("options", options_);
  v("next_id", next_id_);
  v("streams", streams_);
  v("accept_queue", accept_queue_);
  v("input", input_);
  v("output", output_);
  v("sent_go_away", sent_go_away_);
  v("received_go_away", received_go_away_);
  v("dead", dead_);
  v("next_ping", next_ping_);
  v("ping_deadline", ping_deadline_);
  v("ping_id", ping_id_);
  v("events", events_);
}

}  // namespace dmsg
