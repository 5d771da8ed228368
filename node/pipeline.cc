#include "node/pipeline.h"

#include <map>

#include "adapters/audit_log.h"
#include "adapters/replay_guard.h"
#include "adapters/store.h"
#include "crypto/digest.h"
#include "crypto/envelope.h"
#include "node/json_log.h"
#include "node/metrics.h"
#include "node/tls_identity.h"
#include "policy/decide.h"
#include "policy/field_mask.h"
#include "policy/query_scope.h"
#include "schema/codec.h"

namespace liaison::node {
namespace {

// How far a requester's clock may run ahead of ours before a request counts as future-dated.
constexpr std::chrono::seconds kClockSkew{30};
// The most hits one answer carries; a partner never gets a bulk export through a query.
constexpr size_t kMaxHits = 100;

// Who signed a request, as configured.
struct Signer {
  enum class Kind { officer, peer } kind;
  std::string member;     // for an officer: this node's member
  std::string pseudonym;  // officers only
  Role role = Role::border;
  std::vector<std::string> purposes;
  std::string tlsPin;  // peers only
};

// The outcome of a request so far; every path ends in one of these, which is audited and answered.
struct Outcome {
  ResponseStatus status = ResponseStatus::invalid;
  Decision decision = Decision::invalid;
  std::string publicReason;  // what the requester is told
  std::string auditReason;   // what the auditor is told (may name rules and firewalls)
  std::vector<Hit> hits;
  std::vector<std::string> withheld;
};

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
    case QueryKind::justiceRecord: return true;
    case QueryKind::screenPerson:
    case QueryKind::screenManifest:
    case QueryKind::aggregateStatistics: return false;
  }
  return false;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : std::string(separator)) + p;
  return out;
}

}  // namespace

struct QueryPipeline::Impl {
  const NodeConfig& config;
  PipelineServices services;
  crypto::KeyRing keys;
  std::map<std::string, Signer> signers;  // by key ring owner label

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

  Outcome authenticate(const crypto::Verified<SignedEnvelope>& envelope, const Request& request,
                       const net::HttpRequest& http) {
    auto it = signers.find(envelope.owner());
    if (it == signers.end()) return refused("unknown signing key");  // a key ring entry without a signer: a bug
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
      if (std::find(signer.purposes.begin(), signer.purposes.end(), request.officer.purpose) == signer.purposes.end()) {
        return refused("officer " + signer.pseudonym + " is not registered for purpose '" +
                       request.officer.purpose.substr(0, 64) + "'");
      }
      return Outcome{ResponseStatus::ok, Decision::permitted, {}, {}, {}, {}};
    }
    if (request.requester != signer.member) {
      return refused("request names member '" + request.requester.substr(0, 64) + "' but is signed by member " +
                     signer.member);
    }
    if (!http.peerPin || !net::pinsEqual(*http.peerPin, signer.tlsPin)) {
      return refused("client certificate does not belong to member " + signer.member);
    }
    return Outcome{ResponseStatus::ok, Decision::permitted, {}, {}, {}, {}};
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
    return Outcome{ResponseStatus::ok, Decision::permitted, {}, {}, {}, {}};
  }

  // Runs the query for each compartment the policy permits, masking what it withholds.
  Outcome execute(const Request& request) {
    const QueryKind kind = kindOf(request.query);
    if (!servedHere(kind)) return invalid("query kind " + std::string(name(kind)) + " is not served by this node");
    std::vector<std::string> because;
    std::string publicRefusal = policy::kNotPermitted;
    Outcome outcome;
    outcome.status = ResponseStatus::ok;
    outcome.decision = Decision::permitted;
    bool anyPermitted = false;
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
      auto found = lookup(*pool->acquire(), request, compartment);
      if (!found) {
        if (found.error().kind == ErrorKind::notPermitted) {
          // The database refused what the policy allowed: the firewall held; say nothing more.
          services.log.write("error", "database-refused-permitted-query",
                             {{"kind", name(kind)}, {"compartment", name(compartment)}});
          return refused("not permitted", "database refused compartment " + std::string(name(compartment)));
        }
        Outcome o;
        o.status = ResponseStatus::error;
        o.decision = Decision::permitted;
        o.publicReason = "temporarily unavailable";
        o.auditReason = "store failure";
        return o;
      }
      for (Record& record : *found) {
        if (outcome.hits.size() >= kMaxHits) break;
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
            return toRecords(store.findMovements(member, q.documentNumber, q.person, kMaxHits));
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

  net::HttpResponse answer(const Outcome& outcome, const Digest& requestDigest, const Request* request,
                           const std::string& kindLabel, std::chrono::steady_clock::time_point started) {
    Response response;
    response.requestDigest = requestDigest;
    response.responder = config.member;
    response.status = outcome.status;
    response.reason = outcome.status == ResponseStatus::ok ? std::string() : outcome.publicReason;
    response.hits = outcome.hits;
    response.withheld = outcome.withheld;
    // The audit entry commits to the response without its receipt (the receipt points at the entry).
    const Digest responseDigest = crypto::sha256(encodeResponse(response));

    AuditEntry entry;
    entry.recordedAt = services.clock();
    entry.queryDigest = requestDigest;
    entry.decision = outcome.decision;
    entry.reason = outcome.auditReason;
    entry.responseDigest = responseDigest;
    for (const Hit& hit : outcome.hits) entry.recordRefs.push_back(hit.recordRef);
    if (request != nullptr) {
      entry.requester = request->requester;
      entry.officerPseudonym = request->officer.pseudonym;
      entry.role = request->officer.role;
      entry.purpose = request->officer.purpose;
      entry.caseReference = request->officer.caseReference;
      entry.queryKind = kindOf(request->query);
    }
    auto receipt = services.audit.append(entry);
    const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
    if (!receipt) {
      services.metrics.recordRequest(kindLabel, "audit-failed", latency);
      services.log.write("error", "audit-append-failed", {{"kind", kindLabel}});
      return net::HttpResponse{503, "text/plain", {}};  // fail closed: nothing leaves unaudited
    }
    response.receipt = *receipt;
    auto sealed = crypto::sealEnvelope(MessageType::response, encodeResponse(response), services.nodeKey);
    services.metrics.recordRequest(kindLabel, name(outcome.decision), latency);
    services.log.write("info", "request",
                       {{"kind", kindLabel},
                        {"decision", name(outcome.decision)},
                        {"status", name(outcome.status)},
                        {"requester", request != nullptr ? std::string_view(request->requester) : std::string_view()},
                        {"hits", static_cast<int64_t>(outcome.hits.size())},
                        {"audit_index", static_cast<int64_t>(receipt->leafIndex)},
                        {"latency_ms", static_cast<double>(latency.count()) / 1000.0}});
    return net::HttpResponse{httpStatusOf(outcome.status), "application/x-liaison-envelope", std::move(sealed)};
  }
};

QueryPipeline::QueryPipeline(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
QueryPipeline::~QueryPipeline() = default;

Result<std::unique_ptr<QueryPipeline>> QueryPipeline::create(const NodeConfig& config, PipelineServices services) {
  auto impl = std::unique_ptr<Impl>(new Impl{config, std::move(services), {}, {}});
  for (const OfficerConfig& officer : config.officers) {
    auto key = crypto::loadPublicKey(officer.publicKey);
    if (!key) return key.error();
    std::string label = "officer:" + officer.pseudonym;
    if (auto added = impl->keys.add(*key, label); !added) {
      return fail(added.error().kind, "officer " + officer.pseudonym + ": " + added.error().message);
    }
    impl->signers.emplace(label, Signer{Signer::Kind::officer, config.member, officer.pseudonym, officer.role,
                                        officer.purposes, {}});
  }
  for (const PeerConfig& peer : config.peers) {
    auto key = crypto::loadPublicKey(peer.signingPublicKey);
    if (!key) return key.error();
    std::string label = "member:" + peer.member;
    if (auto added = impl->keys.add(*key, label); !added) {
      return fail(added.error().kind, "peer " + peer.member + ": " + added.error().message);
    }
    impl->signers.emplace(label, Signer{Signer::Kind::peer, peer.member, {}, Role::border, {}, peer.tlsPin});
  }
  return std::unique_ptr<QueryPipeline>(new QueryPipeline(std::move(impl)));
}

net::HttpResponse QueryPipeline::handle(const net::HttpRequest& http) {
  const auto started = std::chrono::steady_clock::now();
  Impl& p = *impl_;
  const Digest rawDigest = crypto::sha256(http.body);
  if (http.body.empty()) return p.answer(invalid("empty body"), rawDigest, nullptr, "malformed", started);

  // 1. The signature over the exact body bytes, before the body is parsed.
  auto envelope = crypto::openEnvelope(http.body, MessageType::request, p.keys);
  if (!envelope) {
    const Error& e = envelope.error();
    if (e.kind == ErrorKind::invalidInput) return p.answer(invalid(e.message), rawDigest, nullptr, "malformed", started);
    if (e.message.rfind("unknown signing key", 0) == 0) {
      // Nothing about the requester is trusted yet; the TLS layer is the only hint of who it is.
      return p.answer(http.peerPin ? refused("unknown member: signing key and certificate are not pinned for any partner")
                                   : refused("unknown officer: signing key is not registered"),
                      rawDigest, nullptr, "unauthenticated", started);
    }
    return p.answer(refused(e.message), rawDigest, nullptr, "unauthenticated", started);
  }
  const Digest requestDigest = crypto::sha256(envelope->value().body);
  auto request = decodeRequest(envelope->value().body);
  if (!request) return p.answer(invalid(request.error().message), requestDigest, nullptr, "malformed", started);
  const std::string kindLabel(name(kindOf(request->query)));

  // 2. Who it is, and whether the request is fresh and new.
  if (Outcome o = p.authenticate(*envelope, *request, http); o.status != ResponseStatus::ok) {
    return p.answer(o, requestDigest, &*request, kindLabel, started);
  }
  if (Outcome o = p.checkFreshness(*request, p.services.clock()); o.status != ResponseStatus::ok) {
    return p.answer(o, requestDigest, &*request, kindLabel, started);
  }
  // 3-5. Decide, execute through the store, mask. 6. Audit, then answer.
  return p.answer(p.execute(*request), requestDigest, &*request, kindLabel, started);
}

void QueryPipeline::auditRejected(const net::RejectedRequest& rejected) {
  std::string reason = rejected.text;
  while (!reason.empty() && reason.back() == '\n') reason.pop_back();
  AuditEntry entry;
  entry.recordedAt = impl_->services.clock();
  entry.decision = rejected.status == 400 ? Decision::invalid : Decision::refused;
  entry.reason = reason + " (HTTP " + std::to_string(rejected.status) + ")";
  const bool audited = impl_->services.audit.append(entry).ok();
  impl_->services.metrics.recordRequest("rejected", name(entry.decision), std::chrono::microseconds(0));
  impl_->services.log.write(audited ? "info" : "error", "request-rejected",
                            {{"status", static_cast<int64_t>(rejected.status)}, {"audited", audited}});
}

}  // namespace liaison::node
