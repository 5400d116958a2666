#include "dmsg/crypto_init.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

namespace dmsg {
namespace {

[[noreturn]] void forbidden_randomness(const char* what) {
  std::fprintf(stderr, "FATAL: OS randomness used (%s): draw from a simulation RNG stream instead\n", what);
  std::fflush(stderr);
  std::abort();
}

const char* guard_name() { return "dmsgsim-forbidden"; }
uint32_t guard_random() { forbidden_randomness("randombytes_random"); }
void guard_stir() {}
uint32_t guard_uniform(const uint32_t) { forbidden_randomness("randombytes_uniform"); }
void guard_buf(void* const, const size_t) { forbidden_randomness("randombytes_buf"); }
int guard_close() { return 0; }

randombytes_implementation forbidding_implementation = {
    &guard_name, &guard_random, &guard_stir, &guard_uniform, &guard_buf, &guard_close,
};

}  // namespace

bool initialize_crypto() {
  // sodium_init() itself draws OS randomness once (the canary of its guarded allocator,
  // which dmsgsim never uses), so the guard goes in after it.
  if (sodium_init() < 0) return false;
  return randombytes_set_implementation(&forbidding_implementation) == 0;
}

}  // namespace dmsg
