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
  kHeader = 1,           // semantics version, build id, first tick, fork origin
  kRun = 2,              // the run description (opaque here)
  kChain = 3,            // the chain's next u64 hashes; closes a segment
  kSnapshotEntries = 4,  // the snapshot store's next entries
  kEnd = 5,              // the thinning figures; a file without it stopped recording
  kSnapshotPieces = 6,   // a chunk of the snapshot store's pieces (any number of them)
  kRunAddition = 7,      // what the run added to its description (opaque here)
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
    case kSnapshotEntries:
      return "snapshot entries";
    case kSnapshotPieces:
      return "snapshot pieces";
    case kRunAddition:
      return "run addition";
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

struct RawSection {
  uint32_t kind = 0;
  const uint8_t* data = nullptr;
  size_t size = 0;
  size_t offset = 0;  // of the section's start in the file, for messages
};

// The file's sections, each length checked against what remains and each checksum
// checked, before anything inside a section is decoded. A file that ends inside a
// section, or after a whole one but without the end section, stopped recording: its
// sections up to the last chain (the last closed segment) are the trace.
struct SplitFile {
  std::vector<RawSection> sections;
  bool interrupted = false;
  std::string stopped_at;  // for an interrupted file: where and how it ends
};

Status check_preamble(const Bytes& file) {
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
  return Ok{};
}

// Drops the sections after the last chain section: a segment the recording did not close.
Result<SplitFile> interrupted_at(std::vector<RawSection> sections, std::string stopped_at) {
  while (!sections.empty() && sections.back().kind != kChain) sections.pop_back();
  if (sections.empty()) {
    return Error{
        fmt::format("truncated trace: the recording stopped before its first segment was written ({})", stopped_at)};
  }
  return SplitFile{std::move(sections), true, std::move(stopped_at)};
}

Result<SplitFile> split_sections(const Bytes& file) {
  if (Status ok = check_preamble(file); !ok) return ok.error();
  std::vector<RawSection> sections;
  size_t at = sizeof kMagic + 4;
  while (true) {
    constexpr size_t kFrame = 4 + 8;
    if (at == file.size()) return interrupted_at(std::move(sections), fmt::format("no end section after byte {}", at));
    if (file.size() - at < kFrame) {
      return interrupted_at(std::move(sections),
                            fmt::format("the file ends at byte {} inside a section's frame", file.size()));
    }
    RawSection section;
    section.offset = at;
    section.kind = static_cast<uint32_t>(get_le(file.data() + at, 4));
    if (section.kind < kHeader || section.kind > kRunAddition) {
      return Error{fmt::format("corrupt trace: unknown section kind {} at byte {}", section.kind, section.offset)};
    }
    const uint64_t length = get_le(file.data() + at + 4, 8);
    at += kFrame;
    if (length > file.size() - at || file.size() - at - length < 8) {
      return interrupted_at(std::move(sections),
                            fmt::format("the {} section at byte {} claims {} bytes, but only {} remain",
                                        section_name(section.kind), section.offset, length, file.size() - at));
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
    sections.push_back(section);
    if (section.kind == kEnd) {
      if (at != file.size())
        return Error{fmt::format("corrupt trace: {} bytes after the end section", file.size() - at)};
      return SplitFile{std::move(sections), false, ""};
    }
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

Result<TraceFileWriter> TraceFileWriter::create(const std::string& path, const TraceHead& head) {
  Result<FileWriter> file = FileWriter::create(path);
  if (!file) return file.error();
  TraceFileWriter writer(std::move(file).value(), nullptr);
  if (Status ok = writer.start(head); !ok) return ok.error();
  return writer;
}

TraceFileWriter TraceFileWriter::in_memory(Bytes& out, const TraceHead& head) {
  TraceFileWriter writer(std::nullopt, &out);
  const Status started = writer.start(head);
  SIM_ASSERT(started.ok());  // memory takes every byte
  return writer;
}

Status TraceFileWriter::start(const TraceHead& head) {
  Bytes preamble(kMagic, kMagic + sizeof kMagic);
  put_u32(preamble, kTraceFormatVersion);
  if (Status ok = append(preamble); !ok) return ok;
  const Header header{head.semantics_version, head.build_id, head.first_tick, head.fork};
  if (Status ok = section(kHeader, encode(header)); !ok) return ok;
  return section(kRun, encode(head.run));
}

Status TraceFileWriter::append(const Bytes& bytes) {
  size_ += bytes.size();
  if (memory_ != nullptr) {
    memory_->insert(memory_->end(), bytes.begin(), bytes.end());
    return Ok{};
  }
  return file_->append(bytes);
}

Status TraceFileWriter::section(uint32_t kind, const Bytes& body) {
  Bytes frame;
  put_u32(frame, kind);
  put_u64(frame, body.size());
  Bytes tail;
  put_u64(tail, hash_bytes(body.data(), body.size()));
  for (const Bytes* part : std::initializer_list<const Bytes*>{&frame, &body, &tail}) {
    if (Status ok = append(*part); !ok) return ok;
  }
  return Ok{};
}

Status TraceFileWriter::add_pieces(const Bytes& chunk) { return section(kSnapshotPieces, chunk); }

Status TraceFileWriter::add_entries(const Bytes& entries) { return section(kSnapshotEntries, entries); }

Status TraceFileWriter::add_run_addition(const Bytes& addition) { return section(kRunAddition, encode(addition)); }

Status TraceFileWriter::close_segment(const uint64_t* hashes, size_t count) {
  if (Status ok = section(kChain, encode(std::vector<uint64_t>(hashes, hashes + count))); !ok) return ok;
  return file_ ? file_->flush() : Status(Ok{});
}

Result<uint64_t> TraceFileWriter::finish(SnapshotStore::Thinning thinning) {
  Bytes end;
  put_u64(end, thinning.passes);
  put_u64(end, thinning.ticks);
  if (Status ok = section(kEnd, end); !ok) return ok.error();
  if (file_) {
    if (Status ok = file_->finish(); !ok) return ok.error();
  }
  return size_;
}

namespace {

// The whole trace as one segment.
Status write_whole(const TraceFile& trace, TraceFileWriter& writer) {
  SIM_ASSERT(!trace.chain.empty());
  SIM_ASSERT(trace.snapshots != nullptr);
  Status written = Ok{};
  trace.snapshots->encode_pieces(kPieceChunkBytes, [&](const Bytes& chunk) {
    if (written) written = writer.add_pieces(chunk);
  });
  if (!written) return written;
  Bytes entries;
  trace.snapshots->encode_entries(entries);
  if (Status ok = writer.add_entries(entries); !ok) return ok;
  for (const Bytes& addition : trace.run_additions) {
    if (Status ok = writer.add_run_addition(addition); !ok) return ok;
  }
  return writer.close_segment(trace.chain.data(), trace.chain.size());
}

TraceHead head_of(const TraceFile& trace) {
  return TraceHead{trace.semantics_version, trace.build_id, trace.first_tick, trace.fork, trace.run};
}

}  // namespace

Result<uint64_t> write_trace(const std::string& path, const TraceFile& trace) {
  Result<TraceFileWriter> writer = TraceFileWriter::create(path, head_of(trace));
  if (!writer) return writer.error();
  if (Status ok = write_whole(trace, *writer); !ok) return ok.error();
  return writer->finish(trace.snapshots->thinning());
}

Bytes encode_trace(const TraceFile& trace) {
  Bytes out;
  TraceFileWriter writer = TraceFileWriter::in_memory(out, head_of(trace));
  const Status written = write_whole(trace, writer);
  SIM_ASSERT(written.ok());
  const Result<uint64_t> finished = writer.finish(trace.snapshots->thinning());
  SIM_ASSERT(finished.ok());
  return out;
}

namespace {

// Decodes the sections of a split file into a trace (every section known, in its place).
struct Assembly {
  TraceFile trace;
  bool have_header = false;
  bool have_run = false;
  std::vector<SnapshotStore::Span> entries;
  std::vector<SnapshotStore::Span> piece_chunks;
  SnapshotStore::Thinning thinning;
};

Status take_header(const RawSection& section, Assembly& a) {
  Result<Header> header = decode_body<Header>(section);
  if (!header) return header.error();
  if (header->semantics_version != kTraceSemanticsVersion) {
    return Error{
        fmt::format("the trace was recorded with semantics version {} (build {}); this build replays "
                    "version {}, and would not re-execute it the same way",
                    header->semantics_version, header->build_id, kTraceSemanticsVersion)};
  }
  a.trace.semantics_version = header->semantics_version;
  a.trace.build_id = header->build_id;
  a.trace.first_tick = header->first_tick;
  a.trace.fork = header->fork;
  a.have_header = true;
  return Ok{};
}

Status take_section(const RawSection& section, Assembly& a) {
  if (section.kind == kHeader) {
    if (a.have_header) return Error{"corrupt trace: two header sections"};
    return take_header(section, a);
  }
  if (!a.have_header) return Error{"corrupt trace: the header section is not the first"};
  if (section.kind == kRun) {
    if (a.have_run) return Error{"corrupt trace: two run sections"};
    Result<Bytes> run = decode_body<Bytes>(section);
    if (!run) return run.error();
    a.trace.run = std::move(run).value();
    a.have_run = true;
    return Ok{};
  }
  if (!a.have_run) return Error{"corrupt trace: the run section does not follow the header"};
  switch (section.kind) {
    case kChain: {
      Result<std::vector<uint64_t>> chain = decode_body<std::vector<uint64_t>>(section);
      if (!chain) return chain.error();
      a.trace.chain.insert(a.trace.chain.end(), chain->begin(), chain->end());
      return Ok{};
    }
    case kSnapshotEntries:
      a.entries.push_back(SnapshotStore::Span{section.data, section.size});
      return Ok{};
    case kSnapshotPieces:
      a.piece_chunks.push_back(SnapshotStore::Span{section.data, section.size});
      return Ok{};
    case kRunAddition: {
      Result<Bytes> addition = decode_body<Bytes>(section);
      if (!addition) return addition.error();
      a.trace.run_additions.push_back(std::move(addition).value());
      return Ok{};
    }
    case kEnd: {
      if (section.size != 16) return Error{"corrupt trace: the end section is not two counts"};
      a.thinning.passes = get_le(section.data, 8);
      a.thinning.ticks = get_le(section.data + 8, 8);
      return Ok{};
    }
    default:
      SIM_UNREACHABLE("section kind {} passed the split", section.kind);
  }
}

}  // namespace

Result<TraceFile> decode_trace(const Bytes& file) {
  Result<SplitFile> split = split_sections(file);
  if (!split) return split.error();
  Assembly a;
  for (const RawSection& section : split->sections) {
    if (Status ok = take_section(section, a); !ok) return ok.error();
  }
  TraceFile& trace = a.trace;
  if (split->interrupted) trace.interruption = split->stopped_at;
  if (!a.have_run || trace.chain.empty()) return Error{"corrupt trace: the header, run or chain is missing"};
  if (a.entries.empty()) return Error{"corrupt trace: no snapshot entries"};
  Result<SnapshotStore> store = SnapshotStore::decode(a.entries, a.piece_chunks, a.thinning);
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
  uint64_t additions = 0;
  for (const Bytes& addition : trace.run_additions) additions += addition.size();
  return {
      {"run", trace.run.size() + additions},
      {"chain", trace.chain.size() * 8},
      {"snapshot entries", s.index_bytes},
      {"snapshot pieces", s.piece_stored_bytes},
  };
}

}  // namespace sim
