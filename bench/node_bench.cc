// Load benchmark of one node: check-document over keep-alive mutual-TLS connections with
// pre-signed unique requests, against a database of many listed documents.
//
// Prints requests/s, p50/p99 latency, and the ratio to a bound measured in the same run: what the
// node's cores can do of the one unavoidable cryptography per request (one Ed25519 verify of the
// request plus one sign of the response). The maximum rate is measured with auditing on and with
// auditing off in alternating rounds, each on a freshly
// started node after a warm-up, so that drift in a shared machine's speed falls on both alike; the
// on/off ratio is over the rounds' totals. Auditing off is UnauditedNode below: the node's request
// path assembled here with an audit sink that records nothing, so that no production code has a
// way to answer unaudited. Then a node with auditing on is paced at half its
// maximum rate for the p99. While auditing on at the maximum rate it counts the audit log's appends
// and transactions, against the bound of one entry per synchronous commit.
// The node runs in this process and shares the cores with the load generator and PostgreSQL.
// Run through scripts/bench, which starts PostgreSQL.
//
// usage: liaison_bench_node [--documents N] [--connections C] [--paced-connections C]
//                           [--rounds R] [--seconds S] [--audit-batch-wait-us U] [--workers W]
//   --connections: closed-loop connections for the maximum rate (default 128), enough to keep the
//   cores busy while requests wait for their audit batch; --paced-connections: connections sharing
//   the half-rate load (default 16); --rounds: on/off pairs (default 5); --seconds: measured
//   length of one round (default 4); --audit-batch-wait-us, --workers: the node's
//   audit_batch_wait_us and worker_threads (default: the node's defaults).
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <pqxx/pqxx>
#include <random>
#include <sstream>
#include <thread>

#include "adapters/audit_log.h"
#include "adapters/csv_import.h"
#include "adapters/migrate.h"
#include "adapters/replay_guard.h"
#include "adapters/store.h"
#include "adapters/transparency_log.h"
#include "bench/bench_support.h"
#include "crypto/digest.h"
#include "crypto/envelope.h"
#include "crypto/keys.h"
#include "crypto/signing.h"
#include "node/client/query_client.h"
#include "node/json_log.h"
#include "node/metrics.h"
#include "node/net/https_client.h"
#include "node/net/tls_identity.h"
#include "node/node.h"
#include "node/pipeline.h"
#include "policy/policy.h"
#include "schema/codec.h"

namespace liaison::bench {
namespace {

// The node's request path without its audit log, to measure what auditing costs: the TLS server,
// the pipeline (verify, freshness and replay, policy, record store, sign) and the tree heads it
// attaches, as node::Node wires them, with an audit sink that records nothing.
class UnauditedNode {
 public:
  UnauditedNode(const node::NodeConfig& config, std::ostream& logOut)
      : config_(config),
        log_(logOut),
        policy_(must(policy::loadPolicy(config.policy), "policy")),
        key_(must(crypto::loadSecretKey(config.signingKey), "node key")),
        target_{config.database},
        enforcement_(target_, store::DbRole::enforcement),
        health_(target_, store::DbRole::health),
        justice_(target_, store::DbRole::justice),
        replay_(target_),
        transparency_(must(store::TransparencyLog::open(target_, config.member, key_), "transparency log")) {
    pipeline_ = must(node::QueryPipeline::create(
                         config_, node::PipelineServices{policy_, enforcement_, health_, justice_, replay_, sink_,
                                                         *transparency_, key_, metrics_, log_, systemNow}),
                     "pipeline");
    server_ = std::make_unique<net::HttpsServer>(node::serverOptionsOf(config_), [this](const net::HttpRequest& r) {
      return pipeline_->handle(r);
    });
    must(server_->start(), "start the unaudited node");
  }
  uint16_t port() const { return server_->port(); }
  void stop() { server_->stop(); }

 private:
  // Receipts name nothing: the benchmark's client does not check them.
  class NothingRecorded final : public store::AuditSink {
   public:
    store::AuditAnnouncement announce() override { return {}; }
    Result<AuditReceipt> append(const AuditEntry&, store::AuditAnnouncement) override { return AuditReceipt{}; }

   private:
    void withdrawn() override {}
  };

  static Timestamp systemNow() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

  node::NodeConfig config_;
  node::JsonLog log_;
  node::Metrics metrics_;
  policy::Policy policy_;
  crypto::SecretKey key_;
  store::DatabaseTarget target_;
  store::RecordStorePool enforcement_, health_, justice_;
  store::ReplayGuard replay_;
  std::unique_ptr<store::TransparencyLog> transparency_;
  NothingRecorded sink_;
  std::unique_ptr<node::QueryPipeline> pipeline_;
  std::unique_ptr<net::HttpsServer> server_;
};


struct Options {
  size_t documents = 1'000'000;
  size_t connections = 128;
  size_t pacedConnections = 16;
  size_t rounds = 5;
  double seconds = 4;
  long auditBatchWaitUs = -1;  // -1: the node's default (NodeConfig::auditBatchWait)
  size_t workers = 0;          // 0: the node's default (NodeConfig::workerThreads)
};

Options parseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string key = argv[i];
    double value = std::atof(argv[i + 1]);
    if (key == "--documents") o.documents = static_cast<size_t>(value);
    else if (key == "--connections") o.connections = static_cast<size_t>(value);
    else if (key == "--paced-connections")
      o.pacedConnections = static_cast<size_t>(value);
    else if (key == "--rounds")
      o.rounds = static_cast<size_t>(value);
    else if (key == "--seconds") o.seconds = value;
    else if (key == "--audit-batch-wait-us")
      o.auditBatchWaitUs = static_cast<long>(value);
    else if (key == "--workers")
      o.workers = static_cast<size_t>(value);
    else {
      std::fprintf(stderr, "unknown option %s\n", key.c_str());
      std::exit(2);
    }
  }
  if (o.connections == 0 || o.pacedConnections == 0 || o.rounds == 0 || o.seconds <= 0) {
    std::fprintf(stderr, "connections, rounds and seconds must be positive\n");
    std::exit(2);
  }
  return o;
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

// What one or more runs of the load measured: answers completed inside the measured windows.
struct Phase {
  uint64_t requests = 0;
  double seconds = 0;
  std::vector<double> latenciesMs;
  uint64_t failures = 0;

  void add(Phase other) {
    requests += other.requests;
    seconds += other.seconds;
    latenciesMs.insert(latenciesMs.end(), other.latenciesMs.begin(), other.latenciesMs.end());
    failures += other.failures;
  }
  double requestsPerSecond() const { return seconds > 0 ? static_cast<double>(requests) / seconds : 0; }
  double percentileMs(double p) {
    if (latenciesMs.empty()) return 0;
    std::sort(latenciesMs.begin(), latenciesMs.end());
    return latenciesMs[std::min(latenciesMs.size() - 1,
                                static_cast<size_t>(static_cast<double>(latenciesMs.size()) * p))];
  }
};

// One pre-signed request and the digest of its signed body, which the answer must name.
struct Presigned {
  std::vector<uint8_t> envelope;
  Digest bodyDigest{};
};

// One connection of the load generator: a kept-alive mutual-TLS client and its requests.
struct Connection {
  std::unique_ptr<net::HttpsClient> http;
  std::vector<Presigned> requests;
};

// Every answer is decoded and must be a signed hit for exactly the request sent; the signature of
// one answer in kVerifyEvery is checked too. Checking every one would put two more Ed25519
// verifies per request (the response and its tree head) of the partner's work on the node's cores.
constexpr size_t kVerifyEvery = 64;

bool answerIsHit(const Result<net::HttpResponse>& reply, const Presigned& sent,
                 const crypto::KeyRing& nodeKeys, bool verify) {
  if (!reply || reply->status != 200) return false;
  auto envelope = decodeEnvelope(reply->body);
  if (!envelope || envelope->type != MessageType::response) return false;
  if (verify && !crypto::openEnvelope(reply->body, MessageType::response, nodeKeys)) return false;
  auto response = decodeResponse(envelope->body);
  return response && response->requestDigest == sent.bodyDigest && response->status == ResponseStatus::ok &&
         response->hits.size() == 1;
}

// Sends the pre-signed requests of `connections` (one thread each) for `warmup` plus `seconds`;
// only answers that complete after the warm-up count. `ratePerSecond` 0: as fast as possible
// (closed loop); otherwise each connection paces itself (open loop) so the total is that rate.
Phase runPhase(std::vector<Connection>& connections, const crypto::KeyRing& nodeKeys, double warmup,
               double seconds, double ratePerSecond) {
  std::vector<std::vector<double>> latencies(connections.size());
  std::atomic<uint64_t> failures{0};
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  const auto measuredFrom =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(warmup));
  const auto until =
      measuredFrom + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (size_t c = 0; c < connections.size(); ++c) {
    threads.emplace_back([&, c] {
      const auto interval =
          ratePerSecond > 0
              ? std::chrono::duration<double>(static_cast<double>(connections.size()) / ratePerSecond)
              : std::chrono::duration<double>(0);
      // Connections start staggered across one interval, so the paced load arrives evenly
      // instead of in bursts of one request per connection.
      auto next = start + std::chrono::duration_cast<Clock::duration>(
                              interval * (static_cast<double>(c) / static_cast<double>(connections.size())));
      latencies[c].reserve(connections[c].requests.size());
      size_t sentCount = 0;
      for (const Presigned& request : connections[c].requests) {
        if (Clock::now() >= until) break;
        if (ratePerSecond > 0) {
          std::this_thread::sleep_until(next);
          next += std::chrono::duration_cast<Clock::duration>(interval);
        }
        const auto sent = Clock::now();
        auto reply =
            connections[c].http->post("/v1/query", "application/x-liaison-envelope", request.envelope);
        const auto answered = Clock::now();
        if (!answerIsHit(reply, request, nodeKeys, sentCount++ % kVerifyEvery == 0)) ++failures;
        if (answered >= measuredFrom && answered < until) {
          latencies[c].push_back(std::chrono::duration<double, std::milli>(answered - sent).count());
        }
      }
      if (Clock::now() < until) {
        std::fprintf(stderr, "connection %zu ran out of pre-signed requests: the rate is understated\n", c);
      }
    });
  }
  for (auto& t : threads) t.join();
  Phase phase;
  for (auto& l : latencies) phase.latenciesMs.insert(phase.latenciesMs.end(), l.begin(), l.end());
  phase.requests = phase.latenciesMs.size();
  phase.seconds = seconds;
  phase.failures = failures.load();
  return phase;
}

// The audit log as the node left it: entries so far, and how many transactions committed those
// at or after `fromSeq` (each batch of the group commit is one transaction, so one xmin).
struct AuditCount {
  uint64_t entries = 0;
  uint64_t transactionsSince = 0;
};

AuditCount countAudit(const store::DatabaseTarget& target, uint64_t fromSeq) {
  pqxx::connection admin(store::conninfoFor(target, store::DbRole::admin));
  pqxx::read_transaction tx(admin);
  AuditCount count;
  count.entries = tx.exec1("SELECT coalesce(max(seq) + 1, 0) FROM audit.entries")[0].as<uint64_t>();
  count.transactionsSince =
      tx.exec_params1("SELECT count(DISTINCT xmin::text) FROM audit.entries WHERE seq >= $1", fromSeq)[0]
          .as<uint64_t>();
  return count;
}

// The bound for the audit log's append rate: one entry per synchronous commit (no grouping), as
// fast as one writer can, for about `seconds`.
double singleEntryCommitsPerSecond(const store::DatabaseTarget& target, double seconds) {
  store::AuditLogOptions oneByOne;
  oneByOne.maxBatch = 1;
  store::AuditLog log(target, "XA-POLICE", std::move(oneByOne));
  AuditEntry entry;
  entry.decision = Decision::refused;
  entry.reason = "benchmark: commit bound";
  uint64_t done = 0;
  const auto start = Clock::now();
  const auto until = start + std::chrono::duration<double>(seconds);
  while (Clock::now() < until) {
    entry.recordedAt = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    if (!log.append(entry)) die("audit append failed while measuring the commit bound");
    ++done;
  }
  return static_cast<double>(done) / std::chrono::duration<double>(Clock::now() - start).count();
}

int run(const Options& options) {
  const store::DatabaseTarget target = freshDatabase("liaison_bench");

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

  const std::filesystem::path dir = scratchFolder("bench-node");
  auto writeKeys = [&](const std::string& name) { must(crypto::writeKeyFiles(dir / name, crypto::generateKeyPair()), "key"); };
  writeKeys("partner");
  writeKeys("officer");
  must(net::writeTlsIdentity(dir / "partner-tls", "partner", 1), "partner TLS identity");

  node::NodeConfig config = writeBenchNode(dir, target);
  if (options.workers > 0) config.workerThreads = options.workers;
  if (options.auditBatchWaitUs >= 0)
    config.auditBatchWait = std::chrono::microseconds(options.auditBatchWaitUs);
  config.ioThreads = 2;
  // One partner at the node's maximum rate: its rate limit and address cap must not be what is measured.
  config.admission.partner = node::RateLimit{1e9, 1e9};
  config.maxConnectionsPerAddress = config.maxConnections;
  config.officers.push_back(node::OfficerConfig{"officer-1", dir / "officer.pub", Role::border, {"border-check"}});
  config.peers.push_back(node::PeerConfig{"XB-BORDER", "", dir / "partner.pub",
                                          must(net::spkiPinOfCertificateFile(net::tlsCertificatePath(dir / "partner-tls")), "pin")});
  std::ofstream nodeLog(dir / "node.log");
  const std::string nodePin = must(net::spkiPinOfCertificateFile(config.tlsCertificate), "pin");

  // The partner signs the requests, the way federation traffic arrives (hit/no-hit answers).
  client::ClientConfig partner;
  partner.member = "XB-BORDER";
  partner.pseudonym = "xb-officer";
  partner.role = Role::border;
  partner.purpose = "border-check";
  partner.signingKey = dir / "partner.key";
  partner.nodePin = nodePin;
  partner.nodePublicKey = dir / "node.pub";
  partner.tlsCertificate = net::tlsCertificatePath(dir / "partner-tls");
  partner.tlsKey = net::tlsKeyPath(dir / "partner-tls");
  crypto::KeyRing nodeKeys;
  if (auto added = nodeKeys.add(must(crypto::loadPublicKey(dir / "node.pub"), "node key"), "node"); !added) {
    die(added.error().message);
  }

  const unsigned cores = std::thread::hardware_concurrency();
  const double bound = cryptoBoundPerSecond(cores, 2.0);
  std::printf("bound: %.0f Ed25519 verify+sign per second on %u cores\n", bound, cores);
  const double commitBound = singleEntryCommitsPerSecond(target, 2.0);
  std::printf("bound: %.0f audit entries per second committed one per transaction (no group commit)\n",
              commitBound);

  // Pre-sign enough unique requests for every run: nonces differ, document numbers spread over
  // the table. Each run gets what the node could serve at the crypto bound (at most 10,000/s,
  // which keeps the set within memory), split over its connections.
  constexpr double kWarmupSeconds = 1.0;
  constexpr double kMaxRatePresigned = 10'000;
  const double perRun = std::min(bound, kMaxRatePresigned) * (kWarmupSeconds + options.seconds);
  struct Run {
    std::vector<std::vector<Presigned>> requests;  // one list per connection
  };
  std::vector<Run> runs(2 * options.rounds + 1);  // on, off, on, off, ..., then paced
  for (size_t r = 0; r < runs.size(); ++r) {
    const size_t connectionCount = r + 1 == runs.size() ? options.pacedConnections : options.connections;
    runs[r].requests.resize(connectionCount);
  }
  {
    std::printf("pre-signing %.0f requests...\n", perRun * static_cast<double>(runs.size()));
    std::fflush(stdout);
    const Timestamp now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    std::vector<std::thread> signers;
    for (unsigned t = 0; t < cores; ++t) {
      signers.emplace_back([&, t] {
        auto signer = must(client::QueryClient::create(partner, "https://127.0.0.1:1"), "client");
        std::mt19937_64 random(42 + t);
        for (size_t r = 0, l = 0; r < runs.size(); ++r) {
          const size_t perConnection =
              static_cast<size_t>(perRun / static_cast<double>(runs[r].requests.size())) + 1;
          for (auto& requests : runs[r].requests) {
            if (l++ % cores != t) continue;
            requests.reserve(perConnection);
            for (size_t i = 0; i < perConnection; ++i) {
              Query query = CheckDocumentQuery{
                  DocumentNumber::parse(documentNumber(random() % options.documents)).value(), "UTO",
                  DocumentType::passport};
              Presigned request{signer->seal(query, {}, now), {}};
              request.bodyDigest =
                  crypto::sha256(must(decodeEnvelope(request.envelope), "own envelope").body);
              requests.push_back(std::move(request));
            }
          }
        }
      });
    }
    for (auto& s : signers) s.join();
  }

  // Starts a node, opens the connections and hands them the run's requests.
  auto startNode = [&] { return must(node::Node::start(config, node::NodeOptions{{}, &nodeLog}), "start node"); };
  auto connect = [&](uint16_t port, Run& run) {
    std::vector<Connection> connections;
    for (auto& requests : run.requests) {
      net::ClientOptions client;
      client.host = "127.0.0.1";
      client.port = port;
      client.serverPin = nodePin;
      client.certificateFile = partner.tlsCertificate;
      client.keyFile = partner.tlsKey;
      connections.push_back(
          Connection{std::make_unique<net::HttpsClient>(std::move(client)), std::move(requests)});
    }
    return connections;
  };

  // The maximum rate, auditing on and off in alternating rounds; the audit log's appends and
  // transactions are counted over the rounds with auditing on.
  Phase maxOn, maxOff, half;
  uint64_t appended = 0, transactions = 0;
  double auditSeconds = 0;
  for (size_t round = 0; round < options.rounds; ++round) {
    for (bool auditing : {true, false}) {
      std::printf("round %zu of %zu, auditing %s, maximum rate...\n", round + 1, options.rounds,
                  auditing ? "on" : "off");
      std::fflush(stdout);
      std::unique_ptr<node::Node> audited;
      std::unique_ptr<UnauditedNode> unaudited;
      if (auditing) audited = startNode();
      else unaudited = std::make_unique<UnauditedNode>(config, nodeLog);
      const uint16_t port = auditing ? audited->port() : unaudited->port();
      auto connections = connect(port, runs[2 * round + (auditing ? 0 : 1)]);
      const AuditCount before = countAudit(target, 0);
      const auto started = Clock::now();
      Phase phase = runPhase(connections, nodeKeys, kWarmupSeconds, options.seconds, 0);
      const double elapsed = secondsSince(started);
      if (auditing) audited->stop();
      else unaudited->stop();
      if (auditing) {
        auditSeconds += elapsed;
        const AuditCount after = countAudit(target, before.entries);
        appended += after.entries - before.entries;
        transactions += after.transactionsSince;
      }
      (auditing ? maxOn : maxOff).add(std::move(phase));
    }
  }
  {
    std::printf("auditing on, half of %.0f requests/s...\n", maxOn.requestsPerSecond());
    std::fflush(stdout);
    auto running = startNode();
    auto connections = connect(running->port(), runs.back());
    half = runPhase(connections, nodeKeys, kWarmupSeconds, options.seconds, maxOn.requestsPerSecond() / 2);
    running->stop();
  }

  auto print = [](const char* label, Phase& phase) {
    std::printf("  %-30s %8.0f requests/s   p50 %6.2f ms   p99 %6.2f ms   failures %lu\n", label,
                phase.requestsPerSecond(), phase.percentileMs(0.5), phase.percentileMs(0.99),
                static_cast<unsigned long>(phase.failures));
  };
  std::printf(
      "\ncheck-document, %zu documents, %u cores shared by node, PostgreSQL and load generator; maximum "
      "rate over %zu keep-alive mutual-TLS connections, %zu alternating rounds of %.0f s each\n",
      options.documents, cores, options.connections, options.rounds, options.seconds);
  std::printf("  node: %zu worker threads, audit batch wait %ld us\n", config.workerThreads,
              static_cast<long>(config.auditBatchWait.count()));
  print("maximum rate, auditing on:", maxOn);
  print("maximum rate, auditing off:", maxOff);
  std::printf("  (paced over %zu connections)\n", options.pacedConnections);
  print("at half of it, auditing on:", half);
  std::printf(
      "  bound (Ed25519 verify+sign on all cores): %.0f/s; auditing on reaches %.3f of it (goal 0.5), "
      "auditing off %.3f\n",
      bound, maxOn.requestsPerSecond() / bound, maxOff.requestsPerSecond() / bound);
  std::printf("  p99 at half rate: %.2f ms (goal < 10 ms)\n", half.percentileMs(0.99));
  std::printf("  auditing on / auditing off: %.3f (goal >= 0.85)\n",
              maxOn.requestsPerSecond() / maxOff.requestsPerSecond());
  const double appendRate = static_cast<double>(appended) / auditSeconds;
  std::printf(
      "  audit appends with group commit while serving: %.0f entries/s in %lu transactions (%.1f entries "
      "each); "
      "%.2f x the one-entry-per-commit bound (%.0f/s), %.3f of the crypto bound\n",
      appendRate, static_cast<unsigned long>(transactions),
      transactions > 0 ? static_cast<double>(appended) / static_cast<double>(transactions) : 0.0,
      appendRate / commitBound, commitBound, appendRate / bound);
  std::filesystem::remove_all(dir);
  return maxOn.failures + maxOff.failures + half.failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace liaison::bench

int main(int argc, char** argv) { return liaison::bench::run(liaison::bench::parseOptions(argc, argv)); }
