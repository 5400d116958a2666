// Discovery entries: what a client or server publishes about itself, signed.
#pragma once

#include "dmsg/identity.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dmsg {

struct ClientPart {
  std::vector<PublicKey> delegated_servers;
  template <class Visitor>
  void visit(Visitor& v) {
    v("delegated_servers", delegated_servers);
  }
  friend bool operator==(const ClientPart&, const ClientPart&) = default;
};

struct ServerPart {
  std::string address;  // where clients connect (in the simulation: a node name)
  int32_t available_sessions = 0;
  template <class Visitor>
  void visit(Visitor& v) {
    v("address", address);
    v("available_sessions", available_sessions);
  }
  friend bool operator==(const ServerPart&, const ServerPart&) = default;
};

struct Entry {
  static constexpr std::string_view kVersion = "0.0.1";
  // Bounds on what a decoder accepts.
  static constexpr size_t kMaxDelegatedServers = 512;
  static constexpr size_t kMaxAddressBytes = 255;

  std::string version = std::string(kVersion);
  uint64_t sequence = 0;  // 0 on the first post, then strictly increasing
  int64_t timestamp = 0;  // the poster's wall clock, ns
  PublicKey static_pk{};
  std::optional<ClientPart> client;
  std::optional<ServerPart> server;
  Signature signature{};

  friend bool operator==(const Entry&, const Entry&) = default;

  template <class Visitor>
  void visit(Visitor& v) {
    v("version", version);
    v("sequence", sequence);
    v("timestamp", timestamp);
    v("static", static_pk);
    v("client", client);
    v("server", server);
    v("signature", signature);
  }
};

// The canonical encoding the signature covers: everything but the signature.
sim::Bytes entry_signed_bytes(const Entry& entry);
void sign_entry(Entry& entry, const Identity& signer);
bool entry_signature_valid(const Entry& entry);

// The signed encoding, and its decoder (typed errors, bounded lengths).
sim::Bytes encode_entry(const Entry& entry);
enum class EntryError : uint8_t { kTruncated, kTrailingBytes, kTooManyServers, kAddressTooLong, kBadParts };
std::string_view enum_name(EntryError error);
struct DecodedEntry {
  std::optional<EntryError> error;
  Entry entry;
};
DecodedEntry decode_entry(const uint8_t* data, size_t size);

}  // namespace dmsg
