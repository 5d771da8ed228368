#include "node/audit_api.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <utility>

#include "adapters/audit_search.h"
#include "adapters/transparency_log.h"
#include "crypto/digest.h"

namespace liaison::node {
namespace {

using Json = nlohmann::json;
using Parameters = std::map<std::string, std::string, std::less<>>;

AuditReadAnswer jsonAnswer(const Json& json) {
  const std::string text = json.dump() + "\n";
  return AuditReadAnswer{200, "application/json", std::vector<uint8_t>(text.begin(), text.end()), {}};
}

AuditReadAnswer textAnswer(unsigned status, const std::string& text, std::string note = {}) {
  const std::string body = text + "\n";
  return AuditReadAnswer{status, "text/plain", std::vector<uint8_t>(body.begin(), body.end()), std::move(note)};
}

AuditReadAnswer badRequest(const std::string& problem) { return textAnswer(400, problem, problem); }

AuditReadAnswer unavailable(const Error& error) {
  // The detail names tables and roles; the auditor gets the gist, the audit entry the detail.
  return textAnswer(error.kind == ErrorKind::invalidInput ? 400 : 503,
                    error.kind == ErrorKind::invalidInput ? error.message : "the audit log cannot be read right now",
                    error.message);
}

// The parameters of `query`, allowing only `allowed` (parsed as the search's are).
Result<Parameters> parameters(std::string_view query, std::initializer_list<std::string_view> allowed) {
  auto parsed = store::parseQueryParameters(query, std::span<const std::string_view>(allowed.begin(), allowed.size()));
  if (!parsed) return parsed.error();
  Parameters out;
  for (auto& p : *parsed) out.emplace(std::move(p.name), std::move(p.value));
  return out;
}

Result<uint64_t> number(const Parameters& params, std::string_view name) {
  auto it = params.find(name);
  if (it == params.end()) return fail(ErrorKind::invalidInput, "parameter '" + std::string(name) + "' is required");
  const std::string& text = it->second;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  // Decimal digits only; the largest index PostgreSQL's bigint holds bounds every number.
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return fail(ErrorKind::invalidInput, "parameter '" + std::string(name) + "' must be a non-negative decimal "
                                         "integer, not '" + text + "'");
  }
  return value;
}

Json hexList(const std::vector<Digest>& digests) {
  Json list = Json::array();
  for (const Digest& d : digests) list.push_back(crypto::hex(d));
  return list;
}

// The export of `page`, or of as many of its first rows as fit in kMaxAuditPageBytes (always one),
// with the page then naming where the next one starts: an old node's oversized entries must not
// make a search page that no client can take.
std::string withinPageBytes(store::AuditPage& page, std::string (*render)(const store::AuditPage&)) {
  std::string whole = render(page);
  if (whole.size() <= kMaxAuditPageBytes || page.rows.size() <= 1) return whole;
  size_t bytes = 0;
  size_t keep = 0;
  for (; keep < page.rows.size(); ++keep) {
    // A page of one row measures the row with the page's frame: a little more than its share.
    const size_t rowBytes = render(store::AuditPage{{page.rows[keep]}, std::nullopt}).size();
    if (keep > 0 && bytes + rowBytes > kMaxAuditPageBytes) break;
    bytes += rowBytes;
  }
  page.rows.resize(keep);
  page.nextAfterSeq = page.rows.back().seq;
  return render(page);
}

}  // namespace

AuditApi::AuditApi(const store::TransparencyLog& log, store::DatabaseTarget target)
    : log_(log), target_(std::move(target)) {}

AuditApi::~AuditApi() = default;

std::unique_ptr<store::AuditReader> AuditApi::takeReader() {
  std::lock_guard lock(readersMutex_);
  if (readers_.empty()) return std::make_unique<store::AuditReader>(target_);
  auto reader = std::move(readers_.back());
  readers_.pop_back();
  return reader;
}

void AuditApi::giveBack(std::unique_ptr<store::AuditReader> reader) {
  std::lock_guard lock(readersMutex_);
  readers_.push_back(std::move(reader));
}

AuditReadAnswer AuditApi::serve(const std::string& target) {
  const size_t question = target.find('?');
  const std::string path = target.substr(0, question);
  const std::string query = question == std::string::npos ? std::string() : target.substr(question + 1);
  if (path == "/v1/audit/sth") {
    if (!query.empty()) return badRequest("/v1/audit/sth takes no parameters");
    return treeHead();
  }
  if (path == "/v1/audit/entries") return entries(query);
  if (path == "/v1/audit/proof/inclusion") return inclusion(query);
  if (path == "/v1/audit/proof/consistency") return consistency(query);
  if (path == "/v1/audit/search") return search(query);
  if (path == "/v1/audit/overview") return overview(query);
  return textAnswer(404, "not found", "no such audit endpoint");
}

AuditReadAnswer AuditApi::treeHead() {
  auto latest = log_.latestHead();
  if (!latest) return textAnswer(503, "no tree head has been signed yet", "no tree head yet");
  return jsonAnswer({{"log_id", latest->head.logId},
                     {"tree_size", latest->head.treeSize},
                     {"root_hash", crypto::hex(latest->head.rootHash)},
                     {"timestamp", formatTimestamp(latest->head.timestamp)},
                     {"signed_tree_head", crypto::base64(latest->envelope)}});
}

AuditReadAnswer AuditApi::entries(const std::string& query) {
  auto params = parameters(query, {"start", "end", "format"});
  if (!params) return badRequest(params.error().message);
  auto start = number(*params, "start");
  if (!start) return badRequest(start.error().message);
  auto last = number(*params, "end");
  if (!last) return badRequest(last.error().message);
  const std::string format = params->count("format") ? params->at("format") : "json";
  if (format != "json" && format != "binary") {
    return badRequest("parameter 'format' must be json or binary, not '" + format + "'");
  }
  if (*last < *start) return badRequest("'end' (" + std::to_string(*last) + ") is before 'start' (" + std::to_string(*start) + ")");
  const uint64_t size = log_.size();
  if (*start >= size) {
    return badRequest("'start' (" + std::to_string(*start) + ") is beyond the log's " + std::to_string(size) + " entries");
  }
  // Like RFC 6962 get-entries, a page may hold fewer entries than asked for; ask again from there.
  const uint64_t pageMax = format == "json" ? kMaxJsonEntriesPerPage : client::kMaxBinaryEntriesPerPage;
  const uint64_t end = std::min({*last + 1, size, *start + pageMax});
  auto leaves = log_.leaves(*start, end);
  if (!leaves) return unavailable(leaves.error());

  // Paged by bytes as well: the store hands over at most a page's worth of entry bytes, and the
  // page stops before the entry that would take its answer past kMaxAuditPageBytes.
  auto reader = takeReader();
  auto rows = reader->storedEntries(*start, end, kMaxAuditPageBytes);
  giveBack(std::move(reader));
  if (!rows) return unavailable(rows.error());

  size_t pageBytes = 0;
  const auto fits = [&pageBytes](size_t bytes, bool first) {
    if (!first && pageBytes + bytes > kMaxAuditPageBytes) return false;
    pageBytes += bytes;
    return true;
  };
  if (format == "binary") {
    std::vector<client::FramedEntry> framed;
    framed.reserve(rows->size());
    for (auto& row : *rows) {
      if (!fits(client::kFrameOverheadBytes + row.bytes.size(), framed.empty())) break;
      framed.push_back(client::FramedEntry{row.seq, std::move(row.bytes), (*leaves)[row.seq - *start]});
    }
    return AuditReadAnswer{200, "application/octet-stream", client::frameEntries(framed), {}};
  }
  // Written as Json::dump writes {"entries":[...]}, item by item, to measure as it goes.
  std::string text = "{\"entries\":[";
  bool first = true;
  for (const auto& row : *rows) {
    Json item = {{"leaf_index", row.seq},
                 {"leaf_hash", crypto::hex((*leaves)[row.seq - *start])},
                 {"entry", crypto::base64(row.bytes)}};
    // Decoded for people; the bytes are what the leaf hash covers. Bytes that do not decode (or
    // hold a field longer than today's limits, from an older node) are served as they are:
    // judging them is the auditor's job.
    if (auto decoded = store::auditEntryToJson(row.bytes)) item["fields"] = Json::parse(*decoded);
    const std::string itemText = item.dump();
    if (!fits(itemText.size() + 1, first)) break;
    text += (first ? "" : ",") + itemText;
    first = false;
  }
  text += "]}\n";
  return AuditReadAnswer{200, "application/json", std::vector<uint8_t>(text.begin(), text.end()), {}};
}

AuditReadAnswer AuditApi::inclusion(const std::string& query) {
  auto params = parameters(query, {"index", "size"});
  if (!params) return badRequest(params.error().message);
  auto index = number(*params, "index");
  if (!index) return badRequest(index.error().message);
  auto size = number(*params, "size");
  if (!size) return badRequest(size.error().message);
  if (*size > log_.size()) {
    return badRequest("'size' (" + std::to_string(*size) + ") is beyond the log's " + std::to_string(log_.size()) + " entries");
  }
  if (*index >= *size) {
    return badRequest("'index' (" + std::to_string(*index) + ") must be below 'size' (" + std::to_string(*size) + ")");
  }
  auto proof = log_.inclusionProof(*index, *size);
  if (!proof) return badRequest(proof.error().message);
  auto leaf = log_.leaves(*index, *index + 1);
  if (!leaf) return badRequest(leaf.error().message);
  return jsonAnswer({{"leaf_index", *index},
                     {"tree_size", *size},
                     {"leaf_hash", crypto::hex(leaf->front())},
                     {"audit_path", hexList(*proof)}});
}

AuditReadAnswer AuditApi::consistency(const std::string& query) {
  auto params = parameters(query, {"first", "second"});
  if (!params) return badRequest(params.error().message);
  auto first = number(*params, "first");
  if (!first) return badRequest(first.error().message);
  auto second = number(*params, "second");
  if (!second) return badRequest(second.error().message);
  if (*second > log_.size()) {
    return badRequest("'second' (" + std::to_string(*second) + ") is beyond the log's " + std::to_string(log_.size()) +
                      " entries");
  }
  if (*first == 0 || *first > *second) {
    return badRequest("'first' (" + std::to_string(*first) + ") must be at least 1 and at most 'second' (" +
                      std::to_string(*second) + ")");
  }
  auto proof = log_.consistencyProof(*first, *second);
  if (!proof) return badRequest(proof.error().message);
  return jsonAnswer({{"first", *first}, {"second", *second}, {"consistency", hexList(*proof)}});
}

AuditReadAnswer AuditApi::search(const std::string& query) {
  auto parsed = store::parseAuditSearchQuery(query);
  if (!parsed) return badRequest(parsed.error().message);
  auto reader = takeReader();
  auto page = reader->search(parsed->filter, kMaxAuditPageBytes);
  giveBack(std::move(reader));
  if (!page) return unavailable(page.error());
  if (parsed->format == store::AuditExportFormat::csv) {
    const std::string csv = withinPageBytes(*page, store::auditRowsToCsv);
    return AuditReadAnswer{200, "text/csv; charset=utf-8", std::vector<uint8_t>(csv.begin(), csv.end()), {}};
  }
  const std::string json = withinPageBytes(*page, store::auditRowsToJson) + "\n";
  return AuditReadAnswer{200, "application/json", std::vector<uint8_t>(json.begin(), json.end()), {}};
}

}  // namespace liaison::node

namespace liaison::node {

AuditReadAnswer AuditApi::overview(const std::string& query) {
  auto request = store::parseAuditOverviewQuery(query);
  if (!request) return badRequest(request.error().message);
  auto reader = takeReader();
  auto json = reader->overview(*request);
  giveBack(std::move(reader));
  if (!json) return unavailable(json.error());
  return AuditReadAnswer{200, "application/json", std::vector<uint8_t>(json->begin(), json->end()), {}};
}

}  // namespace liaison::node
