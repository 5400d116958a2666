// Streaming a trace to its file in segments, and compacting it at the end.
#include "sim/trace_recorder.h"

#include "sim/fmt.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace sim {

// Pieces go to the file in chunks of about this size (the same as a whole file's).
constexpr size_t kRecorderChunkBytes = 4 << 20;

Result<std::unique_ptr<TraceRecorder>> TraceRecorder::start(World& world, TraceHead head, TraceRecording recording) {
  world.start();
  SIM_ASSERT_MSG(!world.snapshots().empty() && world.snapshots().first_tick() == head.first_tick,
                 "a recorded run keeps a snapshot at its first tick (set a snapshot policy before it starts)");
  Result<TraceFileWriter> writer = TraceFileWriter::create(recording.path, head);
  if (!writer) return writer.error();
  std::unique_ptr<TraceRecorder> recorder(
      new TraceRecorder(world, std::move(head), std::move(recording), std::move(writer).value()));
  world.own_snapshots().start_journal();
  // The first segment at once: a recording stopped from here on leaves a trace.
  if (Status closed = recorder->close_segment(); !closed) return closed.error();
  world.set_snapshot_listener(recorder.get());
  return recorder;
}

TraceRecorder::TraceRecorder(World& world, TraceHead head, TraceRecording recording, TraceFileWriter writer)
    : world_(world),
      head_(std::move(head)),
      recording_(std::move(recording)),
      writer_(std::move(writer)),
      next_chain_tick_(head_.first_tick) {}

TraceRecorder::~TraceRecorder() { world_.set_snapshot_listener(nullptr); }

void TraceRecorder::snapshot_kept(World& world) {
  SIM_ASSERT(&world == &world_);
  if (failed_ || !writer_) return;
  const bool full = world.snapshots().journal_bytes() >= recording_.segment_piece_bytes;
  const bool due = world.tick() + 1 - next_chain_tick_ >= recording_.segment_ticks;
  if (!full && !due) return;
  if (Status closed = close_segment(); !closed) failed_ = closed.error();
}

Status TraceRecorder::close_segment() {
  SnapshotStore& store = world_.own_snapshots();
  Status written = Ok{};
  Bytes entries;
  store.take_journal(
      kRecorderChunkBytes,
      [&](const Bytes& chunk) {
        if (written) written = writer_->add_pieces(chunk);
      },
      entries);
  if (!written) return written;
  if (Status ok = writer_->add_entries(entries); !ok) return ok;
  if (recording_.take_run_addition) {
    if (Bytes addition = recording_.take_run_addition(); !addition.empty()) {
      if (Status ok = writer_->add_run_addition(addition); !ok) return ok;
      run_additions_.push_back(std::move(addition));
    }
  }
  std::vector<uint64_t> chain;
  for (uint64_t t = next_chain_tick_; t <= world_.tick(); ++t) chain.push_back(world_.chain_at(t));
  next_chain_tick_ = world_.tick() + 1;
  ++segments_;
  return writer_->close_segment(chain.data(), chain.size());
}

Result<uint64_t> TraceRecorder::finish() {
  SIM_ASSERT_MSG(writer_.has_value(), "a recording finishes once");
  world_.set_snapshot_listener(nullptr);
  if (!failed_) {
    if (Status closed = close_segment(); !closed) failed_ = closed.error();
  }
  Result<uint64_t> size = failed_ ? Result<uint64_t>(*failed_) : writer_->finish(SnapshotStore::Thinning{});
  writer_.reset();
  if (!size) return size.error();
  if (recording_.file_budget == 0 || *size <= recording_.file_budget) return size;
  return compact();
}

Result<uint64_t> TraceRecorder::compact() {
  TraceFile trace;
  trace.semantics_version = head_.semantics_version;
  trace.build_id = head_.build_id;
  trace.run = head_.run;
  trace.run_additions = run_additions_;
  trace.first_tick = head_.first_tick;
  trace.fork = head_.fork;
  for (uint64_t t = head_.first_tick; t <= world_.tick(); ++t) trace.chain.push_back(world_.chain_at(t));
  // The chain and the entries are not thinned: they count against the pieces' share.
  const uint64_t chain_bytes = trace.chain.size() * 8 + trace.run.size();
  const uint64_t budget = recording_.file_budget > chain_bytes ? recording_.file_budget - chain_bytes : 1;
  if (world_.snapshots().stored_bytes() > budget) {
    auto thinned = std::make_shared<SnapshotStore>(world_.snapshots());
    thinned->set_budget(budget);
    trace.snapshots = std::move(thinned);
  } else {
    trace.snapshots = world_.shared_snapshots();
  }
  // Written beside the file and then moved over it: the long file stays whole until the
  // short one is.
  const std::string compacting = recording_.path + ".compacting";
  Result<uint64_t> size = write_trace(compacting, trace);
  if (!size) {
    std::remove(compacting.c_str());
    return Error{fmt::format("{} (the uncompacted trace is kept)", size.error().message)};
  }
  if (std::rename(compacting.c_str(), recording_.path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    std::remove(compacting.c_str());
    return Error{fmt::format("cannot replace '{}' with its compacted form: {}", recording_.path, reason)};
  }
  return size;
}

}  // namespace sim
