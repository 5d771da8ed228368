// Who may use how much of a node: failed requests per source address, folded in the audit log,
// and requests per second per partner and per officer. Pure bookkeeping with an injectable
// clock; the pipeline asks before the expensive steps and writes what it is told to audit.
//
// Why: every request is audited, so anyone who can reach the port could grow the permanent log
// at will (2,000 random POSTs took 1.4 s and added 2,000 entries). Failures that nobody
// authenticated are therefore counted per source: the first ones of an interval get an entry of
// their own as before, the rest are folded into one entry that names the source, the interval,
// the kinds of failure and how many (AuditEntry::repeatCount); past a budget the source is
// answered 429 before its signatures are checked. Authenticated requesters have token buckets.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "schema/model.h"

namespace liaison::node {

/// A token bucket's shape: `perSecond` tokens are added each second, at most `burst` are held.
struct RateLimit {
  double perSecond = 1;
  double burst = 1;
};

/// Limits on failures per source and on authenticated requesters.
struct AdmissionLimits {
  /// Failures of one source are counted and folded per interval of this length, which begins
  /// with the source's first failure.
  std::chrono::seconds failureInterval{60};
  /// Failures per source and interval that get an audit entry of their own; the rest are folded.
  uint64_t failuresAuditedInFull = 1;
  /// Failures per source and interval after which the source is answered 429 until the interval
  /// ends, before any signature is checked.
  uint64_t failureBudget = 100;
  RateLimit partner{200, 1000};  ///< requests per second of each partner member
  RateLimit officer{10, 50};     ///< requests per second of each of this node's officers
  /// Screening, counted in persons screened, apart from the request rates above: fuzzy matching
  /// lets a prober enumerate a watchlist by trying name variants, so screen-person has a budget
  /// of its own per partner and per officer, and manifests one in travellers.
  RateLimit partnerScreening{600.0 / 60, 600};  ///< screen-person per partner member
  RateLimit officerScreening{30.0 / 60, 30};    ///< screen-person per officer
  RateLimit partnerManifestTravellers{200'000.0 / 3600, 200'000};  ///< manifest travellers per partner
  RateLimit officerManifestTravellers{20'000.0 / 3600, 20'000};    ///< manifest travellers per officer
  /// Sources tracked at once; beyond it the longest-tracked source's counts are written early.
  size_t maxSources = 4096;
};

/// What failed, for the folded entry's reason. A closed set, so no requester text reaches it.
enum class FailureKind {
  malformed,         ///< empty body, or an envelope or request that does not decode
  unknownKey,        ///< signed by a key that is neither an officer's nor a partner's
  badSignature,      ///< the signature does not verify
  notAuthenticated,  ///< signed, but the identity checks failed (certificate, claimed member)
  unsignedRead,      ///< an audit read without a valid signed request
  badHttp,           ///< the transport refused malformed HTTP (400)
  bodyTooLarge,      ///< the transport refused the body (413)
  headerTooLarge,    ///< the transport refused the header (431)
  overBudget,        ///< answered 429: the source had used up its failure budget
};

/// Human words for a FailureKind, as the folded entry's reason uses them.
const char* describe(FailureKind kind);

/// Failures of one source folded into one audit entry.
struct FoldedFailures {
  std::string source;                     ///< net::sourceOf the remote address
  uint64_t count = 0;                     ///< failures folded (not counting those audited in full)
  std::map<FailureKind, uint64_t> kinds;  ///< count per kind; sums to `count`
  std::chrono::seconds sinceStart{0};     ///< from the interval's first failure to the fold
  std::chrono::seconds interval{0};       ///< the configured interval
  std::string peerPin;                    ///< the client certificate all of them presented, if one did
  bool severalPins = false;               ///< they came with different client certificates
};

/// The audit entry of folded failures (count at least 1): the source as its remote address, a
/// reason naming the count, the interval and the kinds, and, as for any entry, repeatCount the
/// requests it stands for beyond one (count - 1). `now` is the entry's time.
AuditEntry foldedEntry(const FoldedFailures& folded, Timestamp now);

/// Whether a request may go on, and if not, when to come back.
struct Throttle {
  bool allowed = true;
  std::chrono::seconds retryAfter{0};  ///< for a Retry-After header when not allowed
};

/// Thread-safe.
class AdmissionControl {
 public:
  using Now = std::function<std::chrono::steady_clock::time_point()>;

  /// `now` defaults to std::chrono::steady_clock.
  explicit AdmissionControl(AdmissionLimits limits, Now now = {});

  /// Before any expensive work on a request from `source`: refused while the source has used up
  /// its failure budget in the current interval. A refused request is itself a failure, of kind
  /// overBudget, and is folded with the source's others here (never audited on its own).
  Throttle checkSource(const std::string& source, const std::string& peerPin);

  /// What to do about one failure.
  struct Verdict {
    bool auditInFull = true;               ///< this failure gets an entry of its own
    std::vector<FoldedFailures> writeNow;  ///< folded failures to audit now (their interval ended)
  };
  /// Counts a failure of a request nobody authenticated, from `source` (net::sourceOf), presenting
  /// client certificate `peerPin` (empty: none).
  Verdict noteFailure(const std::string& source, FailureKind kind, const std::string& peerPin);

  /// Folded failures whose interval has ended, to audit now; with `all`, every count held (at
  /// shutdown, so nothing counted is lost).
  std::vector<FoldedFailures> takeFolded(bool all);

  /// Takes one request's token from the bucket of partner `member`.
  Throttle admitPartner(const std::string& member);
  /// Takes one request's token from the bucket of officer `pseudonym`.
  Throttle admitOfficer(const std::string& pseudonym);
  /// Takes `persons` tokens from the screening bucket of `requester` (a partner member id, or an
  /// officer's pseudonym with `partner` false): screen-person counts one, a manifest its travellers.
  Throttle admitScreening(const std::string& requester, bool partner, bool manifest, size_t persons);

 private:
  struct Source {
    std::chrono::steady_clock::time_point start;
    uint64_t failures = 0;  // in this interval, including those audited in full
    FoldedFailures folded;
  };
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point refilled;
  };

  Throttle take(std::map<std::string, Bucket>& buckets, const std::string& key, const RateLimit& limit,
                double cost = 1);
  bool ended(const Source& source, std::chrono::steady_clock::time_point now) const;
  // Counts one failure that is not audited on its own.
  static void count(Source& source, FailureKind kind, const std::string& peerPin);
  // Moves the folded counts of `it` into `out` (when there are any) and forgets the source.
  void fold(std::map<std::string, Source>::iterator it, std::chrono::steady_clock::time_point now,
            std::vector<FoldedFailures>& out);

  const AdmissionLimits limits_;
  const Now now_;
  std::mutex mutex_;  // guards everything below
  std::map<std::string, Source> sources_;
  std::map<std::string, Bucket> partners_;
  std::map<std::string, Bucket> officers_;
  std::map<std::string, Bucket> screenings_;  // keyed by kind of budget and requester
};

}  // namespace liaison::node
