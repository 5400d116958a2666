// Whole-file reads and writes with errors a person can act on.
#include "sim/file_io.h"

#include "sim/fmt.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace sim {

Result<Bytes> read_file(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return Error{fmt::format("cannot open '{}': {}", path, std::strerror(errno))};
  Bytes content;
  uint8_t buffer[65536];
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, file)) > 0) content.insert(content.end(), buffer, buffer + got);
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) return Error{fmt::format("cannot read '{}'", path)};
  return content;
}

Status write_file(const std::string& path, const Bytes& content) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return Error{fmt::format("cannot create '{}': {}", path, std::strerror(errno))};
  const size_t written = std::fwrite(content.data(), 1, content.size(), file);
  const bool closed = std::fclose(file) == 0;
  if (written != content.size() || !closed) return Error{fmt::format("cannot write '{}'", path)};
  return Ok{};
}

Result<FileWriter> FileWriter::create(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return Error{fmt::format("cannot create '{}': {}", path, std::strerror(errno))};
  return FileWriter(file, path);
}

FileWriter::FileWriter(FileWriter&& other) noexcept : file_(other.file_), path_(std::move(other.path_)) {
  other.file_ = nullptr;
}

FileWriter::~FileWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

Status FileWriter::append(const uint8_t* data, size_t size) {
  SIM_ASSERT(file_ != nullptr);
  if (std::fwrite(data, 1, size, file_) != size) return Error{fmt::format("cannot write '{}'", path_)};
  return Ok{};
}

Status FileWriter::flush() {
  SIM_ASSERT(file_ != nullptr);
  if (std::fflush(file_) != 0) return Error{fmt::format("cannot write '{}': {}", path_, std::strerror(errno))};
  return Ok{};
}

Status FileWriter::finish() {
  SIM_ASSERT(file_ != nullptr);
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!closed) return Error{fmt::format("cannot write '{}'", path_)};
  return Ok{};
}

}  // namespace sim
