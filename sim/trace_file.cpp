// Trace file sections: framing, checksums and bounded decoding.
#include "sim/trace_file.h"

#include "sim/binary.h"
#include "sim/file_io.h"
#include "sim/fmt.h"
#include "sim/world.h"
#include "sim/xxh3.h"

#include <cstring>

namespace sim {
namespace {

constexpr char kMagic[8] = {'D', 'M', 'S', 'G', 'T', 'R', 'C', 'E'};

enum SectionKind : uint32_t {
  kHeader = 1,          // semantics version, build id, first tick, fork origin
  kRun = 2,             // the run description (opaque here)
  kChain = 3,           // u64 chain hashes
  kSnapshotIndex = 4,   // the snapshot store's entries
  kEnd = 5,             // empty; a file without it was truncated
  kSnapshotPieces = 6,  // a chunk of the snapshot store's pieces (any number of them)
};

// Pieces go to the file in chunks of about this size, so a writer holds one at a time.
constexpr size_t kPieceChunkBytes = 4 << 20;

std::string_view section_name(uint32_t kind) {
  switch (kind) {
    case kHeader:
      return "header";
    case kRun:
      return "run";
    case kChain:
      return "chain";
    case kSnapshotIndex:
      return "snapshot index";
    case kSnapshotPieces:
      return "snapshot pieces";
    case kEnd:
      return "end";
    default:
      return "unknown";
  }
}

struct Header {
  uint32_t semantics_version = 0;
  std::string build_id;
  uint64_t first_tick = 0;
  std::optional<ForkOrigin> fork;

  template <class Visitor>
  void visit(Visitor& v) {
    v("semantics_version", semantics_version);
    v("build_id", build_id);
    v("first_tick", first_tick);
    v("fork", fork);
  }
};

void put_u32(Bytes& out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

void put_u64(Bytes& out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

uint64_t get_le(const uint8_t* data, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value |= uint64_t{data[i]} << (8 * i);
  return value;
}

// A section's frame: kind and length before the body, its checksum after.
Bytes section_head(uint32_t kind, const Bytes& body) {
  Bytes head;
  put_u32(head, kind);
  put_u64(head, body.size());
  return head;
}

Bytes section_tail(const Bytes& body) {
  Bytes tail;
  put_u64(tail, hash_bytes(body.data(), body.size()));
  return tail;
}

struct RawSection {
  uint32_t kind = 0;
  const uint8_t* data = nullptr;
  size_t size = 0;
  size_t offset = 0;  // of the section's start in the file, for messages
};

// Splits the file into sections, checking every length against what remains and every
// checksum, before anything inside a section is decoded.
Result<std::vector<RawSection>> split_sections(const Bytes& file) {
  constexpr size_t kPreamble = sizeof kMagic + 4;
  if (file.size() < sizeof kMagic || std::memcmp(file.data(), kMagic, sizeof kMagic) != 0) {
    return Error{"not a dmsgsim trace: the file does not start with the trace magic"};
  }
  if (file.size() < kPreamble) return Error{"truncated trace: the file ends inside its preamble"};
  const uint32_t version = static_cast<uint32_t>(get_le(file.data() + sizeof kMagic, 4));
  if (version != kTraceFormatVersion) {
    return Error{fmt::format(
        "trace format version {} is not supported: this build reads version {}{}", version, kTraceFormatVersion,
        version > kTraceFormatVersion ? " (the file is newer)"
                                      : " (the file is older: record the run again with this build)")};
  }
  std::vector<RawSection> sections;
  size_t at = kPreamble;
  while (true) {
    constexpr size_t kFrame = 4 + 8;
    if (file.size() - at < kFrame) {
      return Error{fmt::format("truncated trace: the file ends at byte {} inside a section header (after {} sections)",
                               file.size(), sections.size())};
    }
    RawSection section;
    section.offset = at;
    section.kind = static_cast<uint32_t>(get_le(file.data() + at, 4));
    const uint64_t length = get_le(file.data() + at + 4, 8);
    at += kFrame;
    if (length > file.size() - at || file.size() - at - length < 8) {
      return Error{
          fmt::format("truncated or corrupt trace: the {} section at byte {} claims {} bytes, but only {} remain",
                      section_name(section.kind), section.offset, length, file.size() - at)};
    }
    section.data = file.data() + at;
    section.size = static_cast<size_t>(length);
    at += section.size;
    const uint64_t checksum = get_le(file.data() + at, 8);
    at += 8;
    if (hash_bytes(section.data, section.size) != checksum) {
      return Error{fmt::format("corrupt trace: checksum mismatch in the {} section at byte {}",
                               section_name(section.kind), section.offset)};
    }
    if (section.kind == kEnd) {
      if (at != file.size())
        return Error{fmt::format("corrupt trace: {} bytes after the end section", file.size() - at)};
      return sections;
    }
    if (section.kind < kHeader || section.kind > kSnapshotPieces) {
      return Error{fmt::format("corrupt trace: unknown section kind {} at byte {}", section.kind, section.offset)};
    }
    sections.push_back(section);
  }
}

template <class T>
Result<T> decode_body(const RawSection& section) {
  try {
    T value{};
    Reader reader(section.data, section.size);
    reader.read(value);
    if (reader.remaining() != 0) {
      return Error{fmt::format("corrupt trace: {} unexpected bytes in the {} section", reader.remaining(),
                               section_name(section.kind))};
    }
    return value;
  } catch (const DecodeError& e) {
    return Error{fmt::format("corrupt trace: in the {} section: {}", section_name(section.kind), e.what())};
  }
}

}  // namespace

Result<Snapshot> TraceFile::snapshot_at(uint64_t tick) const {
  SIM_ASSERT_MSG(snapshots->has(tick), "no snapshot is kept at tick {}", tick);
  SIM_ASSERT(tick >= first_tick && tick <= last_tick());
  return World::assemble_snapshot(snapshots->parts_at(tick), chain[tick - first_tick]);
}

uint64_t TraceFile::snapshot_tick_at_or_before(uint64_t tick) const {
  const std::optional<uint64_t> kept = snapshots->at_or_before(tick);
  SIM_ASSERT_MSG(kept.has_value(), "a trace keeps a snapshot at its first tick");
  return *kept;
}

std::string this_build_id() {
#if defined(__clang__)
  const std::string compiler = fmt::format("clang {}.{}.{}", __clang_major__, __clang_minor__, __clang_patchlevel__);
#elif defined(__GNUC__)
  const std::string compiler = fmt::format("gcc {}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#else
  const std::string compiler = "unknown compiler";
#endif
#if defined(__OPTIMIZE__)
  return compiler + ", optimized";
#else
  return compiler + ", debug";
#endif
}

// The file, section by section: `emit` gets each frame and body in order (a buffer or a file).
template <class Emit>
void emit_trace(const TraceFile& trace, Emit&& emit) {
  SIM_ASSERT(!trace.chain.empty());
  SIM_ASSERT(trace.snapshots != nullptr);
  Bytes preamble(kMagic, kMagic + sizeof kMagic);
  put_u32(preamble, kTraceFormatVersion);
  emit(preamble);
  const auto section = [&](uint32_t kind, const Bytes& body) {
    emit(section_head(kind, body));
    emit(body);
    emit(section_tail(body));
  };
  section(kHeader, encode(Header{trace.semantics_version, trace.build_id, trace.first_tick, trace.fork}));
  section(kRun, encode(trace.run));
  section(kChain, encode(trace.chain));
  Bytes index;
  trace.snapshots->encode_index(index);
  section(kSnapshotIndex, index);
  trace.snapshots->encode_pieces(kPieceChunkBytes, [&](const Bytes& chunk) { section(kSnapshotPieces, chunk); });
  section(kEnd, {});
}

Bytes encode_trace(const TraceFile& trace) {
  Bytes out;
  emit_trace(trace, [&](const Bytes& part) { out.insert(out.end(), part.begin(), part.end()); });
  return out;
}

Result<uint64_t> write_trace(const std::string& path, const TraceFile& trace) {
  Result<FileWriter> file = FileWriter::create(path);
  if (!file) return file.error();
  Status written = Ok{};
  uint64_t size = 0;
  emit_trace(trace, [&](const Bytes& part) {
    if (written) written = file->append(part);
    size += part.size();
  });
  if (!written) return written.error();
  if (Status closed = file->finish(); !closed) return closed.error();
  return size;
}

Result<TraceFile> decode_trace(const Bytes& file) {
  Result<std::vector<RawSection>> sections = split_sections(file);
  if (!sections) return sections.error();
  TraceFile trace;
  bool have_header = false;
  bool have_run = false;
  bool have_chain = false;
  bool have_snapshots = false;
  SnapshotStore::Span index;
  std::vector<SnapshotStore::Span> piece_chunks;
  for (const RawSection& section : *sections) {
    switch (section.kind) {
      case kHeader: {
        Result<Header> header = decode_body<Header>(section);
        if (!header) return header.error();
        if (header->semantics_version != kTraceSemanticsVersion) {
          return Error{
              fmt::format("the trace was recorded with semantics version {} (build {}); this build replays "
                          "version {}, and would not re-execute it the same way",
                          header->semantics_version, header->build_id, kTraceSemanticsVersion)};
        }
        trace.semantics_version = header->semantics_version;
        trace.build_id = header->build_id;
        trace.first_tick = header->first_tick;
        trace.fork = header->fork;
        have_header = true;
        break;
      }
      case kRun: {
        Result<Bytes> run = decode_body<Bytes>(section);
        if (!run) return run.error();
        trace.run = std::move(run).value();
        have_run = true;
        break;
      }
      case kChain: {
        Result<std::vector<uint64_t>> chain = decode_body<std::vector<uint64_t>>(section);
        if (!chain) return chain.error();
        trace.chain = std::move(chain).value();
        have_chain = true;
        break;
      }
      case kSnapshotIndex:
        if (have_snapshots) return Error{"corrupt trace: two snapshot index sections"};
        index = SnapshotStore::Span{section.data, section.size};
        have_snapshots = true;
        break;
      case kSnapshotPieces:
        piece_chunks.push_back(SnapshotStore::Span{section.data, section.size});
        break;
      default:
        SIM_UNREACHABLE("section kind {} passed the split", section.kind);
    }
  }
  if (!have_header || !have_run || !have_chain || !have_snapshots)
    return Error{"corrupt trace: the header, run, chain or snapshots section is missing"};
  if (trace.chain.empty()) return Error{"corrupt trace: the chain is empty"};
  Result<SnapshotStore> store = SnapshotStore::decode(index, piece_chunks);
  if (!store) return Error{fmt::format("corrupt trace: {}", store.error().message)};
  trace.snapshots = std::make_shared<const SnapshotStore>(std::move(store).value());
  if (trace.chain.size() > UINT64_MAX - trace.first_tick) return Error{"corrupt trace: the chain runs past the clock"};
  if (trace.snapshots->empty() || trace.snapshots->first_tick() != trace.first_tick ||
      trace.snapshots->last_tick() > trace.last_tick()) {
    return Error{"corrupt trace: the snapshots do not start at the trace's first tick within its chain"};
  }
  return trace;
}

std::vector<SectionSize> trace_section_sizes(const TraceFile& trace) {
  const SnapshotStoreStats s = trace.snapshots->stats();
  return {
      {"run", trace.run.size()},
      {"chain", trace.chain.size() * 8},
      {"snapshot index", s.index_bytes},
      {"snapshot pieces", s.piece_stored_bytes},
  };
}

}  // namespace sim
