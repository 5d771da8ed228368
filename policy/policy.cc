#include "policy/policy.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include "policy/policy_loader.h"

namespace liaison::policy {
namespace {

Error tooLarge(const std::string& fileName) {
  return fail(ErrorKind::invalidInput,
              fileName + ": the policy file is larger than " + std::to_string(kMaxPolicyFileBytes / 1024) +
                  " KiB; a policy is a few kilobytes, check that this is the right file");
}

}  // namespace

std::string_view name(Mode mode) { return mode == Mode::details ? "details" : "hit"; }

std::optional<Mode> parseMode(std::string_view text) {
  if (text == "hit") return Mode::hit;
  if (text == "details") return Mode::details;
  return std::nullopt;
}

std::string cite(const Rule& rule) {
  return "rule \"" + rule.name + "\" (line " + std::to_string(rule.line) + ")";
}

std::string cite(const Firewall& firewall) {
  return "firewall \"" + firewall.name + "\" (line " + std::to_string(firewall.line) + ")";
}

std::string cite(const OutboundRule& rule) {
  return "outbound \"" + rule.name + "\" (line " + std::to_string(rule.line) + ")";
}

bool isAlwaysForbidden(Role role, Compartment compartment) {
  return isFirewalled(compartment) &&
         std::find(kEnforcementFacingRoles.begin(), kEnforcementFacingRoles.end(), role) !=
             kEnforcementFacingRoles.end();
}

std::vector<std::string> firewallsForbidding(Role role, Compartment compartment, const Policy& policy) {
  std::vector<std::string> because;
  for (const Firewall& firewall : policy.firewalls) {
    if (firewall.compartment == compartment &&
        std::find(firewall.roles.begin(), firewall.roles.end(), role) != firewall.roles.end()) {
      because.push_back(cite(firewall));
    }
  }
  if (because.empty() && isAlwaysForbidden(role, compartment)) {
    because.push_back("built-in firewall: compartment " + std::string(name(compartment)) +
                      " is never open to role " + std::string(name(role)));
  }
  return because;
}

Result<Policy> parsePolicy(std::string_view text, std::string fileName) {
  if (text.size() > kMaxPolicyFileBytes) return tooLarge(fileName);
  std::vector<PolicyIssue> issues;
  std::optional<PolicyDraft> draft = readPolicyToml(text, fileName, issues);
  if (draft) checkPolicy(*draft, issues);
  if (issues.empty()) {
    draft->policy.file = std::move(fileName);
    return std::move(draft->policy);
  }
  std::stable_sort(issues.begin(), issues.end(), [](const PolicyIssue& a, const PolicyIssue& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  std::string message;
  for (const PolicyIssue& issue : issues) {
    if (!message.empty()) message += '\n';
    message += fileName + ":" + std::to_string(issue.line) + ":";
    if (issue.column > 0) message += std::to_string(issue.column) + ":";
    message += " " + issue.message;
  }
  return fail(ErrorKind::invalidInput, std::move(message));
}

Result<Policy> loadPolicy(const std::filesystem::path& path) {
  const std::string fileName = path.string();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return fail(ErrorKind::invalidInput, fileName + ": is a directory; give the policy file itself");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(ErrorKind::invalidInput,
                fileName + ": cannot open the policy file (" + std::strerror(errno) + ")");
  }
  // Read at most one byte past the limit, so a huge file or an endless stream costs no more than that.
  std::string text(kMaxPolicyFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return fail(ErrorKind::invalidInput, fileName + ": cannot read the policy file");
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxPolicyFileBytes) return tooLarge(fileName);
  return parsePolicy(text, fileName);
}

}  // namespace liaison::policy
