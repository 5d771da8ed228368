#include "node/tree_head_findings.h"

#include "adapters/audit_log.h"
#include "adapters/transparency_log.h"
#include "node/json_log.h"
#include "node/metrics.h"

namespace liaison::node {
namespace {

constexpr const char* kUnsignedTreeHead = "unsigned-tree-head";

}  // namespace

Status reportUnsignedTreeHeads(const store::TransparencyLog& transparency, store::AuditLog& audit, Metrics& metrics,
                               JsonLog& log, Timestamp now) {
  const uint64_t total = transparency.unsignedHeadCount();
  if (total == 0) return {};
  metrics.recordSecurityFindings(kUnsignedTreeHead, total);
  const auto latest = transparency.latestHead();
  const std::string startedFrom =
      latest ? "the latest head it signed, of " + std::to_string(latest->head.treeSize) + " entries"
             : "no head (it has signed none)";
  for (const store::UnsignedTreeHeadRow& row : transparency.unsignedHeads()) {
    log.write("error", "security-finding",
              {{"kind", kUnsignedTreeHead},
               {"tree_size", static_cast<int64_t>(row.treeSize)},
               {"signed_at", row.signedAt},
               {"problem", row.problem},
               {"already_audited", row.audited}});
    if (row.audited) continue;
    AuditEntry entry;
    entry.recordedAt = now;
    entry.requester = transparency.logId();
    entry.officerPseudonym = kNodeSelfPseudonym;
    entry.purpose = "security";
    entry.decision = Decision::refused;
    entry.reason = std::string(kSecurityFindingPrefix) + "the row of audit.tree_heads for a tree of " +
                   std::to_string(row.treeSize) + " entries signed at " + row.signedAt +
                   " is not a tree head of this node (" + row.problem + "); someone with the audit writer's "
                   "database password inserted it. The node passed over it and started from " + startedFrom;
    entry.recordRefs = {row.recordRef()};
    auto receipt = audit.append(entry);
    if (!receipt) {
      return fail(receipt.error().kind, "cannot audit the security finding about audit.tree_heads row " +
                                            row.recordRef() + ": " + receipt.error().message);
    }
  }
  if (const uint64_t unlisted = total - transparency.unsignedHeads().size(); unlisted > 0) {
    log.write("error", "security-finding-rows-not-listed",
              {{"kind", kUnsignedTreeHead}, {"count", static_cast<int64_t>(unlisted)}});
  }
  return {};
}

}  // namespace liaison::node
