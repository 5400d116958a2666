// The canonical encoding of world state: one field list per type, read by every visitor.
//
// A state type lists its fields once:
//
//   template <class Visitor> void visit(Visitor& v) { v("name", name_); v("peers", peers_); }
//
// and that single list drives the binary Writer (snapshots and digests), the bounded
// Reader (restore), the JSON dump for people, and the Reseeder (world forks). visit() is
// not const because the Reader fills fields through it; writers only read.
#pragma once

#include "sim/assert.h"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace sim {

using Bytes = std::vector<uint8_t>;

class Rng;
template <class T, size_t N>
class BoundedVector;  // sim/bounded_vector.h
template <class T>
class SlidingVector;  // sim/sliding_vector.h

namespace traits {

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

template <class T>
struct is_sliding_vector : std::false_type {};
template <class T>
struct is_sliding_vector<SlidingVector<T>> : std::true_type {};

template <class T>
struct is_bounded_vector : std::false_type {};
template <class T, size_t N>
struct is_bounded_vector<BoundedVector<T, N>> : std::true_type {};

template <class T>
struct is_map : std::false_type {};
template <class K, class V>
struct is_map<std::map<K, V>> : std::true_type {};

template <class T>
struct is_set : std::false_type {};
template <class T>
struct is_set<std::set<T>> : std::true_type {};

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct is_byte_array : std::false_type {};
template <size_t N>
struct is_byte_array<std::array<uint8_t, N>> : std::true_type {};

struct ProbeVisitor {
  template <class T>
  void operator()(const char*, T&) {}
};

template <class T, class = void>
struct has_visit : std::false_type {};
template <class T>
struct has_visit<T, std::void_t<decltype(std::declval<T&>().visit(std::declval<ProbeVisitor&>()))>> : std::true_type {};

// Types whose encoding is not a plain field list (a cached digest, a heap kept sorted)
// provide `void save(Writer&) const`, `void load(Reader&)` and `void dump(JsonWriter&) const`.
template <class T, class W, class = void>
struct has_custom_encoding : std::false_type {};
template <class T, class W>
struct has_custom_encoding<T, W, std::void_t<decltype(std::declval<const T&>().save(std::declval<W&>()))>>
    : std::true_type {};

template <class T, class R, class = void>
struct has_custom_decoding : std::false_type {};
template <class T, class R>
struct has_custom_decoding<T, R, std::void_t<decltype(std::declval<T&>().load(std::declval<R&>()))>> : std::true_type {
};

template <class T, class J, class = void>
struct has_custom_dump : std::false_type {};
template <class T, class J>
struct has_custom_dump<T, J, std::void_t<decltype(std::declval<const T&>().dump(std::declval<J&>()))>>
    : std::true_type {};

}  // namespace traits

// Thrown inside the Reader only, and turned into an error value by the decode functions
// that own a Reader (no exception crosses a library boundary).
class DecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Calls visit() on a value that a writer only reads (see the note at the top).
template <class T, class Visitor>
void visit_fields(const T& value, Visitor& visitor) {
  const_cast<T&>(value).visit(visitor);  // NOLINT(cppcoreguidelines-pro-type-const-cast)
}

}  // namespace sim
