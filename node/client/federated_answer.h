// Reading a federated answer as it streams in: frames split off the byte stream, and every part
// checked before it is handed over (node/client/query_client.h, sendFederated). Pure: no I/O, so
// it can be fuzzed with whatever a hostile node or partner might send.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <span>
#include <vector>

#include "crypto/envelope.h"
#include "node/client/query_client.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::client {

/// The largest frame accepted: a signed part and two envelopes (crypto::kMaxEnvelopeBytes each).
inline constexpr size_t kMaxFederationFrameBytes = 3 * crypto::kMaxEnvelopeBytes + 4096;

/// What the parts are checked against.
struct FederatedExpectation {
  const crypto::KeyRing* nodeKeys = nullptr;     ///< the own node's key: signs parts, local answers, forwarded requests
  const crypto::KeyRing* partnerKeys = nullptr;  ///< partners' keys, each labelled with its member id
  /// When each partner key (by key id hex) is valid; a key without an entry is valid always.
  const std::map<std::string, std::pair<Timestamp, Timestamp>>* partnerKeyPeriods = nullptr;
  Timestamp now{};
  Digest requestDigest{};  ///< of the officer's signed request body
  Request request;         ///< the officer's request as sent
  /// Holds the own node's local answer to the tree heads kept for it (may be empty: not checked).
  std::function<Status(const Response&)> checkLocalTreeHead;
};

class FederatedStreamReader {
 public:
  FederatedStreamReader(FederatedExpectation expected, std::function<void(const FederatedPart&)> onPart);

  /// Takes the next bytes of the stream; hands over every part completed by them. Fails (and
  /// stays failed) on a frame that is too large or malformed, a part not signed by the node or
  /// not for this request, a local answer that does not verify, or anything after the summary.
  Status feed(std::span<const uint8_t> bytes);

  /// At the end of the stream: fails unless the summary came, naming the partners still missing.
  Status finish() const;

 private:
  Status takeFrame(std::span<const uint8_t> frame);
  FederatedPart checkPartner(const PartnerAnswer& answer, const FederationFrame& frame) const;

  FederatedExpectation expected_;
  std::function<void(const FederatedPart&)> onPart_;
  std::vector<uint8_t> buffer_;
  std::optional<Error> failed_;
  bool summarised_ = false;
  std::vector<std::pair<std::string, PartnerStatus>> partnersSeen_;  // as this client judged them
};

}  // namespace liaison::client
