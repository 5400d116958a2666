// JSON for people and jq: named fields, maps as objects keyed by id, 64-bit values as hex.
#pragma once

#include "sim/serial.h"
#include "sim/time.h"

#include <string>
#include <string_view>

namespace sim {

// Writes JSON text with two-space indentation. Through visit() it renders world state by
// the rules of DESIGN.md: every field named, maps as objects keyed by their key's text,
// unsigned 64-bit integers (hashes, seeds, sequence numbers) as "0x..." strings since jq
// reads numbers as doubles, durations and instants as integer nanoseconds, byte strings
// and byte queues as {length, xxh3, prefix}, enums by name where the type provides
// enum_name(). Map keys of other types provide `std::string json_key(const K&)`.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(&out) {}

  template <class T>
  void operator()(const char* name, const T& value) {
    key(name);
    write(value);
  }

  template <class T>
  void write(const T& value) {
    if constexpr (std::is_same_v<T, bool>) {
      raw(value ? "true" : "false");
    } else if constexpr (std::is_enum_v<T>) {
      write_enum(value);
    } else if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T> && sizeof(T) == 8) {
      hex(value);
    } else if constexpr (std::is_same_v<T, Duration> || std::is_same_v<T, Instant>) {
      number(value.ns());
    } else if constexpr (std::is_integral_v<T>) {
      number(static_cast<int64_t>(value));
    } else if constexpr (std::is_same_v<T, std::string>) {
      string(value);
    } else if constexpr (std::is_same_v<T, Bytes>) {
      bytes_summary(value.data(), value.size());
    } else if constexpr (traits::is_byte_array<T>::value) {
      string(to_hex(value.data(), value.size()));
    } else if constexpr (traits::is_vector<T>::value || traits::is_sliding_vector<T>::value ||
                         traits::is_bounded_vector<T>::value || traits::is_set<T>::value) {
      begin_array();
      for (const auto& item : value) write(item);
      end_array();
    } else if constexpr (traits::is_map<T>::value) {
      begin_object();
      for (const auto& [k, item] : value) {
        key(key_text(k));
        write(item);
      }
      end_object();
    } else if constexpr (traits::is_optional<T>::value) {
      if (value) {
        write(*value);
      } else {
        raw("null");
      }
    } else if constexpr (traits::has_custom_dump<T, JsonWriter>::value) {
      value.dump(*this);
    } else {
      static_assert(traits::has_visit<T>::value, "state types list their fields in visit()");
      begin_object();
      visit_fields(value, *this);
      end_object();
    }
  }

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  // Starts a member of the current object.
  void key(std::string_view name);
  void string(std::string_view text);
  void number(int64_t value);
  void hex(uint64_t value);
  void null() { raw("null"); }
  // A member that is a count or a tick, as a JSON number (operator() shows unsigned 64-bit
  // values as hex strings, which suits hashes and seeds, not counts).
  void count(std::string_view name, uint64_t value) {
    key(name);
    number(static_cast<int64_t>(value));
  }
  // A member that is text, or null when there is none.
  void string_or_null(std::string_view name, std::string_view text) {
    key(name);
    text.empty() ? null() : string(text);
  }
  // A value that is JSON text already (a configuration recorded as text), written as is.
  void json_text(std::string_view text) { raw(text); }
  void bytes_summary(const uint8_t* data, size_t size);
  // Shows a buffer held in pieces: its length and digest, and its first bytes.
  void buffer_summary(uint64_t length, uint64_t digest, const Bytes& prefix);

  // Bytes of a buffer shown in full at its start.
  static constexpr size_t kPrefixBytes = 16;

  static std::string to_hex(const uint8_t* data, size_t size);
  static std::string hex_u64(uint64_t value);

  // The text of a map key (see the rules above).
  template <class K>
  static std::string key_text(const K& k);

 private:
  template <class E>
  void write_enum(E value) {
    if constexpr (requires { enum_name(value); }) {
      string(enum_name(value));
    } else {
      number(static_cast<int64_t>(value));
    }
  }

  void open(char bracket);
  void close(char bracket);
  void raw(std::string_view text);
  void append_quoted(std::string_view text);
  void separate();
  void newline();

  std::string* out_;
  int depth_ = 0;
  bool first_in_container_ = true;
  bool after_key_ = false;
};

template <class K>
std::string JsonWriter::key_text(const K& k) {
  if constexpr (std::is_enum_v<K>) {
    return std::to_string(static_cast<std::underlying_type_t<K>>(k));
  } else if constexpr (std::is_integral_v<K>) {
    return std::to_string(k);
  } else if constexpr (std::is_same_v<K, std::string>) {
    return k;
  } else if constexpr (traits::is_byte_array<K>::value) {
    return to_hex(k.data(), k.size());
  } else {
    static_assert(
        requires { json_key(k); },
        "map keys are integers, enums, strings, byte arrays, or provide json_key() for their text");
    return json_key(k);
  }
}

// Renders any state type as a JSON document.
template <class T>
std::string to_json(const T& value) {
  std::string out;
  JsonWriter writer(out);
  writer.write(value);
  out += '\n';
  return out;
}

}  // namespace sim
