#include "bench/bench_support.h"

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <pqxx/pqxx>

#include "adapters/migrate.h"
#include "crypto/keys.h"
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

node::NodeConfig writeBenchNode(const std::filesystem::path& dir, const store::DatabaseTarget& target) {
  must(crypto::writeKeyFiles(dir / "node", crypto::generateKeyPair()), "node key");
  must(net::writeTlsIdentity(dir / "node-tls", "node", 1), "node TLS identity");
  std::ofstream(dir / "policy.toml") << kPolicy;
  node::NodeConfig config;
  config.file = dir / "node.toml";
  config.member = "XA-POLICE";
  config.listenPort = 0;
  config.signingKey = dir / "node.key";
  config.tlsCertificate = net::tlsCertificatePath(dir / "node-tls");
  config.tlsKey = net::tlsKeyPath(dir / "node-tls");
  config.policy = dir / "policy.toml";
  config.database = target.conninfo;
  config.metricsPort = 0;
  return config;
}

}  // namespace liaison::bench
