// Text output of the JSON dump.
#include "sim/json_writer.h"

#include "sim/fmt.h"
#include "sim/xxh3.h"

#include <charconv>

namespace sim {
std::string JsonWriter::to_hex(const uint8_t* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    text[2 * i] = kDigits[data[i] >> 4];
    text[2 * i + 1] = kDigits[data[i] & 0xf];
  }
  return text;
}

std::string JsonWriter::hex_u64(uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text = "0x0000000000000000";
  for (size_t i = 0; i < 16; ++i) text[17 - i] = kDigits[(value >> (4 * i)) & 0xf];
  return text;
}

void JsonWriter::newline() {
  *out_ += '\n';
  out_->append(static_cast<size_t>(depth_) * 2, ' ');
}

// Emits the comma and line break that precede a value, unless it follows a key.
void JsonWriter::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ == 0) return;
  if (!first_in_container_) *out_ += ',';
  first_in_container_ = false;
  newline();
}

void JsonWriter::raw(std::string_view text) {
  separate();
  out_->append(text);
}

void JsonWriter::open(char bracket) {
  separate();
  *out_ += bracket;
  ++depth_;
  first_in_container_ = true;
}

void JsonWriter::close(char bracket) {
  SIM_ASSERT_GT(depth_, 0);
  SIM_ASSERT(!after_key_);
  --depth_;
  if (!first_in_container_) newline();
  *out_ += bracket;
  first_in_container_ = false;
}

void JsonWriter::begin_object() { open('{'); }
void JsonWriter::end_object() { close('}'); }
void JsonWriter::begin_array() { open('['); }
void JsonWriter::end_array() { close(']'); }

void JsonWriter::key(std::string_view name) {
  SIM_ASSERT(!after_key_);
  SIM_ASSERT_GT(depth_, 0);
  separate();
  append_quoted(name);
  *out_ += ": ";
  after_key_ = true;
}

void JsonWriter::string(std::string_view text) {
  separate();
  append_quoted(text);
}

void JsonWriter::append_quoted(std::string_view text) {
  *out_ += '"';
  // Runs that need no escape go out whole: dumps are mostly such text.
  size_t run = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto byte = static_cast<unsigned char>(c);
    if (c != '"' && c != '\\' && byte >= 0x20) continue;
    out_->append(text.data() + run, i - run);
    run = i + 1;
    if (c == '"' || c == '\\') {
      *out_ += '\\';
      *out_ += c;
    } else if (c == '\n') {
      *out_ += "\\n";
    } else {
      *out_ += fmt::format("\\u{:04x}", byte);
    }
  }
  out_->append(text.data() + run, text.size() - run);
  *out_ += '"';
}

void JsonWriter::number(int64_t value) {
  char digits[24];
  const std::to_chars_result end = std::to_chars(digits, digits + sizeof digits, value);
  raw(std::string_view(digits, static_cast<size_t>(end.ptr - digits)));
}

void JsonWriter::hex(uint64_t value) { string(hex_u64(value)); }

void JsonWriter::bytes_summary(const uint8_t* data, size_t size) {
  begin_object();
  key("length");
  number(static_cast<int64_t>(size));
  key("xxh3");
  hex(XXH3_64bits(data, size));
  key("prefix");
  string(to_hex(data, std::min(size, kPrefixBytes)));
  end_object();
}

void JsonWriter::buffer_summary(uint64_t length, uint64_t digest, const Bytes& prefix) {
  begin_object();
  key("length");
  number(static_cast<int64_t>(length));
  key("digest");
  hex(digest);
  key("prefix");
  string(to_hex(prefix.data(), prefix.size()));
  end_object();
}

}  // namespace sim
