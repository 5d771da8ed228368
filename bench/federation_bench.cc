// Benchmark of a federated check-document: an officer of XA-POLICE asks both partners, XB-BORDER
// and XC-IMMIGRATION, through the own node in one request. Three nodes run in this process on
// loopback, each with databases of its own in the cluster at $LIAISON_TEST_PGHOST, over real mutual
// TLS; each partner holds one stolen passport the check finds, visible to XA-POLICE.
//
// Measured in the same run, each after a warm-up, sequentially (one client) and with a few clients
// at once:
//   - the federated request, the officer's client checking every part (the node's signature on each
//     part, each partner's own signature on its answer);
//   - a direct request to each partner, signed as XA-POLICE's node signs the requests it forwards
//     (its member key, its TLS identity; the partners know it as a [[peer]]): the bound a federated
//     answer cannot beat, which is the slowest partner's;
//   - one Ed25519 sign plus verify: what the own node adds at least per partner (it signs the
//     forwarded request and verifies the partner's answer);
//   - the own node's TLS handshakes with partners during the measured queries (the metrics'
//     liaison_federation_tls_handshakes_total): pooled connections make it 0 after the warm-up.
//   - one audit entry committed on its own: the own node waits for one before it forwards and for
//     one per partner's answer (appended as each arrives, so answers close together may share a
//     commit), which is most of the gap to the slowest partner.
// The nodes, PostgreSQL and the clients share the machine's cores.
// Run through scripts/bench, which starts PostgreSQL.
//
// usage: liaison_bench_federation [--queries N] [--warmup N] [--clients C]
//   --queries: measured queries of each kind and phase (default 2000); --warmup: queries before
//   measuring (default 200); --clients: clients of the concurrent phases (default 4; 0: none).
#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <latch>
#include <sstream>
#include <thread>

#include "adapters/audit_log.h"
#include "adapters/csv_import.h"
#include "bench/bench_support.h"
#include "crypto/keys.h"
#include "node/client/query_client.h"
#include "node/net/tls_identity.h"
#include "node/node.h"
#include "tests/policy_texts.h"

namespace liaison::bench {
namespace {

struct Options {
  size_t queries = 2'000;
  size_t warmup = 200;
  size_t clients = 4;
};

Options parseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; i += 2) {
    const std::string key = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s needs a value\n", key.c_str());
      std::exit(2);
    }
    const auto value = static_cast<size_t>(std::strtoull(argv[i + 1], nullptr, 10));
    if (key == "--queries") o.queries = value;
    else if (key == "--warmup") o.warmup = value;
    else if (key == "--clients") o.clients = value;
    else {
      std::fprintf(stderr, "unknown option %s\n", key.c_str());
      std::exit(2);
    }
  }
  if (o.queries == 0) {
    std::fprintf(stderr, "--queries must be positive\n");
    std::exit(2);
  }
  return o;
}

constexpr const char* kOfficersMember = "XA-POLICE";
constexpr std::array<std::string_view, 2> kPartners{"XB-BORDER", "XC-IMMIGRATION"};
constexpr const char* kPassport = "L898902C3";

// XA-POLICE (the tests' base policy: partners XB-BORDER and XC-IMMIGRATION in group EU-PARTNERS, and
// the firewalls): its border officers may check documents at home and ask both partners about them.
const std::string kOfficersPolicy = std::string(policy::kTestPolicyBase) + R"(
[[rule]]
name = "own-checks"
members = ["XA-POLICE"]
roles = ["border"]
purposes = ["border-check"]
queries = ["check-document"]
compartments = ["documents"]
mode = "details"
[[outbound]]
name = "documents-to-partners"
partners = ["EU-PARTNERS"]
roles = ["border"]
purposes = ["border-check"]
queries = ["check-document"]
)";

// A partner (SELF): XA-POLICE's border officers get the details of its documents.
const std::string kPartnerPolicy = R"(self = "SELF"
purposes = ["border-check"]
[[member]]
id = "XA-POLICE"
)" + std::string(policy::kTestFirewalls) + R"(
[[rule]]
name = "xa-document-checks"
members = ["XA-POLICE"]
roles = ["border"]
purposes = ["border-check"]
queries = ["check-document"]
compartments = ["documents"]
mode = "details"
)";

std::string databaseName(const std::string& member) {
  std::string name = "liaison_bench_federation_" + member.substr(0, 2);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

// The passport every partner holds, owned by `member` and visible to XA-POLICE.
void importPassport(const store::DatabaseTarget& target, const std::string& member) {
  std::stringstream csv;
  csv << "number,issuing_state,type,fraud_type,report_date\n" << kPassport << ",UTO,passport,stolen-blank,2025-01-01\n";
  importers::ImportOptions import;
  import.owner = member;
  import.visibleTo = {kOfficersMember};
  import.retentionUntil = parseDate("2036-01-01").value();
  auto report = must(importers::importCsv(target, RecordKind::travelDocument, csv, "bench.csv", import), "import");
  if (report.rowsInserted != 1) die(member + ": the passport was not imported");
}

// A node's configuration for this benchmark: few worker threads (three nodes share the cores), and
// no rate limits, which would otherwise be what is measured.
node::NodeConfig benchNodeConfig(const std::filesystem::path& dir, const std::string& member, std::string policy) {
  std::filesystem::create_directories(dir);
  if (const size_t self = policy.find("SELF"); self != std::string::npos) policy.replace(self, 4, member);
  node::NodeConfig config = writeNodeFiles(dir, member, policy, freshDatabase(databaseName(member)));
  config.workerThreads = 8;
  config.admission.partner = node::RateLimit{1e9, 1e9};
  config.admission.officer = node::RateLimit{1e9, 1e9};
  return config;
}

std::string urlOf(const node::Node& node) { return "https://127.0.0.1:" + std::to_string(node.port()); }

// One client's way to ask once: whether the answer was the one expected. Says why not on stderr,
// for the first few failures only.
using Ask = std::function<bool()>;

bool reportFailure(const std::string& what) {
  static std::atomic<int> reported{0};
  if (reported++ < 5) std::fprintf(stderr, "bench: unexpected answer: %s\n", what.c_str());
  return false;
}

// What one phase measured.
struct Measured {
  Timings micros;
  double perSecond = 0;
  size_t failures = 0;
  double handshakes = 0;  // of the officers' node with partners, during the measured queries
};

// Runs `clients` clients at once, each made by `newClient`: together `warmup` queries, then,
// once all are warm, `queries` measured ones. `handshakes` reads the officers' node's counter.
Measured measure(size_t clients, size_t warmup, size_t queries, const std::function<Ask()>& newClient,
                 const std::function<double()>& handshakes) {
  std::vector<Ask> asks;
  for (size_t c = 0; c < clients; ++c) asks.push_back(newClient());
  std::vector<std::vector<double>> micros(clients);
  std::atomic<size_t> failures{0};
  std::latch warm(static_cast<std::ptrdiff_t>(clients)), go(1);
  std::vector<std::thread> threads;
  for (size_t c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      const size_t share = queries / clients + (c < queries % clients ? 1 : 0);
      for (size_t i = c; i < warmup; i += clients) {
        if (!asks[c]()) ++failures;
      }
      warm.count_down();
      go.wait();
      micros[c].reserve(share);
      for (size_t i = 0; i < share; ++i) {
        const auto sent = Clock::now();
        if (!asks[c]()) ++failures;
        micros[c].push_back(microsSince(sent));
      }
    });
  }
  warm.wait();
  const double handshakesBefore = handshakes();
  const auto started = Clock::now();
  go.count_down();
  for (auto& t : threads) t.join();
  const double elapsed = secondsSince(started);
  Measured measured;
  measured.handshakes = handshakes() - handshakesBefore;
  std::vector<double> all;
  for (auto& m : micros) all.insert(all.end(), m.begin(), m.end());
  measured.micros = summarise(std::move(all));
  measured.perSecond = static_cast<double>(queries) / elapsed;
  measured.failures = failures.load();
  return measured;
}

// One audit entry appended and committed on its own, `count` times in sequence: what the officers'
// node waits for before it forwards (the officer's entry) and again for each partner's answer.
Timings auditCommitMicros(const store::DatabaseTarget& target, size_t count) {
  store::AuditLogOptions oneByOne;
  oneByOne.maxBatch = 1;
  store::AuditLog log(target, kOfficersMember, std::move(oneByOne));
  AuditEntry entry;
  entry.decision = Decision::refused;
  entry.reason = "benchmark: one commit";
  std::vector<double> micros;
  for (size_t i = 0; i < count; ++i) {
    entry.recordedAt = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    const auto started = Clock::now();
    if (!log.append(entry)) die("audit append failed while timing one commit");
    micros.push_back(microsSince(started));
  }
  return summarise(std::move(micros));
}

Query checkPassport() {
  return CheckDocumentQuery{DocumentNumber::parse(kPassport).value(), "UTO", DocumentType::passport};
}

// The officer's federated check: every partner answered, with its own signed hit, and a summary came.
Ask federatedAsk(const client::ClientConfig& officer, const std::string& url) {
  std::shared_ptr<client::QueryClient> c = must(client::QueryClient::create(officer, url), "officer's client");
  return [c] {
    size_t answered = 0;
    bool summarised = false;
    std::string problem;
    auto refusal = c->sendFederated(checkPassport(), {}, client::FederatedTargets{{}, true, false},
                                    [&](const client::FederatedPart& part) {
                                      using Kind = client::FederatedPart::Kind;
                                      if (part.kind == Kind::summary) summarised = true;
                                      if (part.kind != Kind::partner) return;
                                      if (part.status == PartnerStatus::answered && part.response &&
                                          part.response->hits.size() == 1) {
                                        ++answered;
                                      } else {
                                        problem = part.partner + ": " + part.detail;
                                      }
                                    });
    if (!refusal) return reportFailure(refusal.error().message);
    if (*refusal) return reportFailure("refused: " + (*refusal)->response.reason);
    if (answered != kPartners.size() || !summarised) return reportFailure("federated answer incomplete; " + problem);
    return true;
  };
}

// A direct check at a partner, signed with XA-POLICE's node key over its TLS identity.
Ask directAsk(const client::ClientConfig& asXa, const std::string& url) {
  std::shared_ptr<client::QueryClient> c = must(client::QueryClient::create(asXa, url), "direct client");
  return [c] {
    auto answer = c->send(checkPassport(), {});
    if (!answer) return reportFailure(answer.error().message);
    if (answer->response.status != ResponseStatus::ok || answer->response.hits.size() != 1) {
      return reportFailure("direct answer: " + answer->response.reason);
    }
    return true;
  };
}

void print(const std::string& label, const Measured& m, bool withHandshakes, size_t queries) {
  std::printf("  %-44s p50 %6.2f ms   p99 %6.2f ms   %7.0f queries/s   failures %zu", label.c_str(),
              m.micros.p50 / 1000, m.micros.p99 / 1000, m.perSecond, m.failures);
  if (withHandshakes) {
    std::printf("   TLS handshakes per 1,000: %.1f", m.handshakes * 1000 / static_cast<double>(queries));
  }
  std::printf("\n");
}

int run(const Options& options) {
  const std::filesystem::path dir = scratchFolder("bench-federation");
  std::printf("creating three nodes' databases...\n");
  std::fflush(stdout);
  node::NodeConfig officers = benchNodeConfig(dir / kOfficersMember, kOfficersMember, kOfficersPolicy);
  std::vector<node::NodeConfig> partners;
  for (std::string_view member : kPartners) {
    partners.push_back(benchNodeConfig(dir / member, std::string(member), kPartnerPolicy));
    partners.back().peers.push_back(peerEntryOf(officers, ""));
    importPassport(store::DatabaseTarget{partners.back().database}, std::string(member));
  }

  std::vector<std::unique_ptr<std::ofstream>> logs;
  auto start = [&](const node::NodeConfig& config) {
    logs.push_back(std::make_unique<std::ofstream>(dir / (config.member + ".log")));
    return must(node::Node::start(config, node::NodeOptions{{}, logs.back().get()}), "start a node");
  };
  std::vector<std::unique_ptr<node::Node>> partnerNodes;
  for (const node::NodeConfig& config : partners) {
    partnerNodes.push_back(start(config));
    officers.peers.push_back(peerEntryOf(config, urlOf(*partnerNodes.back())));
  }
  must(crypto::writeKeyFiles(dir / "officer", crypto::generateKeyPair()), "officer key");
  officers.officers.push_back(node::OfficerConfig{"officer-1", dir / "officer.pub", Role::border, {"border-check"}});
  auto officersNode = start(officers);
  const auto handshakes = [&] {
    return scrapeMetric(officersNode->metricsPort(), "liaison_federation_tls_handshakes_total");
  };

  client::ClientConfig officer;
  officer.member = kOfficersMember;
  officer.pseudonym = "officer-1";
  officer.role = Role::border;
  officer.purpose = "border-check";
  officer.signingKey = dir / "officer.key";
  officer.nodePin = peerEntryOf(officers, "").tlsPin;
  officer.nodePublicKey = peerEntryOf(officers, "").signingPublicKey;
  for (const node::NodeConfig& p : partners) officer.partners.push_back({p.member, peerEntryOf(p, "").signingPublicKey});
  // What XA-POLICE's node presents to a partner: its member key and TLS identity.
  auto asXaAt = [&](const node::NodeConfig& partner) {
    client::ClientConfig c = officer;
    c.signingKey = officers.signingKey;
    c.tlsCertificate = officers.tlsCertificate;
    c.tlsKey = officers.tlsKey;
    c.nodePin = peerEntryOf(partner, "").tlsPin;
    c.nodePublicKey = peerEntryOf(partner, "").signingPublicKey;
    c.partners.clear();
    return c;
  };

  const unsigned cores = std::thread::hardware_concurrency();
  std::vector<size_t> clientCounts{1};
  if (options.clients > 1) clientCounts.push_back(options.clients);
  const std::function<double()> noHandshakes = [] { return 0.0; };

  std::vector<Measured> federated, slowestDirect;
  std::vector<std::string> slowestName;
  size_t failures = 0;
  for (size_t clients : clientCounts) {
    std::printf("federated check-document, %zu client(s)...\n", clients);
    std::fflush(stdout);
    federated.push_back(measure(clients, options.warmup, options.queries,
                                [&] { return federatedAsk(officer, urlOf(*officersNode)); }, handshakes));
    failures += federated.back().failures;
    std::vector<Measured> direct;
    for (size_t p = 0; p < partners.size(); ++p) {
      std::printf("direct check-document at %s, %zu client(s)...\n", partners[p].member.c_str(), clients);
      std::fflush(stdout);
      direct.push_back(measure(clients, options.warmup, options.queries,
                               [&] { return directAsk(asXaAt(partners[p]), urlOf(*partnerNodes[p])); }, noHandshakes));
      failures += direct.back().failures;
    }
    size_t slowest = 0;
    for (size_t p = 1; p < direct.size(); ++p) {
      if (direct[p].micros.p99 > direct[slowest].micros.p99) slowest = p;
    }
    slowestDirect.push_back(direct[slowest]);
    slowestName.push_back(partners[slowest].member);
    for (size_t p = 0; p < partners.size(); ++p) {
      print("direct at " + partners[p].member + ":", direct[p], false, options.queries);
    }
  }
  const double signVerify = signVerifyMicroseconds();
  officersNode->stop();
  for (auto& n : partnerNodes) n->stop();
  const Timings commit = auditCommitMicros(store::DatabaseTarget{officers.database}, std::min<size_t>(options.queries, 500));

  std::printf(
      "\nfederated check-document: an officer of XA-POLICE asks XB-BORDER and XC-IMMIGRATION through "
      "its node; three nodes in one process, with PostgreSQL and the clients on %u cores; %zu measured "
      "queries after %zu of warm-up per phase\n",
      cores, options.queries, options.warmup);
  std::printf("  bound: one Ed25519 sign + verify: %.1f us\n", signVerify);
  std::printf("  one audit entry committed on its own (the officers' node waits for the officer's, then for each "
              "of the %zu partners' as its answer arrives): p50 %.2f ms, p99 %.2f ms\n",
              kPartners.size(), commit.p50 / 1000, commit.p99 / 1000);
  for (size_t i = 0; i < clientCounts.size(); ++i) {
    const std::string clients = std::to_string(clientCounts[i]) + (clientCounts[i] == 1 ? " client" : " clients");
    print("federated, " + clients + ":", federated[i], true, options.queries);
    print("direct at the slowest partner (" + slowestName[i] + "), " + clients + ":", slowestDirect[i], false,
          options.queries);
    const double floorMs = (slowestDirect[i].micros.p99 + static_cast<double>(kPartners.size()) * signVerify) / 1000;
    std::printf("  %s: federated p99 - (slowest partner's p99 + %zu sign+verify) = %.2f ms - %.2f ms = %.2f ms\n",
                clients.c_str(), kPartners.size(), federated[i].micros.p99 / 1000, floorMs,
                federated[i].micros.p99 / 1000 - floorMs);
    std::printf("  %s: federated p50 - slowest partner's p50 = %.2f ms, %.1f x one audit commit's p50\n",
                clients.c_str(), (federated[i].micros.p50 - slowestDirect[i].micros.p50) / 1000,
                (federated[i].micros.p50 - slowestDirect[i].micros.p50) / commit.p50);
    std::printf("  %s: federated / direct queries/s: %.3f; TLS handshakes per 1,000 federated queries after "
                "warm-up: %.1f (goal 0)\n",
                clients.c_str(), federated[i].perSecond / slowestDirect[i].perSecond,
                federated[i].handshakes * 1000 / static_cast<double>(options.queries));
  }
  for (const node::NodeConfig& config : partners) dropDatabase(databaseName(config.member));
  dropDatabase(databaseName(kOfficersMember));
  std::filesystem::remove_all(dir);
  return failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace liaison::bench

int main(int argc, char** argv) { return liaison::bench::run(liaison::bench::parseOptions(argc, argv)); }
