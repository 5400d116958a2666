// The sender's SACK scoreboard.
#include "net/sack.h"

#include <algorithm>

namespace net {

SackList SackScoreboard::add(const SackList& blocks, uint64_t snd_una, uint64_t snd_max) {
  SackList taken;
  for (const SackBlock& block : blocks) {
    if (block.start >= block.end || block.end > snd_max || block.end <= snd_una) continue;
    const SackBlock clipped{std::max(block.start, snd_una), block.end};
    if (!insert(clipped.start, clipped.end)) break;
    taken.push_back(clipped);
  }
  return taken;
}

}  // namespace net
