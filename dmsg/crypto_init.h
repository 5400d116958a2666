// Prepares libsodium for a process: picks its fastest implementations and forbids its
// randomness. Every program that runs dmsg code calls it once, first.
#pragma once

namespace dmsg {

// Runs sodium_init(), then installs a randombytes implementation that aborts with a
// message, because keys and nonces must come from the simulation's RNG streams (DESIGN.md,
// determinism rule 7). Without sodium_init() libsodium keeps its portable reference code:
// ChaCha20-Poly1305 then runs at less than half the speed of its vectorized code, with
// identical output. Returns false when libsodium cannot start.
[[nodiscard]] bool initialize_crypto();

}  // namespace dmsg
