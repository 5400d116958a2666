// Shared by every libFuzzer target: libsodium prepared as in dmsgsim itself, so decoders
// run the vectorized crypto and any use of OS randomness aborts.
#include "dmsg/crypto_init.h"

#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  if (!dmsg::initialize_crypto()) {
    std::fprintf(stderr, "FATAL: libsodium failed to initialize\n");
    std::abort();
  }
  return 0;
}
