// Audit log benchmark at the size of a busy node's log: N realistic synthetic audit entries (default
// 1,000,000) loaded into a fresh database, then
//   1. the load itself (setup, not a goal): COPY into audit.entries with explicit leaf indices;
//   2. node start over the N entries (node::Node::start rebuilds the RFC 6962 tree from every stored
//      entry), against the bound measured in the same run: a bare `SELECT entry FROM audit.entries`
//      plus crypto::leafHash of every entry;
//   3. `audit verify` of the log (client::verifyAuditLog as an auditor, over TLS), against the same
//      bound (goal: under 10 s at 1,000,000);
//   4. inclusion proofs at the full size from crypto::MerkleTree built from the same leaves (the
//      node's TransparencyLog is that tree behind a lock; goal: under 1 ms), against verifying the
//      proof; and the end-to-end GET /v1/audit/proof/inclusion (signing, TLS, audit append) against
//      one Ed25519 sign+verify;
//   5. `audit prove` (client::proveReceipt) of receipts for stored entries, against the same.
// Every figure is checked before it is printed: the log verifies, every proof verifies against the
// root of the loaded entries, every receipt is included. Run through scripts/bench, which starts
// PostgreSQL.
//
// usage: liaison_bench_audit [--entries N]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/audit_search.h"
#include "adapters/database.h"
#include "adapters/migrate.h"
#include "bench/bench_support.h"
#include "crypto/digest.h"
#include "crypto/keys.h"
#include "crypto/merkle.h"
#include "crypto/merkle_tree.h"
#include "crypto/signing.h"
#include "node/client/audit_verify.h"
#include "node/client/query_client.h"
#include "node/net/tls_identity.h"
#include "node/node.h"
#include "schema/codec.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <pqxx/tablewriter>
#pragma GCC diagnostic pop

namespace liaison::bench {
namespace {


constexpr const char* kMember = "XA-POLICE";  // the node's member, and so its log id
constexpr const char* kAuditorOfficer = "auditor-1";
constexpr size_t kInMemoryProofs = 10'000;
constexpr size_t kProofGets = 200;
constexpr size_t kReceipts = 100;
constexpr size_t kSignVerifyRounds = 2'000;
constexpr int kBoundRuns = 3;


// --- synthetic entries ------------------------------------------------------------------------

// Who asks, as the node's officers and its partners' nodes do: member, pseudonym pool, role, purpose.
struct Asker {
  const char* member;
  const char* pseudonymPrefix;
  uint64_t officers;
  Role role;
  const char* purpose;
  uint64_t perMille;  // share of the authenticated requests
};

constexpr Asker kAskers[] = {
    {"XA-POLICE", "xa-border-", 300, Role::border, "border-check", 560},
    {"XA-POLICE", "xa-enforcement-", 80, Role::enforcement, "criminal-investigation", 80},
    {"XA-POLICE", "xa-immigration-", 60, Role::immigration, "asylum-casework", 70},
    {"XA-POLICE", "xa-auditor-", 3, Role::auditor, "oversight", 5},
    {"XB-BORDER", "xb-", 1000, Role::border, "border-check", 195},
    {"XC-IMMIGRATION", "xc-", 500, Role::immigration, "border-check", 90},
};

const Asker& pickAsker(std::mt19937_64& random) {
  uint64_t roll = random() % 1000;
  for (const Asker& asker : kAskers) {
    if (roll < asker.perMille) return asker;
    roll -= asker.perMille;
  }
  return kAskers[0];
}

// A record reference as the store hands them out (a version-4 UUID).
std::string recordRef(std::mt19937_64& random) {
  const uint64_t high = random();
  const uint64_t low = random();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(high >> 32),
                static_cast<unsigned>(high >> 16 & 0xffff), static_cast<unsigned>(high & 0xfff),
                static_cast<unsigned>(0x8000 | (low >> 48 & 0x3fff)),
                static_cast<unsigned long long>(low & 0xffffffffffffULL));
  return buf;
}

// A digest no other entry has: SHA-256 over a label and the entry's index.
Digest uniqueDigest(std::string_view label, uint64_t index) {
  std::string input(label);
  for (int b = 0; b < 8; ++b) input += static_cast<char>(index >> (8 * b));
  return crypto::sha256({reinterpret_cast<const uint8_t*>(input.data()), input.size()});
}

std::string numbered(const char* prefix, uint64_t n, int width) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%0*llu", prefix, width, static_cast<unsigned long long>(n));
  return buf;
}

// What the policy cites for a permitted query of `kind` by `asker` (the audit reason).
std::string permittedReason(const Asker& asker, QueryKind kind) {
  const bool own = std::string_view(asker.member) == kMember;
  switch (kind) {
    case QueryKind::checkDocument:
      return own ? R"(documents: rule "own-border-checks" (line 21); watchlist: rule "own-border-checks" (line 21))"
                 : R"(documents: rule "partner-hit-no-hit" (line 66))";
    case QueryKind::getRecord:
      return R"(documents: rule "own-record-details" (line 30))";
    case QueryKind::listMovements:
      return R"(immigration: rule "own-movements" (line 39))";
    case QueryKind::screenPerson:
      return R"(notices: rule "own-screening" (line 48); watchlist: rule "own-screening" (line 48))";
    default:
      return {};
  }
}

// The query an asker sends: mostly document checks, some record details and movement lists with a
// case reference, screenings, and the auditors' reads.
QueryKind pickQueryKind(const Asker& asker, std::mt19937_64& random) {
  const uint64_t roll = random() % 100;
  switch (asker.role) {
    case Role::border:
      if (roll < 85) return QueryKind::checkDocument;
      return roll < 95 ? QueryKind::screenPerson : QueryKind::getRecord;
    case Role::enforcement:
      if (roll < 40) return QueryKind::checkDocument;
      return roll < 70 ? QueryKind::listMovements : QueryKind::getRecord;
    case Role::immigration:
      if (std::string_view(asker.member) != kMember) return QueryKind::checkDocument;
      if (roll < 50) return QueryKind::listMovements;
      return roll < 80 ? QueryKind::screenPerson : QueryKind::getRecord;
    default:
      return QueryKind::auditRead;
  }
}

// Entry `index` of a log that records about four requests a second.
AuditEntry syntheticEntry(uint64_t index, std::mt19937_64& random) {
  static const Timestamp kFirstEntryAt = parseTimestamp("2026-03-02T06:00:00Z").value();
  AuditEntry e;
  e.recordedAt = kFirstEntryAt + std::chrono::seconds(index / 4);
  e.queryDigest = uniqueDigest("liaison-bench/query", index);
  e.responseDigest = uniqueDigest("liaison-bench/response", index);
  if (random() % 1000 < 15) {
    // Bytes that never opened as a signed request: only the digest of the bytes is known.
    e.decision = Decision::invalid;
    e.reason = "not a signed request: envelope: signature must be 64 bytes, got 0";
    return e;
  }
  const Asker& asker = pickAsker(random);
  e.requester = asker.member;
  e.officerPseudonym = numbered(asker.pseudonymPrefix, random() % asker.officers, 4);
  e.role = asker.role;
  e.purpose = asker.purpose;
  const QueryKind kind = pickQueryKind(asker, random);
  e.queryKind = kind;
  if (kind == QueryKind::getRecord || kind == QueryKind::listMovements) {
    e.caseReference = numbered("XA-CASE-2026-", random() % 20'000, 5);
  }
  if (kind == QueryKind::auditRead) {
    const uint64_t start = index / 10'000 * 10'000;
    e.decision = Decision::permitted;
    e.reason = "read /v1/audit/entries?start=" + std::to_string(start) +
               "&end=" + std::to_string(start + 9'999) + "&format=binary";
    return e;
  }
  const uint64_t outcome = random() % 1000;
  if (outcome < 5) {
    e.decision = Decision::invalid;
    e.reason = "request expires before it was issued";
    return e;
  }
  if (outcome < 65) {
    e.decision = Decision::refused;
    e.reason = kind == QueryKind::getRecord
                   ? R"(documents: rule "own-record-details" (line 30) requires a case reference)"
                   : "documents: no rule permits (default deny)";
    return e;
  }
  e.decision = Decision::permitted;
  e.reason = permittedReason(asker, kind);
  const uint64_t hits = random() % 100;
  switch (kind) {
    case QueryKind::checkDocument:
      if (hits < 3) e.recordRefs.push_back(recordRef(random));
      if (hits == 0) e.recordRefs.push_back(recordRef(random));  // also on the watchlist
      break;
    case QueryKind::getRecord:
      e.recordRefs.push_back(recordRef(random));
      break;
    case QueryKind::listMovements:
      for (uint64_t i = 0; i < hits % 5; ++i) e.recordRefs.push_back(recordRef(random));
      break;
    case QueryKind::screenPerson:
      if (hits < 2) e.recordRefs.push_back(recordRef(random));
      break;
    default:
      break;
  }
  return e;
}

// --- loading ------------------------------------------------------------------------------------

// One COPY text-format line (PostgreSQL COPY, "Text Format"): tab-separated, backslash escapes.
class CopyLine {
 public:
  void clear() {
    line_.clear();
    fields_ = 0;
  }
  const std::string& str() const { return line_; }

  void text(std::string_view value) {
    separate();
    for (char c : value) {
      switch (c) {
        case '\\':
          line_ += "\\\\";
          break;
        case '\t':
          line_ += "\\t";
          break;
        case '\n':
          line_ += "\\n";
          break;
        case '\r':
          line_ += "\\r";
          break;
        default:
          line_ += c;
      }
    }
  }

  // bytea in its hex input form `\x..`, whose backslash COPY wants escaped.
  void bytes(std::span<const uint8_t> value) {
    static constexpr char kHex[] = "0123456789abcdef";
    separate();
    line_ += "\\\\x";
    for (uint8_t b : value) {
      line_ += kHex[b >> 4];
      line_ += kHex[b & 0x0f];
    }
  }

  // A text[] literal with every element quoted, e.g. {"a","b"}.
  void textArray(const std::vector<std::string>& values) {
    std::string literal = "{";
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) literal += ',';
      literal += '"';
      for (char c : values[i]) {
        if (c == '"' || c == '\\') literal += '\\';
        literal += c;
      }
      literal += '"';
    }
    text(literal + "}");
  }

 private:
  void separate() {
    if (fields_++ > 0) line_ += '\t';
  }
  std::string line_;
  size_t fields_ = 0;
};

struct LoadedLog {
  std::vector<Digest> leaves;  // crypto::leafHash of each entry's bytes, in seq order
  uint64_t entryBytes = 0;     // total size of the encoded entries
  double seconds = 0;          // generating, encoding and COPY, to the commit
};

// Writes `count` entries with seq 0..count-1 in one COPY as the owner role. audit.assign_seq
// (schema/sql/0002_node.sql) accepts an explicit seq only when it is the next one, so the rows go in
// index order; every column holds what the entry's canonical bytes decode to.
LoadedLog loadEntries(const store::DatabaseTarget& target, uint64_t count) {
  static const std::vector<std::string> kColumns = {"seq",
                                                    "recorded_at",
                                                    "requester",
                                                    "officer_pseudonym",
                                                    "role",
                                                    "purpose",
                                                    "case_reference",
                                                    "query_kind",
                                                    "query_digest",
                                                    "decision",
                                                    "reason",
                                                    "record_refs",
                                                    "response_digest",
                                                    "entry"};
  LoadedLog loaded;
  loaded.leaves.reserve(count);
  pqxx::connection admin(store::conninfoFor(target, store::DbRole::admin));
  const auto started = Clock::now();
  pqxx::work tx(admin);  // READ COMMITTED, which audit.lock_for_append insists on
  std::mt19937_64 random(6962);
  CopyLine line;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  {
    pqxx::tablewriter writer(tx, "audit.entries", kColumns.begin(), kColumns.end());
    for (uint64_t i = 0; i < count; ++i) {
      const AuditEntry e = syntheticEntry(i, random);
      const std::vector<uint8_t> bytes = encodeAuditEntry(e);
      loaded.leaves.push_back(crypto::leafHash(bytes));
      loaded.entryBytes += bytes.size();
      line.clear();
      line.text(std::to_string(i));
      line.text(formatTimestamp(e.recordedAt));
      line.text(e.requester);
      line.text(e.officerPseudonym);
      line.text(e.role ? name(*e.role) : "");
      line.text(e.purpose);
      line.text(e.caseReference);
      line.text(e.queryKind ? name(*e.queryKind) : "");
      line.bytes(e.queryDigest);
      line.text(name(e.decision));
      line.text(e.reason);
      line.textArray(e.recordRefs);
      line.bytes(e.responseDigest);
      line.bytes(bytes);
      writer.write_raw_line(line.str());
    }
    writer.complete();
  }
#pragma GCC diagnostic pop
  tx.commit();
  loaded.seconds = secondsSince(started);
  return loaded;
}

// Reads every stored entry back as the auditor role, which checks each row's columns against its
// canonical bytes (adapters/audit_search.cc), and compares the bytes with the leaves loaded.
void checkStoredEntries(const store::DatabaseTarget& target, const std::vector<Digest>& leaves) {
  store::AuditReader reader(target);
  for (uint64_t start = 0; start < leaves.size(); start += store::kMaxAuditPageRows) {
    const uint64_t end = std::min<uint64_t>(leaves.size(), start + store::kMaxAuditPageRows);
    auto rows = must(reader.entries(start, end), "reading the loaded entries back");
    if (rows.size() != end - start) die("entries " + std::to_string(start) + ".. came back incomplete");
    for (const auto& row : rows) {
      if (crypto::leafHash(row.entryBytes) != leaves[row.seq])
        die("entry " + std::to_string(row.seq) + " changed");
    }
  }
}

// The bound of node start and of verify: a bare read of every stored entry plus its leaf hash,
// over the same server, as the auditor role the node reads with.
struct BoundRead {
  double seconds = 0;
  std::vector<Digest> leaves;  // in the order the scan returned them
};

BoundRead readAndHashEveryEntry(const store::DatabaseTarget& target) {
  pqxx::connection auditor(store::conninfoFor(target, store::DbRole::auditor));
  BoundRead bound;
  const auto started = Clock::now();
  pqxx::read_transaction tx(auditor);
  const pqxx::result rows = tx.exec("SELECT entry FROM audit.entries");
  bound.leaves.reserve(rows.size());
  for (const auto& row : rows) {
    const pqxx::binarystring bytes(row[0]);
    bound.leaves.push_back(crypto::leafHash({bytes.data(), bytes.size()}));
  }
  tx.commit();
  bound.seconds = secondsSince(started);
  return bound;
}

// --- the node -----------------------------------------------------------------------------------


struct NodeFiles {
  node::NodeConfig config;
  client::ClientConfig auditor;
};

// Keys, TLS identity, policy and configuration of a node with one registered auditor, in `dir`.
NodeFiles writeAuditedNode(const std::filesystem::path& dir, const store::DatabaseTarget& target) {
  must(crypto::writeKeyFiles(dir / "auditor", crypto::generateKeyPair()), "auditor key");
  NodeFiles files;
  files.config = writeBenchNode(dir, target);
  node::NodeConfig& config = files.config;
  config.officers.push_back(
      node::OfficerConfig{kAuditorOfficer, dir / "auditor.pub", Role::auditor, {"oversight"}});

  client::ClientConfig& auditor = files.auditor;
  auditor.member = kMember;
  auditor.pseudonym = kAuditorOfficer;
  auditor.role = Role::auditor;
  auditor.purpose = "oversight";
  auditor.signingKey = dir / "auditor.key";
  auditor.nodePin = must(net::spkiPinOfCertificateFile(config.tlsCertificate), "node pin");
  auditor.nodePublicKey = dir / "node.pub";
  auditor.stateDir = dir / "auditor-state";
  return files;
}

// --- proofs ---------------------------------------------------------------------------------------

std::vector<Digest> auditPath(const std::string& body) {
  std::vector<Digest> path;
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded() || !json.contains("audit_path") || !json["audit_path"].is_array()) {
    die("inclusion proof answer is not the expected JSON: " + body.substr(0, 200));
  }
  for (const auto& item : json["audit_path"]) {
    auto digest = item.is_string() ? crypto::parseHexDigest(item.get<std::string>()) : std::nullopt;
    if (!digest) die("inclusion proof answer holds something other than hex digests");
    path.push_back(*digest);
  }
  return path;
}

int run(uint64_t count) {
  const store::DatabaseTarget target = freshDatabase("liaison_bench_audit");

  // 1. The load.
  std::printf("audit entries: %llu\n", static_cast<unsigned long long>(count));
  const LoadedLog loaded = loadEntries(target, count);
  const auto vacuumStarted = Clock::now();
  {
    pqxx::connection admin(store::conninfoFor(target, store::DbRole::admin));
    pqxx::nontransaction tx(admin);
    tx.exec("VACUUM (ANALYZE) audit.entries");
  }
  std::printf(
      "load (setup, not a goal): %.1f s, %.0f entries/s, mean entry %.0f bytes; then VACUUM ANALYZE %.1f s\n",
      loaded.seconds, static_cast<double>(count) / loaded.seconds,
      static_cast<double>(loaded.entryBytes) / static_cast<double>(count), secondsSince(vacuumStarted));
  const auto checkStarted = Clock::now();
  checkStoredEntries(target, loaded.leaves);
  std::printf("every stored row's columns match its entry bytes (checked by store::AuditReader in %.1f s)\n",
              secondsSince(checkStarted));

  // 2. Node start, against the bare read: the best of a few, so that other work on the machine
  // does not loosen the bound.
  BoundRead bound = readAndHashEveryEntry(target);
  for (int again = 1; again < kBoundRuns; ++again) {
    BoundRead next = readAndHashEveryEntry(target);
    if (next.seconds < bound.seconds) bound = std::move(next);
  }
  {
    std::vector<Digest> read = bound.leaves, written = loaded.leaves;
    std::sort(read.begin(), read.end());
    std::sort(written.begin(), written.end());
    if (read != written) die("the bound's read did not return exactly the loaded entries");
  }
  std::printf(
      "bound: SELECT entry FROM audit.entries + leafHash of every entry, best of %d: %.2f s (%.0f "
      "entries/s)\n",
      kBoundRuns, bound.seconds, static_cast<double>(count) / bound.seconds);

  const std::filesystem::path dir = scratchFolder("bench-audit");
  const NodeFiles files = writeAuditedNode(dir, target);
  std::ofstream nodeLog(dir / "node.log");
  auto started = Clock::now();
  auto runningNode = must(node::Node::start(files.config, node::NodeOptions{{}, &nodeLog}), "start node");
  const double startSeconds = secondsSince(started);
  std::printf("node start over %llu entries: %.2f s; %.2f x the bound\n",
              static_cast<unsigned long long>(count), startSeconds, startSeconds / bound.seconds);
  const std::string url = "https://127.0.0.1:" + std::to_string(runningNode->port());
  auto auditor = must(client::QueryClient::create(files.auditor, url), "auditor client");

  // 3. audit verify.
  started = Clock::now();
  const auto report = must(client::verifyAuditLog(*auditor, {}), "audit verify");
  const double verifySeconds = secondsSince(started);
  if (!report.verified) die("audit verify found problems: " + report.problems.front());
  if (report.entries != report.head.treeSize || report.head.treeSize < count) {
    die("audit verify checked " + std::to_string(report.entries) + " entries under a head of " +
        std::to_string(report.head.treeSize));
  }
  std::printf(
      "audit verify of %llu entries: %.2f s (goal < 10 s at 1,000,000), %.0f entries/s; %.2f x the bound\n",
      static_cast<unsigned long long>(report.entries), verifySeconds,
      static_cast<double>(report.entries) / verifySeconds, verifySeconds / bound.seconds);

  // 4. Inclusion proofs at the full size: in memory, then end to end.
  crypto::MerkleTree tree;
  started = Clock::now();
  tree.append(loaded.leaves);
  std::printf("MerkleTree of the %llu leaves built in %.2f s (setup)\n",
              static_cast<unsigned long long>(count), secondsSince(started));
  const Digest root = must(tree.rootAt(count), "root");
  std::mt19937_64 random(2024);
  std::vector<uint64_t> indices(kInMemoryProofs);
  for (auto& index : indices) index = random() % count;
  std::vector<std::vector<Digest>> proofs(kInMemoryProofs);
  std::vector<double> proofMicros;
  proofMicros.reserve(kInMemoryProofs);
  for (size_t i = 0; i < kInMemoryProofs; ++i) {
    const auto t = Clock::now();
    auto proof = tree.inclusionProof(indices[i], count);
    proofMicros.push_back(microsSince(t));
    proofs[i] = must(std::move(proof), "inclusion proof");
  }
  const Timings inMemory = summarise(proofMicros);
  // The bound: checking the same proof, ceil(log2 n) node hashes.
  started = Clock::now();
  for (size_t i = 0; i < kInMemoryProofs; ++i) {
    if (!crypto::verifyInclusion(loaded.leaves[indices[i]], indices[i], count, proofs[i], root)) {
      die("the tree's inclusion proof of leaf " + std::to_string(indices[i]) + " does not verify");
    }
  }
  const double verifyProofMicros = microsSince(started) / static_cast<double>(kInMemoryProofs);
  std::printf(
      "inclusion proof at %llu entries (crypto::MerkleTree), mean of %zu: %.2f us; %.2f x verifying it (%.2f "
      "us)\n",
      static_cast<unsigned long long>(count), kInMemoryProofs, inMemory.mean,
      inMemory.mean / verifyProofMicros, verifyProofMicros);
  std::printf(
      "inclusion proof at %llu entries (crypto::MerkleTree), p99: %.2f us (goal < 1 ms); %.2f x verifying "
      "it\n",
      static_cast<unsigned long long>(count), inMemory.p99,
      inMemory.p99 / verifyProofMicros);

  const double signVerify = signVerifyMicroseconds(kBoundRuns, kSignVerifyRounds);
  std::printf("bound: one Ed25519 sign + verify, best mean of %d x %zu: %.1f us\n", kBoundRuns,
              kSignVerifyRounds, signVerify);
  std::vector<double> getMicros;
  for (size_t i = 0; i < kProofGets; ++i) {
    const uint64_t index = random() % count;
    const std::string path =
        "/v1/audit/proof/inclusion?index=" + std::to_string(index) + "&size=" + std::to_string(count);
    const auto t = Clock::now();
    auto reply = auditor->getSigned(path);
    getMicros.push_back(microsSince(t));
    if (!reply || reply->status != 200)
      die(path + ": " + (reply ? "HTTP " + std::to_string(reply->status) : reply.error().message));
    if (!crypto::verifyInclusion(loaded.leaves[index], index, count,
                                 auditPath(std::string(reply->body.begin(), reply->body.end())), root)) {
      die(path + ": the node's proof does not verify against the root of the loaded entries");
    }
  }
  const Timings endToEnd = summarise(getMicros);
  std::printf(
      "GET /v1/audit/proof/inclusion end to end, mean of %zu: %.2f ms (p99 %.2f ms); %.1f x one Ed25519 "
      "sign+verify\n",
      kProofGets, endToEnd.mean / 1000, endToEnd.p99 / 1000,
      endToEnd.mean / signVerify);

  // 5. audit prove of receipts for stored entries.
  std::vector<double> proveMicros;
  for (size_t i = 0; i < kReceipts; ++i) {
    const uint64_t index = random() % count;
    const AuditReceipt receipt{kMember, index, loaded.leaves[index]};
    const auto t = Clock::now();
    const auto check = must(client::proveReceipt(*auditor, receipt), "audit prove");
    proveMicros.push_back(microsSince(t));
    if (check.verdict != client::ReceiptCheck::Verdict::included) die("audit prove: " + check.detail);
  }
  const Timings prove = summarise(proveMicros);
  std::printf(
      "audit prove, mean of %zu receipts: %.2f ms (p99 %.2f ms); %.1f x one Ed25519 sign+verify, %.1f x the "
      "signed GET\n",
      kReceipts, prove.mean / 1000, prove.p99 / 1000,
      prove.mean / signVerify, prove.mean / endToEnd.mean);

  auditor.reset();
  runningNode->stop();
  runningNode.reset();
  dropDatabase("liaison_bench_audit");
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace liaison::bench

int main(int argc, char** argv) {
  uint64_t entries = 1'000'000;
  if (argc == 3 && std::string(argv[1]) == "--entries") {
    char* end = nullptr;
    entries = std::strtoull(argv[2], &end, 10);
    if (end == argv[2] || *end != '\0' || entries == 0) {
      std::fprintf(stderr, "liaison_bench_audit: --entries takes a positive number, not \"%s\"\n", argv[2]);
      return 2;
    }
  } else if (argc != 1) {
    std::fprintf(stderr, "usage: liaison_bench_audit [--entries N]\n");
    return 2;
  }
  return liaison::bench::run(entries);
}
