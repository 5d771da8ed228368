// Files that hold keys and identities: a bounded read that refuses a secret file others could see,
// a create-only write with an exact mode, and the errors both report. The Ed25519 key files
// (crypto/keys.h) and the TLS identity files (node/net/tls_identity.h) are read and written through it.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <span>
#include <string_view>

#include "schema/status.h"

namespace liaison::crypto {

/// An Error about a file, worded "PATH: problem".
Error fileError(ErrorKind kind, const std::filesystem::path& path, std::string_view problem);

/// An Error for a system call that failed on `path` with errno `err`, worded "PATH: action: reason".
/// ENOENT is notFound, EACCES and EPERM are notPermitted, anything else is unavailable.
Error systemError(const std::filesystem::path& path, std::string_view action, int err);

/// What readBoundedFile demands of a file, and the words its refusals use, so that each kind of file
/// is refused in its own terms.
struct BoundedFileRules {
  /// Ends the refusal "larger than the N-byte limit for ...", e.g. "a key file".
  std::string_view limitFor;
  /// What the file holds when only its owner may access it, e.g. "a secret key"; empty when anyone
  /// may read the file.
  std::string_view ownerOnlyContent = {};
  /// Whether a file refused for its size on disk is refused with that size ("5000 bytes, larger ...").
  bool statesSizeOnDisk = false;
};

/// Reads the whole regular file at `path`, of at most `buffer.size() - 1` bytes, into `buffer` and
/// returns its length. Refuses anything but a regular file, a larger file, and, when the rules say the
/// file is owner-only, a file whose mode grants group or others any access. The checks are made on the
/// opened file, so a rename between them and the read cannot slip another file in.
Result<size_t> readBoundedFile(const std::filesystem::path& path, std::span<char> buffer,
                               const BoundedFileRules& rules);

/// Creates `path`, which must not exist, with exactly `mode` (whatever the umask), writes `content`
/// and syncs it. Refuses an existing file or symlink with "already exists; refusing to overwrite it
/// (`replaceAdvice`)". A file that could not be written completely is removed.
Status writeNewFile(const std::filesystem::path& path, std::span<const char> content, mode_t mode,
                    std::string_view replaceAdvice);

/// Syncs the directory that holds `file` (the current directory for a bare name), so that a file
/// writeNewFile just created survives a crash.
Status syncParentDirectory(const std::filesystem::path& file);

}  // namespace liaison::crypto
