// The request pipeline of a node: verify, check freshness and replay, decide, execute, mask, sign,
// audit, answer. Transport-free: it takes the bytes and the TLS peer pin, and returns the bytes.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "node/config.h"
#include "node/net/http_message.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::client {
class TrustedDirectory;
}
namespace liaison::crypto {
class SecretKey;
}
namespace liaison::policy {
struct Policy;
}
namespace liaison::store {
class AuditSink;
class TransparencyLog;
class RecordStorePool;
class ReplayGuard;
class RequestStatisticsReader;
}  // namespace liaison::store

namespace liaison::node {

class Federation;
class ScreeningService;
class JsonLog;
class Metrics;

/// The wall clock, injectable so expiry and replay are testable without sleeping.
using Clock = std::function<Timestamp()>;

/// What the pipeline uses; every reference must outlive the pipeline.
struct PipelineServices {
  const policy::Policy& policy;
  store::RecordStorePool& enforcementStores;  ///< connected as liaison_enforcement
  store::RecordStorePool& healthStores;       ///< connected as liaison_health
  store::RecordStorePool& justiceStores;      ///< connected as liaison_justice
  store::ReplayGuard& replay;
  store::AuditSink& audit;  ///< the node's AuditLog
  const store::TransparencyLog& transparency;  ///< signed tree heads and proofs for responses
  const crypto::SecretKey& nodeKey;
  Metrics& metrics;
  JsonLog& log;
  Clock clock;
  /// Forwards officers' requests to partners (node/federation.h); null: this node asks no partner,
  /// and a request naming partners is refused.
  Federation* federation = nullptr;
  /// Screens persons and manifests (node/screening_service.h); null: screening is not served.
  ScreeningService* screening = nullptr;
  /// Reads the audit log for request statistics (as liaison_auditor); null: request counts are not served.
  store::RequestStatisticsReader* requestStatistics = nullptr;
};

/// What the auditor API answers to an authorised read; `note` goes into the read's audit entry.
struct AuditReadAnswer {
  unsigned status = 200;
  std::string contentType = "application/json";
  std::vector<uint8_t> body;
  std::string note;  ///< e.g. why a read was invalid; empty when it was served
};

/// Serves one authorised GET of the auditor API, given its exact target.
using AuditReadServer = std::function<AuditReadAnswer(const std::string& target)>;

/// Answers POST /v1/query. Thread-safe; called concurrently from the server's workers.
class QueryPipeline {
 public:
  /// Loads the officers' and peers' public keys named in `config`; fails naming an unreadable key.
  static Result<std::unique_ptr<QueryPipeline>> create(const NodeConfig& config, PipelineServices services);
  ~QueryPipeline();

  /// Runs the whole pipeline for one request. The answer is a signed response envelope (HTTP 200
  /// ok, 400 invalid, 403 refused, 429 over the requester's rate limit, 500 failed), or 503 with no
  /// response at all when the audit append failed: nothing leaves unaudited. A source past its
  /// failure budget gets a plain 429 before anything is checked (node/admission_control.h).
  ///
  /// An officer's request naming partners is federated: the outbound policy decides which of them
  /// the officer may ask (the others are not mentioned), the officer's entry is appended, and the
  /// answer is a stream (`application/x-liaison-stream`) of signed frames: the own node's answer
  /// when asked for, then each partner's as it arrives (forwarded request and partner's signed
  /// response verbatim, each audited before it leaves), then a summary. A partner's request
  /// naming partners is refused: nothing is ever forwarded twice.
  net::HttpResponse handle(const net::HttpRequest& request);

  /// Answers a GET of the auditor API (/v1/audit/...). The signed request travels base64-encoded
  /// in the `Liaison-Request` header and must carry an audit-read query naming this exact target.
  /// It is verified, checked for freshness and replay like a query; then only an officer of this
  /// node registered with the auditor role gets through, whatever the policy file says. Every
  /// read, served or refused, is audited before the answer leaves, and the answer carries the
  /// entry's receipt in a `Liaison-Audit-Receipt` header, `LOG:INDEX:LEAFHASH`.
  net::HttpResponse handleAuditRead(const net::HttpRequest& request, const AuditReadServer& serve);

  /// Makes the members of `directory` partners from the next request on, in place of those of the
  /// directory before (if any), each with its roles and purposes as a [[peer]] entry has them and its
  /// keys and certificates only within their periods; this node's own member is passed over. Refuses
  /// (conflict), leaving the partners as they were, a directory that lists a [[peer]] partner, a
  /// [[peer]]'s certificate, or a key this node already trusts, naming both.
  Status useDirectory(const client::TrustedDirectory& directory);

  /// Audits a request the transport refused before it reached the pipeline (e.g. 413): nothing
  /// about it is trusted, so the entry records only the refusal, its reason and its source; past
  /// the source's first failures of an interval it is folded like any unvouched failure.
  void auditRejected(const net::RejectedRequest& rejected);

  /// Appends the entries of failed unauthenticated requests folded per source (AdmissionControl)
  /// whose interval has ended; with `all`, of every count held, as the node stops.
  void writeFoldedFailures(bool all);

 private:
  struct Impl;
  explicit QueryPipeline(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace liaison::node
