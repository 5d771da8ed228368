// Fuzz target for the wire codec (schema/codec.h), the most exposed parser of the node: envelopes
// and request bodies arrive from the network, responses and tree heads from partners, audit
// entries from the log. The first input byte picks the decoder (the seed corpus in
// tests/corpus/codec_fuzz/ is written by tests/codec_corpus_test.cc); the rest is the message.
//
// Beyond "no crash, no sanitizer report", every accepted input must keep the codec's promises:
// - it is the canonical encoding of what it decodes to, and decoding that again gives the same
//   value (one byte string per value: signatures and leaf hashes depend on it);
// - every text and list of a decoded message is within schema/limits.h, checked here field by
//   field, and every record inside a response passes limits::recordOverLimit (the importers' test);
// - an audit entry that decodes under the limits decodes the same with them waived, and one that
//   decodes only with them waived decodes under them once its text is cut (AuditLog::append).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "schema/codec.h"
#include "schema/limits.h"

namespace {

using namespace liaison;
using Bytes = std::span<const uint8_t>;

void require(bool condition) {
  if (!condition) std::abort();
}

void within(const std::string& text, size_t maxBytes) { require(text.size() <= maxBytes); }

void within(const std::vector<std::string>& list, size_t maxItems, size_t maxBytes) {
  require(list.size() <= maxItems);
  for (const auto& item : list) within(item, maxBytes);
}

// Accepted bytes are the encoding of the value, and the value survives a second round.
template <typename T, typename Encode, typename Decode>
void canonical(const T& value, Bytes bytes, Encode encode, Decode decode) {
  const std::vector<uint8_t> again = encode(value);
  require(std::vector<uint8_t>(bytes.begin(), bytes.end()) == again);
  auto redecoded = decode(Bytes(again));
  require(redecoded.ok() && *redecoded == value);
}

void checkPerson(const PersonIdentity& person) {
  within(person.familyName, limits::kPersonNameBytes);
  within(person.givenNames, limits::kPersonNameBytes);
  within(person.nationality, limits::kCodeBytes);
}

void checkScreened(const ScreenPersonQuery& q) {
  checkPerson(q.person);
  require(namesPerson(q));
  require(q.otherNames.size() <= limits::kMaxOtherNames);
  for (const auto& n : q.otherNames) within(n, limits::kPersonNameBytes);
  require(q.otherNationalities.size() <= limits::kMaxOtherNationalities);
  within(q.documentState, limits::kCodeBytes);
}

void checkRequest(const Request& request) {
  within(request.requester, limits::kMemberIdBytes);
  within(request.officer.pseudonym, limits::kPseudonymBytes);
  within(request.officer.purpose, limits::kPurposeBytes);
  within(request.officer.caseReference, limits::kCaseReferenceBytes);
  within(request.officer.legalBasis, limits::kLegalBasisBytes);
  std::visit(
      [](const auto& q) {
        using Q = std::decay_t<decltype(q)>;
        if constexpr (std::is_same_v<Q, CheckDocumentQuery>) {
          within(q.number.str(), limits::kDocumentNumberBytes);
          within(q.issuingState, limits::kCodeBytes);
        } else if constexpr (std::is_same_v<Q, ScreenPersonQuery>) {
          checkScreened(q);
        } else if constexpr (std::is_same_v<Q, ScreenManifestQuery>) {
          require(q.travellers.size() <= limits::kMaxTravellers);
          for (const auto& traveller : q.travellers) checkScreened(traveller);
        } else if constexpr (std::is_same_v<Q, GetRecordQuery>) {
          within(q.recordRef, limits::kRecordRefBytes);
        } else if constexpr (std::is_same_v<Q, ListMovementsQuery>) {
          checkPerson(q.person);
          within(q.documentNumber, limits::kDocumentNumberBytes);
        } else if constexpr (std::is_same_v<Q, HealthRecordQuery> || std::is_same_v<Q, JusticeRecordQuery>) {
          within(q.recordRef, limits::kRecordRefBytes);
        } else if constexpr (std::is_same_v<Q, AuditReadQuery>) {
          within(q.target, limits::kAuditReadTargetBytes);
        }
      },
      request.query);
}

void checkRecord(const Record& record) {
  within(metaOf(record).ref, limits::kRecordRefBytes);
  require(!limits::recordOverLimit(record).has_value());
}

void checkTreeHead(const TreeHead& head) { within(head.logId, limits::kMemberIdBytes); }

void checkEnvelopeBody(const SignedEnvelope& envelope);

void checkResponse(const Response& response) {
  within(response.responder, limits::kMemberIdBytes);
  within(response.reason, limits::kResponseReasonBytes);
  within(response.withheld, limits::kMaxWithheld, limits::kResponseReasonBytes);
  within(response.receipt.logId, limits::kMemberIdBytes);
  require(response.hits.size() <= limits::kMaxManifestHits);
  for (const Hit& hit : response.hits) {
    within(hit.recordRef, limits::kRecordRefBytes);
    within(hit.withheldFields, limits::kMaxWithheldFields, limits::kFieldNameBytes);
    if (hit.details) {
      require(kindOf(*hit.details) == hit.kind);
      checkRecord(*hit.details);
    }
  }
  if (response.treeHead) checkEnvelopeBody(*response.treeHead);
}

void checkAuditEntry(const AuditEntry& entry) {
  within(entry.requester, limits::kMemberIdBytes);
  within(entry.officerPseudonym, limits::kPseudonymBytes);
  within(entry.purpose, limits::kPurposeBytes);
  within(entry.caseReference, limits::kCaseReferenceBytes);
  within(entry.reason, limits::kAuditReasonBytes);
  within(entry.recordRefs, limits::kMaxAuditRecordRefs, limits::kRecordRefBytes);
  within(entry.signer, limits::kSignerBytes);
  within(entry.claimedRequester, limits::kMemberIdBytes);
  within(entry.claimedOfficer, limits::kPseudonymBytes);
  within(entry.remoteAddress, limits::kRemoteAddressBytes);
  within(entry.peerPin, limits::kPinBytes);
  within(entry.localUser, limits::kLocalUserBytes);
  within(entry.command, limits::kAuditCommandBytes);
}

void fuzzRequest(Bytes bytes) {
  auto request = decodeRequest(bytes);
  if (!request) return;
  canonical(*request, bytes, encodeRequest, decodeRequest);
  checkRequest(*request);
}

void fuzzResponse(Bytes bytes) {
  auto response = decodeResponse(bytes);
  if (!response) return;
  canonical(*response, bytes, encodeResponse, decodeResponse);
  checkResponse(*response);
}

void fuzzTreeHead(Bytes bytes) {
  auto head = decodeTreeHead(bytes);
  if (!head) return;
  canonical(*head, bytes, encodeTreeHead, decodeTreeHead);
  checkTreeHead(*head);
}

void fuzzFederationPart(Bytes bytes) {
  auto part = decodeFederationPart(bytes);
  if (!part) return;
  canonical(*part, bytes, encodeFederationPart, decodeFederationPart);
}

void fuzzFederationFrame(Bytes bytes) {
  auto frame = decodeFederationFrame(bytes);
  if (!frame) return;
  canonical(*frame, bytes, encodeFederationFrame, decodeFederationFrame);
  require(frame->part.size() <= limits::kMaxFramePieceBytes && frame->response.size() <= limits::kMaxFramePieceBytes);
}

// An envelope's body is what the pipeline decodes next, by the envelope's type.
void checkEnvelopeBody(const SignedEnvelope& envelope) {
  switch (envelope.type) {
    case MessageType::request:
      return fuzzRequest(envelope.body);
    case MessageType::response:
      return fuzzResponse(envelope.body);
    case MessageType::treeHead:
      return fuzzTreeHead(envelope.body);
    case MessageType::directory:
      return;  // tests/directory_fuzz.cc
    case MessageType::federationPart:
      return fuzzFederationPart(envelope.body);
  }
}

void fuzzEnvelope(Bytes bytes) {
  auto envelope = decodeEnvelope(bytes);
  if (!envelope) return;
  canonical(*envelope, bytes, encodeEnvelope, decodeEnvelope);
  checkEnvelopeBody(*envelope);
}

void fuzzAuditEntry(Bytes bytes) {
  auto entry = decodeAuditEntry(bytes);
  auto waived = decodeAuditEntry(bytes, FieldLimits::waive);
  if (entry) {
    canonical(*entry, bytes, encodeAuditEntry, [](Bytes b) { return decodeAuditEntry(b); });
    checkAuditEntry(*entry);
    require(waived.ok() && *waived == *entry);
  }
  if (!waived) return;
  canonical(*waived, bytes, encodeAuditEntry,
            [](Bytes b) { return decodeAuditEntry(b, FieldLimits::waive); });
  // What the audit writer does to an entry before appending it: the result must decode.
  AuditEntry cut = *waived;
  limits::cutTextToLimits(cut);
  if (cut.recordRefs.size() <= limits::kMaxAuditRecordRefs) {
    auto stored = decodeAuditEntry(encodeAuditEntry(cut));
    require(stored.ok() && *stored == cut);
    checkAuditEntry(cut);
  }
}

void fuzzRecord(Bytes bytes) {
  auto record = decodeRecord(bytes);
  if (!record) return;
  canonical(*record, bytes, encodeRecord, decodeRecord);
  checkRecord(*record);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Bytes message(data + 1, size - 1);
  // The federation's messages came later: first bytes from 240 on, so the older corpus keeps its meaning.
  if (data[0] >= 240) {
    if (data[0] % 2 == 0) {
      fuzzFederationPart(message);
    } else {
      fuzzFederationFrame(message);
    }
    return 0;
  }
  switch (data[0] % 6) {
    case 0:
      fuzzEnvelope(message);
      break;
    case 1:
      fuzzRequest(message);
      break;
    case 2:
      fuzzResponse(message);
      break;
    case 3:
      fuzzTreeHead(message);
      break;
    case 4:
      fuzzAuditEntry(message);
      break;
    case 5:
      fuzzRecord(message);
      break;
  }
  return 0;
}
