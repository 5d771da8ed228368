// The auditor's view of the audit log (audit.entries): search by who asked, why and with what
// outcome, read a range of leaves, and export what was found as JSON or CSV.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/audit_overview.h"
#include "adapters/database.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::store {

/// Rows a search returns when the filter names no limit.
inline constexpr size_t kDefaultAuditPageLimit = 100;
/// Most rows one search or one entries() call returns.
inline constexpr size_t kMaxAuditPageRows = 10'000;
/// Longest value of one query-string parameter, in bytes after percent-decoding.
inline constexpr size_t kMaxAuditParameterBytes = 256;
/// Longest query string parseAuditSearchQuery reads, in bytes as received.
inline constexpr size_t kMaxAuditQueryStringBytes = 8192;

/// Which entries a search returns. Every condition that is set must hold (AND); text matches are
/// exact. Entries come in seq order (or its reverse), at most `limit` of them, after `afterSeq` if set.
struct AuditSearchFilter {
  std::optional<std::string> requester;         ///< requesting member id
  std::optional<std::string> officerPseudonym;  ///< the officer's pseudonym at the requester
  std::optional<Role> role;
  std::optional<std::string> purpose;
  std::optional<std::string> caseReference;
  std::optional<QueryKind> queryKind;
  std::optional<std::string> recordRef;  ///< matches an entry naming this record among its refs
  std::optional<Decision> decision;
  std::optional<Timestamp> from;  ///< recorded at or after this
  std::optional<Timestamp> to;    ///< recorded before this
  std::optional<std::string> signer;         ///< whose key verified it, `officer:P` or `member:M`
  std::optional<std::string> remoteAddress;  ///< the IP address the request came from
  /// The request's digest (64 lower-case hex digits): entries of that request, and of requests forwarded on
  /// its behalf (the officer's node) or made on behalf of it (a partner's), so one digest follows
  /// a federated request through both logs.
  std::optional<std::string> digest;
  /// Newest first (seq descending) rather than oldest first.
  bool newestFirst = false;
  /// Keyset paging: only entries after afterSeq in the search's order (seq > afterSeq oldest
  /// first, seq < afterSeq newest first). Pass the previous page's nextAfterSeq.
  std::optional<uint64_t> afterSeq;
  size_t limit = kDefaultAuditPageLimit;  ///< 1..kMaxAuditPageRows
};

/// One stored entry: its leaf index, its decoded fields and the canonical bytes the Merkle leaf
/// hashes (schema/codec.h).
struct AuditRow {
  uint64_t seq = 0;
  AuditEntry entry;
  std::vector<uint8_t> entryBytes;
};

/// One stored entry as its canonical bytes only, neither decoded nor checked: what RFC 6962
/// get-entries serves, so that a client judges the bytes against the leaf hashes itself.
struct StoredAuditEntry {
  uint64_t seq = 0;
  std::vector<uint8_t> bytes;
};

/// One page of search results.
struct AuditPage {
  std::vector<AuditRow> rows;  ///< in seq order
  /// Set when more entries match: the afterSeq of the next page (the last row's seq).
  std::optional<uint64_t> nextAfterSeq;
};

/// How an export is written.
enum class AuditExportFormat : uint8_t { json, csv };

/// A search as an auditor asked for it over HTTP: the filter and the export format.
struct AuditSearchQuery {
  AuditSearchFilter filter;
  AuditExportFormat format = AuditExportFormat::json;
};

/// Reads the audit log as liaison_auditor, which may read audit.entries and nothing else.
///
/// Holds one connection, opened on the first call and reused; a call that finds it broken opens a
/// new one and tries once more (every call only reads). Each call is one read-only transaction.
/// Every row is decoded from its columns and checked against its canonical bytes: a row whose
/// columns and bytes disagree fails the call with ErrorKind::conflict naming its seq. Not
/// thread-safe: one reader per thread.
class AuditReader {
 public:
  /// Connects lazily, on the first call.
  explicit AuditReader(DatabaseTarget target);
  ~AuditReader();
  AuditReader(const AuditReader&) = delete;
  AuditReader& operator=(const AuditReader&) = delete;

  /// Entries matching `filter` in seq order, and only as many as start within `maxEntryBytes` of
  /// entry bytes (always the first: a reader must get on); the page says where the next one
  /// starts. ErrorKind::invalidInput for a limit outside 1..kMaxAuditPageRows, an afterSeq past
  /// the largest bigint, a time range whose end is not after its start, or text holding a NUL byte.
  Result<AuditPage> search(const AuditSearchFilter& filter,
                           size_t maxEntryBytes = std::numeric_limits<size_t>::max());

  /// The entries with seq in [start, end), in seq order; fewer when the log ends before `end`.
  /// ErrorKind::invalidInput when the range is reversed or spans more than kMaxAuditPageRows.
  Result<std::vector<AuditRow>> entries(uint64_t start, uint64_t end);

  /// The stored bytes of the entries with seq in [start, end), in seq order, as entries() limits
  /// them, and only as many as hold at most `maxBytes` of entry bytes together (always the first
  /// one, however long: a reader must get on). Served even when they do not decode or disagree
  /// with their columns.
  Result<std::vector<StoredAuditEntry>> storedEntries(uint64_t start, uint64_t end,
                                                      size_t maxBytes = std::numeric_limits<size_t>::max());

  /// The largest seq in the log; nullopt while the log is empty.
  Result<std::optional<uint64_t>> latestSeq();

  /// How many entries the log holds (counted, not derived from latestSeq).
  Result<uint64_t> count();

  /// The log summed up over a time range, with alerts (adapters/audit_overview.h), as JSON.
  Result<std::string> overview(const AuditOverviewRequest& request);

 private:
  struct Session;  // the connection (audit_search.cc), so this header needs no libpqxx
  template <typename T, typename Work>
  Result<T> run(std::string_view what, Work&& work);

  const DatabaseTarget target_;
  std::unique_ptr<Session> session_;
};

/// One `name=value` of a URL query string, both percent-decoded.
struct QueryParameter {
  std::string name;
  std::string value;
};

/// Splits a query string (without the leading `?`) into its parameters: names and values
/// percent-decoded, `+` a space; only `allowed` names, each at most once, each with a value of
/// 1..kMaxAuditParameterBytes bytes and no control character. Errors are ErrorKind::invalidInput
/// naming the parameter and quoting what was wrong printably.
Result<std::vector<QueryParameter>> parseQueryParameters(std::string_view queryString,
                                                         std::span<const std::string_view> allowed);

/// A parameter's value as an error message may quote it: bytes outside printable ASCII
/// percent-encoded (the message may end up in JSON or a terminal), at most 64 bytes, in quotes.
std::string quoteParameterValue(std::string_view value);

/// A parameter's value as a whole number: decimal digits only, within uint64_t; nullopt otherwise.
std::optional<uint64_t> parseDecimalParameter(std::string_view text);

/// Parses the query string of an auditor's search (without the leading `?`), e.g.
/// `member=XB-BORDER&role=border&decision=refused&from=2026-11-25T00:00:00Z&limit=50&format=csv`.
/// Parameters: member, officer, role, purpose, case, kind, record, decision, from, to (UTC
/// `YYYY-MM-DDTHH:MM:SSZ`), signer, source (remote address), order (oldest or newest first), after, limit,
/// format (json or csv). Names and values are
/// percent-decoded, `+` is a space (HTML form encoding). Every error is ErrorKind::invalidInput
/// naming the parameter and its value: an unknown or repeated parameter, an empty, over-long
/// (kMaxAuditParameterBytes) or malformed value, an unknown role, query kind or decision.
Result<AuditSearchQuery> parseAuditSearchQuery(std::string_view queryString);

/// The page as a JSON object: `{"entries":[{"seq":..,"recorded_at":..,..,"entry":"<base64>"}],
/// "next_after":..}`, every decoded field under its column name, digests in hex, `next_after`
/// only when more entries match. One line, no trailing newline.
std::string auditRowsToJson(const AuditPage& page);

/// The fields of an entry's canonical bytes as one JSON object, named as in auditRowsToJson
/// (without seq and entry). ErrorKind::invalidInput when the bytes do not decode, or hold a field
/// longer than schema/limits.h allows (an older node's entry: its bytes alone are served).
Result<std::string> auditEntryToJson(std::span<const uint8_t> entryBytes);

/// The page as RFC 4180 CSV with a header row and CRLF line ends: record refs joined with `;`,
/// times `YYYY-MM-DDTHH:MM:SSZ`, digests in hex, entry bytes in base64. A cell that a spreadsheet
/// would read as a formula (starting with = + - @, tab or CR) is prefixed with `'`.
std::string auditRowsToCsv(const AuditPage& page);

}  // namespace liaison::store
