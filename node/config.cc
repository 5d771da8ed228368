#include "node/config.h"

#include <algorithm>
#include <map>

#include "node/client/config_file.h"
#include "policy/policy.h"

namespace liaison::node {
namespace {

using client::relativeTo;
using client::TableReader;

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
  // Screening budgets: persons per minute (burst: as many at once), travellers per hour.
  auto perMinute = [&](const char* key, RateLimit& limit) {
    if (auto v = top.integer(key, 1, 1'000'000)) limit = RateLimit{static_cast<double>(*v) / 60, static_cast<double>(*v)};
  };
  auto perHour = [&](const char* key, RateLimit& limit) {
    if (auto v = top.integer(key, 1, 100'000'000)) limit = RateLimit{static_cast<double>(*v) / 3600, static_cast<double>(*v)};
  };
  perMinute("partner_screenings_per_minute", limits.partnerScreening);
  perMinute("officer_screenings_per_minute", limits.officerScreening);
  perHour("partner_manifest_travellers_per_hour", limits.partnerManifestTravellers);
  perHour("officer_manifest_travellers_per_hour", limits.officerManifestTravellers);

  if (auto listen = top.text("metrics_listen", false)) {
    if (*listen == "off") {
      config.metricsEnabled = false;
    } else if (!splitListen(*listen, config.metricsAddress, config.metricsPort)) {
      top.error(top.at("metrics_listen"), "'metrics_listen' must be HOST:PORT, e.g. 127.0.0.1:9464 (port 0: any free port), or \"off\"");
    }
  }
  if (auto v = top.boolean("metrics_firewalled_kinds")) config.metricsFirewalledKinds = *v;
}

// The federation directory and the anchors that sign it: both or neither.
void readDirectory(TableReader& top, NodeConfig& config) {
  if (auto directory = top.text("directory", false)) config.directory = relativeTo(config.file, *directory);
  for (const std::string& anchor : top.texts("directory_anchors", false)) {
    config.directoryAnchors.push_back(relativeTo(config.file, anchor));
  }
  if (!config.directory.empty() && config.directoryAnchors.empty()) {
    top.error(top.at("directory"), "'directory' needs 'directory_anchors': the .pub files of the keys that may sign it");
  }
  if (config.directory.empty() && top.has("directory_anchors")) {
    top.error(top.at("directory_anchors"), "'directory_anchors' without 'directory': name the signed directory file");
  }
  if (auto v = top.integer("directory_check_interval_ms", 100, 3'600'000)) {
    config.directoryCheckInterval = std::chrono::milliseconds(*v);
  }
  if (auto v = top.integer("federation_deadline_ms", 100, 60'000)) config.federationDeadline = std::chrono::milliseconds(*v);
  if (auto v = top.integer("federation_threads", 1, 256)) config.federationThreads = static_cast<size_t>(*v);
  if (auto dir = top.text("state_dir", false)) config.stateDir = relativeTo(config.file, *dir);
}

}  // namespace

Result<NodeConfig> loadNodeConfig(const std::filesystem::path& file) {
  auto parsed = client::parseConfigFile(file);
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
  readDirectory(top, config);
  if (const toml::array* peers = top.tables("peer")) {
    for (const auto& node : *peers) {
      TableReader peer(*node.as_table(), file.string(), errors);
      PeerConfig p;
      p.line = peer.line();
      p.member = peer.text("member", true).value_or("");
      p.endpoint = peer.text("endpoint", false).value_or("");
      p.signingPublicKey = relativeTo(file, peer.text("signing_public_key", true).value_or(""));
      p.tlsPin = peer.pin("tls_pin", "tls_certificate", file);
      if (auto certificate = peer.text("tls_certificate", false)) p.tlsCertificate = relativeTo(file, *certificate);
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
  if (!errors.empty()) return client::configErrors(errors);
  return config;
}

}  // namespace liaison::node
