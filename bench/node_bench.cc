// Load benchmark of one node: check-document over keep-alive mutual-TLS connections with
// pre-signed unique requests, against a database of many listed documents, auditing on.
//
// Prints requests/s, p50/p99 latency, and the ratio to a bound measured in the same run: what the
// node's cores can do of the one unavoidable cryptography per request (one Ed25519 verify of the
// request plus one sign of the response). Then runs at half the measured maximum rate and prints
// the p99 there. Run through scripts/bench, which starts PostgreSQL.
//
// usage: liaison_bench_node [--documents N] [--connections C] [--seconds S]
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include <pqxx/pqxx>

#include "adapters/csv_import.h"
#include "adapters/migrate.h"
#include "crypto/keys.h"
#include "crypto/signing.h"
#include "node/node.h"
#include "node/query_client.h"
#include "node/tls_identity.h"

namespace liaison::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  size_t documents = 1'000'000;
  size_t connections = 16;
  double seconds = 10;
};

Options parseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string key = argv[i];
    double value = std::atof(argv[i + 1]);
    if (key == "--documents") o.documents = static_cast<size_t>(value);
    else if (key == "--connections") o.connections = static_cast<size_t>(value);
    else if (key == "--seconds") o.seconds = value;
    else {
      std::fprintf(stderr, "unknown option %s\n", key.c_str());
      std::exit(2);
    }
  }
  return o;
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T must(Result<T> r, const char* what) {
  if (!r) die(std::string(what) + ": " + r.error().message);
  return std::move(r).value();
}

std::string documentNumber(size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "B%08zu", i);
  return buf;
}

// One Ed25519 verify plus one sign, on `threads` threads for about `seconds`: the bound.
double cryptoBoundPerSecond(size_t threads, double seconds) {
  std::atomic<uint64_t> done{0};
  std::vector<std::thread> workers;
  const auto until = Clock::now() + std::chrono::duration<double>(seconds);
  for (size_t t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      auto pair = crypto::generateKeyPair();
      std::vector<uint8_t> body(300, 0x5a);
      uint64_t n = 0;
      while (Clock::now() < until) {
        auto signature = crypto::sign(MessageType::request, body, pair.secretKey);
        if (!crypto::verify(MessageType::request, body, signature, pair.publicKey)) die("verify failed");
        body[n % body.size()]++;
        ++n;
      }
      done += n;
    });
  }
  for (auto& w : workers) w.join();
  return static_cast<double>(done.load()) / seconds;
}

struct Phase {
  double requestsPerSecond = 0;
  double p50Ms = 0;
  double p99Ms = 0;
  uint64_t failures = 0;
};

// Sends pre-signed requests from `clients` (one thread each). `ratePerSecond` 0: as fast as possible;
// otherwise each connection paces itself (open loop) so the total is that rate.
Phase runPhase(std::vector<std::unique_ptr<node::QueryClient>>& clients,
               std::vector<std::vector<std::vector<uint8_t>>>& requests, double seconds, double ratePerSecond) {
  std::vector<std::vector<double>> latencies(clients.size());
  std::atomic<uint64_t> failures{0};
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  const auto until = start + std::chrono::duration<double>(seconds);
  for (size_t c = 0; c < clients.size(); ++c) {
    threads.emplace_back([&, c] {
      const auto interval = ratePerSecond > 0 ? std::chrono::duration<double>(clients.size() / ratePerSecond)
                                              : std::chrono::duration<double>(0);
      // Connections start staggered across one interval, so the paced load arrives evenly
      // instead of in bursts of one request per connection.
      auto next = start + std::chrono::duration_cast<Clock::duration>(interval * (static_cast<double>(c) /
                                                                                    static_cast<double>(clients.size())));
      for (auto& request : requests[c]) {
        if (Clock::now() >= until) break;
        if (ratePerSecond > 0) {
          std::this_thread::sleep_until(next);
          next += std::chrono::duration_cast<Clock::duration>(interval);
        }
        const auto sent = Clock::now();
        auto answer = clients[c]->sendSealed(request);
        latencies[c].push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
        if (!answer || answer->response.status != ResponseStatus::ok || answer->response.hits.size() != 1) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  Phase phase;
  if (all.empty()) return phase;
  phase.requestsPerSecond = static_cast<double>(all.size()) / elapsed;
  phase.p50Ms = all[all.size() / 2];
  phase.p99Ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  phase.failures = failures.load();
  return phase;
}

int run(const Options& options) {
  const char* host = std::getenv("LIAISON_TEST_PGHOST");
  if (host == nullptr) die("LIAISON_TEST_PGHOST is not set; run scripts/bench");
  const std::string database = "liaison_bench";
  {
    pqxx::connection admin("host='" + std::string(host) + "' dbname=postgres user=liaison_admin");
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    tx.exec("CREATE DATABASE " + database);
  }
  store::DatabaseTarget target{"host='" + std::string(host) + "' dbname=" + database};
  must(store::migrate(target), "migrate");

  std::printf("loading %zu documents...\n", options.documents);
  {
    std::stringstream csv;
    csv << "number,issuing_state,type,fraud_type,report_date\n";
    for (size_t i = 0; i < options.documents; ++i) csv << documentNumber(i) << ",UTO,passport,stolen-blank,2025-01-01\n";
    importers::ImportOptions import;
    import.owner = "XA-POLICE";
    import.visibleTo = {"XB-BORDER"};
    import.retentionUntil = parseDate("2036-01-01").value();
    const auto started = Clock::now();
    auto report = must(importers::importCsv(target, RecordKind::travelDocument, csv, "bench.csv", import), "import");
    std::printf("loaded %lu documents in %.1f s\n", static_cast<unsigned long>(report.rowsInserted),
                std::chrono::duration<double>(Clock::now() - started).count());
    pqxx::connection admin(store::conninfoFor(target, store::DbRole::admin));
    pqxx::nontransaction tx(admin);
    tx.exec("VACUUM ANALYZE documents.travel_documents");
  }

  char pattern[] = "/tmp/liaison-bench-XXXXXX";
  if (mkdtemp(pattern) == nullptr) die("mkdtemp");
  const std::filesystem::path dir = pattern;
  auto writeKeys = [&](const std::string& name) {
    if (auto s = crypto::writeKeyFiles(dir / name, crypto::generateKeyPair()); !s) die(s.error().message);
  };
  writeKeys("node");
  writeKeys("partner");
  writeKeys("officer");
  if (auto s = net::writeTlsIdentity(dir / "node-tls", "node", 1); !s) die(s.error().message);
  if (auto s = net::writeTlsIdentity(dir / "partner-tls", "partner", 1); !s) die(s.error().message);
  std::ofstream(dir / "policy.toml") << R"(self = "XA-POLICE"
purposes = ["border-check"]
[[member]]
id = "XB-BORDER"
[[firewall]]
name = "health-firewall"
compartment = "health"
roles = ["enforcement", "border", "immigration"]
[[firewall]]
name = "justice-firewall"
compartment = "justice"
roles = ["enforcement", "border", "immigration"]
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

  node::NodeConfig config;
  config.file = dir / "node.toml";
  config.member = "XA-POLICE";
  config.listenPort = 0;
  config.signingKey = dir / "node.key";
  config.tlsCertificate = net::tlsCertificatePath(dir / "node-tls");
  config.tlsKey = net::tlsKeyPath(dir / "node-tls");
  config.policy = dir / "policy.toml";
  config.database = target.conninfo;
  config.workerThreads = 32;
  config.ioThreads = 2;
  config.officers.push_back(node::OfficerConfig{"officer-1", dir / "officer.pub", Role::border, {"border-check"}});
  config.peers.push_back(node::PeerConfig{"XB-BORDER", "", dir / "partner.pub",
                                          must(net::spkiPinOfCertificateFile(net::tlsCertificatePath(dir / "partner-tls")), "pin")});
  std::ofstream nodeLog(dir / "node.log");
  auto runningNode = must(node::Node::start(config, node::NodeOptions{{}, &nodeLog}), "start node");
  const std::string url = "https://127.0.0.1:" + std::to_string(runningNode->port());

  // Connections: the partner over mutual TLS (hit/no-hit answers), the way federation traffic arrives.
  node::ClientConfig partner;
  partner.member = "XB-BORDER";
  partner.pseudonym = "xb-officer";
  partner.role = Role::border;
  partner.purpose = "border-check";
  partner.signingKey = dir / "partner.key";
  partner.nodePin = must(net::spkiPinOfCertificateFile(config.tlsCertificate), "pin");
  partner.nodePublicKey = dir / "node.pub";
  partner.tlsCertificate = net::tlsCertificatePath(dir / "partner-tls");
  partner.tlsKey = net::tlsKeyPath(dir / "partner-tls");

  const double bound = cryptoBoundPerSecond(std::thread::hardware_concurrency(), 2.0);
  std::printf("bound: %.0f Ed25519 verify+sign per second on %u cores\n", bound, std::thread::hardware_concurrency());

  // Pre-sign enough unique requests for both phases: nonces differ, document numbers spread over the table.
  // As many as the bound could serve in a phase, capped so the pre-signed set stays within memory.
  constexpr double kMaxPresignedPerPhase = 100'000;
  const size_t perConnection =
      static_cast<size_t>(std::min(bound * options.seconds, kMaxPresignedPerPhase) / static_cast<double>(options.connections)) + 1;
  std::vector<std::unique_ptr<node::QueryClient>> clients;
  std::vector<std::vector<std::vector<uint8_t>>> maxRequests(options.connections), halfRequests(options.connections);
  std::mt19937_64 random(42);
  const Timestamp now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  std::printf("pre-signing %zu requests...\n", perConnection * options.connections * 2);
  for (size_t c = 0; c < options.connections; ++c) {
    clients.push_back(must(node::QueryClient::create(partner, url), "client"));
    for (auto* set : {&maxRequests[c], &halfRequests[c]}) {
      for (size_t i = 0; i < perConnection; ++i) {
        Query query = CheckDocumentQuery{DocumentNumber::parse(documentNumber(random() % options.documents)).value(), "UTO",
                                         DocumentType::passport};
        set->push_back(clients.back()->seal(query, {}, now));
      }
    }
  }

  Phase max = runPhase(clients, maxRequests, options.seconds, 0);
  Phase half = runPhase(clients, halfRequests, options.seconds, max.requestsPerSecond / 2);
  runningNode->stop();

  std::printf("\ncheck-document, %zu documents, %zu keep-alive mutual-TLS connections, auditing on\n", options.documents,
              options.connections);
  std::printf("  maximum rate:   %8.0f requests/s   p50 %6.2f ms   p99 %6.2f ms   failures %lu\n", max.requestsPerSecond,
              max.p50Ms, max.p99Ms, static_cast<unsigned long>(max.failures));
  std::printf("  at half of it:  %8.0f requests/s   p50 %6.2f ms   p99 %6.2f ms   failures %lu\n", half.requestsPerSecond,
              half.p50Ms, half.p99Ms, static_cast<unsigned long>(half.failures));
  std::printf("  bound (Ed25519 verify+sign on all cores): %.0f/s; node reaches %.3f of it (goal 0.5)\n", bound,
              max.requestsPerSecond / bound);
  std::printf("  p99 at half rate: %.2f ms (goal < 10 ms)\n", half.p99Ms);
  std::filesystem::remove_all(dir);
  return max.failures + half.failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace liaison::bench

int main(int argc, char** argv) { return liaison::bench::run(liaison::bench::parseOptions(argc, argv)); }
