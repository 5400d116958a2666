// Whole-file reads and writes with errors a person can act on.
#pragma once

#include "sim/result.h"
#include "sim/serial.h"

#include <cstdio>
#include <string>

namespace sim {

Result<Bytes> read_file(const std::string& path);
Status write_file(const std::string& path, const Bytes& content);

// A file written piece by piece (a trace far bigger than what is worth holding twice).
class FileWriter {
 public:
  static Result<FileWriter> create(const std::string& path);
  FileWriter(FileWriter&& other) noexcept;
  FileWriter& operator=(FileWriter&&) = delete;
  FileWriter(const FileWriter&) = delete;
  ~FileWriter();

  Status append(const uint8_t* data, size_t size);
  Status append(const Bytes& bytes) { return append(bytes.data(), bytes.size()); }
  // Hands what was appended to the operating system, so that it outlives this process.
  Status flush();
  // Closes the file; an error if anything could not be written.
  Status finish();

 private:
  FileWriter(std::FILE* file, std::string path) : file_(file), path_(std::move(path)) {}
  std::FILE* file_;
  std::string path_;
};

}  // namespace sim
