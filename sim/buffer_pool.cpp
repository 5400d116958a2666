// One free list per power-of-two size class, bounded.
#include "sim/buffer_pool.h"

#include "sim/assert.h"

#include <array>
#include <bit>
#include <vector>

namespace sim::buffer_pool {
namespace {

// Classes of 1 KiB to 16 KiB (payloads are one segment, chunks 4 KiB), at most 512 idle
// buffers each: the pool never holds more than about 16 MiB.
constexpr size_t kSmallestClass = 10;
constexpr size_t kLargestClass = 14;
constexpr size_t kBuffersPerClass = 512;

using FreeLists = std::array<std::vector<Bytes>, kLargestClass - kSmallestClass + 1>;

FreeLists& free_lists() {
  static FreeLists lists;
  return lists;
}

}  // namespace

Bytes take(size_t capacity) {
  // The class whose every buffer has room: capacity rounded up to a power of two.
  const size_t size_class = std::bit_width(capacity > 1 ? capacity - 1 : 1);
  Bytes buffer;
  if (size_class < kSmallestClass || size_class > kLargestClass) {
    buffer.reserve(capacity);
    return buffer;
  }
  std::vector<Bytes>& list = free_lists()[size_class - kSmallestClass];
  if (list.empty()) {
    // The whole class size, so that given back it serves any request of its class.
    buffer.reserve(size_t{1} << size_class);
    return buffer;
  }
  buffer = std::move(list.back());
  list.pop_back();
  SIM_ASSERT(buffer.empty() && buffer.capacity() >= capacity);
  return buffer;
}

void give(Bytes&& buffer) {
  // The class whose every buffer it can serve: capacity rounded down to a power of two.
  const size_t size_class = std::bit_width(buffer.capacity()) - 1;
  if (buffer.capacity() == 0 || size_class < kSmallestClass || size_class > kLargestClass) return;
  std::vector<Bytes>& list = free_lists()[size_class - kSmallestClass];
  if (list.size() >= kBuffersPerClass) return;
  buffer.clear();
  list.push_back(std::move(buffer));
}

}  // namespace sim::buffer_pool
