// A federated answer built from fixed keys, for the stream reader's tests and its fuzz target:
// the officer's node (seed 0xA1), partner XB-BORDER (seed 0xB2), one fixed officer request.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "crypto/digest.h"
#include "crypto/envelope.h"
#include "crypto/keys.h"
#include "node/client/federated_answer.h"
#include "schema/codec.h"

namespace liaison::testing {

inline crypto::KeyPair fixedKeyPair(uint8_t fill) {
  std::array<uint8_t, 32> seed{};
  seed.fill(fill);
  return crypto::keyPairFromSeed(seed);
}

/// The officer's request the stream answers.
inline Request fixedOfficerRequest() {
  Request request;
  request.requestId.fill(1);
  request.nonce.fill(2);
  request.issuedAt = Timestamp(std::chrono::seconds(1'800'000'000));
  request.expiresAt = request.issuedAt + std::chrono::seconds(120);
  request.requester = "XA-POLICE";
  request.officer = OfficerContext{"border-1", Role::border, "border-check", "", ""};
  request.query = CheckDocumentQuery{DocumentNumber::parse("L898902C3").value(), "UTO", DocumentType::passport};
  request.allPartners = true;
  return request;
}

inline Digest fixedOfficerDigest() { return crypto::sha256(encodeRequest(fixedOfficerRequest())); }

/// Builds frames as the officer's node would, with the node key and the partner key given.
struct FederatedStreamBuilder {
  crypto::KeyPair node = fixedKeyPair(0xA1);
  crypto::KeyPair partner = fixedKeyPair(0xB2);

  static std::vector<uint8_t> framed(const FederationFrame& frame) { return encodeFramedFederationFrame(frame); }

  std::vector<uint8_t> part(const FederationPart& p) const {
    return crypto::sealEnvelope(MessageType::federationPart, encodeFederationPart(p), node.secretKey);
  }

  /// XB-BORDER's frame: the forwarded request and the partner's answer with one hit.
  std::vector<uint8_t> partnerFrame(PartnerStatus status = PartnerStatus::answered) const {
    Request forwarded = fixedOfficerRequest();
    forwarded.allPartners = false;
    forwarded.onBehalfOf = fixedOfficerDigest();
    const std::vector<uint8_t> forwardedEnvelope =
        crypto::sealEnvelope(MessageType::request, encodeRequest(forwarded), node.secretKey);
    const Digest forwardedDigest = crypto::sha256(encodeRequest(forwarded));
    Response response;
    response.requestDigest = forwardedDigest;
    response.responder = "XB-BORDER";
    response.status = status == PartnerStatus::answered ? ResponseStatus::ok : ResponseStatus::refused;
    if (status == PartnerStatus::answered) response.hits.push_back(Hit{"xb-ref-1", RecordKind::travelDocument, std::nullopt, {}, 0, std::nullopt});
    const std::vector<uint8_t> responseEnvelope =
        crypto::sealEnvelope(MessageType::response, encodeResponse(response), partner.secretKey);
    PartnerAnswer answer{"XB-BORDER", status, "", forwardedDigest, crypto::sha256(responseEnvelope),
                         AuditReceipt{"XA-POLICE", 7, Digest{}}};
    return framed(FederationFrame{part(FederationPart{fixedOfficerDigest(), answer}), forwardedEnvelope, responseEnvelope});
  }

  std::vector<uint8_t> summaryFrame(std::vector<std::pair<std::string, PartnerStatus>> partners) const {
    return framed(FederationFrame{part(FederationPart{fixedOfficerDigest(), FederationSummary{std::move(partners)}}), {}, {}});
  }

  /// A whole answer: XB-BORDER answered, then the summary.
  std::vector<uint8_t> wholeStream() const {
    std::vector<uint8_t> bytes = partnerFrame();
    const std::vector<uint8_t> summary = summaryFrame({{"XB-BORDER", PartnerStatus::answered}});
    bytes.insert(bytes.end(), summary.begin(), summary.end());
    return bytes;
  }

  /// Keys and expectation a client of the node holds for the fixed request.
  struct Trust {
    crypto::KeyRing nodeKeys;
    crypto::KeyRing partnerKeys;
  };
  Trust trust() const {
    Trust t;
    (void)t.nodeKeys.add(node.publicKey, "node");
    (void)t.partnerKeys.add(partner.publicKey, "XB-BORDER");
    return t;
  }
  static client::FederatedExpectation expectation(const Trust& trust) {
    client::FederatedExpectation e;
    e.nodeKeys = &trust.nodeKeys;
    e.partnerKeys = &trust.partnerKeys;
    e.now = fixedOfficerRequest().issuedAt;
    e.requestDigest = fixedOfficerDigest();
    e.request = fixedOfficerRequest();
    return e;
  }
};

}  // namespace liaison::testing
