// End to end: the auditor API of a real node (TLS 1.3, PostgreSQL). Only this node's auditors read
// the log; every read, served or refused, lands in the log itself; what the API serves lets an
// auditor recompute the signed root and check every receipt and proof independently.
#include <gtest/gtest.h>
#include <sodium.h>
#include <strings.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string_view>
#include <thread>

#include "adapters/audit_log.h"
#include "crypto/digest.h"
#include "crypto/envelope.h"
#include "crypto/keys.h"
#include "crypto/merkle.h"
#include "node/audit_api.h"
#include "node/net/https_client.h"
#include "schema/codec.h"
#include "tests/node_harness.h"

namespace liaison {
namespace {

using namespace liaison::testing;
using Json = nlohmann::json;

constexpr const char* kLogId = "XA-POLICE";
// How long a test waits for the node to sign a head covering what it needs.
constexpr std::chrono::seconds kHeadDeadline{10};

Query checkPassport() {
  return CheckDocumentQuery{DocumentNumber::parse("L898902C3").value(), "UTO", DocumentType::passport};
}

Timestamp now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

std::string text(const std::vector<uint8_t>& bytes) { return std::string(bytes.begin(), bytes.end()); }

std::string str(uint64_t n) { return std::to_string(n); }

// The stable name of an optional enum field of an audit entry, "(none)" when it is empty.
template <typename E>
std::string nameOf(const std::optional<E>& value) {
  return value ? std::string(name(*value)) : "(none)";
}

// The Liaison-Audit-Receipt header of an answer, `LOG:INDEX:LEAFHASH` (README, "The audit log");
// nullopt when it is absent or not of that form.
std::optional<AuditReceipt> receiptOf(const net::HttpResponse& response) {
  for (const auto& [name, value] : response.headers) {
    if (strcasecmp(name.c_str(), "Liaison-Audit-Receipt") != 0) continue;
    const size_t hashAt = value.rfind(':');
    if (hashAt == std::string::npos || hashAt == 0) return std::nullopt;
    const size_t indexAt = value.rfind(':', hashAt - 1);
    if (indexAt == std::string::npos) return std::nullopt;
    AuditReceipt receipt;
    receipt.logId = value.substr(0, indexAt);
    const std::string_view index(value.data() + indexAt + 1, hashAt - indexAt - 1);
    auto [end, ec] = std::from_chars(index.data(), index.data() + index.size(), receipt.leafIndex);
    if (index.empty() || ec != std::errc() || end != index.data() + index.size()) return std::nullopt;
    const std::string_view hash = std::string_view(value).substr(hashAt + 1);
    auto digest = crypto::parseHexDigest(hash);
    if (!digest || hash != crypto::hex(*digest)) return std::nullopt;  // lower-case hex only
    receipt.leafHash = *digest;
    return receipt;
  }
  return std::nullopt;
}

std::vector<Digest> digestsOf(const Json& list) {
  std::vector<Digest> out;
  for (const Json& item : list) {
    auto digest = crypto::parseHexDigest(item.get<std::string>());
    EXPECT_TRUE(digest.has_value()) << "not a hex digest: " << item;
    if (digest) out.push_back(*digest);
  }
  return out;
}

// RFC 4180 rows and cells of a CSV export (quoted cells may hold commas, quotes and line ends).
std::vector<std::vector<std::string>> parseCsv(const std::string& csv) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false;
  for (size_t i = 0; i < csv.size(); ++i) {
    const char c = csv[i];
    if (quoted) {
      if (c == '"' && i + 1 < csv.size() && csv[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(cell));
      cell.clear();
    } else if (c == '\r' && i + 1 < csv.size() && csv[i + 1] == '\n') {
      row.push_back(std::move(cell));
      cell.clear();
      rows.push_back(std::move(row));
      row.clear();
      ++i;
    } else {
      cell += c;
    }
  }
  EXPECT_TRUE(cell.empty() && row.empty()) << "the CSV does not end with CRLF";
  return rows;
}

// The newest entry of the audit log, read with SQL as the auditor role, and how many there are.
struct StoredEntry {
  uint64_t count = 0;
  uint64_t seq = 0;
  AuditEntry entry;
  std::vector<uint8_t> bytes;
};

class AuditApiFixture : public NodeTest {
 protected:
  // Heads are signed every 100 ms instead of every 2 s, so a test waits briefly for a head.
  AuditApiFixture() { config_.treeHeadInterval = std::chrono::milliseconds(100); }

  // A signed GET of the auditor API as the client's identity, whatever the answer's status.
  net::HttpResponse read(client::QueryClient& as, const std::string& target) {
    auto reply = as.getSigned(target);
    if (!reply) {
      ADD_FAILURE() << "GET " << target << ": " << reply.error().message;
      return net::HttpResponse{0, "", {}};
    }
    return std::move(reply).value();
  }

  // A signed GET that must be served as JSON.
  Json readJson(client::QueryClient& as, const std::string& target) {
    net::HttpResponse reply = read(as, target);
    EXPECT_EQ(reply.status, 200u) << target << ": " << text(reply.body);
    EXPECT_EQ(reply.contentType, "application/json") << target;
    if (reply.status != 200) return Json::object();
    return Json::parse(text(reply.body));
  }

  // A GET carrying exactly `signedRequest` as the Liaison-Request header (none when nullopt), over
  // the TLS identity of `identity`: what a misbehaving client sends.
  net::HttpResponse rawGet(const std::string& identity, const std::string& target,
                           const std::optional<std::string>& signedRequest) {
    const client::ClientConfig cfg = clientConfig(identity);
    net::ClientOptions options;
    options.host = "127.0.0.1";
    options.port = config_.listenPort;
    options.serverPin = cfg.nodePin;
    options.certificateFile = cfg.tlsCertificate;
    options.keyFile = cfg.tlsKey;
    net::HttpsClient http(options);
    std::vector<std::pair<std::string, std::string>> headers;
    if (signedRequest) headers.emplace_back("Liaison-Request", *signedRequest);
    auto reply = http.get(target, headers);
    if (!reply) {
      ADD_FAILURE() << "GET " << target << ": " << reply.error().message;
      return net::HttpResponse{0, "", {}};
    }
    return std::move(reply).value();
  }

  StoredEntry newestEntry() const {
    auto conn = connectAs(store::DbRole::auditor);
    pqxx::read_transaction tx(*conn);
    StoredEntry out;
    out.count = tx.exec1("SELECT count(*) FROM audit.entries")[0].as<uint64_t>();
    if (out.count == 0) return out;
    const pqxx::row row = tx.exec1("SELECT seq, entry FROM audit.entries ORDER BY seq DESC LIMIT 1");
    out.seq = row[0].as<uint64_t>();
    const pqxx::binarystring bytes(row[1]);
    out.bytes.assign(bytes.data(), bytes.data() + bytes.size());
    auto decoded = decodeAuditEntry(out.bytes);
    EXPECT_TRUE(decoded.ok()) << "entry " << out.seq << " does not decode: " << decoded.error().message;
    if (decoded) out.entry = *decoded;
    return out;
  }

  // The latest head from /v1/audit/sth, opened with the node's key; its JSON must say the same.
  std::optional<TreeHead> signedTreeHead(client::QueryClient& auditor) {
    const Json sth = readJson(auditor, "/v1/audit/sth");
    if (!sth.contains("signed_tree_head")) return std::nullopt;
    auto envelope = crypto::fromBase64(sth["signed_tree_head"].get<std::string>(), crypto::kMaxEnvelopeBytes);
    EXPECT_TRUE(envelope.has_value()) << "signed_tree_head is not base64";
    if (!envelope) return std::nullopt;
    auto head = auditor.openTreeHead(*envelope);
    EXPECT_TRUE(head.ok()) << head.error().message;
    if (!head) return std::nullopt;
    EXPECT_EQ(sth["log_id"], head->logId);
    EXPECT_EQ(sth["tree_size"], head->treeSize);
    EXPECT_EQ(sth["root_hash"], crypto::hex(head->rootHash));
    EXPECT_EQ(sth["timestamp"], formatTimestamp(head->timestamp));
    return *head;
  }

  // Polls /v1/audit/sth until the node has signed a head of at least `size` entries.
  TreeHead waitForHead(client::QueryClient& auditor, uint64_t size) {
    const auto deadline = std::chrono::steady_clock::now() + kHeadDeadline;
    std::optional<TreeHead> head;
    while (std::chrono::steady_clock::now() < deadline) {
      head = signedTreeHead(auditor);
      if (head && head->treeSize >= size) return *head;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "no signed tree head of " << size << " entries within " << kHeadDeadline.count()
                  << " s; the latest has " << (head ? head->treeSize : 0);
    return head.value_or(TreeHead{});
  }

  // Every entry of the first `size`, as JSON pages of /v1/audit/entries (a page may stop early).
  std::vector<Json> allEntries(client::QueryClient& auditor, uint64_t size) {
    std::vector<Json> out;
    while (out.size() < size) {
      const Json page =
          readJson(auditor, "/v1/audit/entries?start=" + str(out.size()) + "&end=" + str(size - 1));
      if (!page.contains("entries") || page["entries"].empty()) {
        ADD_FAILURE() << "entries from " << out.size() << " came back empty";
        break;
      }
      for (const Json& entry : page["entries"]) out.push_back(entry);
    }
    return out;
  }

  // A check-document request of `identity` that says it holds a head of exactly `knownTreeSize`
  // entries (0: none). QueryClient::seal takes the size from the heads the client kept, so a test
  // that chooses the size builds and signs the request itself.
  std::vector<uint8_t> sealKnowingTreeSize(const std::string& identity, uint64_t knownTreeSize) const {
    crypto::initialise();
    const client::ClientConfig cfg = clientConfig(identity);
    auto key = crypto::loadSecretKey(cfg.signingKey);
    if (!key) throw std::runtime_error(key.error().message);
    Request request;
    randombytes_buf(request.requestId.data(), request.requestId.size());
    randombytes_buf(request.nonce.data(), request.nonce.size());
    request.issuedAt = now();
    request.expiresAt = request.issuedAt + std::chrono::seconds(120);
    request.requester = cfg.member;
    request.officer = OfficerContext{cfg.pseudonym, cfg.role, cfg.purpose, {}, cfg.legalBasis};
    request.query = checkPassport();
    request.knownTreeSize = knownTreeSize;
    return crypto::sealEnvelope(MessageType::request, encodeRequest(request), *key);
  }

  // A check-document query that must be answered; returns the verified response.
  Response checkAs(client::QueryClient& as) {
    auto answer = as.send(checkPassport(), {});
    if (!answer) {
      ADD_FAILURE() << answer.error().message;
      return Response{};
    }
    return std::move(answer).value().response;
  }

  void expectStillServing() {
    auto border = client(kBorderOfficer);
    const Response answer = checkAs(*border);
    EXPECT_EQ(answer.status, ResponseStatus::ok) << answer.reason;
    auto auditor = client(kAuditorOfficer);
    EXPECT_EQ(read(*auditor, "/v1/audit/sth").status, 200u);
  }

  // The answer carries a receipt for exactly the newest entry of the log.
  void expectReceiptOfNewest(const net::HttpResponse& reply, const StoredEntry& newest) {
    auto receipt = receiptOf(reply);
    ASSERT_TRUE(receipt.has_value()) << "no Liaison-Audit-Receipt header";
    EXPECT_EQ(receipt->logId, kLogId);
    EXPECT_EQ(receipt->leafIndex, newest.seq);
    EXPECT_EQ(crypto::hex(receipt->leafHash), crypto::hex(crypto::leafHash(newest.bytes)));
  }
};

class AuditApi : public AuditApiFixture {};
// Every refused read here should have an entry of its own, which by default only a source's first
// unvouched failure per interval gets (the rest are folded: node_limits_pgtest.cc).
class AuditApiRefusals : public AuditApiFixture {
 protected:
  AuditApiRefusals() { config_.admission.failuresAuditedInFull = 100; }
};
class AuditApiQueries : public AuditApiFixture {};
class AuditApiSearch : public AuditApiFixture {};

// One read of each endpoint, each answerable if the reader were an auditor.
const std::vector<std::string> kEveryEndpoint = {
    "/v1/audit/sth",
    "/v1/audit/entries?start=0&end=0",
    "/v1/audit/entries?start=0&end=0&format=binary",
    "/v1/audit/proof/inclusion?index=0&size=1",
    "/v1/audit/proof/consistency?first=1&second=1",
    "/v1/audit/search?decision=refused",
    "/v1/audit/search?format=csv",
};

TEST_F(AuditApiRefusals, NoOneButThisNodesAuditorsReadsTheLogAndEveryRefusalIsAudited) {
  // The log must hold an entry, so that each endpoint would have something to serve.
  auto auditor = client(kAuditorOfficer);
  waitForHead(*auditor, 1);

  for (const char* identity : {kBorderOfficer, kImmigrationOfficer, kEnforcementOfficer, kHealthWorker,
                               kJusticeClerk, kPartnerBorder, kPartnerImmigration}) {
    auto reader = client(identity);
    const client::ClientConfig cfg = clientConfig(identity);
    for (const std::string& target : kEveryEndpoint) {
      SCOPED_TRACE(std::string(identity) + " GET " + target);
      const uint64_t before = auditCount();
      const net::HttpResponse reply = read(*reader, target);
      EXPECT_EQ(reply.status, 403u);
      EXPECT_EQ(text(reply.body), "not permitted\n") << "a refusal must not carry any of the log";
      const StoredEntry newest = newestEntry();
      EXPECT_EQ(newest.count, before + 1) << "the refusal was not audited exactly once";
      EXPECT_EQ(nameOf(newest.entry.queryKind), "audit-read");
      EXPECT_EQ(name(newest.entry.decision), "refused");
      EXPECT_NE(newest.entry.reason.find(target), std::string::npos) << newest.entry.reason;
      EXPECT_EQ(newest.entry.requester, cfg.member);
      EXPECT_EQ(newest.entry.officerPseudonym, cfg.pseudonym);
      expectReceiptOfNewest(reply, newest);
    }
  }

  // The auditor finds the last refusal through the API too.
  const StoredEntry last = newestEntry();
  const Json page = readJson(*auditor, "/v1/audit/entries?start=" + str(last.seq) + "&end=" + str(last.seq));
  ASSERT_EQ(page["entries"].size(), 1u);
  const Json& fields = page["entries"][0]["fields"];
  EXPECT_EQ(fields["query_kind"], "audit-read");
  EXPECT_EQ(fields["decision"], "refused");
  EXPECT_EQ(fields["requester"], "XC-IMMIGRATION");
  EXPECT_EQ(fields["officer_pseudonym"], kPartnerImmigration);
  EXPECT_NE(fields["reason"].get<std::string>().find("/v1/audit/search?format=csv"), std::string::npos)
      << fields;

  expectStillServing();
}

TEST_F(AuditApiRefusals, UnsignedGarbledMisdirectedAndReplayedReadsAreRefusedAndAudited) {
  auto auditor = client(kAuditorOfficer);
  const std::string sth = "/v1/audit/sth";
  const std::string firstEntry = "/v1/audit/entries?start=0&end=0";
  const std::vector<uint8_t> forSth = auditor->sealAuditRead(sth, now());
  auto flipped = decodeEnvelope(forSth).value();
  flipped.signature[0] ^= 0x80;

  struct Case {
    const char* what;
    std::string identity;
    std::string target;
    std::optional<std::string> header;
    unsigned httpStatus;
    Decision decision;
    std::string reason;  // in the answer and in the audit entry
  };
  const std::vector<Case> cases = {
      {"no header", kAuditorOfficer, sth, std::nullopt, 401, Decision::refused, "must be signed"},
      {"not base64", kAuditorOfficer, sth, "%%% not base64 %%%", 400, Decision::invalid, "base64"},
      {"base64 of garbage", kAuditorOfficer, sth, crypto::base64(std::vector<uint8_t>(64, 0xAB)), 400,
       Decision::invalid, "envelope"},
      {"bad signature", kAuditorOfficer, sth, crypto::base64(encodeEnvelope(flipped)), 401, Decision::refused,
       "signature"},
      {"unknown officer", kStrangerOfficer, sth,
       crypto::base64(client(kStrangerOfficer)->sealAuditRead(sth, now())), 401, Decision::refused,
       "unknown officer"},
      {"not an audit read", kAuditorOfficer, sth, crypto::base64(auditor->seal(checkPassport(), {}, now())),
       400, Decision::invalid, "audit-read"},
      // Signed by the auditor for the tree head, presented for the entries.
      {"signed for another target", kAuditorOfficer, firstEntry, crypto::base64(forSth), 403,
       Decision::refused, "authorises a read of '/v1/audit/sth'"},
      // The same envelope where it belongs: served once, then refused as a replay.
      {"first use", kAuditorOfficer, sth, crypto::base64(forSth), 200, Decision::permitted, ""},
      {"replayed", kAuditorOfficer, sth, crypto::base64(forSth), 403, Decision::refused, "replay"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const uint64_t before = auditCount();
    const net::HttpResponse reply = rawGet(c.identity, c.target, c.header);
    EXPECT_EQ(reply.status, c.httpStatus) << text(reply.body);
    EXPECT_NE(text(reply.body).find(c.reason), std::string::npos) << text(reply.body);
    const StoredEntry newest = newestEntry();
    EXPECT_EQ(newest.count, before + 1) << "not audited exactly once";
    EXPECT_EQ(name(newest.entry.decision), name(c.decision));
    EXPECT_EQ(newest.entry.reason.rfind("read " + c.target, 0), 0u) << newest.entry.reason;
    EXPECT_NE(newest.entry.reason.find(c.reason), std::string::npos) << newest.entry.reason;
    expectReceiptOfNewest(reply, newest);
  }
  expectStillServing();
}

TEST_F(AuditApi, TheSignedRootIsRecomputedFromTheEntriesAndEveryReceiptAndHeadIsProven) {
  auto auditor = client(kAuditorOfficer);
  // A head the auditor keeps, covering at least one entry, to hold the later head to.
  const TreeHead earlier = waitForHead(*auditor, 1);
  ASSERT_GE(earlier.treeSize, 1u);
  EXPECT_EQ(earlier.logId, kLogId);

  auto border = client(kBorderOfficer);
  std::vector<AuditReceipt> receipts;
  for (int i = 0; i < 5; ++i) {
    const Response answer = checkAs(*border);
    ASSERT_EQ(answer.status, ResponseStatus::ok) << answer.reason;
    receipts.push_back(answer.receipt);
  }
  uint64_t covering = 0;
  for (const AuditReceipt& r : receipts) covering = std::max(covering, r.leafIndex + 1);
  const TreeHead head = waitForHead(*auditor, covering);
  ASSERT_GE(head.treeSize, covering);
  ASSERT_GT(head.treeSize, earlier.treeSize);

  // The root, recomputed from the entry bytes alone, is the root the node signed.
  const std::vector<Json> entries = allEntries(*auditor, head.treeSize);
  ASSERT_EQ(entries.size(), head.treeSize);
  std::vector<std::vector<uint8_t>> entryBytes;
  std::vector<Digest> leaves;
  for (size_t i = 0; i < entries.size(); ++i) {
    SCOPED_TRACE("entry " + str(i));
    EXPECT_EQ(entries[i]["leaf_index"], i);
    auto bytes = crypto::fromBase64(entries[i]["entry"].get<std::string>(), kMaxEncodedBytes);
    ASSERT_TRUE(bytes.has_value());
    EXPECT_TRUE(decodeAuditEntry(*bytes).ok());
    leaves.push_back(crypto::leafHash(*bytes));
    EXPECT_EQ(entries[i]["leaf_hash"], crypto::hex(leaves.back()));
    entryBytes.push_back(std::move(*bytes));
  }
  EXPECT_EQ(crypto::hex(crypto::merkleTreeHash(leaves)), crypto::hex(head.rootHash));
  EXPECT_EQ(crypto::hex(crypto::merkleTreeHash(std::span(leaves).first(earlier.treeSize))),
            crypto::hex(earlier.rootHash));
  for (const AuditReceipt& r : receipts) {
    const Json& fields = entries[r.leafIndex]["fields"];
    EXPECT_EQ(fields["query_kind"], "check-document");
    EXPECT_EQ(fields["officer_pseudonym"], kBorderOfficer);
    EXPECT_EQ(fields["decision"], "permitted");
  }

  // The binary framing serves the same bytes and leaf hashes.
  const net::HttpResponse binary =
      read(*auditor, "/v1/audit/entries?start=0&end=" + str(head.treeSize - 1) + "&format=binary");
  ASSERT_EQ(binary.status, 200u) << text(binary.body);
  EXPECT_EQ(binary.contentType, "application/octet-stream");
  auto framed = client::parseFramedEntries(binary.body);
  ASSERT_TRUE(framed.ok()) << framed.error().message;
  ASSERT_EQ(framed->size(), head.treeSize);
  for (size_t i = 0; i < framed->size(); ++i) {
    const client::FramedEntry& e = (*framed)[i];
    EXPECT_EQ(e.index, i);
    EXPECT_EQ(e.entry, entryBytes[i]) << "entry " << i;
    EXPECT_EQ(crypto::hex(e.treeLeaf), crypto::hex(leaves[i])) << "entry " << i;
  }

  // Every receipt the officer was given is provably in the signed tree.
  for (const AuditReceipt& r : receipts) {
    SCOPED_TRACE("receipt " + str(r.leafIndex));
    EXPECT_EQ(r.logId, kLogId);
    const Json proof = readJson(
        *auditor, "/v1/audit/proof/inclusion?index=" + str(r.leafIndex) + "&size=" + str(head.treeSize));
    EXPECT_EQ(proof["leaf_index"], r.leafIndex);
    EXPECT_EQ(proof["tree_size"], head.treeSize);
    EXPECT_EQ(proof["leaf_hash"], crypto::hex(r.leafHash));
    const std::vector<Digest> path = digestsOf(proof["audit_path"]);
    EXPECT_TRUE(crypto::verifyInclusion(r.leafHash, r.leafIndex, head.treeSize, path, head.rootHash));
    // The path pins the position: the same leaf does not verify one place over.
    EXPECT_FALSE(crypto::verifyInclusion(r.leafHash, r.leafIndex ^ 1, head.treeSize, path, head.rootHash));
  }

  // The later head extends the earlier one.
  const Json consistency = readJson(*auditor, "/v1/audit/proof/consistency?first=" + str(earlier.treeSize) +
                                                  "&second=" + str(head.treeSize));
  EXPECT_EQ(consistency["first"], earlier.treeSize);
  EXPECT_EQ(consistency["second"], head.treeSize);
  const std::vector<Digest> proof = digestsOf(consistency["consistency"]);
  EXPECT_TRUE(
      crypto::verifyConsistency(earlier.treeSize, head.treeSize, earlier.rootHash, head.rootHash, proof));
  Digest forged = earlier.rootHash;
  forged[0] ^= 0x01;
  EXPECT_FALSE(crypto::verifyConsistency(earlier.treeSize, head.treeSize, forged, head.rootHash, proof));
}

TEST_F(AuditApi, ALogOfMoreThanOnePageIsReadInPagesAndEntriesAppendedByOthersAreInTheSignedTree) {
  // 1,100 entries appended by another writer, as `liaison import` audits an import: the node's
  // tree picks them up, and the auditor needs two JSON pages but one binary page to read them.
  std::atomic<int> failures{0};
  {
    store::AuditLog importer(target(), kLogId);
    std::vector<std::thread> writers;
    for (int t = 0; t < 10; ++t) {
      writers.emplace_back([&, t] {
        for (int i = 0; i < 110; ++i) {
          AuditEntry entry;
          entry.recordedAt = now();
          entry.decision = Decision::permitted;
          entry.reason = "import batch " + std::to_string(t) + "." + std::to_string(i);
          if (!importer.append(entry).ok()) ++failures;
        }
      });
    }
    for (std::thread& w : writers) w.join();
  }
  ASSERT_EQ(failures.load(), 0);

  auto auditor = client(kAuditorOfficer);
  const TreeHead head = waitForHead(*auditor, auditCount());
  ASSERT_GT(head.treeSize, node::kMaxJsonEntriesPerPage);

  const Json firstPage = readJson(*auditor, "/v1/audit/entries?start=0&end=" + str(head.treeSize - 1));
  ASSERT_EQ(firstPage["entries"].size(), node::kMaxJsonEntriesPerPage);
  EXPECT_EQ(firstPage["entries"].back()["leaf_index"], node::kMaxJsonEntriesPerPage - 1);

  const std::vector<Json> entries = allEntries(*auditor, head.treeSize);
  ASSERT_EQ(entries.size(), head.treeSize);
  std::vector<Digest> leaves;
  for (const Json& entry : entries) {
    auto bytes = crypto::fromBase64(entry["entry"].get<std::string>(), kMaxEncodedBytes);
    ASSERT_TRUE(bytes.has_value());
    leaves.push_back(crypto::leafHash(*bytes));
  }
  EXPECT_EQ(crypto::hex(crypto::merkleTreeHash(leaves)), crypto::hex(head.rootHash));

  const net::HttpResponse binary =
      read(*auditor, "/v1/audit/entries?start=0&end=" + str(head.treeSize - 1) + "&format=binary");
  ASSERT_EQ(binary.status, 200u) << text(binary.body);
  auto framed = client::parseFramedEntries(binary.body);
  ASSERT_TRUE(framed.ok()) << framed.error().message;
  ASSERT_EQ(framed->size(), head.treeSize) << "a binary page holds up to " << client::kMaxBinaryEntriesPerPage;
  for (size_t i = 0; i < framed->size(); ++i) {
    EXPECT_EQ(crypto::hex(crypto::leafHash((*framed)[i].entry)), crypto::hex(leaves[i])) << "entry " << i;
  }
  expectStillServing();
}

TEST_F(AuditApi, BadParametersAreRefusedNamingTheParameterAndUnknownPathsAreNotFound) {
  auto auditor = client(kAuditorOfficer);
  const TreeHead head = waitForHead(*auditor, 1);
  const std::string size = str(head.treeSize);

  struct Case {
    std::string target;  // "{log}" stands for the log's size when the read is served
    unsigned httpStatus;
    std::string named;  // the parameter the answer must name
  };
  const std::vector<Case> cases = {
      {"/v1/audit/entries?end=0", 400, "start"},
      {"/v1/audit/entries?start=0", 400, "end"},
      {"/v1/audit/entries?start=zero&end=1", 400, "start"},
      {"/v1/audit/entries?start=0&end=-1", 400, "end"},
      {"/v1/audit/entries?start=1&end=0", 400, "end"},
      {"/v1/audit/entries?start=0&end=0&colour=red", 400, "colour"},
      {"/v1/audit/entries?start=0&end=0&format=xml", 400, "format"},
      {"/v1/audit/entries?start={log}&end={log}", 400, "start"},
      {"/v1/audit/entries?start=1000000&end=1000001", 400, "start"},
      {"/v1/audit/proof/inclusion?size=" + size, 400, "index"},
      {"/v1/audit/proof/inclusion?index=0", 400, "size"},
      {"/v1/audit/proof/inclusion?index=0x1&size=" + size, 400, "index"},
      {"/v1/audit/proof/inclusion?index=" + size + "&size=" + size, 400, "index"},
      {"/v1/audit/proof/inclusion?index=0&size=1000000", 400, "size"},
      {"/v1/audit/proof/consistency?first=1", 400, "second"},
      {"/v1/audit/proof/consistency?first=one&second=1", 400, "first"},
      {"/v1/audit/proof/consistency?first=1&second=1&third=2", 400, "third"},
      {"/v1/audit/proof/consistency?first=0&second=" + size, 400, "first"},
      {"/v1/audit/proof/consistency?first=1&second=1000000", 400, "second"},
      {"/v1/audit/search?decision=maybe", 400, "decision"},
      {"/v1/audit/search?colour=red", 400, "colour"},
      {"/v1/audit/sth?full=1", 400, "no parameters"},
      {"/v1/audit/nope", 404, ""},
      {"/v1/audit/proof", 404, ""},
  };
  for (const Case& c : cases) {
    const uint64_t before = auditCount();
    std::string target = c.target;
    for (size_t at; (at = target.find("{log}")) != std::string::npos;) target.replace(at, 5, str(before));
    SCOPED_TRACE(target);
    const net::HttpResponse reply = read(*auditor, target);
    const std::string body = text(reply.body);
    EXPECT_EQ(reply.status, c.httpStatus) << body;
    EXPECT_NE(body.find(c.named), std::string::npos)
        << "the answer does not name '" << c.named << "': " << body;
    const StoredEntry newest = newestEntry();
    EXPECT_EQ(newest.count, before + 1) << "the read was not audited exactly once";
    EXPECT_EQ(nameOf(newest.entry.queryKind), "audit-read");
    EXPECT_EQ(newest.entry.officerPseudonym, kAuditorOfficer);
    EXPECT_EQ(name(newest.entry.decision), "invalid")
        << "a read that was not served must not count as permitted";
    EXPECT_EQ(newest.entry.reason.rfind("read " + target, 0), 0u) << newest.entry.reason;
    expectReceiptOfNewest(reply, newest);
  }
  expectStillServing();
}

TEST_F(AuditApi, EveryServedReadCarriesAReceiptOfItsOwnAuditEntry) {
  auto auditor = client(kAuditorOfficer);
  const TreeHead head = waitForHead(*auditor, 1);
  const std::vector<std::string> targets = {
      "/v1/audit/sth",
      "/v1/audit/entries?start=0&end=0",
      "/v1/audit/entries?start=0&end=0&format=binary",
      "/v1/audit/proof/inclusion?index=0&size=" + str(head.treeSize),
      "/v1/audit/proof/consistency?first=1&second=" + str(head.treeSize),
      "/v1/audit/search?officer=auditor-1",
      "/v1/audit/search?officer=auditor-1&format=csv",
  };
  for (const std::string& target : targets) {
    SCOPED_TRACE(target);
    const uint64_t before = auditCount();
    const net::HttpResponse reply = read(*auditor, target);
    EXPECT_EQ(reply.status, 200u) << text(reply.body);
    const StoredEntry newest = newestEntry();
    EXPECT_EQ(newest.count, before + 1) << "the read was not audited exactly once";
    EXPECT_EQ(nameOf(newest.entry.queryKind), "audit-read");
    EXPECT_EQ(newest.entry.requester, kLogId);
    EXPECT_EQ(newest.entry.officerPseudonym, kAuditorOfficer);
    EXPECT_EQ(nameOf(newest.entry.role), "auditor");
    EXPECT_EQ(name(newest.entry.decision), "permitted");
    EXPECT_EQ(newest.entry.reason, "read " + target);
    // The entry commits to exactly the bytes the auditor was served.
    EXPECT_EQ(crypto::hex(newest.entry.responseDigest), crypto::hex(crypto::sha256(reply.body)));
    expectReceiptOfNewest(reply, newest);
  }
}

TEST_F(AuditApiQueries, AnswersCarryASignedTreeHeadAndProveItExtendsTheHeadTheRequesterHolds) {
  auto border = client(kBorderOfficer);
  const auto deadline = std::chrono::steady_clock::now() + kHeadDeadline;

  // Answers carry the node's latest head, signed by the node; asked without a known head, no proof.
  std::optional<TreeHead> held;
  while (!held && std::chrono::steady_clock::now() < deadline) {
    auto sent = border->sendSealed(sealKnowingTreeSize(kBorderOfficer, 0));
    ASSERT_TRUE(sent.ok()) << sent.error().message;
    const Response& answer = sent->response;
    ASSERT_EQ(answer.status, ResponseStatus::ok) << answer.reason;
    ASSERT_TRUE(answer.treeHead.has_value()) << "the answer carries no tree head";
    EXPECT_EQ(answer.treeHead->type, MessageType::treeHead);
    auto head = border->openTreeHead(encodeEnvelope(*answer.treeHead));
    ASSERT_TRUE(head.ok()) << head.error().message;
    EXPECT_EQ(head->logId, kLogId);
    EXPECT_TRUE(answer.consistency.empty()) << "a proof for a head the requester never claimed to hold";
    // A head whose signature does not verify is not the node's.
    SignedEnvelope forged = *answer.treeHead;
    forged.signature[5] ^= 0x01;
    EXPECT_FALSE(border->openTreeHead(encodeEnvelope(forged)).ok());
    if (head->treeSize >= 1)
      held = *head;
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(held.has_value()) << "no answer carried a head of at least one entry";

  // Asking with knownTreeSize = the held head, until the node has signed a larger head.
  std::optional<Response> later;
  std::optional<TreeHead> laterHead;
  while (!laterHead && std::chrono::steady_clock::now() < deadline) {
    auto answer = border->sendSealed(sealKnowingTreeSize(kBorderOfficer, held->treeSize));
    ASSERT_TRUE(answer.ok()) << answer.error().message;
    ASSERT_EQ(answer->response.status, ResponseStatus::ok) << answer->response.reason;
    ASSERT_TRUE(answer->response.treeHead.has_value());
    auto head = border->openTreeHead(encodeEnvelope(*answer->response.treeHead));
    ASSERT_TRUE(head.ok()) << head.error().message;
    if (head->treeSize > held->treeSize) {
      later = answer->response;
      laterHead = *head;
    } else {
      EXPECT_TRUE(answer->response.consistency.empty());
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ASSERT_TRUE(laterHead.has_value()) << "the node signed no head beyond " << held->treeSize;
  EXPECT_FALSE(later->consistency.empty())
      << "no consistency proof from " << held->treeSize << " to " << laterHead->treeSize;
  EXPECT_TRUE(crypto::verifyConsistency(held->treeSize, laterHead->treeSize, held->rootHash,
                                        laterHead->rootHash, later->consistency));
  Digest forged = held->rootHash;
  forged[31] ^= 0x01;
  EXPECT_FALSE(crypto::verifyConsistency(held->treeSize, laterHead->treeSize, forged, laterHead->rootHash,
                                         later->consistency));
}

TEST_F(AuditApiSearch, FiltersByOfficerAndDecisionAndExportsCsvOneRowPerEntry) {
  auto border = client(kBorderOfficer);
  std::set<uint64_t> borderSeqs;
  for (int i = 0; i < 2; ++i) {
    const Response answer = checkAs(*border);
    ASSERT_EQ(answer.status, ResponseStatus::ok) << answer.reason;
    borderSeqs.insert(answer.receipt.leafIndex);
  }
  ASSERT_EQ(checkAs(*client(kEnforcementOfficer)).status, ResponseStatus::ok);
  std::set<uint64_t> refusedSeqs;
  // Health staff may not check documents; a partner without a details rule may not get records.
  const Response health = checkAs(*client(kHealthWorker));
  ASSERT_EQ(health.status, ResponseStatus::refused);
  refusedSeqs.insert(health.receipt.leafIndex);
  auto partner = client(kPartnerImmigration);
  client::QueryOptions withCase;
  withCase.caseReference = "XC-CASE-1";
  auto partnerAnswer =
      partner->send(GetRecordQuery{stolenPassportRef_, RecordKind::travelDocument}, withCase);
  ASSERT_TRUE(partnerAnswer.ok()) << partnerAnswer.error().message;
  ASSERT_EQ(partnerAnswer->response.status, ResponseStatus::refused);
  refusedSeqs.insert(partnerAnswer->response.receipt.leafIndex);

  auto auditor = client(kAuditorOfficer);
  auto seqsOf = [](const Json& page) {
    std::set<uint64_t> seqs;
    for (const Json& e : page["entries"]) seqs.insert(e["seq"].get<uint64_t>());
    return seqs;
  };

  const Json byOfficer = readJson(*auditor, "/v1/audit/search?officer=border-1");
  EXPECT_EQ(seqsOf(byOfficer), borderSeqs);
  for (const Json& e : byOfficer["entries"]) {
    EXPECT_EQ(e["officer_pseudonym"], kBorderOfficer);
    EXPECT_EQ(e["query_kind"], "check-document");
  }

  const Json refused = readJson(*auditor, "/v1/audit/search?decision=refused");
  EXPECT_EQ(seqsOf(refused), refusedSeqs);
  for (const Json& e : refused["entries"]) EXPECT_EQ(e["decision"], "refused");

  const Json both = readJson(*auditor, "/v1/audit/search?officer=health-1&decision=refused");
  EXPECT_EQ(seqsOf(both), std::set<uint64_t>{health.receipt.leafIndex});

  // The CSV export: a header row, then one row per entry with the same cells as the JSON.
  const net::HttpResponse csv = read(*auditor, "/v1/audit/search?decision=refused&format=csv");
  ASSERT_EQ(csv.status, 200u) << text(csv.body);
  EXPECT_EQ(csv.contentType.rfind("text/csv", 0), 0u) << csv.contentType;
  const auto rows = parseCsv(text(csv.body));
  ASSERT_EQ(rows.size(), refusedSeqs.size() + 1) << text(csv.body);
  const std::vector<std::string>& header = rows[0];
  EXPECT_EQ(header.front(), "seq");
  const auto column = [&](const std::string& name) -> size_t {
    auto it = std::find(header.begin(), header.end(), name);
    EXPECT_NE(it, header.end()) << "no column " << name;
    return static_cast<size_t>(it - header.begin());
  };
  const size_t decisionColumn = column("decision");
  const size_t officerColumn = column("officer_pseudonym");
  const size_t entryColumn = column("entry");
  std::set<uint64_t> csvSeqs;
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), header.size()) << "row " << i;
    csvSeqs.insert(std::stoull(rows[i][0]));
    EXPECT_EQ(rows[i][decisionColumn], "refused");
    const Json& json = refused["entries"][i - 1];
    EXPECT_EQ(rows[i][officerColumn], json["officer_pseudonym"]);
    EXPECT_EQ(rows[i][entryColumn], json["entry"]);
  }
  EXPECT_EQ(csvSeqs, refusedSeqs);
}

}  // namespace
}  // namespace liaison
