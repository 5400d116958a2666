// Recycled storage for the byte buffers that carry a stream's bytes (packet payloads,
// byte-queue chunks).
#pragma once

#include "sim/serial.h"

#include <cstddef>

namespace sim::buffer_pool {

// An empty buffer with room for at least `capacity` bytes, reusing a given-back one when
// there is one of the right size. Buffers of 1 KiB to 16 KiB are worth recycling: every
// byte a simulated stream moves passes through several of them, and glibc serves sizes
// above 1 KiB from its slow path.
Bytes take(size_t capacity);

// Keeps the storage of `buffer` for a later take(). Only capacity is kept, never content,
// so the pool cannot reach behaviour, a hash or a trace.
void give(Bytes&& buffer);

}  // namespace sim::buffer_pool
