// Federation, outbound: the officer's own node forwards one request to many partners at once, each
// copy signed with the member key and naming the officer's own request, over pooled mutual-TLS
// connections, in parallel and within one deadline. Which partners an officer may ask is decided
// before (policy/outbound.h) and what comes back is audited after (node/pipeline.cc); this module
// only sends, waits and checks.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "node/client/partner_client.h"
#include "schema/model.h"

namespace liaison::crypto {
class SecretKey;
}

namespace liaison::node {

/// What one partner made of a forwarded request, ready to be audited and streamed.
struct ForwardedAnswer {
  std::string partner;
  std::vector<uint8_t> forwardedEnvelope;  ///< the signed request sent
  Digest forwardedDigest{};                ///< of its body: the digest the partner answers
  client::PartnerReply reply;
  /// Set by the caller's `settle` (Federation::forward): the forwarded request's audit receipt;
  /// nullopt after `settle` ran when the append failed.
  std::optional<AuditReceipt> receipt;
};

struct FederationOptions {
  /// The whole federated answer: partners that have not answered by then are timed out.
  std::chrono::milliseconds deadline{3'000};
  /// Calls in flight at once over all federated requests; more wait for a free thread.
  size_t threads = 32;
  client::PartnerCallOptions call;
};

/// Thread-safe.
class Federation {
 public:
  /// `member` and `nodeKey` sign the forwarded requests; the key must outlive the federation.
  Federation(std::string member, const crypto::SecretKey& nodeKey, FederationOptions options,
             std::function<Timestamp()> clock);
  /// Waits for calls in flight (each ends within the deadline).
  ~Federation();

  /// Replaces the partners that can be asked. Partners whose endpoint and credentials did not
  /// change keep their pooled connections and kept tree heads. Returns one message per partner
  /// that was left out (e.g. a malformed endpoint); the others are in use.
  std::vector<std::string> usePartners(const std::vector<client::PartnerNode>& partners);

  /// The partners that can be asked, by member id, sorted.
  std::vector<std::string> partners() const;

  /// Forwards `officerRequest` (whose signed body has digest `officerDigest`) to each of `partners`
  /// (which must be among partners()) at once. Each partner's answer goes first to `settle` (e.g.
  /// to audit it), on the thread it arrived on, so that answers arriving together are settled
  /// together; then to `onAnswer`, on the calling thread, in the order they were settled. Returns
  /// when every partner has answered or the deadline has passed; a partner still out then gets
  /// PartnerStatus::timedOut, settled on the calling thread (its call ends in the background and
  /// is dropped). Every partner is settled exactly once, and no `settle` runs after forward()
  /// returns, so both callbacks may refer to the caller's state.
  void forward(const Request& officerRequest, const Digest& officerDigest, const std::vector<std::string>& partners,
               const std::function<void(ForwardedAnswer&)>& settle,
               const std::function<void(ForwardedAnswer)>& onAnswer);

  std::chrono::milliseconds deadline() const;

  /// TLS handshakes with partners so far, over every partner ever used.
  uint64_t handshakes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace liaison::node
