#include "node/admission_control.h"

#include <algorithm>
#include <iterator>

namespace liaison::node {
namespace {

std::chrono::seconds ceilSeconds(std::chrono::steady_clock::duration d) {
  return std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(d));
}

}  // namespace

const char* describe(FailureKind kind) {
  switch (kind) {
    case FailureKind::malformed:
      return "malformed";
    case FailureKind::unknownKey:
      return "unknown signing key";
    case FailureKind::badSignature:
      return "bad signature";
    case FailureKind::notAuthenticated:
      return "failed authentication";
    case FailureKind::unsignedRead:
      return "unsigned audit read";
    case FailureKind::badHttp:
      return "malformed HTTP (400)";
    case FailureKind::bodyTooLarge:
      return "body too large (413)";
    case FailureKind::headerTooLarge:
      return "header too large (431)";
    case FailureKind::overBudget:
      return "over the failure budget (429)";
  }
  return "failed";
}

AdmissionControl::AdmissionControl(AdmissionLimits limits, Now now)
    : limits_(limits), now_(now ? std::move(now) : Now([] { return std::chrono::steady_clock::now(); })) {}

bool AdmissionControl::ended(const Source& source, std::chrono::steady_clock::time_point now) const {
  return now - source.start >= limits_.failureInterval;
}

Throttle AdmissionControl::checkSource(const std::string& source, const std::string& peerPin) {
  const auto now = now_();
  std::lock_guard lock(mutex_);
  auto it = sources_.find(source);
  if (it == sources_.end() || ended(it->second, now) || it->second.failures < limits_.failureBudget)
    return {};
  Source& s = it->second;
  ++s.failures;
  count(s, FailureKind::overBudget, peerPin);
  return Throttle{false, ceilSeconds(s.start + limits_.failureInterval - now)};
}

AdmissionControl::Verdict AdmissionControl::noteFailure(const std::string& source, FailureKind kind,
                                                        const std::string& peerPin) {
  const auto now = now_();
  Verdict verdict;
  std::lock_guard lock(mutex_);
  auto it = sources_.find(source);
  if (it != sources_.end() && ended(it->second, now)) {
    fold(it, now, verdict.writeNow);
    it = sources_.end();
  }
  if (it == sources_.end()) {
    if (sources_.size() >= limits_.maxSources) {
      // Bounded memory without losing a count: the source tracked longest is written early.
      auto oldest = std::min_element(sources_.begin(), sources_.end(), [](const auto& a, const auto& b) {
        return a.second.start < b.second.start;
      });
      fold(oldest, now, verdict.writeNow);
    }
    Source fresh;
    fresh.start = now;
    fresh.folded.source = source;
    fresh.folded.interval = limits_.failureInterval;
    it = sources_.emplace(source, std::move(fresh)).first;
  }
  Source& s = it->second;
  ++s.failures;
  if (s.failures <= limits_.failuresAuditedInFull) return verdict;
  verdict.auditInFull = false;
  count(s, kind, peerPin);
  return verdict;
}

void AdmissionControl::count(Source& source, FailureKind kind, const std::string& peerPin) {
  FoldedFailures& folded = source.folded;
  if (folded.count == 0) {
    folded.peerPin = peerPin;
  } else if (folded.peerPin != peerPin) {
    folded.severalPins = true;
    folded.peerPin.clear();
  }
  ++folded.count;
  ++folded.kinds[kind];
}

std::vector<FoldedFailures> AdmissionControl::takeFolded(bool all) {
  const auto now = now_();
  std::vector<FoldedFailures> out;
  std::lock_guard lock(mutex_);
  for (auto it = sources_.begin(); it != sources_.end();) {
    auto next = std::next(it);
    if (all || ended(it->second, now)) fold(it, now, out);
    it = next;
  }
  return out;
}

void AdmissionControl::fold(std::map<std::string, Source>::iterator it,
                            std::chrono::steady_clock::time_point now, std::vector<FoldedFailures>& out) {
  FoldedFailures& folded = it->second.folded;
  if (folded.count > 0) {
    folded.sinceStart = std::chrono::floor<std::chrono::seconds>(now - it->second.start);
    out.push_back(std::move(folded));
  }
  sources_.erase(it);
}

AuditEntry foldedEntry(const FoldedFailures& folded, Timestamp now) {
  AuditEntry entry;
  entry.recordedAt = now;
  entry.decision = Decision::refused;
  entry.remoteAddress = folded.source;
  entry.peerPin = folded.peerPin;
  // As for any entry, the entry stands for one request and repeatCount for the further ones.
  entry.repeatCount = folded.count - 1;
  std::string kinds;
  for (const auto& [kind, count] : folded.kinds) {
    kinds += (kinds.empty() ? "" : ", ") + std::to_string(count) + " " + describe(kind);
  }
  const std::string certificates = folded.severalPins       ? "several client certificates"
                                   : folded.peerPin.empty() ? "no client certificate"
                                                            : "client certificate " + folded.peerPin;
  entry.reason = "folded " + std::to_string(folded.count) + " failed requests from " + folded.source +
                 " that no trusted key vouched for, in the " + std::to_string(folded.interval.count()) +
                 " s interval that began " + std::to_string(folded.sinceStart.count()) +
                 " s before this entry: " + kinds + "; " + certificates;
  return entry;
}

Throttle AdmissionControl::admitPartner(const std::string& member) {
  return take(partners_, member, limits_.partner);
}

Throttle AdmissionControl::admitOfficer(const std::string& pseudonym) {
  return take(officers_, pseudonym, limits_.officer);
}

Throttle AdmissionControl::admitScreening(const std::string& requester, bool partner, bool manifest,
                                          size_t persons) {
  const RateLimit& limit = manifest ? (partner ? limits_.partnerManifestTravellers : limits_.officerManifestTravellers)
                                    : (partner ? limits_.partnerScreening : limits_.officerScreening);
  const std::string key = std::string(partner ? "partner/" : "officer/") + (manifest ? "manifest/" : "person/") + requester;
  return take(screenings_, key, limit, static_cast<double>(persons));
}

Throttle AdmissionControl::take(std::map<std::string, Bucket>& buckets, const std::string& key,
                                const RateLimit& limit, double cost) {
  const auto now = now_();
  std::lock_guard lock(mutex_);
  auto [it, fresh] = buckets.try_emplace(key, Bucket{limit.burst, now});
  Bucket& bucket = it->second;
  if (!fresh) {
    const double elapsed = std::chrono::duration<double>(now - bucket.refilled).count();
    bucket.tokens = std::min(limit.burst, bucket.tokens + elapsed * limit.perSecond);
    bucket.refilled = now;
  }
  if (bucket.tokens >= cost) {
    bucket.tokens -= cost;
    return {};
  }
  // More than the bucket ever holds never fits: come back when it is full, and fail again.
  const double wait = (std::min(cost, limit.burst) - bucket.tokens) / limit.perSecond;
  return Throttle{false, ceilSeconds(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                             std::chrono::duration<double>(wait)))};
}

}  // namespace liaison::node
