#include "node/pipeline.h"

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

#include "adapters/audit_log.h"
#include "adapters/replay_guard.h"
#include "adapters/statistics.h"
#include "adapters/store.h"
#include "adapters/transparency_log.h"
#include "crypto/digest.h"
#include "crypto/envelope.h"
#include "crypto/record_key.h"
#include "node/admission_control.h"
#include "node/client/directory.h"
#include "node/federation.h"
#include "node/json_log.h"
#include "node/metrics.h"
#include "node/net/tls_identity.h"
#include "node/screening_answer.h"
#include "node/statistics_answer.h"
#include "policy/decide.h"
#include "policy/field_mask.h"
#include "policy/outbound.h"
#include "policy/query_scope.h"
#include "schema/codec.h"
#include "schema/limits.h"

namespace liaison::node {
namespace {

// How far a requester's clock may run ahead of ours before a request counts as future-dated.
constexpr std::chrono::seconds kClockSkew{30};

// When a partner's credential holds: always for a [[peer]] entry's, within the period the
// federation directory gives it for a directory member's.
struct Period {
  Timestamp notBefore = Timestamp::min();
  Timestamp notAfter = Timestamp::max();
  bool holds(Timestamp t) const { return notBefore <= t && t <= notAfter; }
  std::string text() const { return formatTimestamp(notBefore) + " to " + formatTimestamp(notAfter); }
};

// A TLS certificate that identifies a partner, by its pin.
struct PinnedCertificate {
  std::string pin;
  Period period;
};

// Who signed a request, as configured or as the federation directory lists it.
struct Signer {
  enum class Kind { officer, peer } kind;
  std::string member;     // for an officer: this node's member
  std::string pseudonym;  // officers only
  Role role = Role::border;                    // officers: the registered role
  std::vector<Role> roles;                    // peers: the roles their officers may claim
  std::optional<std::vector<std::string>> purposes;  // the purposes allowed; for a peer, none: any
  std::vector<PinnedCertificate> tlsPins;  // peers only
  // Directory members only: where they are listed, when each key (by id) signs for them, and
  // when the directory itself expires.
  std::string listedIn{};
  std::map<std::string, Period> keyPeriods{};
  Timestamp listedUntil = Timestamp::max();
};

// Whether the connection came with a certificate pinned for `signer`, whatever its period.
bool presentsCertificateOf(const net::HttpRequest& http, const Signer& signer) {
  if (!http.peerPin) return false;
  return std::any_of(signer.tlsPins.begin(), signer.tlsPins.end(),
                     [&](const PinnedCertificate& c) { return net::pinsEqual(*http.peerPin, c.pin); });
}

// Who may sign requests: the officers and [[peer]] partners of the configuration, and the members
// of the federation directory in force. Replaced whole when the directory changes; each request
// keeps the one it started with.
struct Trust {
  crypto::KeyRing keys;
  std::map<std::string, Signer> signers;  // by key ring owner label
};

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// The outcome of a request so far; every path ends in one of these, which is audited and answered.
struct Outcome {
  ResponseStatus status = ResponseStatus::invalid;
  Decision decision = Decision::invalid;
  std::string publicReason;  // what the requester is told
  std::string auditReason;   // what the auditor is told (may name rules and firewalls)
  std::vector<Hit> hits;
  std::vector<std::string> withheld;
  std::chrono::seconds retryAfter{0};  // not zero: a rate limit refused it (HTTP 429)
  std::optional<StatisticsTable> statistics;  // an aggregate-statistics answer
};

// A step passed: the request goes on.
Outcome passed() {
  Outcome o;
  o.status = ResponseStatus::ok;
  o.decision = Decision::permitted;
  return o;
}

Outcome refused(std::string publicReason, std::string auditReason = {}) {
  Outcome o;
  o.status = ResponseStatus::refused;
  o.decision = Decision::refused;
  o.auditReason = auditReason.empty() ? publicReason : std::move(auditReason);
  o.publicReason = std::move(publicReason);
  return o;
}

Outcome invalid(std::string reason) {
  Outcome o;
  o.status = ResponseStatus::invalid;
  o.decision = Decision::invalid;
  o.publicReason = o.auditReason = std::move(reason);
  return o;
}

unsigned httpStatusOf(ResponseStatus status) {
  switch (status) {
    case ResponseStatus::ok: return 200;
    case ResponseStatus::refused: return 403;
    case ResponseStatus::invalid: return 400;
    case ResponseStatus::error: return 500;
  }
  return 500;
}

bool servedHere(QueryKind kind) {
  switch (kind) {
    case QueryKind::checkDocument:
    case QueryKind::getRecord:
    case QueryKind::listMovements:
    case QueryKind::healthRecord:
    case QueryKind::justiceRecord:
    case QueryKind::screenPerson:  // when the node has a screening index (PipelineServices::screening)
    case QueryKind::screenManifest:
    case QueryKind::aggregateStatistics: return true;
    case QueryKind::auditRead: return false;  // audit reads come through the auditor API only
  }
  return false;
}

// Whether a request reads the health or justice compartment; metrics leave those out unless the
// operator asks for them (NodeConfig::metricsFirewalledKinds).
bool touchesFirewalled(const Request* request) {
  if (request == nullptr) return false;
  const auto touched = policy::compartmentsTouched(request->query);
  return std::any_of(touched.begin(), touched.end(), isFirewalled);
}

// A 429 answer says when to come back (RFC 9110 section 10.2.3).
void throttled(net::HttpResponse& response, std::chrono::seconds retryAfter) {
  response.status = 429;
  response.headers.emplace_back("Retry-After", std::to_string(retryAfter.count()));
}

// Where per-source limits count a request from (net::sourceOf).
std::string sourceOf(const std::string& remote) { return net::sourceOf(net::addressOf(remote)); }

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : std::string(separator)) + p;
  return out;
}

}  // namespace

struct QueryPipeline::Impl {
  const NodeConfig& config;
  PipelineServices services;
  Trust configured{};  // the officers and [[peer]] partners of the configuration
  AdmissionControl admission{config.admission};
  // Never logged or sent: the noise of statistics (crypto/record_key.h).
  crypto::RecordKeySecret recordKeys = crypto::RecordKeySecret::derivedFrom(services.nodeKey);
  mutable std::mutex trustMutex{};
  std::shared_ptr<const Trust> trust{};  // configured, and the directory's members; guarded by trustMutex

  std::shared_ptr<const Trust> currentTrust() const {
    std::lock_guard lock(trustMutex);
    return trust;
  }

  // The store pool for an officer role: the database role never exceeds what the officer's role
  // may reach, so a policy mistake cannot open health or justice to enforcement.
  store::RecordStorePool* storesFor(Role role) {
    switch (role) {
      case Role::border:
      case Role::immigration:
      case Role::enforcement:
      case Role::liaison: return &services.enforcementStores;
      case Role::health: return &services.healthStores;
      case Role::justice: return &services.justiceStores;
      case Role::auditor: return nullptr;
    }
    return nullptr;
  }

  struct Admission {
    std::shared_ptr<const Trust> trust;  // the signers as the request found them; owns *signer
    Digest digest{};                 // of the signed body, or of the bytes when they do not open
    std::optional<Request> request;  // once decoded, admitted or not
    const Signer* signer = nullptr;  // whose key verified the signature; null when none did
    std::string kindLabel = "malformed";
    Outcome outcome;                 // status ok: admitted
    bool authenticated = false;      // the signer's identity checks passed
    // Set when the request failed and no trusted key vouches for it: counted per source, and
    // folded into one entry past the first of an interval (auditInFull false).
    std::optional<FailureKind> unvouched;
    bool auditInFull = true;
  };
  Admission admit(std::span<const uint8_t> bytes, const net::HttpRequest& http,
                  const std::function<Outcome(const Signer&, const Request&)>& check);

  // Per-source failure budget, checked before any signature: past it, a plain 429 that is only
  // counted in the source's folded entry.
  std::optional<net::HttpResponse> refuseOverBudget(const net::HttpRequest& http) {
    const Throttle throttle = admission.checkSource(sourceOf(http.remote), http.peerPin.value_or(""));
    if (throttle.allowed) return std::nullopt;
    services.metrics.recordRateLimited("source");
    const std::string text = "too many failed requests from this address; retry later\n";
    net::HttpResponse response{429, "text/plain; charset=utf-8", {text.begin(), text.end()}};
    throttled(response, throttle.retryAfter);
    return response;
  }

  // Counts a failure nobody vouches for against its source; decides whether it is audited alone.
  void countFailure(Admission& admitted, const std::string& remote, const std::optional<std::string>& peerPin) {
    if (!admitted.unvouched) return;
    auto verdict = admission.noteFailure(sourceOf(remote), *admitted.unvouched, peerPin.value_or(""));
    admitted.auditInFull = verdict.auditInFull;
    writeFolded(verdict.writeNow);
  }

  void writeFolded(const std::vector<FoldedFailures>& folded) {
    for (const FoldedFailures& f : folded) {
      auto receipt = services.audit.append(foldedEntry(f, services.clock()));
      services.metrics.recordFolded(f.count);
      services.log.write(receipt ? "info" : "error", "failures-folded",
                         {{"count", static_cast<int64_t>(f.count)},
                          {"audit_index", receipt ? static_cast<int64_t>(receipt->leafIndex) : int64_t{-1}}});
    }
  }

  // The request rate of an authenticated partner or officer (AdmissionControl's token buckets).
  Outcome rateLimit(const Signer& signer) {
    const bool partner = signer.kind == Signer::Kind::peer;
    const Throttle throttle = partner ? admission.admitPartner(signer.member) : admission.admitOfficer(signer.pseudonym);
    if (throttle.allowed) return passed();
    services.metrics.recordRateLimited(partner ? "partner" : "officer");
    const RateLimit& limit = partner ? config.admission.partner : config.admission.officer;
    Outcome o = refused("rate limit exceeded",
                        "rate limit exceeded: " + (partner ? "partner " + signer.member : "officer " + signer.pseudonym) +
                            " above " + std::to_string(static_cast<int64_t>(limit.perSecond)) + " requests/s (burst " +
                            std::to_string(static_cast<int64_t>(limit.burst)) + ")");
    o.retryAfter = throttle.retryAfter;
    return o;
  }

  // Screening's own budget, in persons screened (AdmissionLimits): probing a watchlist with name
  // variants runs into it long before the request rate. The refusal is audited like any other.
  Outcome screeningLimit(const Signer& signer, const Request& request) {
    const QueryKind kind = kindOf(request.query);
    if (kind != QueryKind::screenPerson && kind != QueryKind::screenManifest) {
      return passed();
    }
    const bool partner = signer.kind == Signer::Kind::peer;
    const bool manifest = kind == QueryKind::screenManifest;
    const size_t persons = manifest ? std::get<ScreenManifestQuery>(request.query).travellers.size() : 1;
    const std::string& who = partner ? signer.member : signer.pseudonym;
    const Throttle throttle = admission.admitScreening(who, partner, manifest, persons);
    if (throttle.allowed) return passed();
    services.metrics.recordRateLimited(partner ? "partner-screening" : "officer-screening");
    const RateLimit& limit = manifest ? (partner ? config.admission.partnerManifestTravellers
                                                 : config.admission.officerManifestTravellers)
                                      : (partner ? config.admission.partnerScreening : config.admission.officerScreening);
    Outcome o = refused(
        "screening rate limit exceeded",
        "screening rate limit exceeded: " + (partner ? "partner " + signer.member : "officer " + signer.pseudonym) +
            (manifest ? " screening " + std::to_string(persons) + " travellers above " +
                            std::to_string(static_cast<int64_t>(limit.burst)) + " per hour"
                      : " above " + std::to_string(static_cast<int64_t>(limit.burst)) + " screened persons per minute"));
    o.retryAfter = throttle.retryAfter;
    return o;
  }

  Outcome authenticate(const Trust& trust, const crypto::Verified<SignedEnvelope>& envelope, const Request& request,
                       const net::HttpRequest& http) {
    auto it = trust.signers.find(envelope.owner());
    if (it == trust.signers.end()) return refused("unknown signing key");  // a key ring entry without a signer: a bug
    const Signer& signer = it->second;
    if (signer.kind == Signer::Kind::officer) {
      if (request.requester != config.member) {
        return refused("officer " + signer.pseudonym + " can only ask on behalf of " + config.member);
      }
      if (request.officer.pseudonym != signer.pseudonym) {
        return refused("request names officer '" + request.officer.pseudonym.substr(0, 64) +
                       "' but is signed by the key of officer " + signer.pseudonym);
      }
      if (request.officer.role != signer.role) {
        return refused("officer " + signer.pseudonym + " is registered with role " + std::string(name(signer.role)) +
                       ", not " + std::string(name(request.officer.role)));
      }
      if (!contains(*signer.purposes, request.officer.purpose)) {
        return refused("officer " + signer.pseudonym + " is not registered for purpose '" +
                       request.officer.purpose.substr(0, 64) + "'");
      }
      return passed();
    }
    if (request.requester != signer.member) {
      return refused("request names member '" + request.requester.substr(0, 64) + "' but is signed by member " +
                     signer.member);
    }
    if (!presentsCertificateOf(http, signer)) {
      return refused("client certificate does not belong to member " + signer.member);
    }
    if (Outcome held = credentialsHold(signer, envelope.signer(), *http.peerPin); held.status != ResponseStatus::ok) {
      return held;
    }
    // What a partner's officers may claim is agreed with the partner, not left to its requests:
    // refused here, before the policy is asked, so the policy and the database role chosen from
    // the claim never see anything else.
    if (std::find(signer.roles.begin(), signer.roles.end(), request.officer.role) == signer.roles.end()) {
      return refused("member " + signer.member + " may not send requests in role " +
                     std::string(name(request.officer.role)));
    }
    if (signer.purposes && !contains(*signer.purposes, request.officer.purpose)) {
      return refused("member " + signer.member + " may not send requests for purpose '" +
                     request.officer.purpose.substr(0, 64) + "'");
    }
    return passed();
  }

  // A directory member's signing key and certificate each within its period, and the directory
  // that lists it not expired: fail closed, whatever the directory watch has noticed yet.
  Outcome credentialsHold(const Signer& signer, const crypto::PublicKey& key, const std::string& peerPin) {
    if (signer.listedIn.empty()) return passed();
    const Timestamp now = services.clock();
    const std::string whose = "member " + signer.member;
    if (now > signer.listedUntil) {
      return refused(whose + " is listed only in a federation directory that has expired",
                     whose + " is listed only in " + signer.listedIn + ", which expired at " +
                         formatTimestamp(signer.listedUntil));
    }
    auto period = signer.keyPeriods.find(key.id().hex());
    if (period == signer.keyPeriods.end() || !period->second.holds(now)) {
      const std::string valid = period == signer.keyPeriods.end() ? "never" : period->second.text();
      return refused("signing key " + key.id().hex() + " of " + whose + " is not valid now (valid " + valid + ")",
                     "signing key " + key.id().hex() + " of " + whose + " is valid " + valid + " (" +
                         signer.listedIn + "), not at " + formatTimestamp(now));
    }
    for (const PinnedCertificate& certificate : signer.tlsPins) {
      if (net::pinsEqual(peerPin, certificate.pin) && certificate.period.holds(now)) {
        return passed();
      }
    }
    return refused("client certificate of " + whose + " is not valid now",
                   "client certificate " + peerPin + " of " + whose + " is outside the period " + signer.listedIn +
                       " gives it, at " + formatTimestamp(now));
  }

  Outcome checkFreshness(const Request& request, Timestamp now) {
    if (request.expiresAt <= request.issuedAt) return invalid("request expires before it was issued");
    if (request.expiresAt - request.issuedAt > config.validityWindow) {
      return refused("request validity is longer than the allowed " + std::to_string(config.validityWindow.count()) +
                     " s");
    }
    if (request.issuedAt > now + kClockSkew) return refused("request is dated in the future");
    if (now > request.expiresAt) return refused("request has expired");
    auto claimed = services.replay.claim(request.requester, request.nonce, request.expiresAt);
    if (!claimed) {
      Outcome o;
      o.status = ResponseStatus::error;
      o.decision = Decision::refused;
      o.publicReason = "temporarily unavailable";
      o.auditReason = "replay check failed: " + claimed.error().message;
      return o;
    }
    if (!*claimed) return refused("request was already received (replay)");
    return passed();
  }

  // Runs the query for each compartment the policy permits, masking what it withholds.
  Outcome execute(const Request& request) {
    const QueryKind kind = kindOf(request.query);
    if (!servedHere(kind)) return invalid("query kind " + std::string(name(kind)) + " is not served by this node");
    if (const auto* statistics = std::get_if<AggregateStatisticsQuery>(&request.query)) {
      return answerStatistics(request, *statistics);
    }
    std::vector<std::string> because;
    std::string publicRefusal = policy::kNotPermitted;
    Outcome outcome;
    outcome.status = ResponseStatus::ok;
    outcome.decision = Decision::permitted;
    bool anyPermitted = false;
    const bool screening = kind == QueryKind::screenPerson || kind == QueryKind::screenManifest;
    ScreeningPermits permits;
    for (Compartment compartment : policy::compartmentsTouched(request.query)) {
      policy::Question question{request.requester, request.officer.role, request.officer.purpose, kind, compartment,
                                !request.officer.caseReference.empty()};
      policy::Decision decision = policy::decide(question, services.policy);
      for (const auto& b : decision.because) because.push_back(std::string(name(compartment)) + ": " + b);
      if (!decision.permitted) {
        if (decision.reason == policy::kCaseReferenceRequired) publicRefusal = decision.reason;
        continue;
      }
      store::RecordStorePool* pool = storesFor(request.officer.role);
      if (pool == nullptr) continue;
      anyPermitted = true;
      if (screening) {
        (compartment == Compartment::notices     ? permits.notices
         : compartment == Compartment::watchlist ? permits.watchlist
                                                 : permits.documents) = std::move(decision);
        continue;
      }
      auto found = lookup(*pool->acquire(), request, compartment);
      if (!found) return storeFailed(found.error(), kind, "compartment " + std::string(name(compartment)));
      for (Record& record : *found) {
        if (outcome.hits.size() >= limits::kMaxHits) break;
        Hit hit;
        hit.recordRef = metaOf(record).ref;
        hit.kind = kindOf(record);
        if (decision.mode == policy::Mode::details) {
          hit.withheldFields = policy::applyFieldMask(record, decision.fields);
          hit.details = std::move(record);
        }
        outcome.hits.push_back(std::move(hit));
      }
      if (decision.mode == policy::Mode::hit) outcome.withheld.push_back(std::string(name(compartment)) + ": details need a separate get-record request");
    }
    if (!anyPermitted) return refused(publicRefusal, join(because, "; "));
    outcome.auditReason = join(because, "; ");
    if (screening) return screen(request, permits, std::move(outcome));
    return outcome;
  }

  // Aggregate statistics (README "Statistics"). Every refusal is decided on the request alone,
  // before anything is counted, so it is the same, and as fast, whatever the counts would be.
  Outcome answerStatistics(const Request& request, const AggregateStatisticsQuery& query) {
    const Role role = request.officer.role;
    std::string because;
    if (query.subject == StatisticsSubject::records) {
      policy::Question question{request.requester,           role, request.officer.purpose, QueryKind::aggregateStatistics,
                                query.compartment, !request.officer.caseReference.empty()};
      policy::Decision decision = policy::decide(question, services.policy);
      because = std::string(name(query.compartment)) + ": " + join(decision.because, ", ");
      if (!decision.permitted) {
        return refused(decision.reason == policy::kCaseReferenceRequired ? decision.reason : policy::kNotPermitted,
                       because);
      }
    }
    const bool ownOfficer = request.requester == config.member && !request.onBehalfOf;
    if (auto problem = policy::statisticsRoleProblem(role, ownOfficer, query, services.policy.statistics)) {
      return refused(policy::kNotPermitted, *problem);
    }
    const Date today{std::chrono::floor<std::chrono::days>(services.clock())};
    if (auto problem = policy::statisticsQueryProblem(query, today)) return invalid("aggregate statistics: " + *problem);
    if (auto problem = policy::statisticsPeriodProblem(query, services.policy.statistics)) {
      return invalid("aggregate statistics: " + *problem);
    }
    auto rows = statisticsRows(request, query);
    if (!rows) {
      if (rows.error().kind == ErrorKind::invalidInput) return invalid("aggregate statistics: " + rows.error().message);
      return storeFailed(rows.error(), QueryKind::aggregateStatistics, "statistics of " + std::string(name(query.subject)));
    }
    auto table = tabulateStatistics(*rows, query, recordKeys, services.policy.statistics);
    if (!table) return invalid("aggregate statistics: " + table.error().message);
    Outcome outcome;
    outcome.status = ResponseStatus::ok;
    outcome.decision = Decision::permitted;
    outcome.auditReason = (because.empty() ? "" : because + "; ") + describeStatistics(query, *table);
    outcome.statistics = std::move(*table);
    return outcome;
  }

  // The rows a statistics table counts. Records are read through the store pool of the
  // requester's role, so counts of health and justice records only ever come through the health
  // and justice connections; an auditor, who reads no records, counts each compartment through
  // the pool whose database role reads it. Requests come from the audit log, read as the auditor.
  Result<std::vector<store::StatisticsRow>> statisticsRows(const Request& request, const AggregateStatisticsQuery& query) {
    if (query.subject == StatisticsSubject::requests) {
      if (services.requestStatistics == nullptr) return fail(ErrorKind::invalidInput, "request counts are not served by this node");
      return services.requestStatistics->rows(query);
    }
    store::RecordStorePool* pool = storesFor(request.officer.role);
    if (request.officer.role == Role::auditor) {
      pool = query.compartment == Compartment::health    ? &services.healthStores
             : query.compartment == Compartment::justice ? &services.justiceStores
                                                         : &services.enforcementStores;
    }
    if (pool == nullptr) return fail(ErrorKind::notPermitted, "no database role serves " + std::string(name(request.officer.role)));
    return pool->acquire()->statisticsRows(request.requester, query);
  }

  // A store failure of a permitted query. The database refusing what the policy allowed means the
  // firewall held: say nothing more than "not permitted". `what` names what was read, for the auditor.
  Outcome storeFailed(const Error& error, QueryKind kind, const std::string& what) {
    if (error.kind == ErrorKind::notPermitted) {
      services.log.write("error", "database-refused-permitted-query", {{"kind", name(kind)}, {"read", what}});
      return refused("not permitted", "database refused " + what);
    }
    Outcome o;
    o.status = ResponseStatus::error;
    o.decision = Decision::permitted;
    o.publicReason = "temporarily unavailable";
    o.auditReason = "store failure";
    return o;
  }

  // Screening, once the policy permitted at least one compartment (node/screening_answer.h).
  Outcome screen(const Request& request, const ScreeningPermits& permits, Outcome outcome) {
    store::RecordStorePool* pool = storesFor(request.officer.role);
    if (services.screening == nullptr || pool == nullptr) {
      return invalid("query kind " + std::string(name(kindOf(request.query))) + " is not served by this node");
    }
    auto answered = answerScreening(request.query, request.requester, permits, *services.screening, *pool->acquire());
    if (!answered) {
      if (answered.error().kind == ErrorKind::invalidInput) return invalid(answered.error().message);
      return storeFailed(answered.error(), kindOf(request.query), "a screening's document check");
    }
    outcome.hits = std::move(answered->hits);
    outcome.withheld = std::move(answered->withheld);
    return outcome;
  }

  Result<std::vector<Record>> lookup(store::RecordStore& store, const Request& request, Compartment compartment) {
    const std::string& member = request.requester;
    auto toRecords = [](auto result) -> Result<std::vector<Record>> {
      if (!result) return result.error();
      std::vector<Record> records;
      for (auto& r : *result) records.emplace_back(std::move(r));
      return records;
    };
    auto single = [](Result<std::optional<Record>> result) -> Result<std::vector<Record>> {
      if (!result) return result.error();
      std::vector<Record> records;
      if (*result) records.push_back(std::move(**result));
      return records;
    };
    return std::visit(
        [&](const auto& q) -> Result<std::vector<Record>> {
          using Q = std::decay_t<decltype(q)>;
          if constexpr (std::is_same_v<Q, CheckDocumentQuery>) {
            if (compartment == Compartment::documents) return toRecords(store.findTravelDocuments(member, q.number, q.issuingState));
            return toRecords(store.findWatchlistDocuments(member, q.number, q.issuingState));
          } else if constexpr (std::is_same_v<Q, GetRecordQuery>) {
            return single(store.get(member, q.kind, q.recordRef));
          } else if constexpr (std::is_same_v<Q, ListMovementsQuery>) {
            return toRecords(store.findMovements(member, q.documentNumber, q.person, limits::kMaxHits));
          } else if constexpr (std::is_same_v<Q, HealthRecordQuery>) {
            return single(store.get(member, RecordKind::healthRecord, q.recordRef));
          } else if constexpr (std::is_same_v<Q, JusticeRecordQuery>) {
            return single(store.get(member, RecordKind::justiceRecord, q.recordRef));
          } else {
            return std::vector<Record>{};  // not served: execute() refused it before any lookup
          }
        },
        request.query);
  }

  // Appends the audit entry of a request; the caller answers only with the receipt in hand. The
  // entry names who the signature established, and what the request claimed where that differs.
  Result<AuditReceipt> audit(store::AuditAnnouncement announced, const Outcome& outcome,
                             const Admission& admitted, const net::HttpRequest& http, const Digest& responseDigest,
                             std::string reason, std::optional<QueryKind> kindWhenUnknown = std::nullopt) {
    if (!admitted.auditInFull) return AuditReceipt{};  // counted in its source's folded entry
    AuditEntry entry;
    entry.recordedAt = services.clock();
    entry.queryDigest = admitted.digest;
    entry.decision = outcome.decision;
    entry.reason = std::move(reason);
    entry.responseDigest = responseDigest;
    for (const Hit& hit : outcome.hits) entry.recordRefs.push_back(hit.recordRef);
    if (admitted.request) {
      if (const auto* manifest = std::get_if<ScreenManifestQuery>(&admitted.request->query)) {
        entry.manifestDigest = manifest->manifestDigest;
        entry.travellers = static_cast<uint32_t>(manifest->travellers.size());
      }
    }
    entry.queryKind = kindWhenUnknown;
    entry.remoteAddress = net::addressOf(http.remote);
    entry.peerPin = http.peerPin.value_or("");
    recordIdentity(entry, admitted);
    return services.audit.append(entry, std::move(announced));
  }

  // The identity fields of an entry: the verified signer's, with the request's claims kept apart
  // where they differ, so a request signed by one officer that names another is logged as the
  // officer who signed it.
  void recordIdentity(AuditEntry& entry, const Admission& admitted) const {
    const Request* request = admitted.request ? &*admitted.request : nullptr;
    if (request != nullptr) {
      entry.queryKind = kindOf(request->query);
      entry.purpose = request->officer.purpose;
      entry.caseReference = request->officer.caseReference;
    }
    const Signer* signer = admitted.signer;
    if (signer == nullptr) {
      // No key verified the request; what it says about itself is only a claim.
      if (request != nullptr) {
        entry.claimedRequester = request->requester;
        entry.claimedOfficer = request->officer.pseudonym;
        entry.claimedRole = request->officer.role;
      }
      return;
    }
    entry.requester = signer->member;
    if (signer->kind == Signer::Kind::officer) {
      entry.signer = "officer:" + signer->pseudonym;
      entry.officerPseudonym = signer->pseudonym;
      entry.role = signer->role;
    } else {
      // A partner vouches for its own officers: pseudonym and role are its statement.
      entry.signer = "member:" + signer->member;
      if (request != nullptr) {
        entry.officerPseudonym = request->officer.pseudonym;
        entry.role = request->officer.role;
        entry.onBehalfOf = request->onBehalfOf;  // the partner's officer's own request
      }
    }
    if (request == nullptr) return;
    if (request->requester != entry.requester) entry.claimedRequester = request->requester;
    if (request->officer.pseudonym != entry.officerPseudonym) entry.claimedOfficer = request->officer.pseudonym;
    if (entry.role != request->officer.role) entry.claimedRole = request->officer.role;
  }

  void logRequest(const std::string& kindLabel, const Outcome& outcome, const Admission& admitted,
                  const AuditReceipt& receipt, std::chrono::microseconds latency) {
    const Request* request = admitted.request ? &*admitted.request : nullptr;
    services.metrics.recordRequest(kindLabel, name(outcome.decision), latency, touchesFirewalled(request));
    if (!admitted.auditInFull) return;  // folded: a flood must not grow the log either
    services.log.write("info", "request",
                       {{"kind", kindLabel},
                        {"decision", name(outcome.decision)},
                        {"status", name(outcome.status)},
                        {"requester", request != nullptr ? std::string_view(request->requester) : std::string_view()},
                        {"hits", static_cast<int64_t>(outcome.hits.size())},
                        {"audit_index", static_cast<int64_t>(receipt.leafIndex)},
                        {"latency_ms", static_cast<double>(latency.count()) / 1000.0}});
  }

  net::HttpResponse auditFailed(const std::string& kindLabel, const Admission& admitted,
                                std::chrono::microseconds latency) {
    services.metrics.recordRequest(kindLabel, "audit-failed", latency,
                                   touchesFirewalled(admitted.request ? &*admitted.request : nullptr));
    services.log.write("error", "audit-append-failed", {{"kind", kindLabel}});
    return net::HttpResponse{503, "text/plain", {}};  // fail closed: nothing leaves unaudited
  }

  // The latest signed tree head, and proof that it extends the head the requester already holds,
  // so partners can keep the node to its history (a fork is evidence).
  void attachTreeHead(Response& response, const Request* request) {
    auto latest = services.transparency.latestHead();
    if (!latest) return;
    response.treeHead = std::move(latest->signedEnvelope);
    const uint64_t known = request != nullptr ? request->knownTreeSize : 0;
    if (known > 0 && known < latest->head.treeSize) {
      if (auto proof = services.transparency.consistencyProof(known, latest->head.treeSize)) {
        response.consistency = std::move(*proof);
      }
    }
  }

  net::HttpResponse answer(store::AuditAnnouncement announced, const Outcome& outcome,
                           const Admission& admitted, const net::HttpRequest& http,
                           std::chrono::steady_clock::time_point started) {
    const Request* request = admitted.request ? &*admitted.request : nullptr;
    const std::string& kindLabel = admitted.kindLabel;
    Response response;
    response.requestDigest = admitted.digest;
    response.responder = config.member;
    response.status = outcome.status;
    response.reason = outcome.status == ResponseStatus::ok ? std::string() : outcome.publicReason;
    response.hits = outcome.hits;
    response.withheld = outcome.withheld;
    response.statistics = outcome.statistics;
    // The audit entry commits to the answer itself; the receipt, tree head and proof added after
    // it say where the answer sits in the log and cannot be part of what the log records.
    const Digest responseDigest = crypto::sha256(encodeResponse(response));
    auto receipt = audit(std::move(announced), outcome, admitted, http, responseDigest, outcome.auditReason);
    const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
    if (!receipt) return auditFailed(kindLabel, admitted, latency);
    response.receipt = *receipt;
    attachTreeHead(response, request);
    auto sealed = crypto::sealEnvelope(MessageType::response, encodeResponse(response), services.nodeKey);
    logRequest(kindLabel, outcome, admitted, *receipt, latency);
    net::HttpResponse answered{httpStatusOf(outcome.status), "application/x-liaison-envelope", std::move(sealed)};
    answered.authenticated = admitted.authenticated;
    if (outcome.retryAfter.count() > 0) throttled(answered, outcome.retryAfter);
    return answered;
  }

  // What a node does with partners in a request beyond answering it: an officer's request may ask
  // them through this node; a partner's may not (it would be forwarded twice).
  Outcome checkForwarding(const Signer& signer, const Request& request) {
    if (signer.kind == Signer::Kind::peer && asksPartners(request)) {
      return refused("requests from partners are answered here and never forwarded to other partners");
    }
    if (signer.kind == Signer::Kind::officer && request.onBehalfOf) {
      return invalid("only a partner's node sends requests on behalf of an officer");
    }
    if (asksPartners(request) && request.officer.role == Role::auditor) {
      return refused(policy::kNotPermitted, "auditors read their own node's log and ask no partner");
    }
    return passed();
  }

  // The partners this officer may ask for this request: those named (or all) that this node can
  // call and the outbound policy permits; the others are left out of the answer altogether and
  // named to the auditor only, in `because`.
  std::vector<std::string> partnersToAsk(const Request& request, std::vector<std::string>& because) {
    if (services.federation == nullptr) {
      because.push_back("this node asks no partner (no [[peer]] endpoint or directory)");
      return {};
    }
    const std::vector<std::string> callable = services.federation->partners();
    const std::vector<std::string> named = request.allPartners ? callable : request.partners;
    const auto compartments = policy::compartmentsTouched(request.query);
    std::vector<std::string> asked;
    for (const std::string& partner : named) {
      if (!contains(callable, partner)) {
        because.push_back(partner.substr(0, 64) + ": not a partner this node can call");
        continue;
      }
      policy::OutboundQuestion question{request.officer.role, request.officer.purpose, kindOf(request.query), partner,
                                        compartments};
      policy::OutboundDecision decision = policy::decideOutbound(question, services.policy);
      because.push_back(partner + ": " + (decision.permitted ? "asked" : "not asked") + " by " +
                        join(decision.because, ", "));
      if (decision.permitted) asked.push_back(partner);
    }
    return asked;
  }

  // The forwarded request's own entry, with what the partner made of it: appended before the
  // partner's answer leaves, as for any answer.
  Result<AuditReceipt> auditForwarded(const Request& request, const Digest& officerDigest, const ForwardedAnswer& forwarded,
                                      const net::HttpRequest& http) {
    const client::PartnerReply& reply = forwarded.reply;
    AuditEntry entry;
    entry.recordedAt = services.clock();
    entry.requester = config.member;
    entry.signer = "officer:" + request.officer.pseudonym;
    entry.officerPseudonym = request.officer.pseudonym;
    entry.role = request.officer.role;
    entry.purpose = request.officer.purpose;
    entry.caseReference = request.officer.caseReference;
    entry.queryKind = kindOf(request.query);
    entry.queryDigest = forwarded.forwardedDigest;
    entry.onBehalfOf = officerDigest;
    entry.partner = forwarded.partner;
    entry.decision = Decision::permitted;
    entry.reason = "forwarded to " + forwarded.partner + ": " + std::string(name(reply.status));
    if (!reply.detail.empty()) entry.reason += ": " + reply.detail.substr(0, 1024);
    if (reply.response) {
      const AuditReceipt& theirs = reply.response->receipt;
      entry.reason += "; partner receipt " + theirs.logId + ":" + std::to_string(theirs.leafIndex) + ":" +
                      crypto::hex(theirs.leafHash);
      for (const Hit& hit : reply.response->hits) entry.recordRefs.push_back(hit.recordRef);
    }
    if (!reply.responseEnvelope.empty()) entry.responseDigest = crypto::sha256(reply.responseEnvelope);
    entry.remoteAddress = net::addressOf(http.remote);
    entry.peerPin = http.peerPin.value_or("");
    return services.audit.append(entry);
  }

  net::HttpResponse federate(store::AuditAnnouncement announced, const Admission& admitted, const net::HttpRequest& http,
                             std::chrono::steady_clock::time_point started);

  // Answers an auditor-API GET with `outcome` (a refusal, or the read served) after auditing it.
  net::HttpResponse answerAuditRead(const Outcome& outcome, const Admission& admitted, const net::HttpRequest& http,
                                    AuditReadAnswer served, std::chrono::steady_clock::time_point started) {
    const std::string kindLabel(name(QueryKind::auditRead));
    const Request* request = admitted.request ? &*admitted.request : nullptr;
    const std::string& target = http.target;
    if (outcome.status != ResponseStatus::ok) {
      served.status = request == nullptr && outcome.decision == Decision::refused ? 401 : httpStatusOf(outcome.status);
      served.contentType = "text/plain";
      const std::string text = outcome.publicReason + "\n";
      served.body.assign(text.begin(), text.end());
    }
    std::string reason = "read " + target.substr(0, 512);
    if (outcome.status != ResponseStatus::ok) reason += ": " + outcome.auditReason;
    if (!served.note.empty()) reason += ": " + served.note;
    Outcome audited = outcome;
    if (outcome.status == ResponseStatus::ok && served.status >= 400) audited.decision = Decision::invalid;
    // A read whose request could not be decoded is still known to be a read of the audit log.
    // Audit reads are rare and some are long (an entries page): they are not announced, so no
    // batch waits on them.
    auto receipt = audit({}, audited, admitted, http, crypto::sha256(served.body), std::move(reason),
                         QueryKind::auditRead);
    const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
    if (!receipt) return auditFailed(kindLabel, admitted, latency);
    logRequest(kindLabel, audited, admitted, *receipt, latency);
    net::HttpResponse response{served.status, served.contentType, std::move(served.body)};
    response.authenticated = admitted.authenticated;
    if (admitted.auditInFull) {
      response.headers.emplace_back("Liaison-Audit-Receipt", receipt->logId + ":" + std::to_string(receipt->leafIndex) +
                                                                 ":" + crypto::hex(receipt->leafHash));
    }
    return response;
  }
};

QueryPipeline::QueryPipeline(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
QueryPipeline::~QueryPipeline() = default;

Result<std::unique_ptr<QueryPipeline>> QueryPipeline::create(const NodeConfig& config, PipelineServices services) {
  auto impl = std::unique_ptr<Impl>(new Impl{config, std::move(services)});
  // One key signs for one identity: a key under two names would sign as either.
  std::map<std::string, std::string> registeredBy;  // key id -> "officer 'x' (line N)"
  auto registerKey = [&](const std::filesystem::path& path, const std::string& label, const std::string& whose,
                         int line) -> Status {
    const std::string where = config.file.string() + ":" + std::to_string(line) + ": " + whose;
    auto key = crypto::loadPublicKey(path);
    if (!key) return fail(key.error().kind, where + ": " + key.error().message);
    auto [it, fresh] = registeredBy.emplace(key->id().hex(), whose + " (line " + std::to_string(line) + ")");
    if (!fresh) {
      return fail(ErrorKind::invalidInput, where + ": its signing key " + path.string() + " is also the key of " +
                                               it->second + "; one key signs for one identity only");
    }
    if (auto added = impl->configured.keys.add(*key, label); !added) return fail(added.error().kind, where + ": " + added.error().message);
    return {};
  };
  for (const OfficerConfig& officer : config.officers) {
    std::string label = "officer:" + officer.pseudonym;
    if (Status ok = registerKey(officer.publicKey, label, "officer '" + officer.pseudonym + "'", officer.line); !ok) {
      return ok.error();
    }
    impl->configured.signers.emplace(label, Signer{Signer::Kind::officer, config.member, officer.pseudonym,
                                                   officer.role, {}, officer.purposes, {}});
  }
  for (const PeerConfig& peer : config.peers) {
    std::string label = "member:" + peer.member;
    if (Status ok = registerKey(peer.signingPublicKey, label, "partner '" + peer.member + "'", peer.line); !ok) {
      return ok.error();
    }
    impl->configured.signers.emplace(label, Signer{Signer::Kind::peer, peer.member, {}, Role::border, peer.roles,
                                                   peer.purposes, {PinnedCertificate{peer.tlsPin, {}}}});
  }
  impl->trust = std::make_shared<const Trust>(impl->configured);
  return std::unique_ptr<QueryPipeline>(new QueryPipeline(std::move(impl)));
}

Status QueryPipeline::useDirectory(const client::TrustedDirectory& directory) {
  const NodeConfig& config = impl_->config;
  auto next = std::make_shared<Trust>(impl_->configured);
  const std::string listedIn = "directory serial " + std::to_string(directory->serial);
  auto at = [&](int line) { return config.file.string() + ":" + std::to_string(line); };
  for (const DirectoryMember& member : directory->members) {
    if (member.member == config.member) continue;  // this node itself: a node does not peer with itself
    const std::string whose = listedIn + " lists member " + member.member;
    for (const PeerConfig& peer : config.peers) {
      if (peer.member == member.member) {
        return fail(ErrorKind::conflict, whose + ", which " + at(peer.line) +
                                             " pins as a [[peer]]: a partner is pinned by hand or listed in the "
                                             "directory, not both; remove one of the two");
      }
      for (const DirectoryPin& pin : member.tlsPins) {
        if (net::pinsEqual(pin.pin, peer.tlsPin)) {
          return fail(ErrorKind::conflict, whose + " with TLS pin " + pin.pin + ", which " + at(peer.line) +
                                               " pins for partner '" + peer.member +
                                               "': one certificate identifies one partner only");
        }
      }
    }
    const std::string label = "member:" + member.member;
    Signer signer{Signer::Kind::peer, member.member, {}, Role::border, member.roles, member.purposes, {}};
    signer.listedIn = listedIn;
    signer.listedUntil = directory->expiresAt;
    for (const DirectoryKey& listed : member.signingKeys) {
      auto key = crypto::PublicKey::fromBytes(listed.publicKey);
      if (!key) return fail(ErrorKind::invalidInput, whose + " with an invalid signing key");  // the rules refuse it
      if (Status added = next->keys.add(*key, label); !added) {
        return fail(ErrorKind::conflict, whose + " with signing key " + key->id().hex() + ", which this node already trusts: " +
                                             added.error().message + "; one key signs for one identity only");
      }
      signer.keyPeriods.emplace(key->id().hex(), Period{listed.notBefore, listed.notAfter});
    }
    for (const DirectoryPin& pin : member.tlsPins) {
      signer.tlsPins.push_back(PinnedCertificate{pin.pin, Period{pin.notBefore, pin.notAfter}});
    }
    next->signers.emplace(label, std::move(signer));
  }
  std::lock_guard lock(impl_->trustMutex);
  impl_->trust = std::move(next);
  return {};
}

// Steps 1 and 2 for any signed request: the signature over the exact bytes before they are
// parsed, then who it is and whether it is fresh and new. `check` runs between authentication and
// the replay claim, for what a particular endpoint demands of the request.
QueryPipeline::Impl::Admission QueryPipeline::Impl::admit(std::span<const uint8_t> bytes, const net::HttpRequest& http,
                                                          const std::function<Outcome(const Signer&, const Request&)>& check) {
  Admission a;
  a.trust = currentTrust();
  a.digest = crypto::sha256(bytes);
  if (bytes.empty()) {
    a.outcome = invalid("empty body");
    a.unvouched = FailureKind::malformed;
    return a;
  }
  auto envelope = crypto::openEnvelope(bytes, MessageType::request, a.trust->keys);
  if (!envelope) {
    const Error& e = envelope.error();
    a.kindLabel = "unauthenticated";
    if (e.kind == ErrorKind::invalidInput) {
      a.kindLabel = "malformed";
      a.outcome = invalid(e.message);
      a.unvouched = FailureKind::malformed;
    } else if (e.message.rfind("unknown signing key", 0) == 0) {
      // Nothing about the requester is trusted yet; the TLS layer is the only hint of who it is.
      a.outcome = http.peerPin ? refused("unknown member: signing key and certificate are not pinned for any partner")
                               : refused("unknown officer: signing key is not registered");
      a.unvouched = FailureKind::unknownKey;
    } else {
      a.outcome = refused(e.message);
      a.unvouched = FailureKind::badSignature;
    }
    return a;
  }
  a.digest = crypto::sha256(envelope->value().body);
  if (auto it = a.trust->signers.find(envelope->owner()); it != a.trust->signers.end()) a.signer = &it->second;
  auto request = decodeRequest(envelope->value().body);
  if (!request) {
    a.outcome = invalid(request.error().message);
    return a;
  }
  a.request = std::move(*request);
  a.kindLabel = std::string(name(kindOf(a.request->query)));
  a.outcome = authenticate(*a.trust, *envelope, *a.request, http);
  if (a.outcome.status != ResponseStatus::ok) {
    // A partner's signature over a connection without its certificate: someone else's replay.
    if (a.signer == nullptr || (a.signer->kind == Signer::Kind::peer && !presentsCertificateOf(http, *a.signer))) {
      a.unvouched = FailureKind::notAuthenticated;
    }
    return a;
  }
  a.authenticated = true;
  if (check) {
    a.outcome = check(*a.signer, *a.request);
    if (a.outcome.status != ResponseStatus::ok) return a;
  }
  a.outcome = checkFreshness(*a.request, services.clock());
  return a;
}

net::HttpResponse QueryPipeline::handle(const net::HttpRequest& http) {
  const auto started = std::chrono::steady_clock::now();
  Impl& p = *impl_;
  if (auto refusal = p.refuseOverBudget(http)) return std::move(*refusal);
  // Every request is audited, so its append is on its way from now: a busy node's writer waits
  // for it to share a transaction.
  auto announced = p.services.audit.announce();
  Impl::Admission a = p.admit(http.body, http, [&p](const Signer& signer, const Request& request) {
    Outcome limited = p.rateLimit(signer);
    return limited.status == ResponseStatus::ok ? p.screeningLimit(signer, request) : limited;
  });
  p.countFailure(a, http.remote, http.peerPin);
  if (a.outcome.status != ResponseStatus::ok) return p.answer(std::move(announced), a.outcome, a, http, started);
  if (Outcome forwarding = p.checkForwarding(*a.signer, *a.request); forwarding.status != ResponseStatus::ok) {
    return p.answer(std::move(announced), forwarding, a, http, started);
  }
  if (asksPartners(*a.request)) return p.federate(std::move(announced), a, http, started);
  // 3-5. Decide, execute through the store, mask. 6. Audit, then answer.
  return p.answer(std::move(announced), p.execute(*a.request), a, http, started);
}


net::HttpResponse QueryPipeline::Impl::federate(store::AuditAnnouncement announced, const Admission& admitted,
                                                const net::HttpRequest& http,
                                                std::chrono::steady_clock::time_point started) {
  const Request& request = *admitted.request;
  std::vector<std::string> because;
  std::vector<std::string> asked = partnersToAsk(request, because);
  const std::string forwarding =
      "forwarded to " + (asked.empty() ? std::string("no partner") : join(asked, ", ")) + " (" + join(because, "; ") + ")";
  if (asked.empty() && !request.alsoLocal) {
    // Nothing leaves: the same refusal whatever the reason, the reasons for the auditor.
    return answer(std::move(announced), refused(policy::kNotPermitted, "no partner may be asked: " + join(because, "; ")),
                  admitted, http, started);
  }
  // The officer's entry first, with the own node's answer when asked for; nothing is forwarded
  // before it is in the log.
  std::optional<std::vector<uint8_t>> local;
  if (request.alsoLocal) {
    Outcome outcome = execute(request);
    outcome.auditReason = "local: " + outcome.auditReason + "; " + forwarding;
    net::HttpResponse localAnswer = answer(std::move(announced), outcome, admitted, http, started);
    if (localAnswer.status == 503) return localAnswer;
    local = std::move(localAnswer.body);
  } else {
    Outcome outcome = passed();
    outcome.auditReason = forwarding;
    auto receipt = audit(std::move(announced), outcome, admitted, http, Digest{}, forwarding);
    const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
    if (!receipt) return auditFailed(admitted.kindLabel, admitted, latency);
    logRequest(admitted.kindLabel, outcome, admitted, *receipt, latency);
  }
  net::HttpResponse streamed{200, "application/x-liaison-stream", {}};
  streamed.authenticated = true;
  streamed.stream = [this, request, digest = admitted.digest, asked = std::move(asked), local = std::move(local),
                     http](const net::ChunkSink& sink) {
    bool open = true;
    auto emit = [&](FederationPart part, std::vector<uint8_t> forwardedRequest, std::vector<uint8_t> response) {
      if (!open) return;
      FederationFrame frame{crypto::sealEnvelope(MessageType::federationPart, encodeFederationPart(part), services.nodeKey),
                            std::move(forwardedRequest), std::move(response)};
      open = sink(encodeFramedFederationFrame(frame));
    };
    if (local) emit(FederationPart{digest, LocalPart{}}, {}, *local);
    FederationSummary summary;
    // Each forwarded request's entry is appended on the thread its answer arrived on, so answers
    // that come together share a commit; every one is audited, also when the officer has gone.
    auto settle = [&](ForwardedAnswer& forwarded) {
      auto receipt = auditForwarded(request, digest, forwarded, http);
      if (receipt) forwarded.receipt = *receipt;
    };
    services.federation->forward(request, digest, asked, settle, [&](ForwardedAnswer forwarded) {
      // What could not be audited does not leave, and nothing after it does either.
      services.log.write(forwarded.receipt ? "info" : "error", "partner-answer",
                         {{"partner", forwarded.partner},
                          {"status", name(forwarded.reply.status)},
                          {"audit_index", forwarded.receipt ? static_cast<int64_t>(forwarded.receipt->leafIndex) : int64_t{-1}}});
      if (!forwarded.receipt) {
        open = false;
        return;
      }
      summary.partners.emplace_back(forwarded.partner, forwarded.reply.status);
      const Digest responseDigest =
          forwarded.reply.responseEnvelope.empty() ? Digest{} : crypto::sha256(forwarded.reply.responseEnvelope);
      PartnerAnswer part{forwarded.partner,         forwarded.reply.status, forwarded.reply.detail.substr(0, limits::kPartnerDetailBytes),
                         forwarded.forwardedDigest, responseDigest,         *forwarded.receipt};
      emit(FederationPart{digest, std::move(part)}, std::move(forwarded.forwardedEnvelope),
           std::move(forwarded.reply.responseEnvelope));
    });
    emit(FederationPart{digest, std::move(summary)}, {}, {});
  };
  return streamed;
}

net::HttpResponse QueryPipeline::handleAuditRead(const net::HttpRequest& http, const AuditReadServer& serve) {
  const auto started = std::chrono::steady_clock::now();
  Impl& p = *impl_;
  if (auto refusal = p.refuseOverBudget(http)) return std::move(*refusal);
  Impl::Admission unread;
  unread.digest = crypto::sha256({});
  unread.unvouched = FailureKind::unsignedRead;
  if (http.signedRequest.empty()) {
    p.countFailure(unread, http.remote, http.peerPin);
    return p.answerAuditRead(
        refused("audit reads must be signed: send the signed request in the Liaison-Request header"), unread, http,
        {}, started);
  }
  auto bytes = crypto::fromBase64(http.signedRequest, crypto::kMaxEnvelopeBytes);
  if (!bytes) {
    p.countFailure(unread, http.remote, http.peerPin);
    return p.answerAuditRead(invalid("Liaison-Request header is not padded standard base64 of a signed request"),
                             unread, http, {}, started);
  }
  Impl::Admission a = p.admit(*bytes, http, [&](const Signer& signer, const Request& request) {
    const auto* read = std::get_if<AuditReadQuery>(&request.query);
    if (read == nullptr) return invalid("the Liaison-Request header must carry an audit-read query");
    if (read->target != http.target) {
      return refused("the signed request authorises a read of '" + read->target.substr(0, 256) + "', not this one");
    }
    if (signer.kind != Signer::Kind::officer || request.officer.role != Role::auditor) {
      return refused(policy::kNotPermitted, "audit log reads are reserved to this node's auditors");
    }
    return passed();
  });
  p.countFailure(a, http.remote, http.peerPin);
  if (a.outcome.status != ResponseStatus::ok) return p.answerAuditRead(a.outcome, a, http, {}, started);
  return p.answerAuditRead(a.outcome, a, http, serve(http.target), started);
}

void QueryPipeline::auditRejected(const net::RejectedRequest& rejected) {
  Impl::Admission counted;
  counted.unvouched = rejected.status == 413   ? FailureKind::bodyTooLarge
                      : rejected.status == 431 ? FailureKind::headerTooLarge
                                               : FailureKind::badHttp;
  impl_->countFailure(counted, rejected.remote, rejected.peerPin);
  const Decision decision = rejected.status == 400 ? Decision::invalid : Decision::refused;
  impl_->services.metrics.recordRequest("rejected", name(decision), std::chrono::microseconds(0));
  if (!counted.auditInFull) return;  // counted in its source's folded entry
  std::string reason = rejected.text;
  while (!reason.empty() && reason.back() == '\n') reason.pop_back();
  AuditEntry entry;
  entry.recordedAt = impl_->services.clock();
  entry.remoteAddress = net::addressOf(rejected.remote);
  entry.peerPin = rejected.peerPin.value_or("");
  entry.decision = decision;
  entry.reason = reason + " (HTTP " + std::to_string(rejected.status) + ")";
  const bool audited = impl_->services.audit.append(entry).ok();
  impl_->services.log.write(audited ? "info" : "error", "request-rejected",
                            {{"status", static_cast<int64_t>(rejected.status)}, {"audited", audited}});
}

void QueryPipeline::writeFoldedFailures(bool all) { impl_->writeFolded(impl_->admission.takeFolded(all)); }

}  // namespace liaison::node
