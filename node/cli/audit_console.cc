// The console's HTTP side: the secret, the routes, and the auditor API reads behind them. Every
// read goes to the node through a QueryClient of the auditor (signed, and audited there); nothing
// here reads the log any other way.
#include "node/cli/audit_console.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string_view>
#include <thread>

#include "adapters/audit_search.h"
#include "crypto/digest.h"
#include "node/cli/console_assets.h"
#include "node/client/audit_verify.h"
#include "node/client/query_client.h"
#include "node/client/tree_heads.h"
#include "node/net/local_http_server.h"
#include "schema/codec.h"

namespace liaison::cli {
namespace {

using Json = nlohmann::ordered_json;
using net::HttpResponse;
using net::LocalRequest;

constexpr size_t kSecretBytes = 32;
// Search parameters an export passes on; it pages and formats itself.
constexpr std::array<std::string_view, 3> kExportOwnParameters = {"format", "limit", "after"};
// Fork evidence files shown on the state page, at most, and bytes of each.
constexpr size_t kMostEvidenceFiles = 20;
constexpr size_t kMostEvidenceBytes = 8192;
// Problems of a verification kept for the state page.
constexpr size_t kMostProblemsShown = 20;

std::string now() {
  return formatTimestamp(std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
}

HttpResponse response(unsigned status, std::string contentType, std::string_view body) {
  HttpResponse r;
  r.status = status;
  r.contentType = std::move(contentType);
  r.body.assign(body.begin(), body.end());
  return r;
}

HttpResponse json(const Json& value, unsigned status = 200) {
  return response(status, "application/json", value.dump(-1, ' ', false, Json::error_handler_t::replace));
}

// An error for the page to show: {"error": "..."}.
HttpResponse problem(unsigned status, const std::string& message) { return json({{"error", message}}, status); }

HttpResponse refusedPage(unsigned status, std::string_view why) {
  return response(status, "text/plain; charset=utf-8", std::string(why) + "\n");
}

// Every answer: nothing from elsewhere runs in the page, the page runs in no frame, no address
// (the login's secret) leaves in a Referer, nothing is cached.
void secure(HttpResponse& r) {
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                         "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  r.headers.emplace_back("Cross-Origin-Resource-Policy", "same-origin");
}

bool isLoopback(const std::string& address) {
  if (address == "::1") return true;
  // 127.0.0.0/8, written as four decimal octets.
  unsigned octets[4];
  int consumed = 0;
  if (std::sscanf(address.c_str(), "%3u.%3u.%3u.%3u%n", &octets[0], &octets[1], &octets[2], &octets[3], &consumed) != 4 ||
      static_cast<size_t>(consumed) != address.size()) {
    return false;
  }
  return octets[0] == 127 && octets[1] <= 255 && octets[2] <= 255 && octets[3] <= 255;
}

// The value of `name` in a Cookie header (`a=1; b=2`), if there.
std::optional<std::string_view> cookie(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t semicolon = header.find(';');
    std::string_view pair = header.substr(0, semicolon);
    header = semicolon == std::string_view::npos ? std::string_view() : header.substr(semicolon + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name && pair[name.size()] == '=') {
      return pair.substr(name.size() + 1);
    }
  }
  return std::nullopt;
}

// The raw parameters of a query string, `name=value` pairs as sent (not decoded).
std::vector<std::string_view> rawPairs(std::string_view query) {
  std::vector<std::string_view> pairs;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    if (amp != 0) pairs.push_back(query.substr(0, amp));
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  return pairs;
}

std::string_view pairName(std::string_view pair) { return pair.substr(0, pair.find('=')); }

std::string bodyText(const net::HttpResponse& r) { return std::string(r.body.begin(), r.body.end()); }

Json headJson(const client::ReceivedTreeHead& head) {
  return {{"log_id", head.head.logId},
          {"tree_size", head.head.treeSize},
          {"root_hash", crypto::hex(head.head.rootHash)},
          {"timestamp", formatTimestamp(head.head.timestamp)}};
}

}  // namespace

struct AuditConsole::Impl {
  explicit Impl(AuditConsoleOptions consoleOptions) : options(std::move(consoleOptions)) {}

  const AuditConsoleOptions options;
  std::string secret;  // hex, made at start
  std::string cookieName;
  std::unique_ptr<net::LocalHttpServer> server;

  // Clients are not thread-safe: each request takes one of its own and gives it back.
  std::mutex clientsMutex;
  std::vector<std::unique_ptr<client::QueryClient>> clients;

  // The verification running in the background, and the last one's outcome.
  std::mutex verifyMutex;
  std::thread verifier;
  bool verifying = false;
  Json lastVerification;  // null until one finished

  Result<std::unique_ptr<client::QueryClient>> takeClient() {
    {
      std::lock_guard lock(clientsMutex);
      if (!clients.empty()) {
        auto c = std::move(clients.back());
        clients.pop_back();
        return c;
      }
    }
    return client::QueryClient::create(options.config, options.nodeUrl);
  }
  void giveBack(std::unique_ptr<client::QueryClient> c) {
    std::lock_guard lock(clientsMutex);
    clients.push_back(std::move(c));
  }

  // One signed GET of the auditor API. ErrorKind::unavailable when the node cannot be reached.
  Result<net::HttpResponse> read(const std::string& target) {
    auto c = takeClient();
    if (!c) return c.error();
    auto answer = (*c)->getSigned(target);
    giveBack(std::move(*c));
    return answer;
  }

  // The node's latest signed head, its signature checked and held to the heads kept before (a
  // head they do not extend is a fork: ErrorKind::conflict, with the evidence saved).
  Result<client::ReceivedTreeHead> latestHead() {
    auto c = takeClient();
    if (!c) return c.error();
    auto head = client::fetchLatestTreeHead(**c);
    giveBack(std::move(*c));
    return head;
  }

  HttpResponse handle(const LocalRequest& request);
  bool hostIsOurs(std::string_view host) const;
  HttpResponse login(std::string_view query);
  HttpResponse asset(std::string_view path);
  HttpResponse passThrough(const std::string& target);
  HttpResponse exportSearch(std::string_view query);
  HttpResponse entry(std::string_view query);
  HttpResponse state();
  HttpResponse startVerification();
  Json verificationState();
  Json partnerHeads(const client::ReceivedTreeHead& latest);
};

bool AuditConsole::Impl::hostIsOurs(std::string_view host) const {
  const std::string port = std::to_string(server->port());
  // A name or address the auditor's browser may use for this listener; any other Host is a page
  // elsewhere that got a name resolved to loopback (DNS rebinding).
  const std::array<std::string, 5> candidates = {"127.0.0.1", "localhost", "[::1]", options.listenAddress,
                                                 "[" + options.listenAddress + "]"};
  for (const std::string& candidate : candidates) {
    if (host == candidate + ":" + port) return true;
  }
  return false;
}

HttpResponse AuditConsole::Impl::handle(const LocalRequest& request) {
  if (!hostIsOurs(request.header("host"))) {
    return refusedPage(421, "this console answers only to its own address (http://" +
                                std::string(options.listenAddress) + ":" + std::to_string(server->port()) + ")");
  }
  const size_t question = request.target.find('?');
  const std::string_view path = std::string_view(request.target).substr(0, question);
  const std::string_view query =
      question == std::string::npos ? std::string_view() : std::string_view(request.target).substr(question + 1);
  if (path == "/login") {
    if (request.method != "GET") return refusedPage(405, "use GET");
    return login(query);
  }
  // Everything else needs the secret, compared in constant time.
  const auto given = cookie(request.header("cookie"), cookieName);
  if (!given || given->size() != secret.size() || CRYPTO_memcmp(given->data(), secret.data(), secret.size()) != 0) {
    return refusedPage(403, "open the address `liaison audit console` printed when it started; this console does "
                            "not know you");
  }
  // The cookie is SameSite=Strict already; a browser that says the request came from another
  // site is refused as well.
  const std::string_view site = request.header("sec-fetch-site");
  if (!site.empty() && site != "same-origin" && site != "none") {
    return refusedPage(403, "requests from other sites are refused");
  }
  if (path == "/api/verify") {
    if (request.method != "POST") return refusedPage(405, "use POST to start a verification");
    return startVerification();
  }
  if (request.method != "GET") return refusedPage(405, "use GET");
  if (path == "/api/search") return passThrough("/v1/audit/search" + (query.empty() ? "" : "?" + std::string(query)));
  if (path == "/api/overview") return passThrough("/v1/audit/overview?" + std::string(query));
  if (path == "/api/export") return exportSearch(query);
  if (path == "/api/entry") return entry(query);
  if (path == "/api/state") return state();
  if (path == "/api/whoami") {
    return json({{"node", options.nodeUrl},
                 {"auditor", {{"member", options.config.member}, {"pseudonym", options.config.pseudonym}}}});
  }
  return asset(path);
}

HttpResponse AuditConsole::Impl::login(std::string_view query) {
  std::string_view given;
  for (std::string_view pair : rawPairs(query)) {
    if (pairName(pair) == "key") given = pair.substr(4);
  }
  if (given.size() != secret.size() || CRYPTO_memcmp(given.data(), secret.data(), secret.size()) != 0) {
    return refusedPage(403, "this login address is not (or no longer) this console's: open the one it printed "
                            "at its last start");
  }
  HttpResponse r = response(303, "text/plain; charset=utf-8", "signed in\n");
  r.headers.emplace_back("Location", "/");
  // HttpOnly: no script reads it; SameSite=Strict: no other site's page sends it along.
  r.headers.emplace_back("Set-Cookie", cookieName + "=" + secret + "; Path=/; HttpOnly; SameSite=Strict");
  return r;
}

HttpResponse AuditConsole::Impl::asset(std::string_view path) {
  if (path == "/") path = "/index.html";
  for (const ConsoleAsset& file : consoleAssets()) {
    if (path.substr(1) == file.name) return response(200, std::string(file.contentType), file.bytes);
  }
  return refusedPage(404, "not found");
}

HttpResponse AuditConsole::Impl::passThrough(const std::string& target) {
  auto answer = read(target);
  if (!answer) return problem(502, "the node could not be asked: " + answer.error().message);
  if (answer->status != 200) return problem(answer->status, "the node answered: " + bodyText(*answer));
  return response(200, answer->contentType, bodyText(*answer));
}

HttpResponse AuditConsole::Impl::exportSearch(std::string_view query) {
  std::string format = "csv";
  std::string filter;
  for (std::string_view pair : rawPairs(query)) {
    const std::string_view name = pairName(pair);
    if (name == "format") {
      format = std::string(pair.substr(name.size() + (pair.size() > name.size() ? 1 : 0)));
      continue;
    }
    if (std::find(kExportOwnParameters.begin(), kExportOwnParameters.end(), name) != kExportOwnParameters.end()) {
      continue;
    }
    filter += std::string(pair) + "&";
  }
  if (format != "csv" && format != "json") return problem(400, "format must be csv or json");
  store::AuditPage all;
  std::optional<uint64_t> after;
  for (;;) {
    const std::string target = "/v1/audit/search?" + filter + "format=json&limit=" +
                               std::to_string(store::kMaxAuditPageRows) +
                               (after ? "&after=" + std::to_string(*after) : "");
    auto answer = read(target);
    if (!answer) return problem(502, "the node could not be asked: " + answer.error().message);
    if (answer->status != 200) return problem(answer->status, "the node answered: " + bodyText(*answer));
    const Json page = Json::parse(answer->body.begin(), answer->body.end(), nullptr, false);
    if (page.is_discarded() || !page.contains("entries")) return problem(502, "the node's answer is not a search page");
    for (const Json& item : page["entries"]) {
      // The fields come from the entry's own bytes, the ones its leaf hashes.
      auto bytes = crypto::fromBase64(item.value("entry", ""), size_t{1} << 24);
      if (!bytes) return problem(502, "the node's answer holds an entry that is not base64");
      auto decoded = decodeAuditEntry(*bytes, FieldLimits::waive);
      if (!decoded) return problem(502, "entry " + item.value("seq", Json()).dump() + " does not decode: " +
                                            decoded.error().message);
      all.rows.push_back(store::AuditRow{item.value("seq", uint64_t{0}), std::move(*decoded), std::move(*bytes)});
    }
    if (!page.contains("next_after")) break;
    if (all.rows.size() >= kMaxConsoleExportEntries) {
      all.nextAfterSeq = all.rows.back().seq;  // said in the export: there is more
      break;
    }
    after = page["next_after"].get<uint64_t>();
  }
  const std::string body = format == "csv" ? store::auditRowsToCsv(all) : store::auditRowsToJson(all) + "\n";
  HttpResponse r = response(200, format == "csv" ? "text/csv; charset=utf-8" : "application/json", body);
  const std::string stamp = [] {
    std::string t = now();
    std::replace(t.begin(), t.end(), ':', '-');
    return t;
  }();
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"liaison-audit-" + stamp + "." + format + "\"");
  if (all.nextAfterSeq) r.headers.emplace_back("Liaison-Export-Truncated-After", std::to_string(*all.nextAfterSeq));
  return r;
}

HttpResponse AuditConsole::Impl::entry(std::string_view query) {
  std::optional<uint64_t> seq;
  for (std::string_view pair : rawPairs(query)) {
    if (pairName(pair) == "seq") seq = store::parseDecimalParameter(pair.substr(4));
  }
  if (!seq) return problem(400, "seq must be an entry's index, a whole number");
  auto head = latestHead();
  if (!head) return problem(head.error().kind == ErrorKind::conflict ? 409 : 502, head.error().message);
  const std::string index = std::to_string(*seq);
  auto entries = read("/v1/audit/entries?start=" + index + "&end=" + index);
  if (!entries) return problem(502, "the node could not be asked: " + entries.error().message);
  if (entries->status != 200) return problem(entries->status, "the node answered: " + bodyText(*entries));
  const Json page = Json::parse(entries->body.begin(), entries->body.end(), nullptr, false);
  if (page.is_discarded() || !page.contains("entries") || page["entries"].empty()) {
    return problem(502, "the node's answer holds no entry " + index);
  }
  Json out;
  out["entry"] = page["entries"][0];
  out["head"] = headJson(*head);
  out["head"]["signature"] = "verified by this console with the node's key " + options.config.nodePublicKey.string();
  if (*seq < head->head.treeSize) {
    auto proof = read("/v1/audit/proof/inclusion?index=" + index + "&size=" + std::to_string(head->head.treeSize));
    if (!proof) return problem(502, "the node could not be asked: " + proof.error().message);
    if (proof->status != 200) return problem(proof->status, "the node answered: " + bodyText(*proof));
    out["proof"] = Json::parse(proof->body.begin(), proof->body.end(), nullptr, false);
  } else {
    out["proof"] = nullptr;  // newer than the latest signed head: the page says so
  }
  return json(out);
}

Json AuditConsole::Impl::partnerHeads(const client::ReceivedTreeHead& latest) {
  Json folders = Json::array();
  auto c = takeClient();
  if (!c) return folders;
  client::QueryClient& node = **c;
  const client::TreeHeadOpener open = [&node](std::span<const uint8_t> envelope) {
    return node.openTreeHead(envelope);
  };
  for (const auto& folder : options.headFolders) {
    std::vector<std::string> problems;
    auto heads = client::readTreeHeads(folder, open, problems);
    Json f = {{"folder", folder.string()}, {"heads", heads.size()}, {"problems", problems}};
    // The largest head of the folder that the latest covers, held to it by a consistency proof.
    const client::ReceivedTreeHead* largest = nullptr;
    for (const auto& h : heads) {
      if (h.head.treeSize <= latest.head.treeSize && (!largest || h.head.treeSize > largest->head.treeSize)) {
        largest = &h;
      }
    }
    if (largest != nullptr) {
      f["largest"] = headJson(*largest);
      std::vector<Digest> proof;
      std::optional<std::string> finding;
      if (largest->head.treeSize > 0 && largest->head.treeSize < latest.head.treeSize) {
        auto answer = node.getSigned("/v1/audit/proof/consistency?first=" + std::to_string(largest->head.treeSize) +
                                     "&second=" + std::to_string(latest.head.treeSize));
        const Json body = answer && answer->status == 200
                              ? Json::parse(answer->body.begin(), answer->body.end(), nullptr, false)
                              : Json();
        if (!body.is_object() || !body.contains("consistency")) {
          finding = "the node gave no consistency proof";
        } else {
          for (const Json& hex : body["consistency"]) {
            auto digest = crypto::parseHexDigest(hex.get<std::string>());
            if (!digest) finding = "the node's consistency proof is malformed";
            else proof.push_back(*digest);
          }
        }
      }
      if (!finding) finding = client::contradiction(*largest, latest, proof);
      f["consistent"] = !finding.has_value();
      if (finding) f["finding"] = *finding;
    }
    folders.push_back(std::move(f));
  }
  giveBack(std::move(*c));
  return folders;
}

HttpResponse AuditConsole::Impl::state() {
  Json out;
  out["node"] = options.nodeUrl;
  out["auditor"] = {{"member", options.config.member}, {"pseudonym", options.config.pseudonym}};
  auto head = latestHead();
  if (head) {
    out["head"] = headJson(*head);
    out["head"]["signed_tree_head"] = crypto::base64(head->envelope);
    out["partner_heads"] = partnerHeads(*head);
  } else {
    out["head_error"] = head.error().message;
    out["fork"] = head.error().kind == ErrorKind::conflict;
  }
  auto c = takeClient();
  if (c) {
    client::TreeHeadStore& kept = (*c)->treeHeads();
    const auto all = kept.all();
    out["kept_heads"] = {{"folder", kept.folder().string()}, {"count", all.size()}};
    Json evidence = Json::array();
    std::error_code ec;
    if (!kept.folder().empty()) {
      for (const auto& file : std::filesystem::directory_iterator(kept.folder(), ec)) {
        const std::string name = file.path().filename().string();
        if (name.rfind("fork-", 0) != 0 || evidence.size() >= kMostEvidenceFiles) continue;
        std::ifstream in(file.path(), std::ios::binary);
        std::string text(kMostEvidenceBytes, '\0');
        in.read(text.data(), static_cast<std::streamsize>(text.size()));
        text.resize(static_cast<size_t>(in.gcount()));
        evidence.push_back({{"file", file.path().string()}, {"text", text}});
      }
    }
    out["fork_evidence"] = std::move(evidence);
    // When the log was last verified from this state folder, by this console or `audit verify`.
    const auto verified = kept.folder() / client::kVerifiedLeavesFile;
    if (!kept.folder().empty() && std::filesystem::is_regular_file(verified, ec)) {
      const auto modified = std::filesystem::last_write_time(verified, ec);
      const auto size = std::filesystem::file_size(verified, ec);
      if (!ec) {
        const auto at = std::chrono::time_point_cast<std::chrono::seconds>(
            std::chrono::file_clock::to_sys(modified));
        out["last_verified"] = {{"at", formatTimestamp(at)}, {"entries", size / sizeof(Digest)}};
      }
    }
    giveBack(std::move(*c));
  }
  out["verification"] = verificationState();
  return json(out);
}

Json AuditConsole::Impl::verificationState() {
  std::lock_guard lock(verifyMutex);
  return {{"running", verifying}, {"last", lastVerification}};
}

HttpResponse AuditConsole::Impl::startVerification() {
  std::lock_guard lock(verifyMutex);
  if (verifying) return json({{"started", false}, {"running", true}}, 202);
  if (verifier.joinable()) verifier.join();  // the last one has finished
  verifying = true;
  verifier = std::thread([this] {
    Json outcome;
    outcome["started"] = now();
    auto c = client::QueryClient::create(options.config, options.nodeUrl);
    if (!c) {
      outcome["error"] = c.error().message;
    } else {
      client::AuditVerifyOptions verifyOptions;
      verifyOptions.headFolders = options.headFolders;
      auto report = client::verifyAuditLog(**c, verifyOptions);
      if (!report) {
        outcome["error"] = report.error().message;
        outcome["fork"] = report.error().kind == ErrorKind::conflict;
      } else {
        outcome["verified"] = report->verified;
        outcome["tree_size"] = report->head.treeSize;
        outcome["root_hash"] = crypto::hex(report->head.rootHash);
        outcome["entries"] = report->entries;
        outcome["heads_checked"] = report->headsChecked;
        outcome["problems"] = Json::array();
        for (size_t i = 0; i < report->problems.size() && i < kMostProblemsShown; ++i) {
          outcome["problems"].push_back(report->problems[i]);
        }
        outcome["problem_count"] = report->problems.size();
        if (report->firstBadIndex) outcome["first_bad_index"] = *report->firstBadIndex;
      }
    }
    outcome["finished"] = now();
    std::lock_guard done(verifyMutex);
    lastVerification = std::move(outcome);
    verifying = false;
  });
  return json({{"started", true}, {"running", true}}, 202);
}

// --- the console --------------------------------------------------------------------------------

Status parseConsoleListen(const std::string& text, AuditConsoleOptions& options) {
  auto invalid = [&](const std::string& why) {
    return fail(ErrorKind::invalidInput, "--listen " + store::quoteParameterValue(text) + ": " + why);
  };
  std::string address = "127.0.0.1";
  std::string port = text;
  const size_t colon = text.rfind(':');
  if (colon != std::string::npos) {
    address = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (address.size() >= 2 && address.front() == '[' && address.back() == ']') address = address.substr(1, address.size() - 2);
  }
  const auto number = store::parseDecimalParameter(port);
  if (!number || *number > 65535) return invalid("the port must be a number from 0 to 65535");
  if (!isLoopback(address)) {
    return invalid("the console serves plain HTTP and listens on loopback only (127.0.0.1 or ::1); reach it from "
                   "another machine through an SSH tunnel");
  }
  options.listenAddress = address;
  options.port = static_cast<uint16_t>(*number);
  return {};
}

Result<std::unique_ptr<AuditConsole>> AuditConsole::start(AuditConsoleOptions options) {
  if (options.config.role != Role::auditor) {
    return fail(ErrorKind::invalidInput, "the console is for auditors: " + options.config.file.string() +
                                             " speaks as role " + std::string(name(options.config.role)) +
                                             ", not auditor");
  }
  if (!isLoopback(options.listenAddress)) {
    return fail(ErrorKind::invalidInput, "the console listens on loopback only, not on " + options.listenAddress);
  }
  auto impl = std::make_unique<Impl>(std::move(options));
  // The keys load now, so a console that cannot sign says so at once rather than on the first page.
  auto first = client::QueryClient::create(impl->options.config, impl->options.nodeUrl);
  if (!first) return first.error();
  impl->giveBack(std::move(*first));

  std::array<uint8_t, kSecretBytes> secret{};
  if (RAND_bytes(secret.data(), static_cast<int>(secret.size())) != 1) {
    return fail(ErrorKind::unavailable, "the system's random source gave no secret for the console");
  }
  static_assert(kSecretBytes == sizeof(Digest));
  Digest asDigest{};
  std::copy(secret.begin(), secret.end(), asDigest.begin());
  impl->secret = crypto::hex(asDigest);
  OPENSSL_cleanse(secret.data(), secret.size());
  OPENSSL_cleanse(asDigest.data(), asDigest.size());
  // Named per start: browsers send a host's cookies to all its ports, and a fresh name keeps two
  // consoles (or two starts of one) apart.
  std::array<uint8_t, 4> id{};
  if (RAND_bytes(id.data(), static_cast<int>(id.size())) != 1) {
    return fail(ErrorKind::unavailable, "the system's random source gave no name for the console's cookie");
  }
  impl->cookieName = "liaison_console_";
  for (uint8_t b : id) impl->cookieName += "0123456789abcdef"[b >> 4], impl->cookieName += "0123456789abcdef"[b & 15];

  net::LocalServerOptions server;
  server.bindAddress = impl->options.listenAddress;
  server.port = impl->options.port;
  server.maxConnections = 16;
  server.maxHeaderBytes = 8192;
  server.deadline = std::chrono::seconds(10);
  server.handlerThreads = 2;
  server.name = "audit console";
  server.bindHint = "pick another with --listen 127.0.0.1:PORT";
  Impl* self = impl.get();
  impl->server = std::make_unique<net::LocalHttpServer>(server, [self](const LocalRequest& request) {
    HttpResponse r = self->handle(request);
    secure(r);
    return r;
  });
  if (Status started = impl->server->start(); !started) return started.error();
  return std::unique_ptr<AuditConsole>(new AuditConsole(std::move(impl)));
}

AuditConsole::AuditConsole(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AuditConsole::~AuditConsole() { stop(); }

std::string AuditConsole::origin() const {
  const std::string& address = impl_->options.listenAddress;
  const bool v6 = address.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + address + "]" : address) + ":" + std::to_string(impl_->server->port());
}

std::string AuditConsole::loginUrl() const { return origin() + "/login?key=" + impl_->secret; }

uint16_t AuditConsole::port() const { return impl_->server->port(); }

void AuditConsole::stop() {
  if (!impl_ || !impl_->server) return;
  impl_->server->stop();
  std::thread verifier;
  {
    std::lock_guard lock(impl_->verifyMutex);
    verifier = std::move(impl_->verifier);
  }
  if (verifier.joinable()) verifier.join();
}

}  // namespace liaison::cli
