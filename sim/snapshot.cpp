// The standalone snapshot file format.
#include "sim/snapshot.h"

#include "sim/binary.h"

#include "sim/fmt.h"
#include "sim/xxh3.h"

#include <cstring>

namespace sim {
namespace {

constexpr std::array<uint8_t, 8> kMagic = {'D', 'M', 'S', 'G', 'S', 'N', 'A', 'P'};
constexpr uint32_t kFileVersion = 1;

struct FileHeader {
  std::array<uint8_t, 8> magic = kMagic;
  uint32_t version = kFileVersion;
  uint64_t tick = 0;
  uint64_t state_hash = 0;
  uint64_t chain_hash = 0;

  template <class Visitor>
  void visit(Visitor& v) {
    v("magic", magic);
    v("version", version);
    v("tick", tick);
    v("state_hash", state_hash);
    v("chain_hash", chain_hash);
  }
};

}  // namespace

Bytes encode_snapshot_file(const Snapshot& snapshot) {
  Bytes out;
  {
    Writer writer(out, Encoding::kSnapshot);
    FileHeader header;
    header.tick = snapshot.tick;
    header.state_hash = snapshot.state_hash;
    header.chain_hash = snapshot.chain_hash;
    writer.write(header);
    writer.write(snapshot.state);
  }
  const uint64_t checksum = XXH3_64bits(out.data(), out.size());
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(checksum >> (8 * i)));
  return out;
}

Result<Snapshot> decode_snapshot_file(const Bytes& file) {
  if (file.size() < 8 + 1 + kMagic.size()) {
    return Error{fmt::format("not a dmsgsim snapshot: {} bytes is too short", file.size())};
  }
  // The magic follows cereal's one-byte endianness marker.
  if (std::memcmp(file.data() + 1, kMagic.data(), kMagic.size()) != 0) {
    return Error{"not a dmsgsim snapshot: wrong magic bytes"};
  }
  const size_t body = file.size() - 8;
  uint64_t stored = 0;
  for (int i = 0; i < 8; ++i) stored |= uint64_t{file[body + static_cast<size_t>(i)]} << (8 * i);
  if (XXH3_64bits(file.data(), body) != stored) {
    return Error{"corrupt snapshot: checksum mismatch (the file was truncated or changed)"};
  }
  try {
    Reader reader(file.data(), body);
    FileHeader header;
    reader.read(header);
    if (header.version != kFileVersion) {
      return Error{fmt::format("snapshot format version {} is not supported (this build reads version {})",
                               header.version, kFileVersion)};
    }
    Snapshot snapshot;
    snapshot.tick = header.tick;
    snapshot.state_hash = header.state_hash;
    snapshot.chain_hash = header.chain_hash;
    reader.read(snapshot.state);
    if (reader.remaining() != 0) return Error{"corrupt snapshot: trailing bytes after the state"};
    return snapshot;
  } catch (const DecodeError& e) {
    return Error{fmt::format("corrupt snapshot: {}", e.what())};
  }
}

}  // namespace sim
