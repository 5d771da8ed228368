#include "bench/bench_support.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <pqxx/pqxx>

#include "adapters/migrate.h"
#include "crypto/keys.h"
#include "crypto/signing.h"
#include "node/net/tls_identity.h"

namespace liaison::bench {
namespace {

constexpr const char* kPolicy = R"(self = "XA-POLICE"
purposes = ["border-check", "oversight"]
[[member]]
id = "XB-BORDER"
[[firewall]]
name = "health-firewall"
compartment = "health"
roles = ["enforcement", "border", "immigration", "liaison"]
[[firewall]]
name = "justice-firewall"
compartment = "justice"
roles = ["enforcement", "border", "immigration", "liaison"]
[[rule]]
name = "own-checks"
members = ["XA-POLICE"]
roles = ["border"]
purposes = ["border-check"]
queries = ["check-document"]
compartments = ["documents", "watchlist"]
mode = "details"
[[rule]]
name = "partner-checks"
members = ["XB-BORDER"]
roles = ["border"]
purposes = ["border-check"]
queries = ["check-document"]
compartments = ["documents"]
mode = "hit"
)";

}  // namespace

void die(const std::string& what) {
  std::fprintf(stderr, "bench: %s\n", what.c_str());
  std::exit(1);
}

void must(const Status& status, const char* what) {
  if (!status) die(std::string(what) + ": " + status.error().message);
}

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double microsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

Timings summarise(std::vector<double> timings) {
  Timings summary;
  if (timings.empty()) return summary;
  for (double t : timings) summary.mean += t;
  summary.mean /= static_cast<double>(timings.size());
  std::sort(timings.begin(), timings.end());
  summary.p50 = timings[timings.size() / 2];
  summary.p99 = timings[std::min(timings.size() - 1, timings.size() * 99 / 100)];
  return summary;
}

double signVerifyMicroseconds(int batches, size_t rounds) {
  auto pair = crypto::generateKeyPair();
  std::vector<uint8_t> body(300, 0x5a);
  double best = 0;
  for (int batch = 0; batch < batches; ++batch) {
    const auto started = Clock::now();
    for (size_t i = 0; i < rounds; ++i) {
      auto signature = crypto::sign(MessageType::request, body, pair.secretKey);
      if (!crypto::verify(MessageType::request, body, signature, pair.publicKey)) die("Ed25519 verify failed");
      body[i % body.size()]++;
    }
    const double mean = microsSince(started) / static_cast<double>(rounds);
    if (batch == 0 || mean < best) best = mean;
  }
  return best;
}

namespace {

std::string clusterHost() {
  const char* host = std::getenv("LIAISON_TEST_PGHOST");
  if (host == nullptr) die("LIAISON_TEST_PGHOST is not set; run scripts/bench");
  return host;
}

// Runs `sql` (a statement about database `name`, which it names as `$DB`) on the cluster's
// maintenance database as the owner role.
void onCluster(const std::string& sql, const std::string& name) {
  pqxx::connection admin("host='" + clusterHost() + "' dbname=postgres user=liaison_admin");
  pqxx::nontransaction tx(admin);
  std::string statement = sql;
  statement.replace(statement.find("$DB"), 3, admin.quote_name(name));
  tx.exec(statement);
}

}  // namespace

void dropDatabase(const std::string& name) {
  // The main database and its firewalled compartments' own (adapters/database.h).
  for (const char* suffix : {"", "_health", "_justice"}) {
    onCluster("DROP DATABASE IF EXISTS $DB WITH (FORCE)", name + suffix);
  }
}

store::DatabaseTarget freshDatabase(const std::string& name) {
  dropDatabase(name);
  onCluster("CREATE DATABASE $DB", name);
  store::DatabaseTarget target{"host='" + clusterHost() + "' dbname=" + name};
  must(store::migrate(target), "migrate");
  return target;
}

std::filesystem::path scratchFolder(const std::string& purpose) {
  std::string pattern = "/tmp/liaison-" + purpose + "-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) die("cannot create a folder like " + pattern);
  return pattern;
}

node::NodeConfig writeNodeFiles(const std::filesystem::path& dir, const std::string& member, std::string_view policy,
                                const store::DatabaseTarget& target) {
  must(crypto::writeKeyFiles(dir / "node", crypto::generateKeyPair()), "node key");
  must(net::writeTlsIdentity(dir / "node-tls", "node", 1), "node TLS identity");
  std::ofstream(dir / "policy.toml") << policy;
  node::NodeConfig config;
  config.file = dir / "node.toml";
  config.member = member;
  config.listenPort = 0;
  config.signingKey = dir / "node.key";
  config.tlsCertificate = net::tlsCertificatePath(dir / "node-tls");
  config.tlsKey = net::tlsKeyPath(dir / "node-tls");
  config.policy = dir / "policy.toml";
  config.database = target.conninfo;
  config.metricsPort = 0;
  return config;
}

std::string copyField(const std::string& value) {
  std::string field;
  for (char c : value) {
    if (c == '\\' || c == '\t' || c == '\n' || c == '\r') continue;
    field += c;
  }
  return field;
}

node::NodeConfig writeBenchNode(const std::filesystem::path& dir, const store::DatabaseTarget& target) {
  return writeNodeFiles(dir, "XA-POLICE", kPolicy, target);
}

node::PeerConfig peerEntryOf(const node::NodeConfig& node, const std::string& endpoint) {
  return node::PeerConfig{node.member, endpoint, std::filesystem::path(node.signingKey).replace_extension(".pub"),
                          must(net::spkiPinOfCertificateFile(node.tlsCertificate), "TLS pin")};
}

namespace {

// GET /metrics over plain HTTP on loopback, read until the listener closes (at most 1 MiB, 5 s).
std::string metricsText(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("cannot open a socket to scrape metrics");
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const std::string request = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  std::string text;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 &&
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
    char chunk[4096];
    for (ssize_t n; text.size() < (size_t{1} << 20) && (n = ::recv(fd, chunk, sizeof chunk, 0)) > 0;)
      text.append(chunk, static_cast<size_t>(n));
  }
  ::close(fd);
  return text;
}

}  // namespace

double scrapeMetric(uint16_t port, const std::string& name) {
  const std::string text = metricsText(port);
  const std::string sample = "\n" + name + " ";
  const size_t at = text.find(sample);
  if (at == std::string::npos) die("metric " + name + " not found on 127.0.0.1:" + std::to_string(port));
  return std::strtod(text.c_str() + at + sample.size(), nullptr);
}

}  // namespace liaison::bench
