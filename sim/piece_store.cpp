// Content-defined cutting, and the compressed, content-addressed pieces.
#include "sim/piece_store.h"

#include "sim/binary.h"
#include "sim/fmt.h"
#include "sim/xxh3.h"

#include <zstd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <optional>

namespace sim {
namespace {

constexpr size_t kMinPiece = 64;
constexpr uint64_t kBoundaryMask = (uint64_t{1} << 8) - 1;  // about 256 bytes past the minimum
// zstd's fast mode: pieces are written every tick (level 1 took 10 % longer, for the same size).
constexpr int kZstdLevel = -1;
// Smaller pieces (a table entry) are kept raw: zstd's frame costs more than it saves there.
constexpr size_t kMinCompressedPiece = 128;

// The gear table: 256 fixed pseudo-random words (splitmix64 from 0), the same in every build.
constexpr std::array<uint64_t, 256> make_gear() {
  std::array<uint64_t, 256> table{};
  uint64_t state = 0;
  for (uint64_t& word : table) {
    state += 0x9e3779b97f4a7c15ULL;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    word = z ^ (z >> 31);
  }
  return table;
}
constexpr std::array<uint64_t, 256> kGear = make_gear();

}  // namespace

PieceId PieceId::of(const uint8_t* data, size_t size) {
  const XXH128_hash_t h = XXH3_128bits(data, size);
  return PieceId{h.low64, h.high64};
}

namespace {

// The end of the piece that starts at `start`.
size_t next_cut_end(const uint8_t* data, size_t size, size_t start) {
  const size_t limit = std::min(size, start + kMaxPieceBytes);
  size_t at = std::min(limit, start + kMinPiece);
  uint64_t hash = 0;
  while (at < limit) {
    hash = (hash << 1) + kGear[data[at]];
    ++at;
    if ((hash & kBoundaryMask) == 0) break;
  }
  return at;
}

// The memo's pieces by their first 8 bytes, for finding where a cut falls back in step
// with them after a change.
class MemoIndex {
 public:
  explicit MemoIndex(const CutMemo& memo) : memo_(memo) {}
  size_t start(size_t k) const { return k == 0 ? 0 : memo_.ends[k - 1]; }
  size_t length(size_t k) const { return memo_.ends[k] - start(k); }

  // Whether the memo's piece k is the piece a full cut of `data` makes at `at` (a boundary
  // of that cut): the same bytes, and, for the memo's last piece, also the last here (it
  // ended for lack of bytes, not at a boundary).
  bool is_piece_at(size_t k, const uint8_t* data, size_t size, size_t at) const {
    const size_t len = length(k);
    if (size - at < len) return false;
    if (k + 1 == memo_.ends.size() && at + len != size) return false;
    return std::memcmp(data + at, memo_.bytes.data() + start(k), len) == 0;
  }
  // A memo piece that is the piece at `at`, if any.
  std::optional<size_t> find(const uint8_t* data, size_t size, size_t at) {
    if (size - at < 8) return std::nullopt;
    if (!indexed_) index_keys();
    const uint64_t key = key_at(data + at);
    auto it = std::lower_bound(keys_.begin(), keys_.end(), std::pair<uint64_t, size_t>{key, 0});
    for (; it != keys_.end() && it->first == key; ++it) {
      if (is_piece_at(it->second, data, size, at)) return it->second;
    }
    return std::nullopt;
  }

 private:
  static uint64_t key_at(const uint8_t* p) {
    uint64_t key = 0;
    std::memcpy(&key, p, 8);
    return key;
  }
  // Made at the first search: a part that changed in one place never needs it.
  void index_keys() {
    for (size_t k = 0; k < memo_.ends.size(); ++k) {
      if (length(k) >= 8) keys_.emplace_back(key_at(memo_.bytes.data() + start(k)), k);
    }
    std::sort(keys_.begin(), keys_.end());
    indexed_ = true;
  }

  const CutMemo& memo_;
  bool indexed_ = false;
  std::vector<std::pair<uint64_t, size_t>> keys_;
};

}  // namespace

std::vector<size_t> cut_pieces(const uint8_t* data, size_t size) {
  std::vector<size_t> ends;
  for (size_t start = 0; start < size;) {
    start = next_cut_end(data, size, start);
    ends.push_back(start);
  }
  return ends;
}

void cut_and_keep(PieceStore& store, Bytes& bytes, bool compress, CutMemo& memo, std::vector<PieceId>& ids) {
  SIM_ASSERT_EQ(memo.ends.size(), memo.ids.size());
  SIM_ASSERT(memo.ends.empty() ? memo.bytes.empty() : memo.ends.back() == memo.bytes.size());
  if (bytes.empty()) {  // between two named pieces (a table's entries): nothing to cut
    memo.bytes.clear();
    memo.ends.clear();
    memo.ids.clear();
    return;
  }
  const uint8_t* data = bytes.data();
  const size_t size = bytes.size();
  MemoIndex index(memo);
  const bool memo_pieces_may_be_dropped = memo.store_drops != store.drops();
  std::vector<size_t> ends;
  std::vector<PieceId> new_ids;
  // The piece at each boundary is the memo's when the bytes are (the memo's next piece
  // first, then any of them), and is cut afresh only where they changed: a boundary depends
  // on the bytes of its piece alone, so the result is the full cut's.
  std::optional<size_t> next_memo_piece = size_t{0};
  for (size_t at = 0; at < size;) {
    std::optional<size_t> k;
    if (next_memo_piece && *next_memo_piece < memo.ends.size() && index.is_piece_at(*next_memo_piece, data, size, at)) {
      k = next_memo_piece;
    } else {
      k = index.find(data, size, at);
    }
    if (k) {
      const PieceId& id = memo.ids[*k];
      // Kept again if the budget dropped it since.
      if (memo_pieces_may_be_dropped && !store.contains(id)) store.put(data + at, index.length(*k), compress);
      new_ids.push_back(id);
      at += index.length(*k);
      next_memo_piece = *k + 1;
    } else {
      const size_t end = next_cut_end(data, size, at);
      new_ids.push_back(store.put(data + at, end - at, compress));
      at = end;
      next_memo_piece.reset();
    }
    ends.push_back(at);
  }
  ids.insert(ids.end(), new_ids.begin(), new_ids.end());
  memo.ends = std::move(ends);
  memo.ids = std::move(new_ids);
  memo.store_drops = store.drops();
  std::swap(memo.bytes, bytes);
  bytes.clear();
}

struct PieceStore::Codec {
  ZSTD_CCtx* compress = ZSTD_createCCtx();
  ZSTD_DCtx* decompress = ZSTD_createDCtx();
  Bytes scratch;
  Codec() { SIM_ASSERT_MSG(compress != nullptr && decompress != nullptr, "zstd could not make its contexts"); }
  ~Codec() {
    ZSTD_freeCCtx(compress);
    ZSTD_freeDCtx(decompress);
  }
  Codec(const Codec&) = delete;
  Codec& operator=(const Codec&) = delete;
};

PieceStore::PieceStore() = default;
PieceStore::~PieceStore() = default;
PieceStore::PieceStore(PieceStore&&) noexcept = default;
PieceStore& PieceStore::operator=(PieceStore&&) noexcept = default;

PieceStore::PieceStore(const PieceStore& other) { *this = other; }

PieceStore& PieceStore::operator=(const PieceStore& other) {
  if (this != &other) {
    pieces_ = other.pieces_;
    table_ = other.table_;
    raw_bytes_ = other.raw_bytes_;
    stored_bytes_ = other.stored_bytes_;
    drops_ = other.drops_;
    tracking_unwritten_ = other.tracking_unwritten_;
    unwritten_from_ = other.unwritten_from_;
    unwritten_stored_bytes_ = other.unwritten_stored_bytes_;
  }
  return *this;
}

PieceStore::Codec& PieceStore::codec() const {
  if (codec_ == nullptr) codec_ = std::make_unique<Codec>();
  return *codec_;
}

const PieceStore::Stored* PieceStore::find(const PieceId& id) const {
  if (table_.empty()) return nullptr;
  const size_t mask = table_.size() - 1;
  for (size_t slot = id.low & mask;; slot = (slot + 1) & mask) {
    const uint32_t position = table_[slot];
    if (position == 0) return nullptr;
    if (pieces_[position - 1].id == id) return &pieces_[position - 1];
  }
}

void PieceStore::place(uint32_t position) {
  const size_t mask = table_.size() - 1;
  size_t slot = pieces_[position].id.low & mask;
  while (table_[slot] != 0) slot = (slot + 1) & mask;
  table_[slot] = position + 1;
}

void PieceStore::rebuild_table() {
  table_.assign(std::max<size_t>(1024, std::bit_ceil(pieces_.size() * 2 + 1)), 0);
  for (uint32_t p = 0; p < pieces_.size(); ++p) place(p);
}

void PieceStore::push(Stored stored) {
  SIM_ASSERT_LT(pieces_.size(), size_t{UINT32_MAX - 1});
  raw_bytes_ += stored.raw_size;
  stored_bytes_ += stored.bytes.size();
  if (tracking_unwritten_) unwritten_stored_bytes_ += stored.bytes.size();
  pieces_.push_back(std::move(stored));
  // At most half full, so that probes stay short.
  if (pieces_.size() * 2 > table_.size()) {
    rebuild_table();
  } else {
    place(static_cast<uint32_t>(pieces_.size() - 1));
  }
}

void PieceStore::retain(const std::set<PieceId>& reached) {
  std::vector<Stored> kept;
  kept.reserve(reached.size());
  size_t kept_written = 0;
  for (size_t p = 0; p < pieces_.size(); ++p) {
    Stored& s = pieces_[p];
    const bool unwritten = tracking_unwritten_ && p >= unwritten_from_;
    if (!unwritten && reached.count(s.id) == 0) {
      raw_bytes_ -= s.raw_size;
      stored_bytes_ -= s.bytes.size();
      continue;
    }
    if (!unwritten) ++kept_written;
    kept.push_back(std::move(s));
  }
  if (kept.size() < pieces_.size()) ++drops_;
  pieces_ = std::move(kept);
  if (tracking_unwritten_) unwritten_from_ = kept_written;
  rebuild_table();
}

void PieceStore::put_known(const PieceId& id, const uint8_t* data, size_t size) {
  SIM_ASSERT_LE(size, kMaxPieceBytes);
  if (find(id) == nullptr) add_new(id, data, size, /*try_compress=*/true);
}

PieceId PieceStore::put(const uint8_t* data, size_t size, bool compress) {
  SIM_ASSERT_LE(size, kMaxPieceBytes);
  const PieceId id = PieceId::of(data, size);
  if (find(id) == nullptr) add_new(id, data, size, compress);
  return id;
}

void PieceStore::add_new(const PieceId& id, const uint8_t* data, size_t size, bool try_compress) {
  Stored stored;
  stored.id = id;
  stored.raw_size = static_cast<uint32_t>(size);
  size_t packed = size;
  Codec& codec = this->codec();
  Bytes& scratch = codec.scratch;
  if (try_compress && size >= kMinCompressedPiece) {
    scratch.resize(ZSTD_compressBound(size));
    packed = ZSTD_compressCCtx(codec.compress, scratch.data(), scratch.size(), data, size, kZstdLevel);
    SIM_ASSERT_MSG(!ZSTD_isError(packed), "zstd failed to compress a piece: {}", ZSTD_getErrorName(packed));
  }
  if (packed < size) {
    stored.compressed = true;
    stored.bytes.assign(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(packed));
  } else {
    stored.bytes.assign(data, data + size);
  }
  push(std::move(stored));
}

Status PieceStore::append_to(const PieceId& id, Bytes& out) const {
  const Stored* found = find(id);
  if (found == nullptr) return Error{"a piece is missing"};
  const Stored& s = *found;
  const size_t at = out.size();
  if (!s.compressed) {
    out.insert(out.end(), s.bytes.begin(), s.bytes.end());
  } else {
    out.resize(at + s.raw_size);
    const size_t got =
        ZSTD_decompressDCtx(codec().decompress, out.data() + at, s.raw_size, s.bytes.data(), s.bytes.size());
    if (ZSTD_isError(got) || got != s.raw_size) {
      out.resize(at);
      return Error{"a piece does not decompress to its size"};
    }
  }
  if (!s.verified) {
    if (PieceId::of(out.data() + at, out.size() - at) != id) {
      out.resize(at);
      return Error{"a piece's bytes do not match its id"};
    }
    s.verified = true;
  }
  return Ok{};
}

Bytes PieceStore::encode_range(size_t from, size_t to) const {
  Bytes out;
  Writer writer(out, Encoding::kSnapshot);
  writer.write(static_cast<uint64_t>(to - from));
  for (size_t i = from; i < to; ++i) {
    const Stored& s = pieces_[i];
    writer.write(s.id);
    writer.write(s.raw_size);
    writer.write(s.compressed);
    writer.write(s.bytes);
  }
  return out;
}

void PieceStore::encode(Bytes& out) const {
  const Bytes all = encode_range(0, pieces_.size());
  out.insert(out.end(), all.begin(), all.end());
}

Status PieceStore::add_stored(Stored stored) {
  if (stored.raw_size > kMaxPieceBytes) return Error{fmt::format("a piece claims {} bytes", stored.raw_size)};
  if (!stored.compressed && stored.bytes.size() != stored.raw_size) {
    return Error{"an uncompressed piece is not its stated size"};
  }
  if (pieces_.size() >= UINT32_MAX - 1) return Error{"too many pieces"};
  if (find(stored.id) != nullptr) return Ok{};  // written again by a streamed trace: the same bytes
  stored.verified = false;
  push(std::move(stored));
  return Ok{};
}

Status PieceStore::decode_chunk(const uint8_t* data, size_t size) {
  try {
    Reader reader(data, size);
    // Each piece takes at least its id, size, flag and a length.
    const size_t count = reader.read_length(kPieceIdBytes + 4 + 1 + 8);
    for (size_t i = 0; i < count; ++i) {
      Stored stored;
      reader.read(stored.id);
      reader.read(stored.raw_size);
      reader.read(stored.compressed);
      reader.read(stored.bytes);
      if (Status added = add_stored(std::move(stored)); !added) {
        return Error{fmt::format("piece {} of {}: {}", i, count, added.error().message)};
      }
    }
    if (reader.remaining() != 0) return Error{"unexpected bytes after the last piece"};
  } catch (const DecodeError& e) {
    return Error{e.what()};
  }
  return Ok{};
}

Result<PieceStore> PieceStore::decode(const uint8_t* data, size_t size) {
  PieceStore store;
  if (Status ok = store.decode_chunk(data, size); !ok) return ok.error();
  return store;
}

}  // namespace sim
