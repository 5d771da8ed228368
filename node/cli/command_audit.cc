#include "node/cli/command_audit.h"

#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "crypto/digest.h"

namespace liaison::cli {
namespace {

// The name of the effective user, or its number when it has none.
std::string effectiveUser() {
  const uid_t uid = geteuid();
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) return found->pw_name;
  return "uid " + std::to_string(uid);
}

// An argument as a shell would need it to mean the same word.
std::string quoted(const std::string& word) {
  const bool plain = !word.empty() && word.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                                             "0123456789-_./=:,@+%") == std::string::npos;
  if (plain) return word;
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

store::CommandLineOrigin commandLineOrigin(const std::vector<std::string>& argv) {
  store::CommandLineOrigin origin;
  origin.localUser = effectiveUser();
  // Under sudo the effective user is root; who asked for it is worth keeping. The variable is the
  // process's own word, kept as information beside the user the system vouches for.
  if (const char* sudoUser = std::getenv("SUDO_USER"); sudoUser != nullptr && *sudoUser != '\0' && geteuid() == 0) {
    origin.localUser += " (sudo by " + std::string(sudoUser).substr(0, 64) + ")";
  }
  for (const std::string& word : argv) origin.command += (origin.command.empty() ? "" : " ") + quoted(word);
  if (origin.command.size() > kMaxAuditedCommandBytes) {
    // Cut at a UTF-8 character boundary.
    size_t end = kMaxAuditedCommandBytes - 3;
    while (end > 0 && (static_cast<unsigned char>(origin.command[end]) & 0xC0) == 0x80) --end;
    origin.command = origin.command.substr(0, end) + "...";
  }
  return origin;
}

Status auditCommandLine(const store::DatabaseTarget& target, const store::CommandLineOrigin& origin,
                        const CommandLineAccess& access) {
  AuditEntry entry;
  entry.recordedAt = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  entry.requester = access.member;
  entry.purpose = "command line";
  entry.decision = access.decision;
  entry.reason = access.reason;
  entry.recordRefs = access.recordRefs;
  const std::string& command = origin.command;
  entry.queryDigest = crypto::sha256({reinterpret_cast<const uint8_t*>(command.data()), command.size()});
  entry.responseDigest = crypto::sha256(access.output);
  origin.stamp(entry);
  store::AuditLog log(target, access.member);
  auto receipt = log.append(entry);
  if (!receipt) return fail(receipt.error().kind, "the audit log refused the entry: " + receipt.error().message);
  return {};
}

}  // namespace liaison::cli
