// Keeping secrets in memory out of reach: buffers that libsodium guards (guard pages, locked out of
// swap and out of core dumps, wiped when freed), and a process that never dumps core and that other
// processes of the same user cannot read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "schema/status.h"

namespace liaison::crypto {

/// Bytes that hold a secret (a key, a seed, the text of a key file), in memory from
/// `sodium_malloc`: between inaccessible guard pages, with a canary checked when freed, locked so
/// it is never swapped out, and left out of core dumps. Wiped and released when destroyed. Move-only;
/// a moved-from buffer holds nothing and is empty.
class SecretBuffer {
 public:
  /// Allocates `size` writable bytes (at least one). Throws std::bad_alloc when the guarded
  /// allocation fails.
  explicit SecretBuffer(size_t size);
  SecretBuffer(const SecretBuffer&) = delete;
  SecretBuffer& operator=(const SecretBuffer&) = delete;
  SecretBuffer(SecretBuffer&& other) noexcept;
  SecretBuffer& operator=(SecretBuffer&& other) noexcept;
  ~SecretBuffer();

  /// Whether the buffer holds nothing (it was moved from).
  bool empty() const { return data_ == nullptr; }
  /// The bytes, to read. Empty when the buffer was moved from.
  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  /// The bytes, to write; only before makeReadOnly().
  std::span<uint8_t> writable();
  /// The same bytes as characters, to write text into (a key file read, a line to write).
  std::span<char> writableText();
  /// From now on the bytes can only be read: a stray write faults instead of changing the secret.
  void makeReadOnly();

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  bool readOnly_ = false;
};

/// Keeps core dumps and same-user debuggers away from the secrets in this process: marks it not
/// dumpable (`prctl(PR_SET_DUMPABLE, 0)`: no core file, and /proc/PID/mem and ptrace are closed to
/// processes without CAP_SYS_PTRACE) and sets its core file size limit to 0, the hard limit too,
/// so that nothing later in the process can raise it again. Call before loading any secret key.
/// Fails naming the system call that failed; the caller then must not load keys.
Status protectProcessSecrets();

}  // namespace liaison::crypto
