// The `liaison` binary itself against a real node and database: the exit codes of `liaison query`
// (0 answered, 3 refused, 4 invalid, 5 fork in the node's audit log, 1 failed) and a `liaison node`
// process stopped with SIGTERM while requests are in flight.
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <optional>
#include <regex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/csv_import.h"
#include "crypto/digest.h"
#include "crypto/envelope.h"
#include "crypto/keys.h"
#include "crypto/merkle.h"
#include "node/cli/exit_codes.h"
#include "node/client/audit_verify.h"
#include "node/client/tree_heads.h"
#include "node/net/tls_identity.h"
#include "schema/codec.h"
#include "tests/liaison_process.h"
#include "tests/node_harness.h"
#include "tests/sample_records.h"
#include "tests/wait.h"

namespace liaison::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

using cli::kExitFailure;
using cli::kExitFork;
using cli::kExitInvalid;
using cli::kExitOk;
using cli::kExitRefused;

// The receipt `liaison query` printed ("audit receipt: LOG:INDEX:LEAFHASH").
std::optional<AuditReceipt> printedReceipt(const std::string& out) {
  std::smatch match;
  if (!std::regex_search(out, match, std::regex("audit receipt: (\\S+)"))) return std::nullopt;
  auto receipt = client::parseReceipt(match[1].str());
  if (!receipt) return std::nullopt;
  return *receipt;
}

class CliQuery : public NodeTest {
 protected:
  // The client configuration of `identity`, keeping the tree heads it is given in a state folder
  // of its own (never the user's ~/.local/state).
  client::ClientConfig cliConfig(const std::string& identity) const {
    client::ClientConfig config = clientConfig(identity);
    config.stateDir = stateDir(identity);
    return config;
  }
  // `liaison query --as <identity's client file> --node URL ARGS...`.
  CommandResult query(const std::string& identity, const std::vector<std::string>& args) {
    return queryAs(cliConfig(identity), identity, args);
  }
  CommandResult queryAs(const client::ClientConfig& config, const std::string& identity,
                        const std::vector<std::string>& args, const std::string& nodeUrl = "") {
    std::vector<std::string> words{"query", "--as", writeClientConfigFile(config, dir_ / (identity + ".toml")).string(),
                                   "--node", nodeUrl.empty() ? url() : nodeUrl};
    words.insert(words.end(), args.begin(), args.end());
    return runLiaison(words);
  }
  fs::path stateDir(const std::string& identity) const { return dir_ / (identity + "-state"); }

  // The leaf hash of every entry of the audit log, in order, read as the auditor role.
  std::vector<Digest> leafHashes() const {
    auto conn = connectAs(store::DbRole::auditor);
    pqxx::read_transaction tx(*conn);
    std::vector<Digest> leaves;
    for (const auto& row : tx.exec("SELECT entry FROM audit.entries ORDER BY seq")) {
      pqxx::binarystring entry(row[0]);
      leaves.push_back(crypto::leafHash(std::vector<uint8_t>(entry.begin(), entry.end())));
    }
    return leaves;
  }

  const std::vector<std::string> checkStolenPassport_{"check-document", "L898902C3", "UTO"};
};

TEST_F(CliQuery, AnAnsweredQueryExitsZeroAndPrintsTheReceiptOfItsAuditEntry) {
  const CommandResult result = query(kBorderOfficer, checkStolenPassport_);
  ASSERT_EQ(result.exitCode, kExitOk) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr(stolenPassportRef_));
  auto receipt = printedReceipt(result.out);
  ASSERT_TRUE(receipt.has_value()) << result.out;
  const std::vector<Digest> leaves = leafHashes();
  ASSERT_EQ(leaves.size(), 1u);
  EXPECT_EQ(receipt->logId, "XA-POLICE");
  EXPECT_EQ(receipt->leafIndex, 0u);
  EXPECT_EQ(receipt->leafHash, leaves[0]);
  const AuditEntry entry = lastAuditEntry();
  EXPECT_EQ(entry.decision, Decision::permitted);
  EXPECT_EQ(entry.officerPseudonym, kBorderOfficer);
}

TEST_F(CliQuery, AFirewalledQueryExitsThreeAndReadsNothing) {
  const CommandResult result = query(kBorderOfficer, {"health-record", healthRef_});
  EXPECT_EQ(result.exitCode, kExitRefused) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("not permitted"));
  EXPECT_THAT(result.out + result.err, Not(HasSubstr(kHealthSentinel)));
  EXPECT_EQ(lastAuditEntry().decision, Decision::refused);
}

TEST_F(CliQuery, StatisticsArePrintedCellByCellWithSmallCellsSuppressed) {
  std::vector<Record> movements;
  for (int i = 0; i < 10; ++i) {
    auto movement = std::get<Movement>(sampleRecord(RecordKind::movement, "XA-POLICE", i));
    movement.meta.ref.clear();
    movement.port = "FRPAR";
    movement.occurredAt = parseTimestamp("2024-01-15T08:00:00Z").value();
    movements.push_back(std::move(movement));
  }
  importers::ImportOptions owner;
  owner.owner = "XA-POLICE";
  owner.retentionUntil = parseDate("2099-12-31").value();
  ASSERT_TRUE(importers::importRecords(target(), RecordKind::movement, movements, owner).ok());
  const std::vector<std::string> byPort{"aggregate-statistics", "movement", "--from", "2024-01-01",
                                        "--until", "2024-03-01", "--by", "port"};
  const CommandResult text = query(kBorderOfficer, byPort);
  ASSERT_EQ(text.exitCode, kExitOk) << text.out << text.err;
  EXPECT_THAT(text.out, HasSubstr("cells of fewer than 10 are suppressed; counts are exact"));
  EXPECT_THAT(text.out, HasSubstr("2024-01-01  FRPAR  10\n"));
  EXPECT_THAT(text.out, HasSubstr("2024-02-01  FRPAR  suppressed\n"));

  std::vector<std::string> asJson = byPort;
  asJson.push_back("--json");
  const CommandResult json = query(kBorderOfficer, asJson);
  ASSERT_EQ(json.exitCode, kExitOk) << json.out << json.err;
  EXPECT_THAT(json.out, HasSubstr(R"({"count":null,"period":"2024-02-01","suppressed":true,"value":"FRPAR"})"));

  const CommandResult byNationality = query(kBorderOfficer, {"aggregate-statistics", "movement", "--from", "2024-01-01",
                                                             "--until", "2024-03-01", "--by", "nationality"});
  EXPECT_EQ(byNationality.exitCode, kExitRefused) << byNationality.out << byNationality.err;
  const CommandResult badPeriod = query(kBorderOfficer, {"aggregate-statistics", "movement", "--from", "2024-01-01",
                                                         "--until", "2024-03-01", "--per", "fortnight"});
  EXPECT_EQ(badPeriod.exitCode, cli::kExitUsage) << badPeriod.out << badPeriod.err;
  EXPECT_THAT(badPeriod.err, HasSubstr("--per: 'fortnight' is not day, week or month"));
}

TEST_F(CliQuery, AQueryTheNodeCannotReadExitsFour) {
  // A case reference that is not UTF-8: the client signs what it is given, the node refuses to
  // decode it and says so in a signed answer.
  const CommandResult result = query(kBorderOfficer, {"--case", "\xff\xfe", "check-document", "L898902C3", "UTO"});
  EXPECT_EQ(result.exitCode, kExitInvalid) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("UTF-8"));
  EXPECT_THAT(result.out, Not(HasSubstr(stolenPassportRef_)));
}

TEST_F(CliQuery, ANodeThatRolledItsAuditLogBackExitsFiveAndLeavesEvidence) {
  ASSERT_EQ(query(kPartnerBorder, checkStolenPassport_).exitCode, kExitOk);
  // What the client holds if the node once showed it a longer log than it shows now: a head of
  // 1000 entries, signed with the node's key.
  TreeHead longer{"XA-POLICE", 1000, crypto::sha256(std::vector<uint8_t>{1}), Timestamp{} + std::chrono::hours(1)};
  auto nodeKey = crypto::loadSecretKey(dir_ / "node.key").value();
  auto nodePublicKey = crypto::loadPublicKey(dir_ / "node.pub").value();
  auto verifier = client(kPartnerBorder);
  client::TreeHeadStore heads(client::TreeHeadStore::folderFor(stateDir(kPartnerBorder), nodePublicKey.id().hex()),
                            [&](std::span<const uint8_t> envelope) { return verifier->openTreeHead(envelope); });
  ASSERT_TRUE(heads.latest().has_value()) << "the first query kept no head in " << heads.folder();
  ASSERT_TRUE(heads.record({longer, crypto::sealEnvelope(MessageType::treeHead, encodeTreeHead(longer), nodeKey)}).ok());

  const CommandResult result = query(kPartnerBorder, checkStolenPassport_);
  EXPECT_EQ(result.exitCode, kExitFork) << result.out << result.err;
  EXPECT_THAT(result.err, HasSubstr("FORK DETECTED"));
  EXPECT_THAT(result.err, HasSubstr("rolled back"));
  EXPECT_EQ(result.out, "") << "an answer from a forked log was shown";
  bool evidence = false;
  for (const auto& file : fs::directory_iterator(heads.folder())) {
    evidence = evidence || file.path().filename().string().starts_with("fork-");
  }
  EXPECT_TRUE(evidence) << "no fork evidence in " << heads.folder();
}

TEST_F(CliQuery, AnUnreachableNodeOrOneWithAnotherCertificateExitsOneAndPrintsNoAnswer) {
  // A port that refuses connections: bound, never listening.
  const int socketFd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(socketFd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(socketFd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(socketFd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const std::string closedUrl = "https://127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  const CommandResult unreachable =
      queryAs(cliConfig(kBorderOfficer), kBorderOfficer, checkStolenPassport_, closedUrl);
  ::close(socketFd);
  EXPECT_EQ(unreachable.exitCode, kExitFailure) << unreachable.out << unreachable.err;
  EXPECT_THAT(unreachable.err, HasSubstr("127.0.0.1"));
  EXPECT_EQ(unreachable.out, "");

  // The node's certificate is not the pinned one (a machine in the middle): nothing is sent.
  const uint64_t audited = auditCount();
  client::ClientConfig misPinned = cliConfig(kBorderOfficer);
  auto otherPin = net::spkiPinOfCertificateFile(net::tlsCertificatePath(dir_ / (std::string(kPartnerBorder) + "-tls")));
  ASSERT_TRUE(otherPin.ok()) << otherPin.error().message;
  misPinned.nodePin = *otherPin;
  const CommandResult impostor = queryAs(misPinned, kBorderOfficer, checkStolenPassport_);
  EXPECT_EQ(impostor.exitCode, kExitFailure) << impostor.out << impostor.err;
  EXPECT_THAT(impostor.err, HasSubstr("does not match the pinned key"));
  EXPECT_EQ(impostor.out, "");
  EXPECT_EQ(auditCount(), audited) << "the request reached the node through an unpinned certificate";
}

// ---------------------------------------------------------------------------------------------
// SIGTERM: `liaison node` as its own process.
// ---------------------------------------------------------------------------------------------

using NodeProcessStop = CliQuery;

TEST_F(NodeProcessStop, SigtermAnswersAndAuditsEveryRequestInFlightAndSignsAFinalHeadOverAll) {
  constexpr size_t kInFlight = 6;
  auto verifier = client(kAuditorOfficer);  // checks the node's signature on tree heads
  stopNode();                               // the process below takes over the database
  config_.requestDeadline = 60s;     // how long the stop waits for requests in flight
  config_.treeHeadInterval = 60s;    // no head but the one at start and the one at the stop
  NodeProcess node(writeNodeConfigFile(config_, dir_ / "node-process.toml"), dir_ / "node-process.log");
  config_.listenPort = node.port();

  // Hold the lock that audit appends take, as a slow disk would: every request is answered only
  // after its entry commits, so all of them stay in flight until the lock goes.
  auto blocker = connectAs(store::DbRole::admin);
  std::optional<pqxx::work> appendsHeld(std::in_place, *blocker);
  appendsHeld->exec("LOCK TABLE audit.entries IN SHARE ROW EXCLUSIVE MODE");

  std::vector<std::optional<Result<client::QueryAnswer>>> answers(kInFlight);
  std::atomic<size_t> answered{0};
  {
    std::vector<std::jthread> officers;
    for (size_t i = 0; i < kInFlight; ++i) {
      officers.emplace_back([&, i] {
        auto officer = client(kBorderOfficer);
        answers[i] = officer->send(
            CheckDocumentQuery{DocumentNumber::parse("L898902C3").value(), "UTO", DocumentType::passport}, {});
        ++answered;
      });
    }
    // Every request has passed the replay check (its nonce is claimed) and so is on its way to the
    // audit append.
    auto admin = connectAs(store::DbRole::admin);
    const bool allArrived = waitUntil(
        [&] {
          pqxx::nontransaction tx(*admin);
          return tx.exec1("SELECT count(*) FROM node.nonces")[0].as<size_t>() >= kInFlight;
        },
        60s);
    EXPECT_TRUE(allArrived) << "not every request reached the node";

    node.signal(SIGTERM);
    EXPECT_TRUE(waitUntil([&] { return node.log().find("\"event\":\"stopping\"") != std::string::npos; }, 60s))
        << node.log();
    EXPECT_EQ(answered.load(), 0u) << "requests were answered before the stop began: not in flight";
    appendsHeld->commit();  // the stop is under way: let the appends through
    appendsHeld.reset();
  }  // joins the officers

  for (size_t i = 0; i < kInFlight; ++i) {
    ASSERT_TRUE(answers[i].has_value());
    ASSERT_TRUE(answers[i]->ok()) << "request " << i << ": " << answers[i]->error().message;
    EXPECT_EQ((*answers[i])->response.status, ResponseStatus::ok) << (*answers[i])->response.reason;
  }
  const auto status = node.waitForExit(60s);
  ASSERT_TRUE(status.has_value()) << "the node is still running after SIGTERM\n" << node.log();
  ASSERT_TRUE(WIFEXITED(*status)) << "the node died of signal " << WTERMSIG(*status) << "\n" << node.log();
  EXPECT_EQ(WEXITSTATUS(*status), 0) << node.log();

  // Every answer's receipt names its own entry.
  const std::vector<Digest> leaves = leafHashes();
  EXPECT_EQ(leaves.size(), kInFlight);
  for (const auto& answer : answers) {
    const AuditReceipt& receipt = (*answer)->response.receipt;
    ASSERT_LT(receipt.leafIndex, leaves.size());
    EXPECT_EQ(receipt.leafHash, leaves[receipt.leafIndex]) << "entry " << receipt.leafIndex;
  }
  // The last head the node signed covers every entry.
  auto conn = connectAs(store::DbRole::auditor);
  pqxx::read_transaction tx(*conn);
  const auto row = tx.exec1("SELECT envelope FROM audit.tree_heads ORDER BY tree_size DESC, signed_at DESC LIMIT 1");
  pqxx::binarystring envelope(row[0]);
  auto head = verifier->openTreeHead(std::vector<uint8_t>(envelope.begin(), envelope.end()));
  ASSERT_TRUE(head.ok()) << head.error().message;
  EXPECT_EQ(head->treeSize, leaves.size()) << "the final head does not cover every entry";
  EXPECT_EQ(head->rootHash, crypto::merkleTreeHash(leaves));
}

}  // namespace
}  // namespace liaison::testing
