#include "node/readiness.h"

#include "adapters/database_probe.h"
#include "adapters/writer_lease.h"
#include "node/json_log.h"
#include "node/metrics.h"

namespace liaison::node {

Readiness::Readiness(store::DatabaseProbe& probe, store::AuditWriterLease& lease, JsonLog& log, Metrics& metrics,
                     std::chrono::milliseconds maxAge)
    : probe_(probe), lease_(lease), log_(log), metrics_(metrics), maxAge_(maxAge) {}

ReadinessAnswer Readiness::check() {
  auto fresh = [&] {
    std::lock_guard cache(cacheMutex_);
    return cached_ && std::chrono::steady_clock::now() - checkedAt_ < maxAge_ ? cached_ : std::nullopt;
  };
  if (auto answer = fresh()) return *answer;
  std::unique_lock running(checkMutex_, std::try_to_lock);
  if (!running.owns_lock()) {
    {
      std::lock_guard cache(cacheMutex_);
      if (cached_) return *cached_;  // a check is on its way: the last answer stands until it is in
    }
    running.lock();  // the very first check: wait for it
  }
  if (auto answer = fresh()) return *answer;  // another caller checked while this one waited
  std::string detail;
  ReadinessAnswer answer = checkNow(detail);
  metrics_.recordReadinessCheck(answer.ready);
  std::lock_guard cache(cacheMutex_);
  if (!cached_ || cached_->ready != answer.ready || cached_->reason != answer.reason) {
    if (answer.ready) log_.write("info", "ready", {});
    else log_.write("error", "not-ready", {{"reason", answer.reason}, {"error", detail}});
  }
  cached_ = answer;
  checkedAt_ = std::chrono::steady_clock::now();
  return answer;
}

ReadinessAnswer Readiness::checkNow(std::string& detail) {
  auto notReady = [&](std::string reason, const Error& error) {
    detail = error.message;
    return ReadinessAnswer{false, std::move(reason)};
  };
  if (auto failed = probe_.check()) {
    if (failed->error.kind == ErrorKind::notPermitted) return notReady("audit writer: may not append", failed->error);
    return notReady("database: no answer as " + std::string(store::roleName(failed->role)), failed->error);
  }
  if (Status held = lease_.confirm(); !held) {
    const bool lost = held.error().kind == ErrorKind::conflict;
    return notReady(lost ? "audit writer: another node holds the audit log's lease"
                         : "audit writer: its lease on the audit log cannot be confirmed",
                    held.error());
  }
  return ReadinessAnswer{true, {}};
}

}  // namespace liaison::node
