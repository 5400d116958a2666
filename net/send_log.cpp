// The sender's transmission record.
#include "net/send_log.h"

namespace net {

void SendLog::split_at(uint64_t seq) {
  auto it = runs_.upper_bound(seq);
  if (it == runs_.begin()) return;
  --it;
  if (it->first == seq || it->second.end <= seq) return;
  SentRun upper = it->second;
  it->second.end = seq;
  runs_.emplace_hint(std::next(it), seq, upper);
}

void SendLog::record(uint64_t start, uint64_t end, sim::Instant at, bool retransmission) {
  SIM_ASSERT_LT(start, end);
  // New data goes past every run; only a resend replaces what the log says.
  if (!runs_.empty() && start < runs_.rbegin()->second.end) remove(start, end, [](const DeliveredRun&) {});
  auto next = runs_.lower_bound(start);
  if (next != runs_.begin()) {
    // The send just before, adjacent and alike: the same run goes on.
    SentRun& before = std::prev(next)->second;
    if (before.end == start && before.order + 1 == sends_ && before.sent_at == at &&
        before.retransmitted == retransmission && !before.lost) {
      before.end = end;
      return;
    }
  }
  runs_.emplace_hint(next, start, SentRun{end, at, sends_++, retransmission, false});
  SIM_ASSERT_LE(runs_.size(), kMaxRuns);
}

void SendLog::mark_all_lost() {
  for (auto& [start, run] : runs_) run.lost = true;
}

void SendLog::clear_lost_marks() {
  for (auto& [start, run] : runs_) run.lost = false;
}

uint64_t SendLog::bytes_in_flight() const {
  uint64_t bytes = 0;
  for (const auto& [start, run] : runs_) {
    if (!run.lost) bytes += run.end - start;
  }
  return bytes;
}

std::optional<SackBlock> SendLog::first_lost(uint64_t max_length) const {
  for (const auto& [start, run] : runs_) {
    if (run.lost) return SackBlock{start, std::min(run.end, start + max_length)};
  }
  return std::nullopt;
}

std::optional<SackBlock> SendLog::last_bytes(uint64_t max_length) const {
  if (runs_.empty()) return std::nullopt;
  const auto& [start, run] = *runs_.rbegin();
  return SackBlock{run.end - std::min(run.end - start, max_length), run.end};
}

void SendLog::check(uint64_t snd_una, uint64_t snd_max) const {
  SIM_ASSERT_LE(runs_.size(), kMaxRuns);
  if (runs_.empty()) return;
  SIM_ASSERT_GE(runs_.begin()->first, snd_una);
  SIM_ASSERT_LE(runs_.rbegin()->second.end, snd_max);
  SIM_ASSERT_LE(runs_.size(), snd_max - snd_una);
}

}  // namespace net
