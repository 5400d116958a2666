// One stream as a client holds it, from the dial (or the request) to its end.
#pragma once

#include "dmsg/errors.h"
#include "dmsg/stream_crypto.h"
#include "dmsg/stream_request.h"
#include "sim/byte_queue.h"
#include "sim/time.h"

#include <optional>
#include <string>
#include <vector>

namespace dmsg {

enum class StreamPhase : uint8_t {
  kResolving,         // dial: waiting for the destination's discovery entry
  kAwaitingSession,   // dial: waiting for a session to one of its delegated servers
  kAwaitingResponse,  // dial: request sent
  kAwaitingRequest,   // dialed to us: waiting for the request
  kQueued,            // dialed to us and answered: waiting in a listener for accept()
  kOpen,              // the application has it
  kBroken,            // ended abnormally; the application still holds the handle
};
std::string_view enum_name(StreamPhase phase);

// A mux stream of one of the client's sessions (which are keyed by server).
struct MuxRef {
  PublicKey server{};
  uint32_t stream = 0;
  friend auto operator<=>(const MuxRef&, const MuxRef&) = default;
  friend std::string json_key(const MuxRef& ref);
  template <class Visitor>
  void visit(Visitor& v) {
    v("server", server);
    v("stream", stream);
  }
};

struct ClientStream {
  StreamPhase phase = StreamPhase::kResolving;
  bool initiator = false;
  Address local;
  Address remote;
  PublicKey server{};       // the server whose session carries it
  uint32_t mux_stream = 0;  // on that session, once there is one
  bool has_mux_stream = false;
  sim::Instant deadline;  // of the phases that wait (dial, request, close linger)

  // Dialing: the destination's delegated servers, tried in order.
  std::vector<PublicKey> candidates;
  size_t candidate = 0;
  uint32_t not_servers = 0;  // candidates whose entry is not a server's
  StreamHandshake handshake;
  Hash32 request_hash{};
  sim::Bytes partial;  // a signed object arriving

  // Open: records both ways.
  RecordStream records;
  sim::ByteQueue out;          // sealed, waiting for the mux window
  sim::ByteQueue in;           // opened, waiting for read()
  bool write_blocked = false;  // a write took less than offered: tell kWritable later
  bool ended = false;          // the peer's FIN was reached
  bool app_closed = false;     // close() was called: the handle is gone
  bool fin_sent = false;
  ErrorCode error = ErrorCode::kOk;
  std::string broken;

  template <class Visitor>
  void visit(Visitor& v) {
    v("phase", phase);
    v("initiator", initiator);
    v("local", local);
    v("remote", remote);
    v("server", server);
    v("mux_stream", mux_stream);
    v("has_mux_stream", has_mux_stream);
    v("deadline", deadline);
    v("candidates", candidates);
    v("candidate", candidate);
    v("not_servers", not_servers);
    v("handshake", handshake);
    v("request_hash", request_hash);
    v("partial", partial);
    v("records", records);
    v("out", out);
    v("in", in);
    v("write_blocked", write_blocked);
    v("ended", ended);
    v("app_closed", app_closed);
    v("fin_sent", fin_sent);
    v("error", error);
    v("broken", broken);
  }
};

}  // namespace dmsg
