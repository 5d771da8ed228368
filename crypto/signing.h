// Ed25519 signatures with domain separation: what is signed is "liaison/v1/<message type>\0"
// followed by the body bytes, so a signature made for one kind of message never verifies as another.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "crypto/keys.h"
#include "schema/model.h"

namespace liaison::crypto {

/// A detached Ed25519 signature.
using Signature = std::array<uint8_t, 64>;

/// Signs `body` as a message of `type`.
Signature sign(MessageType type, std::span<const uint8_t> body, const SecretKey& key);

/// True if `signature` is `key`'s signature over `body` as a message of `type`.
bool verify(MessageType type, std::span<const uint8_t> body, const Signature& signature,
            const PublicKey& key);

}  // namespace liaison::crypto
