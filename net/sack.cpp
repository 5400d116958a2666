// The sender's SACK scoreboard.
#include "net/sack.h"

#include <algorithm>

namespace net {

uint64_t SackScoreboard::add(const std::vector<SackBlock>& blocks, uint64_t snd_una, uint64_t snd_max) {
  const uint64_t before = held();
  for (const SackBlock& block : blocks) {
    if (block.start >= block.end || block.end > snd_max || block.end <= snd_una) continue;
    if (!insert(std::max(block.start, snd_una), block.end)) break;
  }
  return held() - before;
}

}  // namespace net
