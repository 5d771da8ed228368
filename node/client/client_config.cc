#include "node/client/client_config.h"

#include <cstdlib>
#include <vector>

#include "node/client/config_file.h"

namespace liaison::client {

Result<ClientConfig> loadClientConfig(const std::filesystem::path& file) {
  auto parsed = parseConfigFile(file);
  if (!parsed) return parsed.error();
  std::vector<std::string> errors;
  TableReader top(*parsed, file.string(), errors);
  ClientConfig config;
  config.file = file;
  config.member = top.text("member", true).value_or("");
  config.pseudonym = top.text("pseudonym", true).value_or("");
  config.role = top.role("role").value_or(Role::border);
  config.purpose = top.text("purpose", false).value_or("");
  config.legalBasis = top.text("legal_basis", false).value_or("");
  config.signingKey = relativeTo(file, top.text("signing_key", true).value_or(""));
  config.nodePin = top.pin("node_pin", "node_certificate", file);
  config.nodePublicKey = relativeTo(file, top.text("node_public_key", true).value_or(""));
  if (auto cert = top.text("tls_certificate", false)) config.tlsCertificate = relativeTo(file, *cert);
  if (auto key = top.text("tls_key", false)) config.tlsKey = relativeTo(file, *key);
  if (auto dir = top.text("state_dir", false)) {
    config.stateDir = relativeTo(file, *dir);
  } else if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg != nullptr && *xdg == '/') {
    config.stateDir = std::filesystem::path(xdg) / "liaison";
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home == '/') {
    config.stateDir = std::filesystem::path(home) / ".local/state/liaison";
  }
  if (config.tlsCertificate.has_value() != config.tlsKey.has_value()) {
    top.error(nullptr, "'tls_certificate' and 'tls_key' go together");
  }
  if (const toml::array* partners = top.tables("partner")) {
    for (const auto& node : *partners) {
      TableReader partner(*node.as_table(), file.string(), errors);
      ClientConfig::PartnerKeyFile p{partner.text("member", true).value_or(""),
                                     relativeTo(file, partner.text("signing_public_key", true).value_or(""))};
      partner.refuseUnknownKeys();
      config.partners.push_back(std::move(p));
    }
  }
  if (auto directory = top.text("directory", false)) config.directory = relativeTo(file, *directory);
  for (const std::string& anchor : top.texts("directory_anchors", false)) {
    config.directoryAnchors.push_back(relativeTo(file, anchor));
  }
  if (config.directory.empty() != config.directoryAnchors.empty()) {
    top.error(nullptr, "'directory' and 'directory_anchors' go together");
  }
  top.refuseUnknownKeys();
  if (!errors.empty()) return configErrors(errors);
  return config;
}

}  // namespace liaison::client
