// Secrets in memory: keys in locked, guarded memory that a move hands over, a moved-from key that
// refuses to sign, and a process that cannot dump core or be read by others once protected.
#include "crypto/secret_memory.h"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "crypto/keys.h"
#include "crypto/signing.h"

namespace liaison::crypto {
namespace {

// Memory this process has locked (mlock), in kB, as the kernel counts it.
long lockedKilobytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmLck:", 0) == 0) return std::stol(line.substr(6));
  }
  throw std::runtime_error("/proc/self/status has no VmLck line");
}

std::vector<uint8_t> bytesOf(std::string_view text) { return {text.begin(), text.end()}; }

// AddressSanitizer replaces mlock with a function that locks nothing (its shadow memory would
// make locking meaningless), so under it the kernel's count cannot show the keys; the plain
// build's run of this test checks it.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kMlockIsReal = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kMlockIsReal = false;
#else
constexpr bool kMlockIsReal = true;
#endif
#else
constexpr bool kMlockIsReal = true;
#endif

TEST(SecretKey, EveryKeyIsLockedInMemoryWhileItExistsAndAMoveLocksNothingMore) {
  if (!kMlockIsReal) GTEST_SKIP() << "AddressSanitizer turns mlock into a no-op; checked in the plain build";
  const long pageKilobytes = sysconf(_SC_PAGESIZE) / 1024;
  const long before = lockedKilobytes();
  constexpr int kKeys = 8;
  std::vector<KeyPair> keys;
  for (int i = 0; i < kKeys; ++i) keys.push_back(generateKeyPair());
  const long withKeys = lockedKilobytes();
  EXPECT_GE(withKeys - before, kKeys * pageKilobytes) << "the keys are not in locked memory";

  // A move hands the locked buffer over; it neither copies nor leaks it.
  std::vector<SecretKey> moved;
  for (KeyPair& pair : keys) moved.push_back(std::move(pair.secretKey));
  EXPECT_EQ(lockedKilobytes(), withKeys);
  for (size_t i = 0; i < moved.size(); ++i) {
    std::vector<uint8_t> body = bytesOf("body");
    EXPECT_TRUE(
        verify(MessageType::request, body, sign(MessageType::request, body, moved[i]), keys[i].publicKey));
  }

  keys.clear();
  moved.clear();
  EXPECT_EQ(lockedKilobytes(), before) << "destroyed keys must release (and wipe) their memory";
}

TEST(SecretKeyDeathTest, AMovedFromKeyStopsTheProcessInsteadOfSigning) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  std::array<uint8_t, 32> seed{};
  seed.fill(7);
  KeyPair keys = keyPairFromSeed(seed);
  SecretKey kept = std::move(keys.secretKey);
  std::vector<uint8_t> body = bytesOf("check passport X1234567");
  // A moved-from key once held zeros; signing with it made a signature under a key anyone can know.
  // NOLINTBEGIN(bugprone-use-after-move): using the moved-from key is what is tested
  EXPECT_DEATH(sign(MessageType::request, body, keys.secretKey), "moved-from secret key");
  EXPECT_DEATH(keys.secretKey.publicKey(), "moved-from secret key");
  // NOLINTEND(bugprone-use-after-move)
  EXPECT_TRUE(verify(MessageType::request, body, sign(MessageType::request, body, kept), keys.publicKey));
}

TEST(SecretBufferDeathTest, AReadOnlyBufferCannotBeWrittenThroughItsInterface) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  SecretBuffer buffer(32);
  buffer.writable()[0] = 1;
  buffer.makeReadOnly();
  EXPECT_EQ(buffer.bytes()[0], 1);
  EXPECT_DEATH(buffer.writable(), "read-only secret buffer");
}

TEST(SecretBufferDeathTest, AStrayWriteToAReadOnlyBufferFaults) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  SecretBuffer buffer(64);
  volatile uint8_t* stray = buffer.writable().data();
  buffer.makeReadOnly();
  EXPECT_DEATH(stray[0] = 0, "");
  // Right after its last byte lies a guard page: an overrun faults instead of reading on.
  SecretBuffer other(64);
  volatile const uint8_t* pastEnd = other.bytes().data() + other.bytes().size();
  EXPECT_DEATH((void)*pastEnd, "");
}

// What a child process found after protecting itself; anything but kProtected names a failure.
enum ChildFinding : int {
  kProtected = 0,
  kWasNotDumpableBefore = 10,
  kProtectionFailed,
  kStillDumpable,
  kCoreLimitNotZero,
};

const char* describe(int finding) {
  switch (finding) {
    case kProtected:
      return "protected";
    case kWasNotDumpableBefore:
      return "the process was not dumpable before the protection";
    case kProtectionFailed:
      return "protectProcessSecrets failed";
    case kStillDumpable:
      return "PR_GET_DUMPABLE is not 0 after the protection";
    case kCoreLimitNotZero:
      return "RLIMIT_CORE is not 0 (soft and hard) after the protection";
  }
  return "the child ended some other way";
}

// Runs in a forked child, so the test process itself stays dumpable.
int protectAndInspect() {
  // Start from a process that would dump core, so the protection has something to change. Only
  // root may raise a hard limit of 0; elsewhere the limit already is what the protection sets.
  struct rlimit core {};
  getrlimit(RLIMIT_CORE, &core);
  if (core.rlim_max == 0) core.rlim_max = 1 << 20;
  core.rlim_cur = core.rlim_max;
  (void)setrlimit(RLIMIT_CORE, &core);
  if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1) return kWasNotDumpableBefore;

  if (!protectProcessSecrets().ok()) return kProtectionFailed;

  if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) return kStillDumpable;
  getrlimit(RLIMIT_CORE, &core);
  if (core.rlim_cur != 0 || core.rlim_max != 0) return kCoreLimitNotZero;
  return kProtected;
}

TEST(ProcessProtection, AProtectedProcessIsNotDumpableAndItsCoreLimitIsZeroSoftAndHard) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(protectAndInspect());
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the child was killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), kProtected) << describe(WEXITSTATUS(status));
}

}  // namespace
}  // namespace liaison::crypto
