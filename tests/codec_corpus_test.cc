// The seed corpus of tests/codec_fuzz.cc: valid encodings of every message kind the codec reads,
// with edge cases (empty texts and lists, fields at their limits, names in four-byte scripts,
// partial dates, the largest numbers) and inputs that once crashed the decoder, each prefixed
// with the byte that picks its decoder. This
// test keeps the checked-in files equal to what the codec writes today; after a change to the
// schema, regenerate them with
//
//   LIAISON_WRITE_CODEC_CORPUS=1 build/bin/liaison_unit_tests --gtest_filter='CodecFuzzCorpus.*'
//
// Reproducers kept from fuzzing (files named `repro-*`) are not generated here; the corpus
// replay (ctest codec_fuzz_corpus) runs them with the seeds.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "schema/codec.h"
#include "schema/limits.h"
#include "tests/sample_records.h"

namespace liaison {
namespace {

// The first byte of a fuzz input picks the decoder (tests/codec_fuzz.cc).
enum Selector : uint8_t {
  kEnvelope = 0,
  kRequest = 1,
  kResponse = 2,
  kTreeHead = 3,
  kAuditEntry = 4,
  kRecord = 5
};

struct Seed {
  std::string name;
  std::vector<uint8_t> bytes;
  bool valid = true;  ///< false for inputs the decoder must refuse (reproducers of old crashes)
};

Seed seed(std::string name, Selector selector, const std::vector<uint8_t>& message, bool valid = true) {
  std::vector<uint8_t> bytes{selector};
  bytes.insert(bytes.end(), message.begin(), message.end());
  return Seed{std::move(name), std::move(bytes), valid};
}

Timestamp at(const char* text) { return parseTimestamp(text).value(); }

std::string fourByteName(size_t characters) {
  std::string name;
  for (size_t i = 0; i < characters; ++i) name += "\xF0\xA0\x80\x80";  // U+20000
  return name;
}

Request request(Query query) {
  Request r;
  for (size_t i = 0; i < r.requestId.size(); ++i) r.requestId[i] = static_cast<uint8_t>(i);
  for (size_t i = 0; i < r.nonce.size(); ++i) r.nonce[i] = static_cast<uint8_t>(0xA0 + i);
  r.issuedAt = at("2026-11-25T08:00:00Z");
  r.expiresAt = at("2026-11-25T08:02:00Z");
  r.requester = "XB-BORDER";
  r.officer = OfficerContext{"partner-xb", Role::border, "border-check", "", "Schengen Borders Code, Art. 8"};
  r.query = std::move(query);
  return r;
}

PersonIdentity person() {
  return PersonIdentity{"Παπαδόπουλος", "Ιωάννης", PartialDate{1980, 2, 0}, Sex::male, "GRC"};
}

Response response() {
  Response r;
  r.requestDigest.fill(0x11);
  r.responder = "XA-POLICE";
  r.status = ResponseStatus::ok;
  r.receipt = AuditReceipt{"XA-POLICE", 41, {}};
  r.receipt.leafHash.fill(0x22);
  return r;
}

SignedEnvelope envelope(MessageType type, std::vector<uint8_t> body) {
  SignedEnvelope e;
  e.type = type;
  e.body = std::move(body);
  e.keyId.fill(0x33);
  e.signature.fill(0x44);
  return e;
}

TreeHead treeHead() {
  TreeHead head{"XA-POLICE", 42, {}, at("2026-11-25T08:00:01Z")};
  head.rootHash.fill(0x55);
  return head;
}

AuditEntry entryBeforeVersion7() {
  AuditEntry e;
  e.recordedAt = at("2026-11-25T08:00:00Z");
  e.requester = "XB-BORDER";
  e.officerPseudonym = "partner-xb";
  e.role = Role::border;
  e.purpose = "border-check";
  e.queryKind = QueryKind::checkDocument;
  e.queryDigest.fill(0x66);
  e.decision = Decision::permitted;
  e.reason = "documents: permitted by rule partner-hit-no-hit";
  e.recordRefs = {"8c7e4b52-0000-4000-8000-000000000001"};
  e.responseDigest.fill(0x77);
  return e;
}

std::vector<Seed> codecSeeds() {
  std::vector<Seed> seeds;
  const auto passport =
      CheckDocumentQuery{DocumentNumber::parse("L898902C3").value(), "UTO", DocumentType::passport};

  // Requests: every query kind, and the edges of what a request may hold.
  const std::vector<std::pair<std::string, Query>> queries = {
      {"check-document", passport},
      {"screen-person", screeningOf(person())},
      {"screen-manifest",
       ScreenManifestQuery{{screeningOf(person()), screeningOf(PersonIdentity{"Doe", "", PartialDate{}, Sex::unspecified, ""})}, {}}},
      {"get-record", GetRecordQuery{"8c7e4b52-0000-4000-8000-000000000001", RecordKind::travelDocument}},
      {"list-movements", ListMovementsQuery{person(), "L898902C3"}},
      {"health-record", HealthRecordQuery{"8c7e4b52-0000-4000-8000-000000000002"}},
      {"justice-record", JusticeRecordQuery{"8c7e4b52-0000-4000-8000-000000000003"}},
      {"aggregate-statistics", AggregateStatisticsQuery{Compartment::immigration}},
      {"audit-read", AuditReadQuery{"/v1/audit/entries?start=0&end=99&format=binary"}},
  };
  ScreenPersonQuery everyField = screeningOf(person());
  everyField.otherNames = {"Шевченко Тарас", "عمر خالد الرشيد", "毛泽东"};
  everyField.otherNationalities = {"UKR", "POL"};
  everyField.documentNumber = DocumentNumber::parse("X1234567").value();
  everyField.documentState = "UTO";
  seeds.push_back(seed("request-screen-person-every-field", kRequest, encodeRequest(request(everyField))));
  for (const auto& [name, query] : queries)
    seeds.push_back(seed("request-" + name, kRequest, encodeRequest(request(query))));

  Request atLimits = request(screeningOf(
      PersonIdentity{fourByteName(limits::kPersonNameBytes / 4), std::string(limits::kPersonNameBytes, 'g'),
                     PartialDate{9999, 12, 31}, Sex::female, std::string(limits::kCodeBytes, 'C')}));
  atLimits.requester = std::string(limits::kMemberIdBytes, 'M');
  atLimits.officer = OfficerContext{
      std::string(limits::kPseudonymBytes, 'p'), Role::auditor, std::string(limits::kPurposeBytes, 'u'),
      std::string(limits::kCaseReferenceBytes, 'c'), std::string(limits::kLegalBasisBytes, 'l')};
  atLimits.knownTreeSize = std::numeric_limits<uint64_t>::max();
  seeds.push_back(seed("request-fields-at-their-limits", kRequest, encodeRequest(atLimits)));

  AggregateStatisticsQuery statistics{Compartment::immigration, StatisticsSubject::records, RecordKind::refusal,
                                      StatisticsPeriod::week,   parseDate("2026-03-02").value(),
                                      parseDate("2026-04-06").value(), StatisticsDimension::ground};
  seeds.push_back(seed("request-aggregate-statistics-every-field", kRequest, encodeRequest(request(statistics))));

  Request empty = request(GetRecordQuery{"", RecordKind::justiceRecord});
  empty.requester.clear();
  empty.officer = OfficerContext{};
  empty.issuedAt = at("0000-01-01T00:00:00Z");
  empty.expiresAt = at("9999-12-31T23:59:59Z");
  seeds.push_back(seed("request-empty-texts-and-extreme-times", kRequest, encodeRequest(empty)));

  // Refusing a traveller's bad field once rendered its path through a destroyed temporary.
  PersonIdentity badTraveller = person();
  badTraveller.dateOfBirth = PartialDate{1980, 13, 0};
  seeds.push_back(seed("request-manifest-traveller-with-a-bad-date", kRequest,
                       encodeRequest(request(ScreenManifestQuery{{screeningOf(person()), screeningOf(badTraveller)}, {}})), false));

  // Responses: refused, with hits of several kinds with and without details, and with a head
  // and a consistency proof.
  Response refused = response();
  refused.status = ResponseStatus::refused;
  refused.reason = "not permitted";
  seeds.push_back(seed("response-refused", kResponse, encodeResponse(refused)));

  Response withHits = response();
  withHits.withheld = {"documents: details need a separate get-record request"};
  withHits.hits.push_back(
      Hit{"8c7e4b52-0000-4000-8000-000000000001", RecordKind::travelDocument, std::nullopt, {}, 0, std::nullopt});
  for (RecordKind kind : {RecordKind::notice, RecordKind::healthRecord, RecordKind::visaDecision}) {
    Record details = testing::sampleRecord(kind, "XA-POLICE");
    withHits.hits.push_back(Hit{metaOf(details).ref, kind, details, {"summary", "person"}, 0, std::nullopt});
  }
  seeds.push_back(seed("response-hits-with-details", kResponse, encodeResponse(withHits)));

  Response withStatistics = response();
  withStatistics.statistics = StatisticsTable{10, 2, {StatisticsCell{parseDate("2026-03-01").value(), "FRPAR", false, 41},
                                                      StatisticsCell{parseDate("2026-03-01").value(), "", true, 0}}};
  seeds.push_back(seed("response-statistics", kResponse, encodeResponse(withStatistics)));

  Response withHead = response();
  withHead.treeHead = envelope(MessageType::treeHead, encodeTreeHead(treeHead()));
  withHead.consistency.resize(3);
  for (size_t i = 0; i < withHead.consistency.size(); ++i)
    withHead.consistency[i].fill(static_cast<uint8_t>(i));
  seeds.push_back(seed("response-tree-head-and-proof", kResponse, encodeResponse(withHead)));

  // Envelopes of each message type, their bodies the encodings above.
  seeds.push_back(seed("envelope-request", kEnvelope,
                       encodeEnvelope(envelope(MessageType::request, encodeRequest(request(passport))))));
  seeds.push_back(seed("envelope-response", kEnvelope,
                       encodeEnvelope(envelope(MessageType::response, encodeResponse(withHits)))));
  seeds.push_back(seed("envelope-tree-head", kEnvelope,
                       encodeEnvelope(envelope(MessageType::treeHead, encodeTreeHead(treeHead())))));
  seeds.push_back(seed("envelope-empty-body", kEnvelope, encodeEnvelope(envelope(MessageType::request, {}))));

  seeds.push_back(seed("tree-head", kTreeHead, encodeTreeHead(treeHead())));
  seeds.push_back(seed("tree-head-empty-log", kTreeHead,
                       encodeTreeHead(TreeHead{"XA-POLICE", 0, {}, at("2026-01-01T00:00:00Z")})));

  // Audit entries: one written before schema version 7, one with every field, and one an older
  // node wrote before the field limits (decodes only with them waived).
  seeds.push_back(seed("audit-entry-before-version-7", kAuditEntry, encodeAuditEntry(entryBeforeVersion7())));
  AuditEntry full = entryBeforeVersion7();
  full.caseReference = "CASE-2026-000123";
  full.signer = "member:XB-BORDER";
  full.claimedOfficer = "partner-xc";
  full.claimedRole = Role::immigration;
  full.remoteAddress = "::1";
  full.peerPin = "sha256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
  full.localUser = "operator";
  full.command = "liaison records list health-record --role health";
  full.repeatCount = 17;
  seeds.push_back(seed("audit-entry-every-field", kAuditEntry, encodeAuditEntry(full)));
  AuditEntry older = entryBeforeVersion7();
  older.caseReference = std::string(limits::kCaseReferenceBytes * 4, 'X');
  older.reason = "request names officer '" + fourByteName(8) + "'";
  seeds.push_back(seed("audit-entry-beyond-todays-limits", kAuditEntry, encodeAuditEntry(older)));

  for (RecordKind kind : testing::allRecordKinds()) {
    seeds.push_back(seed("record-" + std::string(name(kind)), kRecord,
                         encodeRecord(testing::sampleRecord(kind, "XA-POLICE", 1))));
  }
  return seeds;
}

std::filesystem::path corpusFolder() {
  return std::filesystem::path(LIAISON_SOURCE_DIR) / "tests/corpus/codec_fuzz";
}

std::vector<uint8_t> readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(CodecFuzzCorpus, TheSeedsAreWhatTheCodecWritesToday) {
  const bool write = std::getenv("LIAISON_WRITE_CODEC_CORPUS") != nullptr;
  if (write) std::filesystem::create_directories(corpusFolder());
  for (const Seed& s : codecSeeds()) {
    const auto path = corpusFolder() / s.name;
    if (write) {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(s.bytes.data()), static_cast<std::streamsize>(s.bytes.size()));
      ASSERT_TRUE(out.flush()) << path;
    }
    EXPECT_EQ(readFile(path), s.bytes)
        << path << " is stale: regenerate the corpus (see the top of this file)";
  }
}

TEST(CodecFuzzCorpus, EveryValidSeedDecodesAndTheOlderNodesEntryOnlyWithTheLimitsWaived) {
  for (const Seed& s : codecSeeds()) {
    const std::span<const uint8_t> message(s.bytes.data() + 1, s.bytes.size() - 1);
    bool decodes = false;
    switch (s.bytes[0]) {
      case kEnvelope:
        decodes = decodeEnvelope(message).ok();
        break;
      case kRequest:
        decodes = decodeRequest(message).ok();
        break;
      case kResponse:
        decodes = decodeResponse(message).ok();
        break;
      case kTreeHead:
        decodes = decodeTreeHead(message).ok();
        break;
      case kAuditEntry:
        decodes = decodeAuditEntry(message, FieldLimits::waive).ok();
        break;
      case kRecord:
        decodes = decodeRecord(message).ok();
        break;
    }
    EXPECT_EQ(decodes, s.valid) << s.name;
    if (s.name == "audit-entry-beyond-todays-limits") {
      EXPECT_FALSE(decodeAuditEntry(message).ok());
    }
  }
}

}  // namespace
}  // namespace liaison
