// The sender's transmission record.
#include "net/send_log.h"

#include <algorithm>

namespace net {

size_t SendLog::first_ending_after(uint64_t seq) const {
  // Disjoint and in order: the ends ascend as the starts do.
  const auto it =
      std::partition_point(runs_.begin(), runs_.end(), [seq](const SentRun& run) { return run.end <= seq; });
  return static_cast<size_t>(it - runs_.begin());
}

void SendLog::record(uint64_t start, uint64_t end, sim::Instant at, bool retransmission) {
  SIM_ASSERT_LT(start, end);
  // New data goes past every run; only a resend replaces what the log says.
  const bool is_new = runs_.empty() || start >= runs_.back().end;
  if (!is_new) remove(start, end, [](const SentRun&) {});
  const size_t next = is_new ? runs_.size() : first_ending_after(start);
  if (next > 0) {
    // The send just before, adjacent and alike: the same run goes on.
    SentRun& before = runs_[next - 1];
    if (before.end == start && before.order + 1 == sends_ && before.sent_at == at &&
        before.retransmitted == retransmission && !before.lost) {
      before.end = end;
      return;
    }
  }
  runs_.insert(next, SentRun{start, end, at, sends_++, retransmission, false});
  SIM_ASSERT_LE(runs_.size(), kMaxRuns);
}

void SendLog::mark_all_lost() {
  for (SentRun& run : runs_) run.lost = true;
}

void SendLog::clear_lost_marks() {
  for (SentRun& run : runs_) run.lost = false;
}

uint64_t SendLog::bytes_in_flight() const {
  uint64_t bytes = 0;
  for (const SentRun& run : runs_) {
    if (!run.lost) bytes += run.end - run.start;
  }
  return bytes;
}

std::optional<SackBlock> SendLog::first_lost(uint64_t max_length) const {
  for (const SentRun& run : runs_) {
    if (run.lost) return SackBlock{run.start, std::min(run.end, run.start + max_length)};
  }
  return std::nullopt;
}

std::optional<SackBlock> SendLog::last_bytes(uint64_t max_length) const {
  if (runs_.empty()) return std::nullopt;
  const SentRun& run = runs_.back();
  return SackBlock{run.end - std::min(run.end - run.start, max_length), run.end};
}

void SendLog::check(uint64_t snd_una, uint64_t snd_max) const {
  SIM_ASSERT_LE(runs_.size(), kMaxRuns);
  if (runs_.empty()) return;
  SIM_ASSERT_GE(runs_.front().start, snd_una);
  SIM_ASSERT_LE(runs_.back().end, snd_max);
  SIM_ASSERT_LE(runs_.size(), snd_max - snd_una);
}

}  // namespace net
