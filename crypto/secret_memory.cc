#include "crypto/secret_memory.h"

#include <sodium.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <system_error>
#include <utility>

#include "crypto/keys.h"

namespace liaison::crypto {
namespace {

// A misuse of a buffer is a bug that could hand out or change a secret, and a buffer that cannot be
// guarded is no place for one: stop, whatever the build.
[[noreturn]] void stop(const char* why) {
  std::fprintf(stderr, "liaison: %s\n", why);
  std::abort();
}

Error systemCallFailed(std::string_view call, int err) {
  return fail(ErrorKind::unavailable, "cannot protect the secret keys of this process: " + std::string(call) +
                                          " failed: " + std::generic_category().message(err));
}

}  // namespace

SecretBuffer::SecretBuffer(size_t size) : size_(size) {
  if (size == 0) stop("bug: a secret buffer of no bytes");
  initialise();
  // sodium_malloc also locks the pages (mlock) and excludes them from core dumps (MADV_DONTDUMP);
  // it goes on without the lock when RLIMIT_MEMLOCK is exhausted, as the bytes are still guarded.
  data_ = static_cast<uint8_t*>(sodium_malloc(size));
  if (data_ == nullptr) throw std::bad_alloc();
}

SecretBuffer::SecretBuffer(SecretBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      readOnly_(std::exchange(other.readOnly_, false)) {}

SecretBuffer& SecretBuffer::operator=(SecretBuffer&& other) noexcept {
  if (this != &other) {
    sodium_free(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    readOnly_ = std::exchange(other.readOnly_, false);
  }
  return *this;
}

// sodium_free makes the pages writable again, checks the canary, wipes, unlocks and unmaps them.
SecretBuffer::~SecretBuffer() { sodium_free(data_); }

std::span<uint8_t> SecretBuffer::writable() {
  if (readOnly_) stop("bug: a write to a read-only secret buffer");
  return {data_, size_};
}

std::span<char> SecretBuffer::writableText() {
  std::span<uint8_t> bytes = writable();
  return {reinterpret_cast<char*>(bytes.data()), bytes.size()};
}

void SecretBuffer::makeReadOnly() {
  if (data_ == nullptr) stop("bug: a moved-from secret buffer made read-only");
  if (sodium_mprotect_readonly(data_) != 0) {
    stop("cannot make a secret buffer read-only (sodium_mprotect_readonly failed)");
  }
  readOnly_ = true;
}

Status protectProcessSecrets() {
  // Not dumpable: no core file whatever the limit, and no ptrace or /proc/PID/mem for processes of the
  // same user without CAP_SYS_PTRACE.
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return systemCallFailed("prctl(PR_SET_DUMPABLE, 0)", errno);
  // And a core limit of 0, hard as well, in case something makes the process dumpable again.
  const rlimit none{.rlim_cur = 0, .rlim_max = 0};
  if (::setrlimit(RLIMIT_CORE, &none) != 0) return systemCallFailed("setrlimit(RLIMIT_CORE, 0)", errno);
  return {};
}

}  // namespace liaison::crypto
