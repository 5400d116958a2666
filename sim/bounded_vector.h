// A vector of at most N items held inline: for small lists that ride on every message (a
// segment's SACK blocks), where a heap allocation per message would cost more than the
// items. Encoded exactly as std::vector is (a u64 length, then the items), so a field can
// change between the two without changing a digest; a decoded length above N is an error.
#pragma once

#include "sim/assert.h"

#include <array>
#include <cstddef>
#include <initializer_list>
#include <type_traits>

namespace sim {

template <class T, size_t N>
class BoundedVector {
  static_assert(std::is_trivially_copyable_v<T>, "items are copied as a block");

 public:
  using value_type = T;
  static constexpr size_t kCapacity = N;

  BoundedVector() = default;
  BoundedVector(std::initializer_list<T> items) {
    for (const T& item : items) push_back(item);
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ == N; }

  T* begin() { return items_.data(); }
  T* end() { return items_.data() + size_; }
  const T* begin() const { return items_.data(); }
  const T* end() const { return items_.data() + size_; }

  T& operator[](size_t i) {
    SIM_ASSERT_LT(i, size_);
    return items_[i];
  }
  const T& operator[](size_t i) const {
    SIM_ASSERT_LT(i, size_);
    return items_[i];
  }
  const T& front() const { return (*this)[0]; }
  const T& back() const { return (*this)[size_ - 1]; }

  void clear() { size_ = 0; }
  void push_back(const T& item) {
    SIM_ASSERT_LT(size_, N);
    items_[size_++] = item;
  }
  // Puts `item` first; when full, the last item falls off (the list keeps the newest).
  void push_front_dropping_last(const T& item) {
    const size_t kept = size_ < N ? size_ : N - 1;
    for (size_t i = kept; i > 0; --i) items_[i] = items_[i - 1];
    items_[0] = item;
    size_ = kept + 1;
  }
  void erase_front() {
    SIM_ASSERT_GT(size_, 0U);
    for (size_t i = 1; i < size_; ++i) items_[i - 1] = items_[i];
    --size_;
  }

  friend bool operator==(const BoundedVector& a, const BoundedVector& b) {
    if (a.size_ != b.size_) return false;
    for (size_t i = 0; i < a.size_; ++i) {
      if (!(a.items_[i] == b.items_[i])) return false;
    }
    return true;
  }

 private:
  std::array<T, N> items_{};
  size_t size_ = 0;
};

}  // namespace sim
