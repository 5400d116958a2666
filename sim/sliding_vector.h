// A vector whose items leave mostly at the front and join mostly at the back: a window of
// things in flight (a sender's log of runs). Dropping from the front is O(1): the dead
// prefix is reclaimed once it outgrows the live part, so each item is moved at most a
// constant number of times on average. Contiguous, so a binary search costs what it does
// on a vector. Encoded exactly as a std::vector of the live items.
#pragma once

#include "sim/assert.h"

#include <cstddef>
#include <vector>

namespace sim {

template <class T>
class SlidingVector {
 public:
  using value_type = T;

  size_t size() const { return items_.size() - head_; }
  bool empty() const { return size() == 0; }

  T* begin() { return items_.data() + head_; }
  T* end() { return items_.data() + items_.size(); }
  const T* begin() const { return items_.data() + head_; }
  const T* end() const { return items_.data() + items_.size(); }

  T& operator[](size_t i) {
    SIM_ASSERT_LT(i, size());
    return items_[head_ + i];
  }
  const T& operator[](size_t i) const {
    SIM_ASSERT_LT(i, size());
    return items_[head_ + i];
  }
  T& front() { return (*this)[0]; }
  T& back() { return (*this)[size() - 1]; }
  const T& front() const { return (*this)[0]; }
  const T& back() const { return (*this)[size() - 1]; }

  void clear() {
    items_.clear();
    head_ = 0;
  }
  void reserve(size_t count) { items_.reserve(head_ + count); }
  T& emplace_back() { return items_.emplace_back(); }
  void push_back(const T& item) { items_.push_back(item); }
  // Inserts before the item at `index` (size() appends).
  void insert(size_t index, const T& item) {
    SIM_ASSERT_LE(index, size());
    items_.insert(items_.begin() + static_cast<ptrdiff_t>(head_ + index), item);
  }
  // Removes the items at [first, last).
  void erase(size_t first, size_t last) {
    SIM_ASSERT_LE(first, last);
    SIM_ASSERT_LE(last, size());
    if (first == 0) return drop_front(last);
    const auto base = items_.begin() + static_cast<ptrdiff_t>(head_);
    items_.erase(base + static_cast<ptrdiff_t>(first), base + static_cast<ptrdiff_t>(last));
  }
  // Removes the first `count` items.
  void drop_front(size_t count) {
    SIM_ASSERT_LE(count, size());
    head_ += count;
    if (head_ == items_.size()) {
      clear();
    } else if (head_ > size()) {
      items_.erase(items_.begin(), items_.begin() + static_cast<ptrdiff_t>(head_));
      head_ = 0;
    }
  }

  friend bool operator==(const SlidingVector& a, const SlidingVector& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!(a[i] == b[i])) return false;
    }
    return true;
  }

 private:
  std::vector<T> items_;
  size_t head_ = 0;  // items_[0, head_) have left
};

}  // namespace sim
