// SHA-256 digests of exact byte strings (request and response digests, audit leaves).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "schema/model.h"

namespace liaison::crypto {

/// SHA-256 of `bytes`.
Digest sha256(std::span<const uint8_t> bytes);

/// Lower-case hex of a digest, for logs and audit exports.
std::string hex(const Digest& digest);

}  // namespace liaison::crypto
