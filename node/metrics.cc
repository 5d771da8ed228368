#include "node/metrics.h"

#include <cstdio>

#include "node/net/https_server.h"

namespace liaison::node {

void Metrics::recordRequest(std::string_view kind, std::string_view decision, std::chrono::microseconds latency,
                            bool touchesFirewalled) {
  if (touchesFirewalled && !firewalledKinds_) return;
  const double seconds = static_cast<double>(latency.count()) / 1e6;
  std::lock_guard lock(mutex_);
  ++requests_[{std::string(kind), std::string(decision)}];
  for (size_t i = 0; i < kBucketsSeconds.size(); ++i) {
    if (seconds <= kBucketsSeconds[i]) ++bucketCounts_[i];
  }
  ++latencyCount_;
  latencySumSeconds_ += seconds;
}

void Metrics::recordSecurityFindings(std::string_view kind, uint64_t count) {
  std::lock_guard lock(mutex_);
  securityFindings_[std::string(kind)] += count;
}

void Metrics::recordReadinessCheck(bool ready) {
  std::lock_guard lock(mutex_);
  ++readinessChecks_[ready ? 1 : 0];
}

void Metrics::recordRateLimited(std::string_view scope) {
  std::lock_guard lock(mutex_);
  ++rateLimited_[std::string(scope)];
}

void Metrics::recordFolded(uint64_t failures) {
  std::lock_guard lock(mutex_);
  ++foldedEntries_;
  foldedFailures_ += failures;
}

std::string Metrics::prometheusText() const {
  std::lock_guard lock(mutex_);
  std::string out;
  out += "# HELP liaison_requests_total Requests by query kind and decision.\n";
  out += "# TYPE liaison_requests_total counter\n";
  for (const auto& [labels, count] : requests_) {
    out += "liaison_requests_total{kind=\"" + labels.first + "\",decision=\"" + labels.second + "\"} " +
           std::to_string(count) + "\n";
  }
  out += "# HELP liaison_request_duration_seconds Time from receiving a request to its answer being ready.\n";
  out += "# TYPE liaison_request_duration_seconds histogram\n";
  char bound[32];
  for (size_t i = 0; i < kBucketsSeconds.size(); ++i) {
    std::snprintf(bound, sizeof bound, "%g", kBucketsSeconds[i]);
    out += "liaison_request_duration_seconds_bucket{le=\"" + std::string(bound) + "\"} " +
           std::to_string(bucketCounts_[i]) + "\n";
  }
  out += "liaison_request_duration_seconds_bucket{le=\"+Inf\"} " + std::to_string(latencyCount_) + "\n";
  std::snprintf(bound, sizeof bound, "%.6f", latencySumSeconds_);
  out += "liaison_request_duration_seconds_sum " + std::string(bound) + "\n";
  out += "liaison_request_duration_seconds_count " + std::to_string(latencyCount_) + "\n";
  out += "# HELP liaison_readiness_checks_total Checks of the database behind GET /v1/health/ready, by result.\n";
  out += "# TYPE liaison_readiness_checks_total counter\n";
  out += "liaison_readiness_checks_total{result=\"ready\"} " + std::to_string(readinessChecks_[1]) + "\n";
  out += "liaison_readiness_checks_total{result=\"not-ready\"} " + std::to_string(readinessChecks_[0]) + "\n";
  if (!securityFindings_.empty()) {
    out += "# HELP liaison_security_findings_total Security findings raised since the node started, by kind.\n";
    out += "# TYPE liaison_security_findings_total counter\n";
    for (const auto& [kind, count] : securityFindings_) {
      out += "liaison_security_findings_total{kind=\"" + kind + "\"} " + std::to_string(count) + "\n";
    }
  }
  out += "# HELP liaison_rate_limited_total Requests answered 429, by the limit they hit.\n";
  out += "# TYPE liaison_rate_limited_total counter\n";
  for (const auto& [scope, count] : rateLimited_) {
    out += "liaison_rate_limited_total{scope=\"" + scope + "\"} " + std::to_string(count) + "\n";
  }
  out += "# HELP liaison_folded_failures_total Failed unauthenticated requests counted in a folded audit entry.\n";
  out += "# TYPE liaison_folded_failures_total counter\n";
  out += "liaison_folded_failures_total " + std::to_string(foldedFailures_) + "\n";
  out += "# HELP liaison_folded_entries_total Audit entries that fold failed requests of one source.\n";
  out += "# TYPE liaison_folded_entries_total counter\n";
  out += "liaison_folded_entries_total " + std::to_string(foldedEntries_) + "\n";
  return out;
}

std::string connectionMetricsText(const net::ConnectionStats& stats) {
  std::string out;
  auto gauge = [&](const char* name, const char* help, uint64_t value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n" + name + " " +
           std::to_string(value) + "\n";
  };
  gauge("liaison_connections_open", "Connections open on the federation port.", stats.open);
  gauge("liaison_connections_handshaking", "Of those, with TLS handshake or first request not done.",
        stats.handshaking);
  out += "# HELP liaison_connections_accepted_total Connections admitted on the federation port.\n";
  out += "# TYPE liaison_connections_accepted_total counter\n";
  out += "liaison_connections_accepted_total " + std::to_string(stats.accepted) + "\n";
  out += "# HELP liaison_connections_closed_total Connections the node closed to keep its limits, by reason.\n";
  out += "# TYPE liaison_connections_closed_total counter\n";
  const std::pair<const char*, uint64_t> closed[] = {{"refused-per-address", stats.refusedPerAddress},
                                                     {"refused-full", stats.refusedFull},
                                                     {"evicted-handshaking", stats.evictedHandshaking},
                                                     {"evicted-idle", stats.evictedIdle},
                                                     {"handshake-timeout", stats.handshakeTimeouts}};
  for (const auto& [reason, count] : closed) {
    out += "liaison_connections_closed_total{reason=\"" + std::string(reason) + "\"} " + std::to_string(count) + "\n";
  }
  return out;
}

}  // namespace liaison::node
