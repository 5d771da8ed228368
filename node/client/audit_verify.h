// An auditor's independent check of a node's audit log over the auditor API: `liaison audit
// verify` and `liaison audit prove`. Nothing the node says is taken on trust except through its
// signature on tree heads; every leaf and root is recomputed here.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "node/client/query_client.h"
#include "node/client/tree_heads.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::client {

/// The leaves the last successful verification checked, next to the node's kept heads (32 bytes
/// per leaf): its modification time says when the log was last verified from this state folder.
inline constexpr const char* kVerifiedLeavesFile = "verified-leaves";

struct AuditVerifyOptions {
  /// Further folders of signed heads of the same node, e.g. collected from partners' clients.
  std::vector<std::filesystem::path> headFolders;
  /// Entries asked for per request (at most the node's binary page size). Pages the client cannot
  /// take are asked for again in smaller pages, down to one entry.
  uint64_t pageSize = 10'000;
};

/// What `audit verify` found. `verified` only when there are no problems.
struct AuditVerifyReport {
  bool verified = false;
  TreeHead head;                   ///< the node's latest signed head, which the log was checked against
  uint64_t entries = 0;            ///< entries downloaded and rehashed
  uint64_t headsChecked = 0;       ///< earlier signed heads the log was checked against
  uint64_t previouslyVerified = 0; ///< leaves compared with those an earlier run verified
  /// Entries with a field longer than schema/limits.h allows, written by a node from before the
  /// limits: they hash into the log like any other and are no problem of it, but worth a look.
  uint64_t entriesOverLimits = 0;
  std::optional<uint64_t> firstBadIndex;
  std::vector<std::string> problems;  ///< each names the index or head at fault
};

/// Downloads the whole log as `client` (an auditor), recomputes every leaf from the stored entry
/// bytes and the root of the latest signed head, checks every head kept in the client's state
/// folder and in `options.headFolders` against the entries, and compares the leaves with those
/// an earlier run verified (kept in the state folder). Entries altered, removed, reordered or cut
/// off are reported with the first index at fault. On success the leaves and the head are kept for
/// the next run. An error result means the check could not be made (refused, unreachable).
Result<AuditVerifyReport> verifyAuditLog(QueryClient& client, const AuditVerifyOptions& options);

/// A receipt's text form, `LOG:INDEX:LEAFHASH` (as `liaison query` prints it).
std::string formatReceipt(const AuditReceipt& receipt);
Result<AuditReceipt> parseReceipt(std::string_view text);

/// Whether a receipt's leaf is included under the node's latest signed head.
struct ReceiptCheck {
  enum class Verdict { included, notIncluded, notYetCovered } verdict = Verdict::notIncluded;
  TreeHead head;
  std::string detail;
};
Result<ReceiptCheck> proveReceipt(QueryClient& client, const AuditReceipt& receipt);

/// The node's latest signed head, checked against (and added to) the heads the client keeps: a
/// head the kept ones do not extend is ErrorKind::conflict, a fork, with the evidence saved.
Result<ReceivedTreeHead> fetchLatestTreeHead(QueryClient& client);

}  // namespace liaison::client
