// Binary Writer and bounded Reader of the canonical encoding: cereal's portable binary
// layout, written and read directly.
#pragma once

#include "sim/hasher.h"
#include "sim/serial.h"
#include "sim/xxh3.h"

#include <cstring>
#include <string_view>

namespace sim {

// What a Writer is producing. A digest encoding differs from a snapshot encoding in one
// way only: structures that keep their own cached digest (ByteQueue's chunk digests)
// contribute that digest instead of their bytes, so an append does not rehash a buffer.
// kDigestFromScratch gives the same bytes as kDigest while bypassing those caches; it
// exists to check them.
enum class Encoding { kSnapshot, kDigest, kDigestFromScratch };

// Where a snapshot writer that shares pieces (the snapshot store's) hands bytes whose piece
// id a structure already knows (a ByteQueue's full chunks): the bytes written so far go
// first, then the piece by its id, so neither is cut or hashed again.
class PieceSink {
 public:
  virtual ~PieceSink() = default;
  // `written`: the encoding since the last piece (the sink takes and clears it). `data`
  // may be null when holds() said yes to the id: the sink has the bytes already.
  virtual void known_piece(Bytes& written, const uint8_t* data, size_t size, uint64_t id_low, uint64_t id_high) = 0;
  virtual bool holds(uint64_t id_low, uint64_t id_high) const = 0;
};

// The longest piece of a snapshot (sim/piece_store.h); a stored piece claiming more is corrupt.
constexpr size_t kMaxPieceBytes = 8192;

// What an entry's encoding named as pieces inside it (Writer::write_cached_piece), held
// until the entry is known not to be a piece itself, then handed on to the outer sink.
class NestedPieces final : public PieceSink {
 public:
  explicit NestedPieces(PieceSink& outer) : outer_(outer) {}
  void known_piece(Bytes& written, const uint8_t* data, size_t size, uint64_t id_low, uint64_t id_high) override;
  bool holds(uint64_t id_low, uint64_t id_high) const override { return outer_.holds(id_low, id_high); }
  bool empty() const { return nested_.empty(); }
  // Appends the entry's encoding to `out` as if written there through `sink`: the bytes
  // before each piece, the piece to the sink, and `tail` (the bytes after the last one).
  void hand_on(PieceSink& sink, Bytes& out, const Bytes& tail);

 private:
  struct Nested {
    Bytes before;
    Bytes bytes;  // a copy, where the outer sink does not hold the piece
    bool held;
    uint64_t id_low;
    uint64_t id_high;
  };
  PieceSink& outer_;
  std::vector<Nested> nested_;
};

// The id a structure keeps for a piece of its own encoding (a table entry), valid until
// the entry changes.
struct CachedPieceId {
  uint64_t low = 0;
  uint64_t high = 0;
  bool valid = false;
};

// Canonical little-endian encoding: fixed-width integers, u64 lengths before containers,
// maps and sets in key order, optionals as a presence byte. Deterministic by construction.
//
// The layout is cereal's portable binary archive's (a byte-order marker, then raw
// little-endian values; tests hold the two to byte equality), written directly into a
// vector or straight into a Hasher: cereal's archives go through a stream call per value,
// which cost half of a snapshot's encoding and restoring, and digests, computed for every
// changed entity at every tick, cannot afford a vector per digest either.
class Writer {
 public:
  Writer(Bytes& out, Encoding encoding);
  // A snapshot encoding that continues one begun elsewhere: appended to `out` without the
  // opening marker (a part of a world's state, put together with the others later).
  struct Continuing {};
  Writer(Bytes& out, Continuing);
  // A digest encoding fed straight into `hasher` (the same bytes, never kept).
  Writer(Hasher& hasher, Encoding encoding);
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  Encoding encoding() const { return encoding_; }

  // A snapshot writer for the snapshot store: structures that know their pieces' ids hand
  // them over instead of writing their bytes (PieceSink).
  void set_piece_sink(PieceSink* sink) { sink_ = sink; }
  bool shares_pieces() const { return sink_ != nullptr; }
  // `size` bytes whose XXH3-128 is (id_low, id_high): to the sink, or written as bytes.
  void write_known_piece(const uint8_t* data, size_t size, uint64_t id_low, uint64_t id_high) {
    if (sink_ == nullptr) return write_bytes(data, size);
    sink_->known_piece(*out_, data, size, id_low, id_high);
  }
  // A piece of the encoding that `encode` writes (through a writer of its own), named by
  // the id cached in `cached` if the sink holds it already: then it is not encoded at all.
  // Without a sink, or for a piece too big to be one, it is written as bytes.
  template <class Encode>
  void write_cached_piece(CachedPieceId& cached, Encode&& encode);

  template <class T>
  requires(std::is_integral_v<T> || std::is_enum_v<T>) [[gnu::always_inline]] void operator()(const char* /*name*/,
                                                                                              const T& value) {
    write_scalar(value);
  }
  template <class T>
  void operator()(const char* /*name*/, const T& value) {
    write(value);
  }

  template <class T>
  void write(const T& value) {
    if constexpr (std::is_integral_v<T> || std::is_enum_v<T>) {
      write_scalar(value);
    } else if constexpr (std::is_same_v<T, std::string>) {
      write_length(value.size());
      write_bytes(reinterpret_cast<const uint8_t*>(value.data()), value.size());
    } else if constexpr (std::is_same_v<T, Bytes>) {
      write_length(value.size());
      write_bytes(value.data(), value.size());
    } else if constexpr (traits::is_byte_array<T>::value) {
      write_bytes(value.data(), value.size());
    } else if constexpr (traits::is_vector<T>::value || traits::is_sliding_vector<T>::value ||
                         traits::is_bounded_vector<T>::value || traits::is_set<T>::value) {
      write_length(value.size());
      for (const auto& item : value) write(item);
    } else if constexpr (traits::is_map<T>::value) {
      write_length(value.size());
      for (const auto& [key, item] : value) {
        write(key);
        write(item);
      }
    } else if constexpr (traits::is_optional<T>::value) {
      write(value.has_value());
      if (value) write(*value);
    } else if constexpr (traits::has_custom_encoding<T, Writer>::value) {
      value.save(*this);
    } else {
      static_assert(traits::has_visit<T>::value, "state types list their fields in visit()");
      visit_fields(value, *this);
    }
  }

  void write_bytes(const uint8_t* data, size_t size);

 private:
  // Most fields are scalars, and a state digest writes thousands of them a tick: this is
  // inlined into every visit, where a call per field cost a fifth of a transfer's time.
  template <class T>
  [[gnu::always_inline]] void write_scalar(T value) {
    if constexpr (std::is_same_v<T, bool>) {
      write_raw(static_cast<uint8_t>(value ? 1 : 0));
    } else if constexpr (std::is_enum_v<T>) {
      write_raw(static_cast<std::underlying_type_t<T>>(value));
    } else {
      write_raw(value);
    }
  }

  template <class T>
  [[gnu::always_inline]] void write_raw(T value) {
    static_assert(std::is_integral_v<T>);
    if (hasher_ != nullptr) {
      hasher_->add_integer(value);  // the per-tick state hash: kept inline and short
      return;
    }
    const std::array<uint8_t, sizeof(T)> bytes = little_endian_bytes(value);
    put(bytes.data(), bytes.size());
  }
  // The output: appended to the vector, or fed to the hasher.
  void put(const uint8_t* data, size_t size) {
    if (hasher_ != nullptr) {
      hasher_->add(data, size);
      return;
    }
    const size_t at = out_->size();
    out_->resize(at + size);
    std::memcpy(out_->data() + at, data, size);
  }
  void write_length(size_t size) { write_raw(static_cast<uint64_t>(size)); }

  Encoding encoding_;
  Bytes* out_ = nullptr;
  Hasher* hasher_ = nullptr;
  PieceSink* sink_ = nullptr;
};

// Decodes what a Writer wrote, trusting nothing: every length is bounded by the bytes
// that remain before anything is allocated, and a short read is a DecodeError. Only
// decode functions that catch DecodeError own a Reader.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size);
  explicit Reader(const Bytes& data) : Reader(data.data(), data.size()) {}
  // Reads what a Writer made with Writer::Continuing: no opening marker.
  Reader(const uint8_t* data, size_t size, Writer::Continuing) : data_(data), size_(size) {}
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  size_t remaining() const { return size_ - at_; }

  template <class T>
  void operator()(const char* name, T& value) {
    field_ = name;
    read(value);
  }

  template <class T>
  void read(T& value) {
    if constexpr (std::is_same_v<T, bool>) {
      uint8_t byte = 0;
      read_raw(byte);
      if (byte > 1) fail("a boolean byte is neither 0 nor 1");
      value = byte == 1;
    } else if constexpr (std::is_enum_v<T>) {
      std::underlying_type_t<T> raw{};
      read_raw(raw);
      value = static_cast<T>(raw);
    } else if constexpr (std::is_integral_v<T>) {
      read_raw(value);
    } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, Bytes>) {
      const size_t size = read_length(1);
      value.resize(size);
      read_bytes(reinterpret_cast<uint8_t*>(value.data()), size);
    } else if constexpr (traits::is_byte_array<T>::value) {
      read_bytes(value.data(), value.size());
    } else if constexpr (traits::is_vector<T>::value || traits::is_sliding_vector<T>::value) {
      // Fixed-width items bound the count more tightly before anything is reserved.
      using Item = typename T::value_type;
      const size_t size = read_length(std::is_integral_v<Item> ? sizeof(Item) : 1);
      value.clear();
      value.reserve(size);
      for (size_t i = 0; i < size; ++i) read(value.emplace_back());
    } else if constexpr (traits::is_bounded_vector<T>::value) {
      const size_t size = read_length(1);
      if (size > T::kCapacity) {
        fail("a list of " + std::to_string(size) + " items exceeds its bound of " + std::to_string(T::kCapacity));
      }
      value.clear();
      for (size_t i = 0; i < size; ++i) {
        typename T::value_type item{};
        read(item);
        value.push_back(item);
      }
    } else if constexpr (traits::is_set<T>::value) {
      const size_t size = read_length(1);
      value.clear();
      for (size_t i = 0; i < size; ++i) {
        typename T::value_type item{};
        read(item);
        if (!value.empty() && !(*value.rbegin() < item)) fail("set items are not in increasing order");
        value.insert(value.end(), std::move(item));
      }
    } else if constexpr (traits::is_map<T>::value) {
      const size_t size = read_length(1);
      value.clear();
      for (size_t i = 0; i < size; ++i) {
        typename T::key_type key{};
        read(key);
        if (!value.empty() && !(value.rbegin()->first < key)) fail("map keys are not in increasing order");
        read(value[key]);
      }
    } else if constexpr (traits::is_optional<T>::value) {
      bool present = false;
      read(present);
      if (!present) {
        value.reset();
      } else {
        read(value.emplace());
      }
    } else if constexpr (traits::has_custom_decoding<T, Reader>::value) {
      value.load(*this);
    } else {
      static_assert(traits::has_visit<T>::value, "state types list their fields in visit()");
      value.visit(*this);
    }
  }

  void read_bytes(uint8_t* data, size_t size);
  // Reads a u64 length and checks that `size * min_item_bytes` bytes remain.
  size_t read_length(size_t min_item_bytes);
  [[noreturn]] void fail(std::string_view what) const;

 private:
  template <class T>
  void read_raw(T& value) {
    static_assert(std::is_integral_v<T>);
    if (remaining() < sizeof(T)) fail("the input ends in the middle of a value");
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(&value, data_ + at_, sizeof(T));
    } else {
      std::make_unsigned_t<T> raw = 0;
      for (size_t i = 0; i < sizeof(T); ++i) raw |= static_cast<std::make_unsigned_t<T>>(data_[at_ + i]) << (8 * i);
      value = static_cast<T>(raw);
    }
    at_ += sizeof(T);
  }

  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
  const char* field_ = "(start)";
};

// Encodes one value on its own.
template <class T>
Bytes encode(const T& value, Encoding encoding = Encoding::kSnapshot) {
  Bytes out;
  Writer writer(out, encoding);
  writer.write(value);
  return out;
}

template <class Encode>
void Writer::write_cached_piece(CachedPieceId& cached, Encode&& encode) {
  if (sink_ == nullptr) {
    encode(*this);
    return;
  }
  if (cached.valid && sink_->holds(cached.low, cached.high)) {
    sink_->known_piece(*out_, nullptr, 0, cached.low, cached.high);
    return;
  }
  Bytes bytes;
  NestedPieces nested(*sink_);
  Writer piece(bytes, Continuing{});
  piece.set_piece_sink(&nested);
  encode(piece);
  // An entry that names pieces of its own (a connection's buffer chunks) or is too big is
  // no piece: its bytes go into this encoding with its pieces handed on, not copied.
  if (bytes.empty() || bytes.size() > kMaxPieceBytes || !nested.empty()) {
    nested.hand_on(*sink_, *out_, bytes);
    return;
  }
  const XXH128_hash_t id = XXH3_128bits(bytes.data(), bytes.size());
  cached = CachedPieceId{id.low64, id.high64, true};
  sink_->known_piece(*out_, bytes.data(), bytes.size(), id.low64, id.high64);
}

}  // namespace sim
