// Request counters and a latency histogram, exposed as Prometheus text at GET /metrics.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace liaison::node {

/// Thread-safe request metrics. Labels are closed vocabularies (query kind, decision), never
/// anything a requester typed, so the label set stays small and holds no personal data.
class Metrics {
 public:
  /// Counts one request of `kind` ("check-document", "malformed", ...) with its outcome.
  void recordRequest(std::string_view kind, std::string_view decision, std::chrono::microseconds latency);

  /// Counts `count` security findings of `kind` (a closed vocabulary: "unsigned-tree-head").
  void recordSecurityFindings(std::string_view kind, uint64_t count = 1);

  /// Counts one check of the node's readiness against the database (not the cached answers).
  void recordReadinessCheck(bool ready);

  /// The Prometheus text exposition of everything recorded.
  std::string prometheusText() const;

 private:
  static constexpr std::array<double, 12> kBucketsSeconds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                             0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, uint64_t> requests_;
  std::array<uint64_t, kBucketsSeconds.size()> bucketCounts_{};
  std::map<std::string, uint64_t, std::less<>> securityFindings_;
  std::array<uint64_t, 2> readinessChecks_{};  // not ready, ready
  uint64_t latencyCount_ = 0;
  double latencySumSeconds_ = 0;
};

}  // namespace liaison::node
