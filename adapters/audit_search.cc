#include "adapters/audit_search.h"

#include "adapters/csv.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>
#include <span>
#include <tuple>
#include <utility>

#include "adapters/pg_session.h"
#include "crypto/digest.h"
#include "schema/codec.h"

namespace liaison::store {
namespace {

// seq is a bigint: nothing above this can be a leaf index.
constexpr uint64_t kMaxSeq = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

// The columns every read selects, in the order readRow decodes them. recorded_at comes back in the
// model's text form, UTC to the second, whatever the session's settings.
constexpr std::string_view kColumns =
    "seq, to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), requester, "
    "officer_pseudonym, role, purpose, case_reference, query_kind, query_digest, decision, reason, "
    "record_refs, response_digest, entry, signer, claimed_requester, claimed_officer, claimed_role, "
    "remote_address, peer_pin, local_user, command, repeat_count";

// How many columns kColumns names.
constexpr int kColumnCount = 23;

// One statement for every filter: a NULL parameter switches its condition off. exec_params plans
// the unnamed statement with the actual values, so the switched-off conditions fold away and the
// seq order with LIMIT walks the primary key.
//
// The matching seqs come first, with their entries' lengths (octet_length reads a stored value's
// size without fetching it); only rows that start within $15 bytes of entries are then read, so
// an old node's huge entries cannot fill memory, and the last column counts the matches so the
// caller knows whether more follow.
// One statement for each order, oldest or newest first.
std::string makeSearchSql(bool newestFirst) {
  const std::string order = newestFirst ? " DESC" : "";
  return "WITH matching AS (SELECT seq, octet_length(entry) AS own"
         " FROM audit.entries"
         " WHERE seq " + std::string(newestFirst ? "<" : ">") + " $1::bigint"
         " AND ($2::text IS NULL OR requester = $2)"
         " AND ($3::text IS NULL OR officer_pseudonym = $3)"
         " AND ($4::text IS NULL OR role = $4)"
         " AND ($5::text IS NULL OR purpose = $5)"
         " AND ($6::text IS NULL OR case_reference = $6)"
         " AND ($7::text IS NULL OR query_kind = $7)"
         " AND ($8::text IS NULL OR $8 = ANY (record_refs))"
         " AND ($9::text IS NULL OR decision = $9)"
         " AND ($10::timestamptz IS NULL OR recorded_at >= $10)"
         " AND ($11::timestamptz IS NULL OR recorded_at < $11)"
         " AND ($12::text IS NULL OR signer = $12)"
         " AND ($13::text IS NULL OR remote_address = $13)"
         " AND ($16::text IS NULL OR query_digest = decode($16, 'hex') OR position(decode($16, 'hex') IN entry) > 0)"
         " ORDER BY seq" + order + " LIMIT $14::bigint),"
         " within AS (SELECT seq, sum(own) OVER (ORDER BY seq" + order + ") - own AS before FROM matching)"
         " SELECT " + std::string(kColumns) +
         ", (SELECT count(*) FROM matching)"
         " FROM audit.entries WHERE seq IN (SELECT seq FROM within"
         " WHERE before < $15::bigint OR before = 0) ORDER BY seq" + order;
}

const std::string& searchSql(bool newestFirst) {
  static const std::string oldest = makeSearchSql(false);
  static const std::string newest = makeSearchSql(true);
  return newestFirst ? newest : oldest;
}

// The entries with seq in [$1, $2).
const std::string& rangeSql() {
  static const std::string sql =
      "SELECT " + std::string(kColumns) +
      " FROM audit.entries WHERE seq >= $1::bigint AND seq < $2::bigint ORDER BY seq";
  return sql;
}

// The running total of the entries' lengths bounds what one call holds in memory; octet_length
// reads a stored value's size without fetching it, and the first entry always comes.
constexpr const char* kStoredRangeSql =
    "SELECT seq, entry FROM (SELECT seq, entry, sum(octet_length(entry)) OVER (ORDER BY seq) AS upto, "
    "row_number() OVER (ORDER BY seq) AS position FROM audit.entries "
    "WHERE seq >= $1::bigint AND seq < $2::bigint) AS range "
    "WHERE upto <= $3::bigint OR position = 1 ORDER BY seq";
constexpr const char* kLatestSeqSql = "SELECT max(seq) FROM audit.entries";
constexpr const char* kCountSql = "SELECT count(*) FROM audit.entries";

constexpr std::array kDecisions = {Decision::permitted, Decision::refused, Decision::invalid};

std::optional<Decision> parseDecision(std::string_view text) {
  for (Decision d : kDecisions) {
    if (name(d) == text) return d;
  }
  return std::nullopt;
}

// --- reading rows -----------------------------------------------------------------------------

template <typename E>
Result<std::optional<E>> optionalEnum(const pqxx::field& f) {
  const std::string_view text = f.c_str();
  if (text.empty()) return std::optional<E>();
  auto value = parseName<E>(text);
  if (!value)
    return fail(ErrorKind::internal,
                "column " + std::string(f.name()) + " holds '" + std::string(text) + "'");
  return std::optional<E>(*value);
}

Result<Digest> digestOf(const pqxx::field& f) {
  const pqxx::binarystring bytes(f);
  Digest digest{};
  if (bytes.size() != digest.size()) {
    return fail(ErrorKind::internal, "column " + std::string(f.name()) + " holds " +
                                         std::to_string(bytes.size()) + " bytes, not " +
                                         std::to_string(digest.size()));
  }
  std::copy(bytes.begin(), bytes.end(), digest.begin());
  return digest;
}

std::vector<std::string> textArrayOf(const pqxx::field& f) {
  std::vector<std::string> values;
  auto parser = f.as_array();
  for (auto [juncture, value] = parser.get_next(); juncture != pqxx::array_parser::done;
       std::tie(juncture, value) = parser.get_next()) {
    if (juncture == pqxx::array_parser::string_value) values.push_back(std::move(value));
  }
  return values;
}

// The columns whose values differ between two entries, e.g. "reason, record_refs".
std::string differingColumns(const AuditEntry& a, const AuditEntry& b) {
  std::string out;
  auto check = [&](bool same, const char* column) {
    if (same) return;
    if (!out.empty()) out += ", ";
    out += column;
  };
  check(a.recordedAt == b.recordedAt, "recorded_at");
  check(a.requester == b.requester, "requester");
  check(a.officerPseudonym == b.officerPseudonym, "officer_pseudonym");
  check(a.role == b.role, "role");
  check(a.purpose == b.purpose, "purpose");
  check(a.caseReference == b.caseReference, "case_reference");
  check(a.queryKind == b.queryKind, "query_kind");
  check(a.queryDigest == b.queryDigest, "query_digest");
  check(a.decision == b.decision, "decision");
  check(a.reason == b.reason, "reason");
  check(a.recordRefs == b.recordRefs, "record_refs");
  check(a.responseDigest == b.responseDigest, "response_digest");
  check(a.signer == b.signer, "signer");
  check(a.claimedRequester == b.claimedRequester, "claimed_requester");
  check(a.claimedOfficer == b.claimedOfficer, "claimed_officer");
  check(a.claimedRole == b.claimedRole, "claimed_role");
  check(a.remoteAddress == b.remoteAddress, "remote_address");
  check(a.peerPin == b.peerPin, "peer_pin");
  check(a.localUser == b.localUser, "local_user");
  check(a.command == b.command, "command");
  check(a.repeatCount == b.repeatCount, "repeat_count");
  return out;
}

// Decodes one row of kColumns. The columns are what a search matches, the bytes are
// what the Merkle leaf commits to; an auditor must never be shown one while the tree vouches for
// the other, so they have to agree.
Result<AuditRow> readRow(const pqxx::row& row) {
  AuditRow out;
  out.seq = row[0].as<uint64_t>();
  const std::string where = "audit entry " + std::to_string(out.seq) + ": ";
  auto withWhere = [&](const Error& e) { return Error{e.kind, where + e.message}; };

  AuditEntry& e = out.entry;
  auto recordedAt = parseTimestamp(row[1].c_str());
  if (!recordedAt) return withWhere(recordedAt.error());
  e.recordedAt = *recordedAt;
  e.requester = row[2].c_str();
  e.officerPseudonym = row[3].c_str();
  auto role = optionalEnum<Role>(row[4]);
  if (!role) return withWhere(role.error());
  e.role = *role;
  e.purpose = row[5].c_str();
  e.caseReference = row[6].c_str();
  auto queryKind = optionalEnum<QueryKind>(row[7]);
  if (!queryKind) return withWhere(queryKind.error());
  e.queryKind = *queryKind;
  auto queryDigest = digestOf(row[8]);
  if (!queryDigest) return withWhere(queryDigest.error());
  e.queryDigest = *queryDigest;
  auto decision = parseDecision(row[9].c_str());
  if (!decision) return fail(ErrorKind::internal, where + "column decision holds '" + row[9].c_str() + "'");
  e.decision = *decision;
  e.reason = row[10].c_str();
  e.recordRefs = textArrayOf(row[11]);
  auto responseDigest = digestOf(row[12]);
  if (!responseDigest) return withWhere(responseDigest.error());
  e.responseDigest = *responseDigest;
  const pqxx::binarystring bytes(row[13]);
  out.entryBytes.assign(bytes.begin(), bytes.end());
  e.signer = row[14].c_str();
  e.claimedRequester = row[15].c_str();
  e.claimedOfficer = row[16].c_str();
  auto claimedRole = optionalEnum<Role>(row[17]);
  if (!claimedRole) return withWhere(claimedRole.error());
  e.claimedRole = *claimedRole;
  e.remoteAddress = row[18].c_str();
  e.peerPin = row[19].c_str();
  e.localUser = row[20].c_str();
  e.command = row[21].c_str();
  e.repeatCount = row[22].as<uint64_t>();

  // An entry an older node wrote before the field limits is still an entry of this log.
  auto canonical = decodeAuditEntry(out.entryBytes, FieldLimits::waive);
  if (!canonical) {
    return fail(ErrorKind::conflict, where + "its stored bytes do not decode: " + canonical.error().message);
  }
  // The federation's fields have no columns of their own: the bytes are all there is of them.
  e.onBehalfOf = canonical->onBehalfOf;
  e.partner = canonical->partner;
  e.manifestDigest = canonical->manifestDigest;
  e.travellers = canonical->travellers;
  if (*canonical != e) {
    return fail(ErrorKind::conflict, where + "its columns disagree with its canonical bytes in " +
                                         differingColumns(e, *canonical) + "; the log may have been altered");
  }
  return out;
}

Result<std::vector<AuditRow>> readRows(const pqxx::result& result, size_t most) {
  std::vector<AuditRow> rows;
  rows.reserve(std::min(result.size(), most));
  for (const auto& r : result) {
    if (rows.size() == most) break;
    auto row = readRow(r);
    if (!row) return row.error();
    rows.push_back(std::move(row).value());
  }
  return rows;
}

// --- checking a filter ------------------------------------------------------------------------

bool holdsNul(const std::optional<std::string>& text) {
  return text && text->find('\0') != std::string::npos;
}

// What search() refuses; the query-string parser reports the same through it.
Status checkFilter(const AuditSearchFilter& filter) {
  if (filter.limit < 1 || filter.limit > kMaxAuditPageRows) {
    return fail(ErrorKind::invalidInput, "audit search: limit " + std::to_string(filter.limit) +
                                             " is outside 1.." + std::to_string(kMaxAuditPageRows));
  }
  if (filter.afterSeq && *filter.afterSeq > kMaxSeq) {
    return fail(ErrorKind::invalidInput, "audit search: after " + std::to_string(*filter.afterSeq) +
                                             " is past the largest seq " + std::to_string(kMaxSeq));
  }
  if (filter.from && filter.to && *filter.to <= *filter.from) {
    return fail(ErrorKind::invalidInput, "audit search: the time range is empty: to " +
                                             formatTimestamp(*filter.to) + " is not after from " +
                                             formatTimestamp(*filter.from));
  }
  // libpq passes text parameters NUL-terminated: a NUL would silently cut the value short and
  // widen the match.
  for (const auto* text : {&filter.requester, &filter.officerPseudonym, &filter.purpose, &filter.caseReference,
                           &filter.recordRef, &filter.signer, &filter.remoteAddress}) {
    if (holdsNul(*text))
      return fail(ErrorKind::invalidInput, "audit search: a text condition holds a NUL byte");
  }
  return {};
}

// What entries() and storedEntries() refuse; `range` names it, e.g. "[5, 10006)".
Status checkRange(uint64_t start, uint64_t end, const std::string& range) {
  if (end < start) return fail(ErrorKind::invalidInput, "audit entries " + range + ": the range is reversed");
  if (end - start > kMaxAuditPageRows) {
    return fail(ErrorKind::invalidInput, "audit entries " + range + " span " + std::to_string(end - start) +
                                             " entries, more than " + std::to_string(kMaxAuditPageRows) +
                                             " per call");
  }
  return {};
}

std::string rangeText(uint64_t start, uint64_t end) {
  return "[" + std::to_string(start) + ", " + std::to_string(end) + ")";
}

// A nullable text parameter for libpqxx 6.4: a null pointer is SQL NULL.
const char* orNull(const std::optional<std::string>& text) { return text ? text->c_str() : nullptr; }

}  // namespace

// --- AuditReader --------------------------------------------------------------------------------

struct AuditReader::Session {
  std::unique_ptr<pqxx::connection> connection;
};

AuditReader::AuditReader(DatabaseTarget target)
    : target_(std::move(target)), session_(std::make_unique<Session>()) {}

AuditReader::~AuditReader() = default;

// Runs `work` in a read-only transaction and returns its Result. The work only reads, so after a
// broken connection it is safe to run it again, once, on a fresh one.
template <typename T, typename Work>
Result<T> AuditReader::run(std::string_view what, Work&& work) {
  for (int attempt = 1;; ++attempt) {
    try {
      auto& conn = session_->connection;
      if (!conn || !conn->is_open()) conn = openConnection(target_, DbRole::auditor);
      pqxx::read_transaction tx(*conn);
      Result<T> result = work(tx);
      tx.commit();
      return result;
    } catch (const pqxx::broken_connection& e) {
      session_->connection.reset();
      if (attempt == 2) return databaseError(what, e);
    } catch (const std::exception& e) {
      return databaseError(what, e);
    }
  }
}

Result<AuditPage> AuditReader::search(const AuditSearchFilter& filter, size_t maxEntryBytes) {
  if (Status ok = checkFilter(filter); !ok) return ok.error();
  // Past the first page, the page continues beyond `afterSeq` in the search's order.
  const std::string afterSeq = filter.afterSeq ? std::to_string(*filter.afterSeq)
                               : filter.newestFirst ? std::to_string(kMaxSeq)
                                                    : "-1";
  const std::optional<std::string> role =
      filter.role ? std::optional(std::string(name(*filter.role))) : std::nullopt;
  const std::optional<std::string> queryKind =
      filter.queryKind ? std::optional(std::string(name(*filter.queryKind))) : std::nullopt;
  const std::optional<std::string> decision =
      filter.decision ? std::optional(std::string(name(*filter.decision))) : std::nullopt;
  const std::optional<std::string> from =
      filter.from ? std::optional(formatTimestamp(*filter.from)) : std::nullopt;
  const std::optional<std::string> to = filter.to ? std::optional(formatTimestamp(*filter.to)) : std::nullopt;
  // One row past the page says whether another page follows.
  const std::string fetch = std::to_string(filter.limit + 1);
  const std::string budget = std::to_string(std::min<uint64_t>(maxEntryBytes, kMaxSeq));

  return run<AuditPage>("audit search", [&](pqxx::transaction_base& tx) -> Result<AuditPage> {
    const pqxx::result result =
        tx.exec_params(searchSql(filter.newestFirst), afterSeq, orNull(filter.requester), orNull(filter.officerPseudonym),
                       orNull(role), orNull(filter.purpose), orNull(filter.caseReference), orNull(queryKind),
                       orNull(filter.recordRef), orNull(decision), orNull(from), orNull(to),
                       orNull(filter.signer), orNull(filter.remoteAddress), fetch, budget, orNull(filter.digest));
    auto rows = readRows(result, filter.limit);
    if (!rows) return rows.error();
    AuditPage page;
    page.rows = std::move(rows).value();
    const uint64_t matched = result.empty() ? 0 : result[0][kColumnCount].as<uint64_t>();
    if (matched > page.rows.size()) page.nextAfterSeq = page.rows.back().seq;
    return page;
  });
}

Result<std::vector<AuditRow>> AuditReader::entries(uint64_t start, uint64_t end) {
  const std::string range = rangeText(start, end);
  if (Status ok = checkRange(start, end, range); !ok) return ok.error();
  if (start > kMaxSeq) return std::vector<AuditRow>{};  // no seq is that large
  const std::string first = std::to_string(start);
  const std::string pastLast = std::to_string(std::min(end, kMaxSeq));
  return run<std::vector<AuditRow>>("audit entries " + range, [&](pqxx::transaction_base& tx) {
    return readRows(tx.exec_params(rangeSql(), first, pastLast), kMaxAuditPageRows);
  });
}

Result<std::vector<StoredAuditEntry>> AuditReader::storedEntries(uint64_t start, uint64_t end,
                                                                 size_t maxBytes) {
  const std::string range = rangeText(start, end);
  if (Status ok = checkRange(start, end, range); !ok) return ok.error();
  if (start > kMaxSeq) return std::vector<StoredAuditEntry>{};
  const std::string first = std::to_string(start);
  const std::string pastLast = std::to_string(std::min(end, kMaxSeq));
  const std::string budget = std::to_string(std::min<uint64_t>(maxBytes, kMaxSeq));
  return run<std::vector<StoredAuditEntry>>("audit entries " + range, [&](pqxx::transaction_base& tx) {
    std::vector<StoredAuditEntry> stored;
    for (const auto& row : tx.exec_params(kStoredRangeSql, first, pastLast, budget)) {
      const pqxx::binarystring bytes(row[1]);
      stored.push_back(
          StoredAuditEntry{row[0].as<uint64_t>(), std::vector<uint8_t>(bytes.begin(), bytes.end())});
    }
    return Result(std::move(stored));
  });
}

Result<std::optional<uint64_t>> AuditReader::latestSeq() {
  return run<std::optional<uint64_t>>("audit latest seq", [](pqxx::transaction_base& tx) {
    const pqxx::field latest = tx.exec1(kLatestSeqSql)[0];
    return Result(latest.is_null() ? std::nullopt : std::optional(latest.as<uint64_t>()));
  });
}

Result<uint64_t> AuditReader::count() {
  return run<uint64_t>("audit count", [](pqxx::transaction_base& tx) {
    return Result(tx.exec1(kCountSql)[0].as<uint64_t>());
  });
}

Result<std::string> AuditReader::overview(const AuditOverviewRequest& request) {
  return run<std::string>("audit overview", [&](pqxx::transaction_base& tx) {
    return Result<std::string>(auditOverviewJson(tx, request));
  });
}

// --- the query string ---------------------------------------------------------------------------

std::string quoteParameterValue(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  constexpr size_t kMostShown = 64;
  std::string out = "'";
  for (unsigned char c : value.substr(0, kMostShown)) {
    if (c < 0x20 || c >= 0x7f || c == '%') {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + (value.size() > kMostShown ? "'..." : "'");
}

std::optional<uint64_t> parseDecimalParameter(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

namespace {

// The value quoted for an error message.
std::string shown(std::string_view value) { return quoteParameterValue(value); }

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes form-encoded text (`+` is a space); nullopt on a `%` not followed by two hex digits.
std::optional<std::string> percentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] != '%') {
      out += text[i];
    } else {
      const int high = i + 2 < text.size() ? hexDigit(text[i + 1]) : -1;
      const int low = i + 2 < text.size() ? hexDigit(text[i + 2]) : -1;
      if (high < 0 || low < 0) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    }
  }
  return out;
}

std::optional<uint64_t> parseDecimal(std::string_view text) { return parseDecimalParameter(text); }

// Applies one decoded value to the query; returns what is wrong with it, or nullopt.
using ApplyParameter = std::optional<std::string> (*)(AuditSearchQuery&, std::string);

struct Parameter {
  std::string_view name;
  ApplyParameter apply;
};

template <std::optional<std::string> AuditSearchFilter::*field>
std::optional<std::string> setText(AuditSearchQuery& query, std::string value) {
  query.filter.*field = std::move(value);
  return std::nullopt;
}

template <std::optional<Timestamp> AuditSearchFilter::*field>
std::optional<std::string> setTime(AuditSearchQuery& query, std::string value) {
  auto time = parseTimestamp(value);
  if (!time) return shown(value) + " is not a UTC time YYYY-MM-DDTHH:MM:SSZ";
  query.filter.*field = *time;
  return std::nullopt;
}

constexpr std::array<Parameter, 17> kParameters = {{
    {"order",
     [](AuditSearchQuery& q, std::string v) -> std::optional<std::string> {
       if (v == "oldest")
         q.filter.newestFirst = false;
       else if (v == "newest")
         q.filter.newestFirst = true;
       else
         return shown(v) + " is not oldest or newest";
       return std::nullopt;
     }},
    {"signer", &setText<&AuditSearchFilter::signer>},
    {"source", &setText<&AuditSearchFilter::remoteAddress>},
    {"digest",
     [](AuditSearchQuery& q, std::string v) -> std::optional<std::string> {
       const bool hex = v.size() == 64 && std::all_of(v.begin(), v.end(), [](char c) {
         return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
       });
       if (!hex) return shown(v) + " is not a digest (64 lower-case hex digits)";
       q.filter.digest = std::move(v);
       return std::nullopt;
     }},
    {"member", &setText<&AuditSearchFilter::requester>},
    {"officer", &setText<&AuditSearchFilter::officerPseudonym>},
    {"role",
     [](AuditSearchQuery& q, std::string v) -> std::optional<std::string> {
       if (!(q.filter.role = parseRole(v))) return shown(v) + " is not a role";
       return std::nullopt;
     }},
    {"purpose", &setText<&AuditSearchFilter::purpose>},
    {"case", &setText<&AuditSearchFilter::caseReference>},
    {"kind",
     [](AuditSearchQuery& q, std::string v) -> std::optional<std::string> {
       if (!(q.filter.queryKind = parseQueryKind(v))) return shown(v) + " is not a query kind";
       return std::nullopt;
     }},
    {"record", &setText<&AuditSearchFilter::recordRef>},
    {"decision",
     [](AuditSearchQuery& q, std::string v) -> std::optional<std::string> {
       if (!(q.filter.decision = parseDecision(v))) return shown(v) + " is not permitted, refused or invalid";
       return std::nullopt;
     }},
    {"from", &setTime<&AuditSearchFilter::from>},
    {"to", &setTime<&AuditSearchFilter::to>},
    {"after",
     [](AuditSearchQuery& q, std::string v) -> std::optional<std::string> {
       auto seq = parseDecimal(v);
       if (!seq || *seq > kMaxSeq) return shown(v) + " is not a seq (0.." + std::to_string(kMaxSeq) + ")";
       q.filter.afterSeq = seq;
       return std::nullopt;
     }},
    {"limit",
     [](AuditSearchQuery& q, std::string v) -> std::optional<std::string> {
       auto limit = parseDecimal(v);
       if (!limit || *limit < 1 || *limit > kMaxAuditPageRows) {
         return shown(v) + " is not a number of entries from 1 to " + std::to_string(kMaxAuditPageRows);
       }
       q.filter.limit = static_cast<size_t>(*limit);
       return std::nullopt;
     }},
    {"format",
     [](AuditSearchQuery& q, std::string v) -> std::optional<std::string> {
       if (v == "json")
         q.format = AuditExportFormat::json;
       else if (v == "csv")
         q.format = AuditExportFormat::csv;
       else
         return shown(v) + " is not json or csv";
       return std::nullopt;
     }},
}};

}  // namespace

Result<std::vector<QueryParameter>> parseQueryParameters(std::string_view queryString,
                                                         std::span<const std::string_view> allowed) {
  auto invalid = [](std::string message) { return fail(ErrorKind::invalidInput, std::move(message)); };
  auto allowedNames = [&] {
    std::string names;
    for (std::string_view name : allowed) names += (names.empty() ? "" : ", ") + std::string(name);
    return names;
  };
  std::vector<QueryParameter> parameters;
  while (!queryString.empty()) {
    const size_t amp = queryString.find('&');
    const std::string_view pair = queryString.substr(0, amp);
    queryString = amp == std::string_view::npos ? std::string_view() : queryString.substr(amp + 1);
    if (pair.empty()) continue;  // `a=1&&b=2`, a trailing `&`

    const size_t eq = pair.find('=');
    const std::string_view rawName = pair.substr(0, eq);
    const std::optional<std::string> parameterName = percentDecode(rawName);
    if (!parameterName) return invalid("parameter name " + shown(rawName) + " is not valid percent-encoding");
    if (std::find(allowed.begin(), allowed.end(), *parameterName) == allowed.end()) {
      return invalid("unknown parameter " + shown(*parameterName) + "; known are " + allowedNames());
    }
    const std::string label = "parameter '" + *parameterName + "'";
    if (std::any_of(parameters.begin(), parameters.end(), [&](const auto& p) { return p.name == *parameterName; })) {
      return invalid(label + " is given more than once");
    }
    const std::string_view rawValue = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    std::optional<std::string> value = percentDecode(rawValue);
    if (!value) return invalid(label + ": " + shown(rawValue) + " is not valid percent-encoding");
    if (value->empty()) return invalid(label + " has no value");
    if (value->size() > kMaxAuditParameterBytes) {
      return invalid(label + " is " + std::to_string(value->size()) + " bytes, more than " +
                     std::to_string(kMaxAuditParameterBytes) + ": " + shown(*value));
    }
    if (std::any_of(value->begin(), value->end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
      return invalid(label + ": " + shown(*value) + " holds a control character");
    }
    parameters.push_back(QueryParameter{*parameterName, std::move(*value)});
  }
  return parameters;
}

Result<AuditSearchQuery> parseAuditSearchQuery(std::string_view queryString) {
  auto invalid = [](std::string message) {
    return fail(ErrorKind::invalidInput, "audit search: " + message);
  };
  if (queryString.size() > kMaxAuditQueryStringBytes) {
    return invalid("the query string is " + std::to_string(queryString.size()) + " bytes, more than " +
                   std::to_string(kMaxAuditQueryStringBytes));
  }
  std::array<std::string_view, kParameters.size()> names;
  std::transform(kParameters.begin(), kParameters.end(), names.begin(), [](const Parameter& p) { return p.name; });
  auto parameters = parseQueryParameters(queryString, names);
  if (!parameters) return invalid(parameters.error().message);
  AuditSearchQuery query;
  for (QueryParameter& given : *parameters) {
    const auto* parameter = std::find_if(kParameters.begin(), kParameters.end(),
                                         [&](const Parameter& p) { return p.name == given.name; });
    if (auto problem = parameter->apply(query, std::move(given.value))) {
      return invalid("parameter '" + given.name + "': " + *problem);
    }
  }
  if (Status ok = checkFilter(query.filter); !ok) return ok.error();
  return query;
}

// --- export -------------------------------------------------------------------------------------

namespace {

// The decoded fields of an entry, in column order, into `json`.
void putEntryFields(nlohmann::ordered_json& json, const AuditEntry& e) {
  json["recorded_at"] = formatTimestamp(e.recordedAt);
  json["requester"] = e.requester;
  json["officer_pseudonym"] = e.officerPseudonym;
  json["role"] = e.role ? nlohmann::ordered_json(name(*e.role)) : nullptr;
  json["purpose"] = e.purpose;
  json["case_reference"] = e.caseReference;
  json["query_kind"] = e.queryKind ? nlohmann::ordered_json(name(*e.queryKind)) : nullptr;
  json["query_digest"] = crypto::hex(e.queryDigest);
  json["decision"] = name(e.decision);
  json["reason"] = e.reason;
  json["record_refs"] = e.recordRefs;
  json["response_digest"] = crypto::hex(e.responseDigest);
  json["signer"] = e.signer;
  json["claimed_requester"] = e.claimedRequester;
  json["claimed_officer"] = e.claimedOfficer;
  json["claimed_role"] = e.claimedRole ? nlohmann::ordered_json(name(*e.claimedRole)) : nullptr;
  json["remote_address"] = e.remoteAddress;
  json["peer_pin"] = e.peerPin;
  json["local_user"] = e.localUser;
  json["command"] = e.command;
  json["repeat_count"] = e.repeatCount;
  json["on_behalf_of"] = e.onBehalfOf ? nlohmann::ordered_json(crypto::hex(*e.onBehalfOf)) : nullptr;
  json["partner"] = e.partner;
  json["manifest_digest"] = e.manifestDigest ? nlohmann::ordered_json(crypto::hex(*e.manifestDigest)) : nullptr;
  json["travellers"] = e.travellers;
}

// Every exported field of a row, in column order. The one field list both formats are written
// from: JSON as is, CSV one cell per member.
nlohmann::ordered_json rowJson(const AuditRow& row) {
  nlohmann::ordered_json json;
  json["seq"] = row.seq;
  putEntryFields(json, row.entry);
  json["entry"] = crypto::base64(row.entryBytes);
  return json;
}

// Rows read from the log are valid UTF-8 (the codec checks); hand-built values must not throw.
std::string dumpJson(const nlohmann::ordered_json& json) {
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string csvText(const nlohmann::ordered_json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    std::string joined;
    for (const auto& element : value) joined += (joined.empty() ? "" : ";") + element.get<std::string>();
    return joined;
  }
  return value.dump();
}

}  // namespace

std::string auditRowsToJson(const AuditPage& page) {
  nlohmann::ordered_json json;
  json["entries"] = nlohmann::ordered_json::array();
  for (const AuditRow& row : page.rows) json["entries"].push_back(rowJson(row));
  if (page.nextAfterSeq) json["next_after"] = *page.nextAfterSeq;
  return dumpJson(json);
}

Result<std::string> auditEntryToJson(std::span<const uint8_t> entryBytes) {
  auto entry = decodeAuditEntry(entryBytes);
  if (!entry) return entry.error();
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  putEntryFields(json, *entry);
  return dumpJson(json);
}

std::string auditRowsToCsv(const AuditPage& page) {
  std::string csv;
  std::string separator;
  const nlohmann::ordered_json header = rowJson(AuditRow{});  // a local: items() refers into it
  for (const auto& item : header.items()) {
    csv += separator + item.key();
    separator = ",";
  }
  csv += "\r\n";
  for (const AuditRow& row : page.rows) {
    const nlohmann::ordered_json fields = rowJson(row);
    separator.clear();
    for (const auto& item : fields.items()) {
      csv += separator + csvCell(csvText(item.value()));
      separator = ",";
    }
    csv += "\r\n";
  }
  return csv;
}

}  // namespace liaison::store
