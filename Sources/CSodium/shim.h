#ifndef REFWIRE_CSODIUM_SHIM_H
#define REFWIRE_CSODIUM_SHIM_H
// libsodium (Debian libsodium-dev, 1.0.18 or later): X25519, ChaCha20-Poly1305,
// BLAKE2b and crypto_secretstream_xchacha20poly1305, used by RefWireSodium.
#include <sodium.h>
#endif
