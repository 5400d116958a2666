// Discovery's messages on the wire: dmsgsim's own framing of upstream's endpoints.
#pragma once

#include "dmsg/discovery_store.h"
#include "dmsg/entry.h"

#include <optional>
#include <string>
#include <vector>

namespace dmsg {

// Every message travels as [u32 BE length][body], the body at most kMaxMessageBytes.
constexpr size_t kMaxDiscoveryMessageBytes = 1 << 20;

enum class Endpoint : uint8_t {
  kGetEntry = 1,          // GET entry/{pk}
  kPostEntry = 2,         // POST entry
  kDeleteEntry = 3,       // DELETE entry (signed)
  kAvailableServers = 4,  // GET available_servers
  kAllServers = 5,        // GET all_servers
};

struct DiscoveryRequest {
  Endpoint endpoint = Endpoint::kGetEntry;
  uint32_t id = 0;
  sim::Bytes payload;  // a public key, an encoded entry, or a signed delete
};

struct DiscoveryResponse {
  uint32_t id = 0;
  Status status = Status::kOk;
  std::optional<Entry> entry;
  std::vector<Entry> entries;
  std::string reason;  // for errors
};

// Appends one framed message.
void frame_message(const sim::Bytes& body, sim::Bytes& out);
// The body of the first complete framed message in `data`, its total size in `consumed`;
// nullopt while incomplete. An oversized length is `too_large`.
std::optional<sim::Bytes> take_message(const uint8_t* data, size_t size, size_t& consumed, bool& too_large);

sim::Bytes encode_request(const DiscoveryRequest& request);
std::optional<DiscoveryRequest> decode_request_body(const sim::Bytes& body);
sim::Bytes encode_response(const DiscoveryResponse& response);
std::optional<DiscoveryResponse> decode_response_body(const sim::Bytes& body);

// The server side: answers one request body (malformed ones with 400, unknown endpoints
// with 404), reading and changing `store`.
DiscoveryResponse answer(DiscoveryStore& store, const sim::Bytes& body, sim::Instant now);

}  // namespace dmsg
