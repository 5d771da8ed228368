#include "node/client/federated_answer.h"

#include <sodium.h>

#include <algorithm>

#include "crypto/digest.h"
#include "schema/codec.h"

namespace liaison::client {
namespace {

bool sameDigest(const Digest& a, const Digest& b) { return sodium_memcmp(a.data(), b.data(), a.size()) == 0; }

FederatedPart invalidPart(const PartnerAnswer& answer, std::string why) {
  FederatedPart part;
  part.kind = FederatedPart::Kind::partner;
  part.partner = answer.partner;
  part.status = PartnerStatus::invalid;
  part.detail = std::move(why);
  part.receipt = answer.receipt;
  return part;
}

}  // namespace

FederatedStreamReader::FederatedStreamReader(FederatedExpectation expected, std::function<void(const FederatedPart&)> onPart)
    : expected_(std::move(expected)), onPart_(std::move(onPart)) {}

Status FederatedStreamReader::feed(std::span<const uint8_t> bytes) {
  if (failed_) return *failed_;
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
  size_t at = 0;
  while (!summarised_ && buffer_.size() - at >= 4) {
    const uint32_t size = (uint32_t{buffer_[at]} << 24) | (uint32_t{buffer_[at + 1]} << 16) |
                          (uint32_t{buffer_[at + 2]} << 8) | uint32_t{buffer_[at + 3]};
    if (size == 0 || size > kMaxFederationFrameBytes) {
      failed_ = Error{ErrorKind::invalidInput, "federated answer: a frame of " + std::to_string(size) +
                                                   " bytes (at most " + std::to_string(kMaxFederationFrameBytes) + ")"};
      return *failed_;
    }
    if (buffer_.size() - at - 4 < size) break;
    if (Status taken = takeFrame(std::span(buffer_).subspan(at + 4, size)); !taken) {
      failed_ = taken.error();
      return *failed_;
    }
    at += 4 + size;
  }
  if (summarised_ && at < buffer_.size()) {
    // Nothing may follow the summary, not even the first bytes of a frame.
    failed_ = Error{ErrorKind::invalidInput, "federated answer: bytes after the summary"};
    return *failed_;
  }
  buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(at));
  return {};
}

Status FederatedStreamReader::finish() const {
  if (failed_) return *failed_;
  if (!buffer_.empty()) return fail(ErrorKind::unavailable, "federated answer: the stream broke off inside a frame");
  if (!summarised_) {
    return fail(ErrorKind::unavailable, "federated answer: the stream ended before the summary" +
                                            (partnersSeen_.empty() ? std::string() : " (answers came from " +
                                                                     std::to_string(partnersSeen_.size()) + " partners)"));
  }
  return {};
}

Status FederatedStreamReader::takeFrame(std::span<const uint8_t> bytes) {
  auto frame = decodeFederationFrame(bytes);
  if (!frame) return frame.error();
  auto opened = crypto::openEnvelope(frame->part, MessageType::federationPart, *expected_.nodeKeys);
  if (!opened) return fail(ErrorKind::notPermitted, "federated answer: a part not signed by the node: " + opened.error().message);
  auto part = decodeFederationPart(opened->value().body);
  if (!part) return part.error();
  if (!sameDigest(part->requestDigest, expected_.requestDigest)) {
    return fail(ErrorKind::notPermitted, "federated answer: a part for another request (request digest differs)");
  }
  if (std::holds_alternative<LocalPart>(part->part)) {
    auto local = crypto::openEnvelope(frame->response, MessageType::response, *expected_.nodeKeys);
    if (!local) return fail(ErrorKind::notPermitted, "federated answer: the node's own answer is not validly signed: " + local.error().message);
    auto response = decodeResponse(local->value().body);
    if (!response) return response.error();
    if (!sameDigest(response->requestDigest, expected_.requestDigest)) {
      return fail(ErrorKind::notPermitted, "federated answer: the node's own answer is for another request");
    }
    if (expected_.checkLocalTreeHead) {
      if (Status held = expected_.checkLocalTreeHead(*response); !held) return held;
    }
    FederatedPart out;
    out.kind = FederatedPart::Kind::local;
    out.status = response->status == ResponseStatus::ok ? PartnerStatus::answered : PartnerStatus::refused;
    out.detail = response->reason;
    out.response = std::move(*response);
    onPart_(out);
    return {};
  }
  if (const auto* answer = std::get_if<PartnerAnswer>(&part->part)) {
    for (const auto& [seen, status] : partnersSeen_) {
      if (seen == answer->partner) {
        return fail(ErrorKind::invalidInput, "federated answer: partner " + answer->partner + " answered twice");
      }
    }
    FederatedPart checked = checkPartner(*answer, *frame);
    partnersSeen_.emplace_back(checked.partner, checked.status);
    onPart_(checked);
    return {};
  }
  // The summary must list exactly the partners whose parts came, and says what this client made
  // of each (a part it could not check is invalid here, whatever the node said).
  FederatedPart out;
  out.kind = FederatedPart::Kind::summary;
  const auto& listed = std::get<FederationSummary>(part->part).partners;
  if (listed.size() != partnersSeen_.size()) {
    return fail(ErrorKind::invalidInput, "federated answer: the summary lists " + std::to_string(listed.size()) +
                                             " partners, " + std::to_string(partnersSeen_.size()) + " answered");
  }
  for (const auto& line : listed) {
    const std::string& partner = line.first;
    auto seen = std::find_if(partnersSeen_.begin(), partnersSeen_.end(), [&](const auto& s) { return s.first == partner; });
    if (seen == partnersSeen_.end()) {
      return fail(ErrorKind::invalidInput, "federated answer: the summary lists " + partner.substr(0, 64) + ", which never answered");
    }
    out.summary.emplace_back(partner, seen->second);
  }
  summarised_ = true;
  onPart_(out);
  return {};
}

// The node vouches for a partner part; the client believes only what it can check itself: the
// request that went out was this officer's, and the answer is the partner's, to that request.
FederatedPart FederatedStreamReader::checkPartner(const PartnerAnswer& answer, const FederationFrame& frame) const {
  auto forwarded = crypto::openEnvelope(frame.forwardedRequest, MessageType::request, *expected_.nodeKeys);
  if (!forwarded) return invalidPart(answer, "the forwarded request is not signed by the node: " + forwarded.error().message);
  if (!sameDigest(crypto::sha256(forwarded->value().body), answer.forwardedDigest)) {
    return invalidPart(answer, "the forwarded request is not the one the node names");
  }
  auto request = decodeRequest(forwarded->value().body);
  if (!request) return invalidPart(answer, "the forwarded request does not decode: " + request.error().message);
  const Request& mine = expected_.request;
  if (!request->onBehalfOf || !sameDigest(*request->onBehalfOf, expected_.requestDigest) || !(request->query == mine.query) ||
      !(request->officer == mine.officer) || request->requester != mine.requester) {
    return invalidPart(answer, "the node forwarded another request than this officer's");
  }
  FederatedPart out;
  out.kind = FederatedPart::Kind::partner;
  out.partner = answer.partner;
  out.status = answer.status;
  out.detail = answer.detail;
  out.receipt = answer.receipt;
  const bool answerExpected = answer.status == PartnerStatus::answered || answer.status == PartnerStatus::refused;
  if (frame.response.empty()) {
    if (answerExpected) return invalidPart(answer, "the node reports an answer but sent none");
    return out;
  }
  if (!sameDigest(crypto::sha256(frame.response), answer.responseDigest)) {
    return invalidPart(answer, "the partner's answer is not the bytes the node names");
  }
  if (!answerExpected) return out;  // e.g. a fork: the evidence is the node's to keep
  auto opened = crypto::openEnvelope(frame.response, MessageType::response, *expected_.partnerKeys);
  if (!opened) {
    return invalidPart(answer, "the partner's answer could not be checked: " + opened.error().message +
                                   " (add the partner's key as a [[partner]] or the federation directory to the "
                                   "client configuration)");
  }
  if (opened->owner() != answer.partner) {
    return invalidPart(answer, "the answer is signed by " + opened->owner() + ", not " + answer.partner);
  }
  if (expected_.partnerKeyPeriods != nullptr) {
    auto period = expected_.partnerKeyPeriods->find(opened->signer().id().hex());
    if (period != expected_.partnerKeyPeriods->end() &&
        (expected_.now < period->second.first || expected_.now > period->second.second)) {
      return invalidPart(answer, "the partner's answer is signed with a key that is not valid now");
    }
  }
  auto response = decodeResponse(opened->value().body);
  if (!response) return invalidPart(answer, "the partner's answer does not decode: " + response.error().message);
  if (!sameDigest(response->requestDigest, answer.forwardedDigest) || response->responder != answer.partner) {
    return invalidPart(answer, "the partner's answer is for another request");
  }
  if ((response->status == ResponseStatus::ok) != (answer.status == PartnerStatus::answered)) {
    return invalidPart(answer, "the node's status for the partner contradicts the partner's answer");
  }
  out.response = std::move(*response);
  return out;
}

}  // namespace liaison::client
