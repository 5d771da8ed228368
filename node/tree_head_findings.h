// Rows of audit.tree_heads that are not heads the node signed, raised as security findings.
#pragma once

#include "schema/model.h"
#include "schema/status.h"

namespace liaison::store {
class AuditLog;
class TransparencyLog;
}  // namespace liaison::store

namespace liaison::node {

class JsonLog;
class Metrics;

/// The officer pseudonym of the audit entries the node writes about itself, such as findings.
inline constexpr const char* kNodeSelfPseudonym = "liaison node";
/// The start of the reason of every audit entry that reports a security finding.
inline constexpr const char* kSecurityFindingPrefix = "security finding: ";

/// Reports every row of audit.tree_heads that `transparency` passed over at open (anyone with the
/// writer role's password can insert one; see TransparencyLog::unsignedHeads):
///   * at every start while the row is there: a JSON log line at level error (event
///     `security-finding`, kind `unsigned-tree-head`, the row's tree size, time and what is wrong
///     with it) and liaison_security_findings_total{kind="unsigned-tree-head"};
///   * once per distinct row: an audit entry of this node (officer "liaison node", decision
///     refused, reason starting "security finding: ", the row's TransparencyLog record reference
///     among its record refs), so that `liaison audit search 'record=...'` or
///     `'officer=liaison node&decision=refused'` finds it.
/// An error when such an entry cannot be appended: the node must not start without it.
Status reportUnsignedTreeHeads(const store::TransparencyLog& transparency, store::AuditLog& audit, Metrics& metrics,
                               JsonLog& log, Timestamp now);

}  // namespace liaison::node
