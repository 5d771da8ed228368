// Request counters and a latency histogram, exposed as Prometheus text at GET /metrics of the
// metrics listener (node/net/metrics_server.h), never on the federation port.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace liaison::net {
struct ConnectionStats;
}

namespace liaison::node {

/// Thread-safe request metrics. Labels are closed vocabularies (query kind, decision), never
/// anything a requester typed, so the label set stays small and holds no personal data.
class Metrics {
 public:
  /// `firewalledKinds`: count requests that touch the health or justice compartment like any
  /// other. Otherwise they are not counted at all, not even in the latency histogram, so that no
  /// difference of totals tells how often those compartments are asked, or refused.
  explicit Metrics(bool firewalledKinds = false) : firewalledKinds_(firewalledKinds) {}

  /// Counts one request of `kind` ("check-document", "malformed", ...) with its outcome;
  /// `touchesFirewalled`: the request reads the health or justice compartment.
  void recordRequest(std::string_view kind, std::string_view decision, std::chrono::microseconds latency,
                     bool touchesFirewalled = false);

  /// Counts one request answered 429; `scope` is "source", "partner" or "officer".
  void recordRateLimited(std::string_view scope);

  /// Counts one audit entry that folds `failures` failed requests of one source.
  void recordFolded(uint64_t failures);

  /// Counts `count` security findings of `kind` (a closed vocabulary: "unsigned-tree-head").
  void recordSecurityFindings(std::string_view kind, uint64_t count = 1);

  /// Counts one check of the node's readiness against the database (not the cached answers).
  void recordReadinessCheck(bool ready);

  /// The Prometheus text exposition of everything recorded.
  std::string prometheusText() const;

 private:
  static constexpr std::array<double, 12> kBucketsSeconds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                             0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  const bool firewalledKinds_;
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, uint64_t> requests_;
  std::map<std::string, uint64_t> rateLimited_;
  uint64_t foldedEntries_ = 0;
  uint64_t foldedFailures_ = 0;
  std::array<uint64_t, kBucketsSeconds.size()> bucketCounts_{};
  std::map<std::string, uint64_t, std::less<>> securityFindings_;
  std::array<uint64_t, 2> readinessChecks_{};  // not ready, ready
  uint64_t latencyCount_ = 0;
  double latencySumSeconds_ = 0;
};

/// Prometheus text of the federation port's connection counters.
std::string connectionMetricsText(const net::ConnectionStats& stats);

}  // namespace liaison::node
