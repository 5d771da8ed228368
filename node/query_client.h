// The client side of the protocol: build and sign a request as an officer (or as a partner node),
// send it over pinned TLS, and verify the signed answer before anyone sees it.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "node/config.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::node {

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

/// Talks to one node as one identity. Not thread-safe: one client per thread.
class QueryClient {
 public:
  /// Loads the signing key, the node's public key and (if configured) the TLS client identity.
  static Result<std::unique_ptr<QueryClient>> create(const ClientConfig& config, const std::string& nodeUrl);
  ~QueryClient();

  /// Signs `query` and sends it; the answer is verified before it is returned.
  Result<QueryAnswer> send(const Query& query, const QueryOptions& options);

  /// A signed request envelope, not sent (load generators pre-sign, tests tamper).
  std::vector<uint8_t> seal(const Query& query, const QueryOptions& options, Timestamp issuedAt) const;

  /// Sends prepared envelope bytes and verifies the answer against `sent` (the envelope's body).
  Result<QueryAnswer> sendSealed(const std::vector<uint8_t>& envelope);

  /// GET a path of the node (e.g. /v1/health); returns status and body.
  Result<std::pair<unsigned, std::string>> get(const std::string& path);

 private:
  struct Impl;
  explicit QueryClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace liaison::node
