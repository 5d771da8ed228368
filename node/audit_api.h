// The auditor API: the node's audit log as an RFC 6962 transparency log, over HTTPS.
//
//   GET /v1/audit/sth                                   latest signed tree head
//   GET /v1/audit/entries?start=A&end=B[&format=binary] entries A..B (inclusive, as RFC 6962 get-entries),
//                                                       paged by count and by bytes
//   GET /v1/audit/proof/inclusion?index=I&size=N        audit path of leaf I in the tree of N leaves
//   GET /v1/audit/proof/consistency?first=M&second=N    consistency proof between trees of M and N
//   GET /v1/audit/search?member=..&format=csv           filtered, paged search and export
//   GET /v1/audit/overview?from=..&to=..                counts per day, member and officer, and
//                                                       alerts (adapters/audit_overview.h)
//
// Who may read, and the auditing of every read, is the pipeline's business
// (QueryPipeline::handleAuditRead); this class only answers an already authorised target.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/database.h"
#include "node/client/audit_framing.h"
#include "node/pipeline.h"

namespace liaison::store {
class AuditReader;
class TransparencyLog;
}  // namespace liaison::store

namespace liaison::node {

/// Most entries one JSON page of /v1/audit/entries carries; a client asks again for the rest.
inline constexpr uint64_t kMaxJsonEntriesPerPage = 1'000;
/// Most bytes one page of /v1/audit/entries (JSON or binary) or /v1/audit/search (JSON or CSV)
/// carries: a page stops before the entry that would take it past this, and the client asks
/// again from where it stopped (as RFC 6962 get-entries allows). A page always holds its first
/// entry, however long, so no entry can stop a reader for good.
inline constexpr size_t kMaxAuditPageBytes = size_t{4} << 20;

class AuditApi {
 public:
  AuditApi(const store::TransparencyLog& log, store::DatabaseTarget target);
  ~AuditApi();
  AuditApi(const AuditApi&) = delete;
  AuditApi& operator=(const AuditApi&) = delete;

  /// Answers one authorised GET: 200 with JSON (or CSV, or the binary entry framing), 400 naming
  /// the bad parameter, 404 for an unknown path, 503 when the database cannot be read.
  AuditReadAnswer serve(const std::string& target);

 private:
  AuditReadAnswer treeHead();
  AuditReadAnswer entries(const std::string& query);
  AuditReadAnswer inclusion(const std::string& query);
  AuditReadAnswer consistency(const std::string& query);
  AuditReadAnswer search(const std::string& query);
  AuditReadAnswer overview(const std::string& query);

  /// A reader of its own for the calling thread (readers are not thread-safe), and its return.
  std::unique_ptr<store::AuditReader> takeReader();
  void giveBack(std::unique_ptr<store::AuditReader> reader);

  const store::TransparencyLog& log_;
  const store::DatabaseTarget target_;
  std::mutex readersMutex_;
  std::vector<std::unique_ptr<store::AuditReader>> readers_;
};

}  // namespace liaison::node
