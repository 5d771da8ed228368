// The auditor's console against a real node (real PostgreSQL, real TLS on loopback): who may start
// it, the secret that guards it, what it reads from the node and how those reads are audited, the
// overview's alerts, the export; and a real browser (Debian's Chromium, headless) driven through
// every page by tests/console/browser_test.mjs, which saves screenshots for a reviewer.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>

#include "node/cli/audit_console.h"
#include "node/client/audit_verify.h"
#include "node/client/query_client.h"
#include "node/client/tree_heads.h"
#include "tests/liaison_process.h"
#include "tests/loopback.h"
#include "tests/node_harness.h"
#include "tests/wait.h"

namespace liaison::testing {
namespace {

using cli::AuditConsole;
using cli::AuditConsoleOptions;
using Json = nlohmann::json;

// An entry's purpose as a hostile requester might write it: markup that would run if the page
// put log text into HTML.
constexpr const char* kHostilePurpose = "<img src=x onerror=\"window.__consolePwned=1\">";

struct Answer {
  unsigned status = 0;
  std::string head;  // status line and headers
  std::string body;
};

Answer parse(const std::string& raw) {
  Answer a;
  const size_t end = raw.find("\r\n\r\n");
  a.head = raw.substr(0, end);
  a.body = end == std::string::npos ? "" : raw.substr(end + 4);
  if (raw.rfind("HTTP/1.1 ", 0) == 0) a.status = static_cast<unsigned>(std::stoul(raw.substr(9, 3)));
  return a;
}

class AuditConsoleTest : public NodeTest {
 protected:
  void TearDown() override {
    if (console_) console_->stop();
    NodeTest::TearDown();
  }

  void startConsole(const std::string& identity = kAuditorOfficer) {
    AuditConsoleOptions options;
    options.config = clientConfig(identity);
    options.nodeUrl = url();
    options.port = 0;
    auto started = AuditConsole::start(std::move(options));
    ASSERT_TRUE(started.ok()) << started.error().message;
    console_ = std::move(*started);
    const std::string login = console_->loginUrl();
    secret_ = login.substr(login.find("key=") + 4);
  }

  // One request to the console as a browser on this machine would send it.
  Answer get(const std::string& target, const std::string& headers = "", const std::string& method = "GET") {
    return parse(plainHttpExchange(console_->port(), method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" +
                                                         std::to_string(console_->port()) + "\r\n" + headers + "\r\n"));
  }

  // The cookie header the login sets.
  std::string signIn() {
    const Answer login = get("/login?key=" + secret_);
    EXPECT_EQ(login.status, 303u) << login.head;
    std::smatch cookie;
    EXPECT_TRUE(std::regex_search(login.head, cookie, std::regex("Set-Cookie: ([^=]+)=([0-9a-f]{64}); Path=/; HttpOnly; SameSite=Strict")))
        << login.head;
    return "Cookie: " + cookie[1].str() + "=" + cookie[2].str() + "\r\n";
  }

  // Traffic an auditor should notice: an enforcement officer asking twice for a health record
  // (the firewall refuses), a border officer screening one person under three spellings, and a
  // request whose purpose carries markup.
  void makeTraffic() {
    auto enforcement = client(kEnforcementOfficer);
    for (int i = 0; i < 2; ++i) {
      auto refused = enforcement->send(HealthRecordQuery{healthRef_}, {});
      ASSERT_TRUE(refused.ok()) << refused.error().message;
      ASSERT_EQ(refused->response.status, ResponseStatus::refused);
    }
    auto border = client(kBorderOfficer);
    for (const char* spelling : {"Taras Shevchenko", "Shevchenko Taras", "Taras Shevchneko"}) {
      ScreenPersonQuery screen;
      screen.otherNames = {spelling};
      auto answer = border->send(screen, {});
      ASSERT_TRUE(answer.ok()) << answer.error().message;
      ASSERT_EQ(answer->response.status, ResponseStatus::ok) << answer->response.reason;
    }
    client::QueryOptions hostile;
    hostile.purpose = kHostilePurpose;
    auto marked = border->send(CheckDocumentQuery{DocumentNumber::parse("L898902C3").value(), "UTO", DocumentType::passport},
                               hostile);
    ASSERT_TRUE(marked.ok()) << marked.error().message;
  }

  // Waits until a signed head covers every entry written so far.
  void waitForSignedHead() {
    const uint64_t entries = auditCount();
    auto auditor = client(kAuditorOfficer);
    // Each look is an audited read: look every 200 ms, not every millisecond, or the log fills with them.
    ASSERT_TRUE(waitUntil(
        [&] {
          auto head = client::fetchLatestTreeHead(*auditor);
          if (head.ok() && head->head.treeSize >= entries) return true;
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
          return false;
        },
        std::chrono::seconds(20)));
  }

  std::unique_ptr<AuditConsole> console_;
  std::string secret_;
};

TEST_F(AuditConsoleTest, ANonAuditorConfigurationCannotStartIt) {
  for (const char* identity : {kBorderOfficer, kEnforcementOfficer, kHealthWorker}) {
    AuditConsoleOptions options;
    options.config = clientConfig(identity);
    options.nodeUrl = url();
    options.port = 0;
    auto started = AuditConsole::start(std::move(options));
    ASSERT_FALSE(started.ok()) << identity;
    EXPECT_NE(started.error().message.find("the console is for auditors"), std::string::npos) << started.error().message;
  }
}

TEST_F(AuditConsoleTest, TheCommandStartsForAnAuditorOnlyOnLoopbackOnlyAndPrintsItsLoginAddress) {
  const auto border = writeClientConfigFile(clientConfig(kBorderOfficer), dir_ / "border-client.toml");
  const auto auditor = writeClientConfigFile(clientConfig(kAuditorOfficer), dir_ / "auditor-client.toml");
  const CommandResult notAuditor = runLiaison({"audit", "console", "--as", border.string(), "--node", url(), "--listen", "0"});
  EXPECT_EQ(notAuditor.exitCode, 1);
  EXPECT_NE(notAuditor.err.find("the console is for auditors"), std::string::npos) << notAuditor.err;
  const CommandResult everywhere =
      runLiaison({"audit", "console", "--as", auditor.string(), "--node", url(), "--listen", "0.0.0.0:0"});
  EXPECT_EQ(everywhere.exitCode, 2);
  EXPECT_NE(everywhere.err.find("loopback only"), std::string::npos) << everywhere.err;
  // It serves until signalled: here it is killed after three seconds, having printed its address.
  const CommandResult serving =
      runLiaison({"audit", "console", "--as", auditor.string(), "--node", url(), "--listen", "127.0.0.1:0"},
                 std::chrono::seconds(3));
  EXPECT_TRUE(std::regex_search(serving.out, std::regex("http://127\\.0\\.0\\.1:[0-9]+/login\\?key=[0-9a-f]{64}\n")))
      << serving.out << serving.err;
  EXPECT_EQ(serving.err.find("key="), std::string::npos) << "the secret goes to the terminal's output only";
}

TEST_F(AuditConsoleTest, ItListensOnLoopbackOnly) {
  for (const char* outside : {"0.0.0.0:8090", "192.0.2.7:8090", "[::]:8090", "example.org:8090", "localhost:8090"}) {
    AuditConsoleOptions options;
    const Status parsed = cli::parseConsoleListen(outside, options);
    ASSERT_FALSE(parsed.ok()) << outside;
    EXPECT_NE(parsed.error().message.find("loopback only"), std::string::npos) << parsed.error().message;
  }
  for (const char* bad : {"127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:http"}) {
    AuditConsoleOptions options;
    EXPECT_FALSE(cli::parseConsoleListen(bad, options).ok()) << bad;
  }
  AuditConsoleOptions options;
  ASSERT_TRUE(cli::parseConsoleListen("[::1]:9000", options).ok());
  EXPECT_EQ(options.listenAddress, "::1");
  EXPECT_EQ(options.port, 9000);
  ASSERT_TRUE(cli::parseConsoleListen("8091", options).ok());
  EXPECT_EQ(options.listenAddress, "127.0.0.1");
  EXPECT_EQ(options.port, 8091);

  options.config = clientConfig(kAuditorOfficer);
  options.nodeUrl = url();
  options.listenAddress = "0.0.0.0";
  auto started = AuditConsole::start(options);
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().message.find("loopback only"), std::string::npos) << started.error().message;
}

TEST_F(AuditConsoleTest, EveryRequestWithoutItsSecretIsRefusedAndReadsNothing) {
  startConsole();
  const uint64_t before = auditCount();
  const std::string wrongCookie = "Cookie: liaison_console_00000000=" + std::string(64, 'a') + "\r\n";
  for (const char* target : {"/", "/index.html", "/console.js", "/api/search", "/api/state", "/api/overview?x=1",
                             "/api/entry?seq=0", "/api/export?format=csv", "/api/whoami"}) {
    EXPECT_EQ(get(target).status, 403u) << target;
    EXPECT_EQ(get(target, wrongCookie).status, 403u) << target;
  }
  EXPECT_EQ(get("/api/verify", "", "POST").status, 403u);
  // A secret one character off, shorter or longer, or as a parameter elsewhere, does not sign in.
  std::string offByOne = secret_;
  offByOne.back() = offByOne.back() == '0' ? '1' : '0';
  for (const std::string& key : {offByOne, secret_.substr(0, 63), secret_ + "0", std::string()}) {
    const Answer login = get("/login?key=" + key);
    EXPECT_EQ(login.status, 403u) << key;
    EXPECT_EQ(login.head.find("Set-Cookie"), std::string::npos);
  }
  EXPECT_EQ(get("/api/search?key=" + secret_).status, 403u) << "the secret signs in at /login only";
  EXPECT_EQ(auditCount(), before) << "a refused request made the console read nothing from the node";

  // With the cookie: the page, and one audited read per API call.
  const std::string cookie = signIn();
  const Answer page = get("/", cookie);
  EXPECT_EQ(page.status, 200u);
  EXPECT_NE(page.body.find("Liaison audit console"), std::string::npos);
  EXPECT_NE(page.head.find("Content-Security-Policy: default-src 'none'; script-src 'self'"), std::string::npos) << page.head;
  EXPECT_NE(page.head.find("X-Frame-Options: DENY"), std::string::npos);
  EXPECT_NE(page.head.find("Referrer-Policy: no-referrer"), std::string::npos);
  const uint64_t beforeSearch = auditCount();
  const Answer search = get("/api/search?limit=5", cookie);
  ASSERT_EQ(search.status, 200u) << search.body;
  EXPECT_TRUE(Json::parse(search.body).contains("entries"));
  EXPECT_EQ(auditCount(), beforeSearch + 1) << "the console's read is audited at the node";
  const AuditEntry read = lastAuditEntry();
  EXPECT_EQ(read.queryKind, QueryKind::auditRead);
  EXPECT_EQ(read.officerPseudonym, kAuditorOfficer);
  EXPECT_EQ(read.decision, Decision::permitted);
}

TEST_F(AuditConsoleTest, ItRefusesOtherHostsOtherSitesAndOtherMethods) {
  startConsole();
  const std::string cookie = signIn();
  // A page elsewhere whose name resolves to 127.0.0.1 (DNS rebinding) sends its own Host.
  const Answer rebound = parse(plainHttpExchange(
      console_->port(), "GET /api/search HTTP/1.1\r\nHost: attacker.example:" + std::to_string(console_->port()) +
                            "\r\n" + cookie + "\r\n"));
  EXPECT_EQ(rebound.status, 421u);
  const Answer noHost = parse(plainHttpExchange(console_->port(), "GET / HTTP/1.1\r\n" + cookie + "\r\n"));
  EXPECT_EQ(noHost.status, 421u);
  EXPECT_EQ(get("/api/search", cookie + "Sec-Fetch-Site: cross-site\r\n").status, 403u);
  EXPECT_EQ(get("/api/search", cookie + "Sec-Fetch-Site: same-site\r\n").status, 403u);
  EXPECT_EQ(get("/api/search", cookie + "Sec-Fetch-Site: same-origin\r\n").status, 200u);
  EXPECT_EQ(get("/api/search", cookie, "POST").status, 405u);
  EXPECT_EQ(get("/api/verify", cookie, "GET").status, 405u) << "a verification starts by POST only";
  EXPECT_EQ(get("/../../etc/passwd", cookie).status, 404u);
  EXPECT_EQ(parse(plainHttpExchange(console_->port(), "GET /api/search HTTP/1.1\r\nHost: 127.0.0.1:" +
                                                          std::to_string(console_->port()) + "\r\n" + cookie +
                                                          "Content-Length: 3\r\n\r\nabc"))
                .status,
            400u);
  // A bad search is the node's to judge; its words come back.
  const Answer bad = get("/api/search?role=pirate", cookie);
  EXPECT_EQ(bad.status, 400u);
  EXPECT_NE(bad.body.find("'pirate' is not a role"), std::string::npos) << bad.body;
  EXPECT_EQ(get("/api/entry?seq=x", cookie).status, 400u);
}

TEST_F(AuditConsoleTest, TheOverviewCountsAndAlertsAndTheExportHoldsTheWholeSearch) {
  makeTraffic();
  startConsole();
  const std::string cookie = signIn();
  const std::string from = formatTimestamp(std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()));
  const std::string to = formatTimestamp(std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) +
                                         std::chrono::days(1));
  const Answer overview = get("/api/overview?from=" + from + "&to=" + to + "&refusals=2&screenings=3", cookie);
  ASSERT_EQ(overview.status, 200u) << overview.body;
  const Json o = Json::parse(overview.body);
  EXPECT_EQ(o["total"]["firewall"], 2);
  auto alertOf = [&](const std::string& kind) -> Json {
    for (const Json& a : o["alerts"]) {
      if (a["kind"] == kind) return a;
    }
    return Json();
  };
  const Json firewall = alertOf("firewall");
  ASSERT_FALSE(firewall.is_null()) << o.dump(2);
  EXPECT_EQ(firewall["officer"], kEnforcementOfficer);
  EXPECT_EQ(firewall["count"], 2);
  EXPECT_EQ(firewall["seqs"].size(), 2u);
  const Json refusals = alertOf("refusals");
  ASSERT_FALSE(refusals.is_null()) << o.dump(2);
  EXPECT_EQ(refusals["officer"], kEnforcementOfficer);
  const Json probing = alertOf("probing");
  ASSERT_FALSE(probing.is_null()) << o.dump(2);
  EXPECT_EQ(probing["officer"], kBorderOfficer);
  EXPECT_EQ(probing["record"], shevchenkoNoticeRef_);
  EXPECT_EQ(probing["count"], 3);
  bool perDayFirewall = false;
  for (const Json& row : o["per_day"]) perDayFirewall |= row["kind"] == "health-record" && row["firewall"] == 2;
  EXPECT_TRUE(perDayFirewall) << o["per_day"].dump();

  // One more refusal than the threshold needs: with refusals=3 the officer's two are no alert.
  const Json higher = Json::parse(get("/api/overview?from=" + from + "&to=" + to + "&refusals=3&screenings=4", cookie).body);
  for (const Json& a : higher["alerts"]) {
    EXPECT_NE(a["kind"], "refusals") << a.dump();
    EXPECT_NE(a["kind"], "probing") << a.dump();
  }
  EXPECT_EQ(get("/api/overview?from=" + to + "&to=" + from, cookie).status, 400u);

  // The export of a search: every matching entry, from the entries' own bytes, as an attachment.
  const Answer csv = get("/api/export?kind=screen-person&format=csv", cookie);
  ASSERT_EQ(csv.status, 200u) << csv.body;
  EXPECT_NE(csv.head.find("Content-Type: text/csv"), std::string::npos);
  EXPECT_NE(csv.head.find("Content-Disposition: attachment; filename=\"liaison-audit-"), std::string::npos) << csv.head;
  size_t lines = 0;
  for (size_t at = csv.body.find("\r\n"); at != std::string::npos; at = csv.body.find("\r\n", at + 2)) ++lines;
  EXPECT_EQ(lines, 4u) << csv.body;  // the header and three screenings
  EXPECT_EQ(csv.body.rfind("seq,recorded_at,requester,officer_pseudonym", 0), 0u);
  const Answer json = get("/api/export?kind=screen-person&format=json", cookie);
  ASSERT_EQ(json.status, 200u);
  EXPECT_EQ(Json::parse(json.body)["entries"].size(), 3u);
  EXPECT_EQ(get("/api/export?format=xml", cookie).status, 400u);
}

TEST_F(AuditConsoleTest, TheOverviewIsAnAuditorsReadOnlyAndEveryAttemptIsAudited) {
  makeTraffic();
  const std::string target = "/v1/audit/overview?from=2026-01-01T00:00:00Z&to=2026-12-31T00:00:00Z";
  for (const char* identity : {kBorderOfficer, kEnforcementOfficer, kHealthWorker, kPartnerBorder}) {
    const uint64_t before = auditCount();
    auto answer = client(identity)->getSigned(target);
    ASSERT_TRUE(answer.ok()) << answer.error().message;
    EXPECT_EQ(answer->status, 403u) << identity;
    EXPECT_EQ(std::string(answer->body.begin(), answer->body.end()).find("firewall"), std::string::npos);
    EXPECT_EQ(auditCount(), before + 1) << identity;
    EXPECT_EQ(lastAuditEntry().decision, Decision::refused);
  }
  auto auditor = client(kAuditorOfficer)->getSigned(target);
  ASSERT_TRUE(auditor.ok());
  EXPECT_EQ(auditor->status, 200u);
}

TEST_F(AuditConsoleTest, TheRefusalsAlertCountsWithinASlidingWindowOnly) {
  // The node's clock is set back to yesterday and moved between requests: refusals at 0 s, 30 min,
  // 3 h and 3 h 10 s. Then it runs true again, for the console's reads.
  std::atomic<int64_t> offset{0};
  std::atomic<bool> trueTime{false};
  const Timestamp start = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) - std::chrono::days(1);
  clock_ = [&] {
    return trueTime ? std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())
                    : start + std::chrono::seconds(offset.load());
  };
  stopNode();
  startNode();
  auto enforcement = client(kEnforcementOfficer);
  std::vector<uint64_t> seqs;
  for (int64_t at : {0, 1800, 10800, 10810}) {
    offset = at;
    auto answer = enforcement->sendSealed(enforcement->seal(HealthRecordQuery{healthRef_}, {}, clock_()));
    ASSERT_TRUE(answer.ok()) << answer.error().message;
    ASSERT_EQ(answer->response.status, ResponseStatus::refused);
    seqs.push_back(answer->response.receipt.leafIndex);
  }
  trueTime = true;
  startConsole();
  const std::string cookie = signIn();
  const std::string day = "/api/overview?from=" + formatTimestamp(start) + "&to=" +
                          formatTimestamp(start + std::chrono::days(1)) + "&screenings=1000";
  const std::string range = day + "&window=3600";
  auto refusalAlerts = [&](int threshold) {
    const Answer answer = get(range + "&refusals=" + std::to_string(threshold), cookie);
    EXPECT_EQ(answer.status, 200u) << answer.body;
    Json alerts = Json::array();
    const Json overview = Json::parse(answer.body);
    for (const Json& a : overview["alerts"]) {
      if (a["kind"] == "refusals") alerts.push_back(a);
    }
    return alerts;
  };
  EXPECT_TRUE(refusalAlerts(3).empty()) << "no hour holds three of the four refusals";
  const Json two = refusalAlerts(2);
  ASSERT_EQ(two.size(), 1u) << two.dump();
  EXPECT_EQ(two[0]["officer"], kEnforcementOfficer);
  EXPECT_EQ(two[0]["count"], 2);
  EXPECT_EQ(two[0]["seqs"], Json({seqs[0], seqs[1]})) << "the first window that holds two, with its entries";
  const Answer wide = get(day + "&refusals=4&window=14400", cookie);  // four hours hold all four
  ASSERT_EQ(wide.status, 200u) << wide.body;
  bool four = false;
  const Json wideOverview = Json::parse(wide.body);
  for (const Json& a : wideOverview["alerts"]) four |= a["kind"] == "refusals" && a["count"] == 4;
  EXPECT_TRUE(four) << wide.body;
}

TEST_F(AuditConsoleTest, TheStatePageHoldsPartnersKeptHeadsToTheLatestAndNamesPlantedOnes) {
  // A partner's client keeps the heads the node gave it in its state folder.
  client::ClientConfig partner = clientConfig(kPartnerBorder);
  partner.stateDir = dir_ / "xb-state";
  auto xb = client::QueryClient::create(partner, url());
  ASSERT_TRUE(xb.ok()) << xb.error().message;
  makeTraffic();
  waitForSignedHead();
  auto answer = (*xb)->send(CheckDocumentQuery{DocumentNumber::parse("L898902C3").value(), "UTO", DocumentType::passport}, {});
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  const auto folder = client::TreeHeadStore::folderFor(partner.stateDir, (*xb)->nodeKeyId());
  ASSERT_FALSE((*xb)->treeHeads().all().empty());
  // And a head planted beside them, which no key signed.
  std::ofstream(folder / ("3-" + std::string(64, 'a') + ".sth")) << "not a signed head";  // planted

  AuditConsoleOptions options;
  options.config = clientConfig(kAuditorOfficer);
  options.nodeUrl = url();
  options.port = 0;
  options.headFolders = {folder};
  options.config.stateDir = dir_ / "auditor-state";
  auto started = AuditConsole::start(std::move(options));
  ASSERT_TRUE(started.ok()) << started.error().message;
  console_ = std::move(*started);
  const std::string login = console_->loginUrl();
  secret_ = login.substr(login.find("key=") + 4);
  const std::string cookie = signIn();
  const Answer state = get("/api/state", cookie);
  ASSERT_EQ(state.status, 200u) << state.body;
  const Json s = Json::parse(state.body);
  ASSERT_TRUE(s.contains("head")) << state.body;
  ASSERT_EQ(s["partner_heads"].size(), 1u);
  const Json& xbHeads = s["partner_heads"][0];
  EXPECT_GE(xbHeads["heads"].get<size_t>(), 1u) << state.body;
  EXPECT_EQ(xbHeads["consistent"], true) << state.body;
  ASSERT_EQ(xbHeads["problems"].size(), 1u) << state.body;
  EXPECT_NE(xbHeads["problems"][0].get<std::string>().find("3-aaaa"), std::string::npos) << state.body;
  EXPECT_TRUE(s["fork_evidence"].empty());
  EXPECT_EQ(s["verification"]["running"], false);
  EXPECT_FALSE(s.contains("last_verified")) << "never verified from this state folder";

  // A verification started from the page runs in the console: the planted head fails it, as
  // `audit verify --heads` would; without it the log verifies and that is remembered.
  const std::filesystem::path planted = folder / ("3-" + std::string(64, 'a') + ".sth");
  auto verifyNow = [&] {
    const Answer verify = get("/api/verify", cookie, "POST");
    EXPECT_EQ(verify.status, 202u) << verify.body;
    Json after;
    EXPECT_TRUE(waitUntil(
        [&] {
          after = Json::parse(get("/api/state", cookie).body);
          if (after["verification"]["running"] == false && after["verification"]["last"].is_object()) return true;
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
          return false;
        },
        std::chrono::seconds(60)));
    return after;
  };
  const Json failed = verifyNow();
  EXPECT_EQ(failed["verification"]["last"]["verified"], false) << failed.dump();
  EXPECT_NE(failed["verification"]["last"]["problems"].dump().find(planted.filename().string()), std::string::npos);
  EXPECT_FALSE(failed.contains("last_verified"));
  std::filesystem::remove(planted);
  const Json after = verifyNow();
  const Json& last = after["verification"]["last"];
  EXPECT_EQ(last["verified"], true) << last.dump();
  EXPECT_GT(last["entries"].get<uint64_t>(), 0u);
  ASSERT_TRUE(after.contains("last_verified")) << after.dump();
  EXPECT_EQ(after["last_verified"]["entries"], last["entries"]);
}

TEST_F(AuditConsoleTest, AnEntryComesWithTheSignedHeadAndItsInclusionProof) {
  makeTraffic();
  waitForSignedHead();
  startConsole();
  const std::string cookie = signIn();
  const Answer answer = get("/api/entry?seq=0", cookie);
  ASSERT_EQ(answer.status, 200u) << answer.body;
  const Json e = Json::parse(answer.body);
  EXPECT_EQ(e["entry"]["leaf_index"], 0);
  ASSERT_TRUE(e["proof"].is_object()) << answer.body;
  EXPECT_EQ(e["proof"]["tree_size"], e["head"]["tree_size"]);
  EXPECT_GT(e["head"]["tree_size"].get<uint64_t>(), 1u);
  EXPECT_FALSE(e["proof"]["audit_path"].empty());
  EXPECT_EQ(get("/api/entry?seq=999999999", cookie).status, 400u);
}

// The whole console in a real browser. Needs Debian's chromium and tests/console's node_modules,
// which scripts/test installs; without them this test fails saying so.
TEST_F(AuditConsoleTest, InARealBrowserAnAuditorSearchesReadsAProvenEntrySeesChartsAndAlertsAndExports) {
  const char* chromium = std::getenv("LIAISON_CHROMIUM");
  const std::filesystem::path browser = chromium ? chromium : "/usr/bin/chromium";
  const std::filesystem::path script = std::filesystem::path(LIAISON_SOURCE_DIR) / "tests/console/browser_test.mjs";
  const std::filesystem::path modules = std::filesystem::path(LIAISON_SOURCE_DIR) / "tests/console/node_modules/playwright-core";
  ASSERT_TRUE(std::filesystem::exists(browser)) << browser << " is missing: scripts/test installs Debian's chromium";
  ASSERT_TRUE(std::filesystem::exists(modules)) << modules << " is missing: run scripts/test, or npm ci --prefix tests/console";

  makeTraffic();
  waitForSignedHead();
  startConsole();
  const std::string from = formatTimestamp(std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()));
  const std::string to = formatTimestamp(std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) +
                                         std::chrono::days(1));
  const Json expectations = {{"firewallOfficer", kEnforcementOfficer},
                             {"hostilePurpose", kHostilePurpose},
                             {"alertRange", "from=" + from + "&to=" + to + "&window=3600&refusals=2&screenings=3"}};
  const std::filesystem::path shots = std::filesystem::path(LIAISON_BINARY).parent_path().parent_path() / "console-screenshots";
  const std::filesystem::path output = dir_ / "browser.log";
  auto quoted = [](const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  };
  const std::string command = "node " + quoted(script.string()) + " " + quoted(console_->loginUrl()) + " " +
                              quoted(shots.string()) + " " + quoted(expectations.dump()) + " >" +
                              quoted(output.string()) + " 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream log(output);
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  std::cout << text;  // each check the browser made, for the test's log
  EXPECT_EQ(status, 0) << text;
  for (const char* shot : {"1-search.png", "2-search-results.png", "3-entry.png", "4-charts.png", "5-alerts.png", "6-state.png"}) {
    EXPECT_TRUE(std::filesystem::exists(shots / shot)) << shot;
  }
}

}  // namespace
}  // namespace liaison::testing
