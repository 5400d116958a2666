// Canonical encoding and signature checks of StreamRequest and StreamResponse.
#include "dmsg/stream_request.h"

#include "dmsg/wire.h"

#include <sodium.h>

namespace dmsg {
namespace {

constexpr size_t kSignatureBytes = 64;

sim::Bytes append_signature(sim::Bytes body, const Identity& signer) {
  const Signature signature = signer.sign(body.data(), body.size());
  body.insert(body.end(), signature.begin(), signature.end());
  return body;
}

// Splits off the trailing signature; false when the object is too short to hold one.
bool split_signature(const sim::Bytes& object, size_t& body_size, Signature& signature) {
  if (object.size() < kSignatureBytes) return false;
  body_size = object.size() - kSignatureBytes;
  std::copy(object.end() - kSignatureBytes, object.end(), signature.begin());
  return true;
}

}  // namespace

sim::Bytes sign_request(const StreamRequest& request, const Identity& signer) {
  sim::Bytes body;
  WireWriter w(body);
  w.i64(request.timestamp);
  w.fixed(request.src.pk);
  w.u16(request.src.port);
  w.fixed(request.dst.pk);
  w.u16(request.dst.port);
  w.short_bytes(request.noise_message);
  return append_signature(std::move(body), signer);
}

sim::Bytes sign_response(const StreamResponse& response, const Identity& signer) {
  sim::Bytes body;
  WireWriter w(body);
  w.fixed(response.request_hash);
  w.u8(response.accepted ? 1 : 0);
  w.u16(static_cast<uint16_t>(response.error));
  w.short_bytes(response.noise_message);
  return append_signature(std::move(body), signer);
}

DecodedRequest decode_request(const sim::Bytes& object) {
  size_t body_size = 0;
  Signature signature{};
  if (!split_signature(object, body_size, signature)) return {ErrorCode::kSignedObjectTooShort, {}};
  WireReader r(object.data(), body_size);
  StreamRequest request;
  request.timestamp = r.i64();
  request.src.pk = r.fixed<32>();
  request.src.port = r.u16();
  request.dst.pk = r.fixed<32>();
  request.dst.port = r.u16();
  request.noise_message = r.short_bytes();
  if (!r.ok() || r.remaining() != 0) return {ErrorCode::kSignedObjectTooShort, {}};
  if (!verify_signature(request.src.pk, object.data(), body_size, signature)) {
    return {ErrorCode::kRequestBadSignature, {}};
  }
  return {std::nullopt, std::move(request)};
}

DecodedResponse decode_response(const sim::Bytes& object, const PublicKey& responder) {
  size_t body_size = 0;
  Signature signature{};
  if (!split_signature(object, body_size, signature)) return {ErrorCode::kSignedObjectTooShort, {}};
  WireReader r(object.data(), body_size);
  StreamResponse response;
  response.request_hash = r.fixed<32>();
  const uint8_t accepted = r.u8();
  const uint16_t code = r.u16();
  response.noise_message = r.short_bytes();
  if (!r.ok() || r.remaining() != 0 || accepted > 1 || !is_known(code)) return {ErrorCode::kSignedObjectTooShort, {}};
  response.accepted = accepted == 1;
  response.error = static_cast<ErrorCode>(code);
  if (!verify_signature(responder, object.data(), body_size, signature)) return {ErrorCode::kResponseBadSignature, {}};
  return {std::nullopt, std::move(response)};
}

Hash32 hash_of(const sim::Bytes& object) {
  Hash32 hash{};
  crypto_hash_sha256(hash.data(), object.data(), object.size());
  return hash;
}

}  // namespace dmsg
