// The host: everything dmsg may do outside its own state. scenarios/ implements it on net/.
#pragma once

#include "sim/event.h"
#include "sim/log.h"
#include "sim/result.h"
#include "sim/rng.h"
#include "sim/time.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dmsg {

using ConnId = uint32_t;

enum class ConnFailure : uint8_t { kNone, kRefused, kTimedOut, kReset };

// What a host tells a dmsg entity about its byte-stream connections.
struct ConnEvent {
  enum class Kind : uint8_t { kConnected, kIncoming, kReadable, kWritable, kPeerClosed, kFailed, kClosed };
  Kind kind = Kind::kConnected;
  ConnId conn = 0;
  uint16_t port = 0;  // kIncoming: the listening port
  ConnFailure failure = ConnFailure::kNone;
};

// dmsg's only way out: sans-I/O protocol objects receive a Host in each call and act
// through it. A real-socket host could implement it without touching dmsg/.
class Host {
 public:
  virtual ~Host() = default;

  virtual sim::Instant now() = 0;
  // This node's wall clock (virtual time plus the node's clock offset): for timestamps.
  virtual sim::Instant wall_now() = 0;
  virtual sim::Rng& rng() = 0;
  virtual void log(sim::LogLevel level, std::string_view component, std::string message) = 0;

  // A timer delivered back as (timer_id, arg) through the entity's owner.
  virtual sim::Event set_timer(sim::Duration delay, uint64_t timer_id, uint64_t arg) = 0;
  virtual void cancel_timer(const sim::Event& timer) = 0;

  // nullopt for an address the host cannot resolve.
  virtual std::optional<ConnId> connect(std::string_view address, uint16_t port) = 0;
  virtual sim::Status listen(uint16_t port) = 0;
  // Stops listening; connections already accepted are not affected.
  virtual void unlisten(uint16_t port) = 0;
  virtual std::optional<ConnId> accept(uint16_t port) = 0;
  // Takes what fits and says how much (backpressure).
  virtual size_t write(ConnId conn, const uint8_t* data, size_t size) = 0;
  virtual size_t read(ConnId conn, uint8_t* out, size_t size) = 0;
  virtual void shutdown(ConnId conn) = 0;
  // After close() nothing more is heard of the connection.
  virtual void close(ConnId conn) = 0;
};

}  // namespace dmsg
