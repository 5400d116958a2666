// 128-bit integers for exact intermediate products in integer-only arithmetic.
#pragma once

namespace sim {

// `__extension__` keeps -Wpedantic quiet: both GCC and Clang provide these types.
__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

}  // namespace sim
