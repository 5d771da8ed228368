// The client side of the protocol: build and sign a request as an officer (or as a partner node),
// send it over pinned TLS, and verify the signed answer before anyone sees it.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "node/client/client_config.h"
#include "node/net/http_message.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::client {

class TreeHeadStore;

/// Per-request choices; the rest comes from the client configuration.
struct QueryOptions {
  std::string purpose;        ///< empty: the configuration's default purpose
  std::string caseReference;  ///< needed for details (get-record)
  std::chrono::seconds validity{120};
};

/// A verified answer: the response's signature checked against the node's key, and its request
/// digest equal to the digest of the request we sent.
struct QueryAnswer {
  unsigned httpStatus = 0;
  Response response;
};

/// Whom a federated request asks, beside or instead of the own node.
struct FederatedTargets {
  std::vector<std::string> partners;  ///< member ids; empty with `all` false: none (a local query)
  bool all = false;                   ///< every partner the node's outbound policy lets this officer ask
  bool local = false;                 ///< the own node answers as well
};

/// One part of a federated answer, checked by the client before it is handed over.
struct FederatedPart {
  enum class Kind { local, partner, summary } kind = Kind::partner;
  std::string partner;  ///< partner parts: the partner's member id
  PartnerStatus status = PartnerStatus::invalid;
  std::string detail;  ///< why, for every status but answered
  /// The local answer (the own node's), or the partner's own signed answer, verified by this client
  /// with the partner's key; none when there was none or it could not be verified (see detail).
  std::optional<Response> response;
  AuditReceipt receipt;  ///< partner parts: the own node's entry of the forwarded request
  std::vector<std::pair<std::string, PartnerStatus>> summary;  ///< the summary: every partner asked
};

/// Talks to one node as one identity. Not thread-safe: one client per thread.
class QueryClient {
 public:
  /// The default bound on the body of any answer the client takes.
  static constexpr size_t kDefaultMaxResponseBytes = size_t{8} << 20;

  /// Loads the signing key, the node's public key and (if configured) the TLS client identity.
  /// An answer whose body is longer than `maxResponseBytes` is an ErrorKind::invalidInput.
  static Result<std::unique_ptr<QueryClient>> create(const ClientConfig& config, const std::string& nodeUrl,
                                                     size_t maxResponseBytes = kDefaultMaxResponseBytes);
  ~QueryClient();

  /// Signs `query` and sends it; the answer is verified before it is returned: its signature, its
  /// request digest, and its audit tree head, which must extend the last head this client kept
  /// for the node (the request tells the node that head's size, and the answer carries a
  /// consistency proof). A head that does not is a fork: ErrorKind::conflict, with both heads
  /// saved as evidence in the state folder.
  Result<QueryAnswer> send(const Query& query, const QueryOptions& options);

  /// A signed request envelope, not sent (load generators pre-sign, tests tamper).
  std::vector<uint8_t> seal(const Query& query, const QueryOptions& options, Timestamp issuedAt) const;
  std::vector<uint8_t> seal(const Query& query, const QueryOptions& options, const FederatedTargets& targets,
                            Timestamp issuedAt) const;

  /// Sends `query` to the own node for it to ask `targets`, and hands each part of the streamed
  /// answer to `onPart` as it arrives, once checked: every part signed by the node and for this
  /// request; each forwarded request signed by the node, for this officer's request and query; each
  /// partner's answer the bytes the node signed for, signed by the partner under a key this client
  /// knows for it (`[[partner]]` or the directory) and answering the forwarded request. A partner's
  /// answer that fails a check is handed over as `invalid`, without its content. When the node
  /// refuses the request as a whole, no part comes and the refusal is returned. Fails on a stream
  /// that breaks off or a part the node did not sign.
  Result<std::optional<QueryAnswer>> sendFederated(const Query& query, const QueryOptions& options,
                                                   const FederatedTargets& targets,
                                                   const std::function<void(const FederatedPart&)>& onPart);
  /// As sendFederated, for a sealed envelope (tests tamper).
  Result<std::optional<QueryAnswer>> sendFederatedSealed(const std::vector<uint8_t>& envelope,
                                                         const std::function<void(const FederatedPart&)>& onPart);

  /// Sends prepared envelope bytes and verifies the answer against `sent` (the envelope's body).
  Result<QueryAnswer> sendSealed(const std::vector<uint8_t>& envelope);

  /// GET a path of the node (e.g. /v1/health); returns status and body.
  Result<std::pair<unsigned, std::string>> get(const std::string& path);

  /// GET a path of the auditor API (e.g. /v1/audit/sth) with a freshly signed audit-read request
  /// for exactly that target in the `Liaison-Request` header. Returns the HTTP answer as it came,
  /// whatever its status (with the `Liaison-Audit-Receipt` header among its headers).
  Result<net::HttpResponse> getSigned(const std::string& path);

  /// The request envelope getSigned sends for `path`, not sent (tests tamper with it).
  std::vector<uint8_t> sealAuditRead(const std::string& path, Timestamp issuedAt) const;

  /// The tree heads this client keeps for the node (in the configuration's state folder).
  TreeHeadStore& treeHeads();
  /// Hex id of the node's signing key (names the node's folder of tree heads).
  const std::string& nodeKeyId() const;

  /// Opens a signed tree head (an encoded envelope of type treeHead) with the node's key.
  Result<TreeHead> openTreeHead(std::span<const uint8_t> envelope) const;

 private:
  struct Impl;
  explicit QueryClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace liaison::client
