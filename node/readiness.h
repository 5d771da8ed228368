// Liveness and readiness of a node, as GET /v1/health/live and /v1/health/ready report them.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

namespace liaison::store {
class AuditWriterLease;
class DatabaseProbe;
}  // namespace liaison::store

namespace liaison::node {

class JsonLog;
class Metrics;

/// Whether the node can serve requests right now, and if not, why.
struct ReadinessAnswer {
  bool ready = false;
  /// Empty when ready; otherwise one of a closed set of public reasons: it names the part that
  /// failed (the database role that got no answer, the audit writer) and never a host, a socket,
  /// a connection string or a database message.
  std::string reason;
};

/// Readiness: the database answers as every role the node serves with (DatabaseProbe) and the
/// audit writer can append, which needs both the grant and the node's writer lease
/// (AuditWriterLease::confirm). Liveness needs nothing: a node that answers is live.
///
/// The answer is cached for `maxAge`, and while one check runs other callers get the previous
/// answer, so the public endpoint cannot be used to load the database or to pile up workers
/// behind a database that hangs. Changes are logged: to not ready (or another reason) at level
/// error with the operator's detail, back to ready at info. Thread-safe.
class Readiness {
 public:
  /// `probe`, `lease`, `log` and `metrics` must outlive this. Each check (not each cached answer)
  /// is counted in liaison_readiness_checks_total.
  Readiness(store::DatabaseProbe& probe, store::AuditWriterLease& lease, JsonLog& log, Metrics& metrics,
            std::chrono::milliseconds maxAge = std::chrono::seconds(1));

  /// The current answer, checked at most once per `maxAge`.
  ReadinessAnswer check();

 private:
  /// Checks now; `detail` gets the operator's account of a failure (for the log only).
  ReadinessAnswer checkNow(std::string& detail);

  store::DatabaseProbe& probe_;
  store::AuditWriterLease& lease_;
  JsonLog& log_;
  Metrics& metrics_;
  const std::chrono::milliseconds maxAge_;

  std::mutex checkMutex_;  // one check at a time; guards probe_
  std::mutex cacheMutex_;  // guards cached_ and checkedAt_
  std::optional<ReadinessAnswer> cached_;
  std::chrono::steady_clock::time_point checkedAt_;
};

}  // namespace liaison::node
