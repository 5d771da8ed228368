// The file an operator writes to describe a federation (TOML; examples/directory/directory.toml):
// its name, the serial of this issue, and every member with its endpoint, roles, purposes, signing
// keys and TLS certificates, each key and certificate for a period. `liaison directory sign` turns
// it into the signed directory every node reads. Paths inside it are relative to it.
#pragma once

#include <filesystem>

#include "schema/directory.h"
#include "schema/status.h"

namespace liaison::cli {

/// Reads a directory source file into the directory it describes, issued at `issuedAt` and
/// expiring at `expiresAt`; a key or certificate without `not_before` or `not_after` takes the
/// directory's. Errors name the file, the line and the key. The result still has to follow the
/// rules of client::directoryProblems, which signing checks.
Result<Directory> readDirectorySource(const std::filesystem::path& file, Timestamp issuedAt, Timestamp expiresAt);

}  // namespace liaison::cli
