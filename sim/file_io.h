// Whole-file reads and writes with errors a person can act on.
#pragma once

#include "sim/result.h"
#include "sim/serial.h"

#include <string>

namespace sim {

Result<Bytes> read_file(const std::string& path);
Status write_file(const std::string& path, const Bytes& content);

}  // namespace sim
