#include "node/config.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "node/net/tls_identity.h"
#include "policy/policy.h"

namespace liaison::node {
namespace {

constexpr size_t kMaxConfigBytes = 1 << 20;

std::filesystem::path relativeTo(const std::filesystem::path& file, const std::string& path) {
  std::filesystem::path p(path);
  return p.is_absolute() ? p : file.parent_path() / p;
}

// Reads one TOML table, remembering which keys were used so that unknown keys (usually typos)
// can be refused with their line instead of being silently ignored.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string file, std::vector<std::string>& errors)
      : table_(table), file_(std::move(file)), errors_(errors) {}

  std::string where(const toml::node* node) const {
    const auto line = node != nullptr ? node->source().begin.line : table_.source().begin.line;
    return file_ + ":" + std::to_string(line);
  }

  void error(const toml::node* node, const std::string& message) { errors_.push_back(where(node) + ": " + message); }

  const toml::node* at(const char* key) const { return table_.get(key); }

  std::optional<std::string> text(const char* key, bool required) {
    used_.insert(key);
    const toml::node* node = table_.get(key);
    if (node == nullptr) {
      if (required) error(nullptr, "missing key '" + std::string(key) + "'");
      return std::nullopt;
    }
    if (!node->is_string()) {
      error(node, "'" + std::string(key) + "' must be a string");
      return std::nullopt;
    }
    return node->value<std::string>();
  }

  std::optional<int64_t> integer(const char* key, int64_t min, int64_t max) {
    used_.insert(key);
    const toml::node* node = table_.get(key);
    if (node == nullptr) return std::nullopt;
    auto value = node->value<int64_t>();
    if (!node->is_integer() || !value || *value < min || *value > max) {
      error(node, "'" + std::string(key) + "' must be a whole number from " + std::to_string(min) + " to " +
                      std::to_string(max));
      return std::nullopt;
    }
    return value;
  }

  std::optional<bool> boolean(const char* key) {
    used_.insert(key);
    const toml::node* node = table_.get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_boolean()) {
      error(node, "'" + std::string(key) + "' must be true or false");
      return std::nullopt;
    }
    return node->value<bool>();
  }

  // `smaller` must not exceed `larger`; both keys given or defaulted. Names both lines.
  void notAbove(const char* smaller, int64_t smallValue, const char* larger, int64_t largeValue) {
    if (smallValue <= largeValue) return;
    const toml::node* small = table_.get(smaller);
    const toml::node* large = table_.get(larger);
    error(small, "'" + std::string(smaller) + "' (" + std::to_string(smallValue) + ") exceeds '" + larger + "' (" +
                     std::to_string(largeValue) + (large != nullptr ? ", " + where(large) : ", its default") + ")");
  }

  std::vector<std::string> texts(const char* key, bool required) {
    used_.insert(key);
    std::vector<std::string> out;
    const toml::node* node = table_.get(key);
    if (node == nullptr) {
      if (required) error(nullptr, "missing key '" + std::string(key) + "'");
      return out;
    }
    const toml::array* array = node->as_array();
    if (array == nullptr) {
      error(node, "'" + std::string(key) + "' must be an array of strings");
      return out;
    }
    for (const auto& item : *array) {
      if (!item.is_string()) {
        error(&item, "'" + std::string(key) + "' must contain only strings");
        continue;
      }
      out.push_back(*item.value<std::string>());
    }
    return out;
  }

  bool has(const char* key) const { return table_.get(key) != nullptr; }

  /// The line the table starts on.
  int line() const { return static_cast<int>(table_.source().begin.line); }

  // An array of role names.
  std::vector<Role> roles(const char* key) {
    std::vector<Role> out;
    for (const std::string& roleName : texts(key, false)) {
      if (auto parsed = parseRole(roleName)) out.push_back(*parsed);
      else error(table_.get(key), "unknown role '" + roleName + "'");
    }
    return out;
  }

  std::optional<Role> role(const char* key) {
    auto name = text(key, true);
    if (!name) return std::nullopt;
    auto role = parseRole(*name);
    if (!role) error(table_.get(key), "unknown role '" + *name + "'");
    return role;
  }

  // Arrays of tables like [[peer]]: each element gets its own reader.
  const toml::array* tables(const char* key) {
    used_.insert(key);
    const toml::node* node = table_.get(key);
    if (node == nullptr) return nullptr;
    const toml::array* array = node->as_array();
    if (array == nullptr || !array->is_array_of_tables()) {
      error(node, "'" + std::string(key) + "' must be written as [[" + std::string(key) + "]] tables");
      return nullptr;
    }
    return array;
  }

  // A TLS pin given directly (`pinKey = "sha256:..."`) or as the certificate it pins (`certKey`).
  std::string pin(const char* pinKey, const char* certKey, const std::filesystem::path& file) {
    auto pin = text(pinKey, false);
    auto certificate = text(certKey, false);
    if (pin.has_value() == certificate.has_value()) {
      error(nullptr, "give exactly one of '" + std::string(pinKey) + "' and '" + std::string(certKey) + "'");
      return {};
    }
    if (certificate) {
      auto computed = net::spkiPinOfCertificateFile(relativeTo(file, *certificate));
      if (!computed) error(table_.get(certKey), computed.error().message);
      return computed ? *computed : std::string();
    }
    if (pin->size() != net::kPinLength || pin->rfind(net::kPinPrefix, 0) != 0) {
      error(table_.get(pinKey), "'" + std::string(pinKey) + "' must look like sha256:<44 characters of base64>");
    }
    return *pin;
  }

  void refuseUnknownKeys() {
    for (const auto& [key, node] : table_) {
      if (used_.count(std::string(key.str())) == 0) error(&node, "unknown key '" + std::string(key.str()) + "'");
    }
  }

 private:
  const toml::table& table_;
  std::string file_;
  std::vector<std::string>& errors_;
  std::set<std::string> used_;
};

Result<toml::table> parseFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(ErrorKind::invalidInput, file.string() + ": cannot open the file");
  std::string text(kMaxConfigBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxConfigBytes) return fail(ErrorKind::invalidInput, file.string() + ": larger than 1 MiB");
  try {
    return toml::parse(text, file.string());
  } catch (const toml::parse_error& e) {
    return fail(ErrorKind::invalidInput, file.string() + ":" + std::to_string(e.source().begin.line) + ":" +
                                             std::to_string(e.source().begin.column) + ": " +
                                             std::string(e.description()));
  }
}

Error collected(const std::vector<std::string>& errors) {
  std::string message;
  for (const auto& e : errors) message += (message.empty() ? "" : "\n") + e;
  return fail(ErrorKind::invalidInput, message);
}

// Splits `host:port` (an IPv6 host in brackets, returned without them); the port must be 0..65535.
bool splitListen(const std::string& listen, std::string& host, uint16_t& port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  try {
    size_t used = 0;
    unsigned long n = std::stoul(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1 || n > 65535) return false;  // 0: any free port
    port = static_cast<uint16_t>(n);
  } catch (const std::exception&) {
    return false;
  }
  host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);  // IPv6
  return true;
}

// Identities that would let one credential stand for another: the second of two entries with the
// same pseudonym or member id would authenticate with the first one's role and purposes, and one
// certificate pinned for two partners tells neither apart. (One signing key under two names is
// refused where the keys are read, QueryPipeline::create.)
void refuseConflicts(const NodeConfig& config, std::vector<std::string>& errors) {
  const std::string file = config.file.string();
  auto at = [&](int line) { return file + ":" + std::to_string(line) + ": "; };
  std::map<std::string, int> pseudonyms, members, pins;
  for (const OfficerConfig& officer : config.officers) {
    if (auto [it, fresh] = pseudonyms.emplace(officer.pseudonym, officer.line); !fresh) {
      errors.push_back(at(officer.line) + "officer '" + officer.pseudonym + "' is registered twice, here and at line " +
                       std::to_string(it->second) + "; remove the entry that no longer holds");
    }
  }
  for (const PeerConfig& peer : config.peers) {
    const std::string whose = "partner '" + peer.member + "'";
    if (peer.member == config.member) {
      errors.push_back(at(peer.line) + whose + " is this node's own member; a node does not peer with itself");
    }
    if (auto [it, fresh] = members.emplace(peer.member, peer.line); !fresh) {
      errors.push_back(at(peer.line) + whose + " is registered twice, here and at line " + std::to_string(it->second) +
                       "; remove the entry that no longer holds");
    }
    if (auto [it, fresh] = pins.emplace(peer.tlsPin, peer.line); !fresh) {
      errors.push_back(at(peer.line) + "the TLS certificate of " + whose + " is also pinned at line " +
                       std::to_string(it->second) + ": one certificate identifies one partner only");
    }
  }
}

// The keys that bound what clients may use: connections, failures per source, request rates, and
// the metrics listener.
void readLimits(TableReader& top, NodeConfig& config) {
  if (auto v = top.integer("max_connections", 1, 65'536)) config.maxConnections = static_cast<size_t>(*v);
  config.maxHandshakingConnections = std::max<size_t>(1, config.maxConnections / 2);
  if (auto v = top.integer("max_handshaking_connections", 1, 65'536)) {
    config.maxHandshakingConnections = static_cast<size_t>(*v);
    top.notAbove("max_handshaking_connections", *v, "max_connections", static_cast<int64_t>(config.maxConnections));
  }
  if (auto v = top.integer("max_connections_per_address", 1, 65'536)) {
    config.maxConnectionsPerAddress = static_cast<size_t>(*v);
  }
  if (auto v = top.integer("handshake_timeout_ms", 100, 60'000)) config.handshakeTimeout = std::chrono::milliseconds(*v);

  AdmissionLimits& limits = config.admission;
  if (auto v = top.integer("source_failure_interval_seconds", 1, 3600)) limits.failureInterval = std::chrono::seconds(*v);
  if (auto v = top.integer("source_failure_budget", 1, 1'000'000)) limits.failureBudget = static_cast<uint64_t>(*v);
  if (auto v = top.integer("source_failures_audited_in_full", 1, 1000)) {
    limits.failuresAuditedInFull = static_cast<uint64_t>(*v);
    top.notAbove("source_failures_audited_in_full", *v, "source_failure_budget",
                 static_cast<int64_t>(limits.failureBudget));
  }
  if (auto v = top.integer("partner_requests_per_second", 1, 1'000'000)) limits.partner.perSecond = static_cast<double>(*v);
  if (auto v = top.integer("partner_request_burst", 1, 1'000'000)) limits.partner.burst = static_cast<double>(*v);
  if (auto v = top.integer("officer_requests_per_second", 1, 1'000'000)) limits.officer.perSecond = static_cast<double>(*v);
  if (auto v = top.integer("officer_request_burst", 1, 1'000'000)) limits.officer.burst = static_cast<double>(*v);

  if (auto listen = top.text("metrics_listen", false)) {
    if (*listen == "off") {
      config.metricsEnabled = false;
    } else if (!splitListen(*listen, config.metricsAddress, config.metricsPort)) {
      top.error(top.at("metrics_listen"), "'metrics_listen' must be HOST:PORT, e.g. 127.0.0.1:9464 (port 0: any free port), or \"off\"");
    }
  }
  if (auto v = top.boolean("metrics_firewalled_kinds")) config.metricsFirewalledKinds = *v;
}

}  // namespace

Result<NodeConfig> loadNodeConfig(const std::filesystem::path& file) {
  auto parsed = parseFile(file);
  if (!parsed) return parsed.error();
  std::vector<std::string> errors;
  TableReader top(*parsed, file.string(), errors);
  NodeConfig config;
  config.file = file;
  config.member = top.text("member", true).value_or("");
  if (auto listen = top.text("listen", false)) {
    if (!splitListen(*listen, config.listenAddress, config.listenPort)) {
      top.error(parsed->get("listen"), "'listen' must be HOST:PORT, e.g. 127.0.0.1:8443 (port 0: any free port)");
    }
  }
  config.signingKey = relativeTo(file, top.text("signing_key", true).value_or(""));
  config.tlsCertificate = relativeTo(file, top.text("tls_certificate", true).value_or(""));
  config.tlsKey = relativeTo(file, top.text("tls_key", true).value_or(""));
  config.policy = relativeTo(file, top.text("policy", true).value_or(""));
  config.database = top.text("database", false).value_or("");
  config.healthDatabase = top.text("health_database", false).value_or("");
  config.justiceDatabase = top.text("justice_database", false).value_or("");
  if (auto v = top.integer("validity_window_seconds", 10, kMaxValidityWindow.count())) config.validityWindow = std::chrono::seconds(*v);
  if (auto v = top.integer("max_body_bytes", 1024, 64 << 20)) config.maxBodyBytes = static_cast<size_t>(*v);
  if (auto v = top.integer("max_header_bytes", 1024, 1 << 20)) config.maxHeaderBytes = static_cast<size_t>(*v);
  if (auto v = top.integer("request_deadline_ms", 100, 600'000)) config.requestDeadline = std::chrono::milliseconds(*v);
  if (auto v = top.integer("worker_threads", 1, 256)) config.workerThreads = static_cast<size_t>(*v);
  if (auto v = top.integer("io_threads", 1, 64)) config.ioThreads = static_cast<size_t>(*v);
  if (auto v = top.integer("tree_head_interval_ms", 100, 60'000)) config.treeHeadInterval = std::chrono::milliseconds(*v);
  if (auto v = top.integer("audit_batch_wait_us", 0, 100'000))
    config.auditBatchWait = std::chrono::microseconds(*v);
  readLimits(top, config);
  if (const toml::array* peers = top.tables("peer")) {
    for (const auto& node : *peers) {
      TableReader peer(*node.as_table(), file.string(), errors);
      PeerConfig p;
      p.line = peer.line();
      p.member = peer.text("member", true).value_or("");
      p.endpoint = peer.text("endpoint", false).value_or("");
      p.signingPublicKey = relativeTo(file, peer.text("signing_public_key", true).value_or(""));
      p.tlsPin = peer.pin("tls_pin", "tls_certificate", file);
      if (peer.has("roles")) {
        p.roles = peer.roles("roles");
        if (p.roles.empty()) peer.error(node.as_table()->get("roles"), "'roles' names no role: leave it out for the default");
      }
      if (std::find(p.roles.begin(), p.roles.end(), Role::auditor) != p.roles.end()) {
        peer.error(node.as_table()->get("roles"),
                   "a partner's officers cannot be auditors: the audit log is read by this node's own auditors only");
      }
      if (peer.has("purposes")) p.purposes = peer.texts("purposes", true);
      peer.refuseUnknownKeys();
      config.peers.push_back(std::move(p));
    }
  }
  if (const toml::array* officers = top.tables("officer")) {
    for (const auto& node : *officers) {
      TableReader officer(*node.as_table(), file.string(), errors);
      OfficerConfig o;
      o.line = officer.line();
      o.pseudonym = officer.text("pseudonym", true).value_or("");
      o.publicKey = relativeTo(file, officer.text("public_key", true).value_or(""));
      o.role = officer.role("role").value_or(Role::border);
      o.purposes = officer.texts("purposes", true);
      officer.refuseUnknownKeys();
      config.officers.push_back(std::move(o));
    }
  }
  top.refuseUnknownKeys();
  if (errors.empty()) refuseConflicts(config, errors);
  if (!errors.empty()) return collected(errors);
  return config;
}

Result<ClientConfig> loadClientConfig(const std::filesystem::path& file) {
  auto parsed = parseFile(file);
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
  top.refuseUnknownKeys();
  if (!errors.empty()) return collected(errors);
  return config;
}

}  // namespace liaison::node
