// The client configuration file (TOML): who a client speaks as and which node it trusts. Paths
// inside a file are relative to that file.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "schema/model.h"
#include "schema/status.h"

namespace liaison::client {

/// Who a client speaks as: an officer of a member, or a partner node acting for its officer.
struct ClientConfig {
  std::filesystem::path file;
  std::string member;
  std::string pseudonym;
  Role role = Role::border;
  std::string purpose;  ///< default purpose; `--purpose` overrides
  std::string legalBasis;
  std::filesystem::path signingKey;
  std::string nodePin;  ///< SPKI pin of the node's TLS certificate: `node_pin`, or computed from `node_certificate`
  std::filesystem::path nodePublicKey;      ///< the node's Ed25519 `.pub`, to verify responses
  std::optional<std::filesystem::path> tlsCertificate;  ///< for mutual TLS (partner nodes)
  std::optional<std::filesystem::path> tlsKey;
  /// Where the client keeps the signed tree heads nodes gave it (one folder per log) and any fork
  /// evidence: `state_dir`, by default $XDG_STATE_HOME/liaison or ~/.local/state/liaison. Empty:
  /// heads are checked within one run only.
  std::filesystem::path stateDir;
  /// Federated answers carry each partner's own signed response, which the client checks itself
  /// with the partner's key: from `[[partner]]` entries (`member`, `signing_public_key`) ...
  struct PartnerKeyFile {
    std::string member;
    std::filesystem::path signingPublicKey;
  };
  std::vector<PartnerKeyFile> partners;
  /// ... or from the federation directory (`directory`, checked with `directory_anchors`).
  std::filesystem::path directory;
  std::vector<std::filesystem::path> directoryAnchors;
  /// How long one exchange with the node may take: connecting, sending and reading the whole answer.
  std::chrono::milliseconds timeout{10'000};
};

/// Reads a client configuration; errors name the file, the line and the key.
Result<ClientConfig> loadClientConfig(const std::filesystem::path& file);

}  // namespace liaison::client
