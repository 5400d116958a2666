// The signed objects of a dial: StreamRequest and StreamResponse.
#pragma once

#include "dmsg/errors.h"
#include "dmsg/identity.h"
#include "sim/result.h"

#include <array>
#include <cstdint>

namespace dmsg {

struct Address {
  PublicKey pk{};
  uint16_t port = 0;

  friend bool operator==(const Address&, const Address&) = default;
  template <class Visitor>
  void visit(Visitor& v) {
    v("pk", pk);
    v("port", port);
  }
};

struct StreamRequest {
  int64_t timestamp = 0;  // the sender's wall clock, ns; above the last one on the session
  Address src;
  Address dst;
  sim::Bytes noise_message;  // Noise KK message 1

  template <class Visitor>
  void visit(Visitor& v) {
    v("timestamp", timestamp);
    v("src", src);
    v("dst", dst);
    v("noise_message", noise_message);
  }
};

using Hash32 = std::array<uint8_t, 32>;

struct StreamResponse {
  Hash32 request_hash{};  // SHA-256 of the signed request it answers
  bool accepted = false;
  ErrorCode error = ErrorCode::kOk;
  sim::Bytes noise_message;  // Noise KK message 2 (when accepted)

  template <class Visitor>
  void visit(Visitor& v) {
    v("request_hash", request_hash);
    v("accepted", accepted);
    v("error", error);
    v("noise_message", noise_message);
  }
};

// The canonical encoding, then a 64-byte Ed25519 signature over it by `signer`.
sim::Bytes sign_request(const StreamRequest& request, const Identity& signer);
sim::Bytes sign_response(const StreamResponse& response, const Identity& signer);

struct DecodedRequest {
  std::optional<ErrorCode> error;  // kSignedObjectTooShort, kRequestBadSignature
  StreamRequest request;
};
// Checks the encoding and that the request is signed by its src pk.
DecodedRequest decode_request(const sim::Bytes& signed_request);

struct DecodedResponse {
  std::optional<ErrorCode> error;  // kSignedObjectTooShort, kResponseBadSignature
  StreamResponse response;
};
// Checks the encoding and that the response is signed by `responder`.
DecodedResponse decode_response(const sim::Bytes& signed_response, const PublicKey& responder);

Hash32 hash_of(const sim::Bytes& signed_object);

}  // namespace dmsg
