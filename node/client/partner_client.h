// How an officer's own node calls one partner node for a federated request: over pooled, kept-alive
// mutual-TLS connections to the partner's pinned key, and with every answer checked before anyone
// sees it (signature under a key valid for the partner now, the request digest, and the partner's
// audit tree head against the heads kept for it). What came back is classified as one status of a
// federated answer (PartnerStatus); nothing here throws or blocks past the call's timeout.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "crypto/keys.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::client {

/// A signing key of a partner, trusted within its period (a [[peer]] key: always).
struct PartnerKey {
  crypto::PublicKey key;
  Timestamp notBefore = Timestamp::min();
  Timestamp notAfter = Timestamp::max();
};

/// A partner node as the own node calls it: a [[peer]] entry with an endpoint, or a directory member.
struct PartnerNode {
  std::string member;
  std::string endpoint;   ///< https://host:port[/prefix]
  std::string serverPin;  ///< SPKI pin of the partner node's TLS key
  std::vector<PartnerKey> keys;
};

/// Whom the own node presents itself as, and how long one call may take.
struct PartnerCallOptions {
  std::filesystem::path tlsCertificate;  ///< the node's own certificate, presented as client certificate
  std::filesystem::path tlsKey;
  std::chrono::milliseconds timeout{3'000};
  /// Where the partners' tree heads are kept (one folder per partner key); empty: in memory only.
  std::filesystem::path stateDir;
  size_t maxIdleConnections = 8;
};

/// What became of one forwarded request.
struct PartnerReply {
  PartnerStatus status = PartnerStatus::unreachable;
  std::string detail;                      ///< why, for every status but answered
  std::vector<uint8_t> responseEnvelope;   ///< as received when the partner signed anything; else empty
  std::optional<Response> response;        ///< the decoded answer, when its signature verified
};

/// One partner. Thread-safe: parallel calls use separate pooled connections.
class PartnerClient {
 public:
  /// Fails (invalidInput) on a bad endpoint, naming the partner.
  static Result<std::unique_ptr<PartnerClient>> create(PartnerNode partner, const PartnerCallOptions& options);
  ~PartnerClient();

  const PartnerNode& partner() const;

  /// The size of the newest tree head kept for the partner: what a forwarded request tells it.
  uint64_t knownTreeSize() const;

  /// Posts `envelope` (a request signed by the own node, whose body has digest `forwardedDigest` and
  /// tells the partner `knownTreeSize`) and checks the answer at `now`. A connection that failed
  /// is never reused.
  PartnerReply call(std::span<const uint8_t> envelope, const Digest& forwardedDigest, uint64_t knownTreeSize,
                    Timestamp now);

  /// TLS handshakes made with this partner so far (kept-alive connections make one each).
  uint64_t handshakes() const;

  /// Whether `other` describes the same partner at the same endpoint with the same credentials, so
  /// its pooled connections may be kept when a directory is replaced.
  bool sameAs(const PartnerNode& other) const;

 private:
  struct Impl;
  explicit PartnerClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace liaison::client
