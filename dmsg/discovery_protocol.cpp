// Discovery message encoding and the request handler.
#include "dmsg/discovery_protocol.h"

#include "dmsg/wire.h"
#include "sim/fmt.h"

namespace dmsg {
namespace {

constexpr uint8_t kHasEntry = 1;
constexpr uint8_t kHasEntries = 2;

DiscoveryResponse error(uint32_t id, Status status, std::string reason) {
  DiscoveryResponse r;
  r.id = id;
  r.status = status;
  r.reason = std::move(reason);
  return r;
}

void put_entry(WireWriter& w, const Entry& e) {
  const sim::Bytes bytes = encode_entry(e);
  w.u32(static_cast<uint32_t>(bytes.size()));
  for (uint8_t b : bytes) w.u8(b);
}

std::optional<Entry> get_entry(WireReader& r) {
  const uint32_t size = r.u32();
  if (!r.ok() || size > r.remaining()) return std::nullopt;
  sim::Bytes bytes(size);
  for (uint8_t& b : bytes) b = r.u8();
  const DecodedEntry decoded = decode_entry(bytes.data(), bytes.size());
  if (decoded.error) return std::nullopt;
  return decoded.entry;
}

}  // namespace

void frame_message(const sim::Bytes& body, sim::Bytes& out) {
  WireWriter w(out);
  w.u32(static_cast<uint32_t>(body.size()));
  out.insert(out.end(), body.begin(), body.end());
}

std::optional<sim::Bytes> take_message(const uint8_t* data, size_t size, size_t& consumed, bool& too_large) {
  too_large = false;
  if (size < 4) return std::nullopt;
  WireReader r(data, 4);
  const uint32_t length = r.u32();
  if (length > kMaxDiscoveryMessageBytes) {
    too_large = true;
    return std::nullopt;
  }
  if (size - 4 < length) return std::nullopt;
  consumed = 4 + length;
  return sim::Bytes(data + 4, data + 4 + length);
}

sim::Bytes encode_request(const DiscoveryRequest& request) {
  sim::Bytes out;
  WireWriter w(out);
  w.u8(static_cast<uint8_t>(request.endpoint));
  w.u32(request.id);
  out.insert(out.end(), request.payload.begin(), request.payload.end());
  return out;
}

std::optional<DiscoveryRequest> decode_request_body(const sim::Bytes& body) {
  if (body.size() < 5) return std::nullopt;
  WireReader r(body.data(), 5);
  DiscoveryRequest request;
  request.endpoint = static_cast<Endpoint>(r.u8());
  request.id = r.u32();
  request.payload.assign(body.begin() + 5, body.end());
  return request;
}

sim::Bytes encode_response(const DiscoveryResponse& response) {
  sim::Bytes out;
  WireWriter w(out);
  w.u32(response.id);
  w.u16(static_cast<uint16_t>(response.status));
  w.short_bytes(reinterpret_cast<const uint8_t*>(response.reason.data()),
                std::min<size_t>(response.reason.size(), 0xffff));
  w.u8(static_cast<uint8_t>((response.entry ? kHasEntry : 0) | (response.entries.empty() ? 0 : kHasEntries)));
  if (response.entry) put_entry(w, *response.entry);
  if (!response.entries.empty()) {
    w.u32(static_cast<uint32_t>(response.entries.size()));
    for (const Entry& e : response.entries) put_entry(w, e);
  }
  return out;
}

std::optional<DiscoveryResponse> decode_response_body(const sim::Bytes& body) {
  WireReader r(body.data(), body.size());
  DiscoveryResponse response;
  response.id = r.u32();
  response.status = static_cast<Status>(r.u16());
  const sim::Bytes reason = r.short_bytes();
  response.reason.assign(reason.begin(), reason.end());
  const uint8_t parts = r.u8();
  if (!r.ok()) return std::nullopt;
  if ((parts & kHasEntry) != 0) {
    response.entry = get_entry(r);
    if (!response.entry) return std::nullopt;
  }
  if ((parts & kHasEntries) != 0) {
    const uint32_t count = r.u32();
    if (!r.ok() || count > r.remaining()) return std::nullopt;
    for (uint32_t i = 0; i < count; ++i) {
      std::optional<Entry> e = get_entry(r);
      if (!e) return std::nullopt;
      response.entries.push_back(std::move(*e));
    }
  }
  if (r.remaining() != 0) return std::nullopt;
  return response;
}

DiscoveryResponse answer(DiscoveryStore& store, const sim::Bytes& body, sim::Instant now) {
  const std::optional<DiscoveryRequest> request = decode_request_body(body);
  if (!request) return error(0, Status::kBadRequest, "malformed request");
  const DiscoveryRequest& req = *request;
  switch (req.endpoint) {
    case Endpoint::kGetEntry: {
      if (req.payload.size() != 32) return error(req.id, Status::kBadRequest, "a public key is 32 bytes");
      PublicKey pk{};
      std::copy(req.payload.begin(), req.payload.end(), pk.begin());
      std::optional<Entry> entry = store.get(pk, now);
      if (!entry) return error(req.id, Status::kNotFound, "no entry for that key");
      DiscoveryResponse r;
      r.id = req.id;
      r.entry = std::move(entry);
      return r;
    }
    case Endpoint::kPostEntry: {
      const DecodedEntry decoded = decode_entry(req.payload.data(), req.payload.size());
      if (decoded.error) return error(req.id, Status::kBadRequest, std::string(enum_name(*decoded.error)));
      const StoreOutcome outcome = store.post(decoded.entry, now);
      return error(req.id, outcome.status, outcome.reason);
    }
    case Endpoint::kDeleteEntry: {
      WireReader r(req.payload.data(), req.payload.size());
      const PublicKey pk = r.fixed<32>();
      const int64_t timestamp = r.i64();
      const Signature signature = r.fixed<64>();
      if (!r.ok() || r.remaining() != 0) return error(req.id, Status::kBadRequest, "malformed delete");
      const StoreOutcome outcome = store.remove(pk, timestamp, signature, now);
      return error(req.id, outcome.status, outcome.reason);
    }
    case Endpoint::kAvailableServers:
    case Endpoint::kAllServers: {
      DiscoveryResponse r;
      r.id = req.id;
      r.entries = req.endpoint == Endpoint::kAvailableServers ? store.available_servers(now) : store.all_servers(now);
      return r;
    }
  }
  return error(req.id, Status::kNotFound, fmt::format("unknown endpoint {}", static_cast<int>(req.endpoint)));
}

}  // namespace dmsg
