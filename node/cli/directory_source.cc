#include "node/cli/directory_source.h"

#include "crypto/keys.h"
#include "node/client/config_file.h"
#include "policy/policy.h"

namespace liaison::cli {
namespace {

using client::relativeTo;
using client::TableReader;

// A timestamp written as text, `YYYY-MM-DDTHH:MM:SSZ`; `fallback` when absent.
Timestamp timestamp(TableReader& table, const char* key, Timestamp fallback) {
  auto text = table.text(key, false);
  if (!text) return fallback;
  auto parsed = parseTimestamp(*text);
  if (!parsed) {
    table.error(table.at(key), "'" + std::string(key) + "' must be a UTC time like 2026-01-31T00:00:00Z");
    return fallback;
  }
  return *parsed;
}

// Reads each [[member.NAME]] table of `member` with `read`.
template <typename Read>
void eachTable(TableReader& member, const char* key, const std::string& file, std::vector<std::string>& errors,
               Read read) {
  const toml::array* tables = member.tables(key);
  if (tables == nullptr) return;
  for (const auto& node : *tables) {
    TableReader table(*node.as_table(), file, errors);
    read(table);
    table.refuseUnknownKeys();
  }
}

DirectoryMember readMember(TableReader& member, const std::filesystem::path& file, std::vector<std::string>& errors,
                           const Directory& directory) {
  DirectoryMember m;
  m.member = member.text("id", true).value_or("");
  m.endpoint = member.text("endpoint", false).value_or("");
  m.roles.assign(policy::kEnforcementFacingRoles.begin(), policy::kEnforcementFacingRoles.end());
  if (member.has("roles")) m.roles = member.roles("roles");
  if (member.has("purposes")) m.purposes = member.texts("purposes", true);
  eachTable(member, "key", file.string(), errors, [&](TableReader& key) {
    DirectoryKey k;
    const auto path = key.text("public_key", true);
    if (path) {
      auto loaded = crypto::loadPublicKey(relativeTo(file, *path));
      if (loaded) k.publicKey = loaded->bytes();
      else key.error(key.at("public_key"), loaded.error().message);
    }
    k.notBefore = timestamp(key, "not_before", directory.issuedAt);
    k.notAfter = timestamp(key, "not_after", directory.expiresAt);
    m.signingKeys.push_back(k);
  });
  eachTable(member, "tls", file.string(), errors, [&](TableReader& tls) {
    DirectoryPin p;
    p.pin = tls.pin("pin", "certificate", file);
    p.notBefore = timestamp(tls, "not_before", directory.issuedAt);
    p.notAfter = timestamp(tls, "not_after", directory.expiresAt);
    m.tlsPins.push_back(std::move(p));
  });
  member.refuseUnknownKeys();
  return m;
}

}  // namespace

Result<Directory> readDirectorySource(const std::filesystem::path& file, Timestamp issuedAt, Timestamp expiresAt) {
  auto parsed = client::parseConfigFile(file);
  if (!parsed) return parsed.error();
  std::vector<std::string> errors;
  TableReader top(*parsed, file.string(), errors);
  Directory directory;
  directory.federation = top.text("federation", true).value_or("");
  if (auto serial = top.integer("serial", 1, std::numeric_limits<int64_t>::max())) {
    directory.serial = static_cast<uint64_t>(*serial);
  } else if (!top.has("serial")) {
    top.error(nullptr, "missing key 'serial': give this issue of the directory a serial higher than the last");
  }
  directory.issuedAt = issuedAt;
  directory.expiresAt = expiresAt;
  if (const toml::array* members = top.tables("member")) {
    for (const auto& node : *members) {
      TableReader member(*node.as_table(), file.string(), errors);
      directory.members.push_back(readMember(member, file, errors, directory));
    }
  }
  top.refuseUnknownKeys();
  if (!errors.empty()) return client::configErrors(errors);
  return directory;
}

}  // namespace liaison::cli
