// Canonical encoding and signatures of discovery entries.
#include "dmsg/entry.h"

#include "dmsg/wire.h"
#include "sim/enum_names.h"

namespace dmsg {
namespace {

constexpr uint8_t kHasClient = 1;
constexpr uint8_t kHasServer = 2;

constexpr std::array<sim::EnumName<EntryError>, 5> kEntryErrorNames = {{
    {EntryError::kTruncated, "entry truncated"},
    {EntryError::kTrailingBytes, "bytes after the entry"},
    {EntryError::kTooManyServers, "too many delegated servers"},
    {EntryError::kAddressTooLong, "server address too long"},
    {EntryError::kBadParts, "unknown entry part flags"},
}};

void write_body(WireWriter& w, const Entry& e) {
  w.short_bytes(reinterpret_cast<const uint8_t*>(e.version.data()), e.version.size());
  w.u64(e.sequence);
  w.i64(e.timestamp);
  w.fixed(e.static_pk);
  w.u8(static_cast<uint8_t>((e.client ? kHasClient : 0) | (e.server ? kHasServer : 0)));
  if (e.client) {
    w.u16(static_cast<uint16_t>(e.client->delegated_servers.size()));
    for (const PublicKey& pk : e.client->delegated_servers) w.fixed(pk);
  }
  if (e.server) {
    w.short_bytes(reinterpret_cast<const uint8_t*>(e.server->address.data()), e.server->address.size());
    w.u32(static_cast<uint32_t>(e.server->available_sessions));
  }
}

}  // namespace

std::string_view enum_name(EntryError error) { return sim::name_in(kEntryErrorNames, error); }

sim::Bytes entry_signed_bytes(const Entry& entry) {
  sim::Bytes out;
  WireWriter w(out);
  write_body(w, entry);
  return out;
}

void sign_entry(Entry& entry, const Identity& signer) {
  const sim::Bytes body = entry_signed_bytes(entry);
  entry.signature = signer.sign(body.data(), body.size());
}

bool entry_signature_valid(const Entry& entry) {
  const sim::Bytes body = entry_signed_bytes(entry);
  return verify_signature(entry.static_pk, body.data(), body.size(), entry.signature);
}

sim::Bytes encode_entry(const Entry& entry) {
  sim::Bytes out = entry_signed_bytes(entry);
  WireWriter w(out);
  w.fixed(entry.signature);
  return out;
}

DecodedEntry decode_entry(const uint8_t* data, size_t size) {
  WireReader r(data, size);
  Entry e;
  const sim::Bytes version = r.short_bytes();
  e.version.assign(version.begin(), version.end());
  e.sequence = r.u64();
  e.timestamp = r.i64();
  e.static_pk = r.fixed<32>();
  const uint8_t parts = r.u8();
  if (!r.ok()) return {EntryError::kTruncated, {}};
  if ((parts & ~(kHasClient | kHasServer)) != 0) return {EntryError::kBadParts, {}};
  if ((parts & kHasClient) != 0) {
    const uint16_t count = r.u16();
    if (count > Entry::kMaxDelegatedServers) return {EntryError::kTooManyServers, {}};
    if (r.remaining() < size_t{count} * 32) return {EntryError::kTruncated, {}};
    ClientPart client;
    for (uint16_t i = 0; i < count; ++i) client.delegated_servers.push_back(r.fixed<32>());
    e.client = std::move(client);
  }
  if ((parts & kHasServer) != 0) {
    const sim::Bytes address = r.short_bytes();
    if (address.size() > Entry::kMaxAddressBytes) return {EntryError::kAddressTooLong, {}};
    ServerPart server;
    server.address.assign(address.begin(), address.end());
    server.available_sessions = static_cast<int32_t>(r.u32());
    e.server = std::move(server);
  }
  e.signature = r.fixed<64>();
  if (!r.ok()) return {EntryError::kTruncated, {}};
  if (r.remaining() != 0) return {EntryError::kTrailingBytes, {}};
  return {std::nullopt, std::move(e)};
}

}  // namespace dmsg
