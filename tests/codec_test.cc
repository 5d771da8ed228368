#include "schema/codec.h"
#include "schema/limits.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "schema/model.h"

namespace liaison {
namespace {

// ---------------------------------------------------------------------------------------------
// Sample values: every field set to something other than its default
// ---------------------------------------------------------------------------------------------

Date dateOf(int year, unsigned month, unsigned day) {
  return std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day};
}

Timestamp timestampOf(std::string_view text) { return parseTimestamp(text).value(); }

DocumentNumber documentNumberOf(std::string_view raw) { return DocumentNumber::parse(raw).value(); }

RecordMeta sampleMeta(std::string ref) {
  return RecordMeta{
      std::move(ref), "member-gr", {"member-cy", "group-schengen"}, HandlingCode::h1, dateOf(2031, 12, 31)};
}

PersonIdentity greekPerson() {
  return PersonIdentity{"Παπαδόπουλος", "Ιωάννης", PartialDate{1980, 2, 29}, Sex::male, "GRC"};
}

PersonIdentity arabicPerson() {
  return PersonIdentity{"العلي", "محمد", PartialDate{1975, 6, 0}, Sex::female, "SYR"};
}

Notice sampleNotice() {
  Notice notice;
  notice.meta = sampleMeta("8c7e4b52-0000-4000-8000-000000000001");
  notice.colour = NoticeColour::unSpecial;
  notice.noticeId = "2099/1";
  notice.person = greekPerson();
  notice.otherNationalities = {"CYP", "D<<"};
  notice.aliases = {"Giannis P.", "Γιάννης Π."};
  notice.nameInOriginalScript = "Παπαδόπουλος Ι.";
  notice.warrantIssuingStates = {"GRC", "ITA"};
  notice.charges = "fraud; forgery of documents";
  return notice;
}

TravelDocument sampleTravelDocument() {
  TravelDocument document;
  document.meta = sampleMeta("8c7e4b52-0000-4000-8000-000000000002");
  document.number = documentNumberOf("AB1234567");
  document.issuingState = "CYP";
  document.type = DocumentType::residencePermit;
  document.fraudType = FraudType::stolenFromBearer;
  document.issueDate = dateOf(2019, 3, 1);
  document.expiryDate = dateOf(2029, 2, 28);
  document.reportDate = dateOf(2024, 2, 29);
  document.reviewDate = dateOf(2025, 1, 15);
  document.nationalReference = "CY-POL-2024-000117";
  return document;
}

TravelDocument travelDocumentWithoutOptionalDates() {
  TravelDocument document = sampleTravelDocument();
  document.issueDate.reset();
  document.expiryDate.reset();
  document.reviewDate.reset();
  return document;
}

Movement sampleMovement() {
  Movement movement;
  movement.meta = sampleMeta("8c7e4b52-0000-4000-8000-000000000003");
  movement.person = arabicPerson();
  movement.documentNumber = "N0012345";
  movement.documentState = "SYR";
  movement.direction = MovementDirection::transit;
  movement.port = "CYLCA";
  movement.occurredAt = timestampOf("2024-05-17T06:42:13Z");
  movement.carrierReference = "CY 327";
  return movement;
}

Refusal sampleRefusal() {
  Refusal refusal;
  refusal.meta = sampleMeta("8c7e4b52-0000-4000-8000-000000000004");
  refusal.person = arabicPerson();
  refusal.documentNumber = "N0012345";
  refusal.documentState = "SYR";
  refusal.port = "GRPIR";
  refusal.refusedOn = dateOf(2024, 6, 2);
  refusal.grounds = {"C", "E"};
  return refusal;
}

Overstay sampleOverstay() {
  Overstay overstay;
  overstay.meta = sampleMeta("8c7e4b52-0000-4000-8000-000000000005");
  overstay.person = greekPerson();
  overstay.documentNumber = "P7654321";
  overstay.documentState = "GRC";
  overstay.authorisedUntil = dateOf(2024, 8, 31);
  overstay.detectedOn = dateOf(2024, 11, 3);
  return overstay;
}

VisaDecision sampleVisaDecision() {
  VisaDecision decision;
  decision.meta = sampleMeta("8c7e4b52-0000-4000-8000-000000000006");
  decision.person = arabicPerson();
  decision.applicationRef = "VIS-2024-88812";
  decision.visaType = "D";
  decision.outcome = VisaOutcome::revoked;
  decision.decidedOn = dateOf(2024, 1, 10);
  decision.validFrom = dateOf(2024, 2, 1);
  decision.validUntil = dateOf(2025, 1, 31);
  decision.grounds = {"false documents", "threat to public policy"};
  return decision;
}

VisaDecision visaDecisionWithoutValidity() {
  VisaDecision decision = sampleVisaDecision();
  decision.outcome = VisaOutcome::refused;
  decision.validFrom.reset();
  decision.validUntil.reset();
  return decision;
}

WatchlistPerson sampleWatchlistPerson() {
  WatchlistPerson entry;
  entry.meta = sampleMeta("8c7e4b52-0000-4000-8000-000000000007");
  entry.person = greekPerson();
  entry.aliases = {"J. Papadopoulos"};
  entry.reasonCode = "ENTRY-BAN";
  entry.exclusionFrom = dateOf(2023, 7, 1);
  entry.exclusionUntil = dateOf(2028, 6, 30);
  return entry;
}

WatchlistPerson watchlistPersonWithOpenEndedExclusion() {
  WatchlistPerson entry = sampleWatchlistPerson();
  entry.exclusionUntil.reset();
  return entry;
}

WatchlistDocument sampleWatchlistDocument() {
  WatchlistDocument entry;
  entry.meta = sampleMeta("8c7e4b52-0000-4000-8000-000000000008");
  entry.number = documentNumberOf("X1234567");
  entry.issuingState = "UTO";
  entry.reasonCode = "COUNTERFEIT";
  entry.exclusionFrom = dateOf(2022, 12, 1);
  entry.exclusionUntil = dateOf(2032, 11, 30);
  return entry;
}

WatchlistDocument watchlistDocumentWithoutExclusion() {
  WatchlistDocument entry = sampleWatchlistDocument();
  entry.exclusionFrom.reset();
  entry.exclusionUntil.reset();
  return entry;
}

HealthRecord sampleHealthRecord() {
  HealthRecord record;
  record.meta = sampleMeta("8c7e4b52-0000-4000-8000-000000000009");
  record.person = arabicPerson();
  record.facility = "Larnaca General Hospital";
  record.recordKind = "vaccination";
  record.recordedOn = dateOf(2024, 3, 5);
  record.summary = "Yellow fever vaccination, certificate issued.";
  return record;
}

JusticeRecord sampleJusticeRecord() {
  JusticeRecord record;
  record.meta = sampleMeta("8c7e4b52-0000-4000-8000-00000000000a");
  record.person = greekPerson();
  record.court = "Πρωτοδικείο Αθηνών";
  record.caseNumber = "1234/2024";
  record.recordKind = "protection-order";
  record.filedOn = dateOf(2024, 4, 30);
  record.summary = "Protection order in force until further notice.";
  return record;
}

/// Every record kind, and each optional date both present and absent.
std::vector<Record> everyRecordKind() {
  return {sampleNotice(),
          sampleTravelDocument(),
          travelDocumentWithoutOptionalDates(),
          sampleMovement(),
          sampleRefusal(),
          sampleOverstay(),
          sampleVisaDecision(),
          visaDecisionWithoutValidity(),
          sampleWatchlistPerson(),
          watchlistPersonWithOpenEndedExclusion(),
          sampleWatchlistDocument(),
          watchlistDocumentWithoutExclusion(),
          sampleHealthRecord(),
          sampleJusticeRecord()};
}

OfficerContext sampleOfficer() {
  return OfficerContext{"officer-7f3a", Role::immigration, "border check", "CASE-2024-0042",
                        "Regulation (EU) 2018/1862"};
}

/// One query of every kind, in QueryKind order.
std::vector<Query> everyQueryKind() {
  return {CheckDocumentQuery{documentNumberOf("AB1234567"), "CYP", DocumentType::identityCard},
          ScreenPersonQuery{arabicPerson(), {"Jane Doe"}, {"GRC"}, documentNumberOf("X1234567"), "GRC"},
          ScreenManifestQuery{{screeningOf(greekPerson()), screeningOf(arabicPerson()),
                               screeningOf(PersonIdentity{"DOE", "JANE", {}, Sex::unspecified, ""})},
                              Digest{1, 2, 3}},
          GetRecordQuery{"8c7e4b52-0000-4000-8000-000000000002", RecordKind::watchlistPerson},
          ListMovementsQuery{greekPerson(), "P7654321"},
          HealthRecordQuery{"8c7e4b52-0000-4000-8000-000000000009"},
          JusticeRecordQuery{"8c7e4b52-0000-4000-8000-00000000000a"},
          AggregateStatisticsQuery{Compartment::watchlist},
          AuditReadQuery{"/v1/audit/entries?start=0&end=99"}};
}

template <size_t N>
std::array<uint8_t, N> bytesFrom(uint8_t first) {
  std::array<uint8_t, N> bytes{};
  for (size_t i = 0; i < N; ++i) bytes[i] = static_cast<uint8_t>(first + i);
  return bytes;
}

Request sampleRequest(Query query) {
  Request request;
  request.requestId = bytesFrom<16>(0x10);
  request.issuedAt = timestampOf("2024-05-17T06:40:00Z");
  request.expiresAt = timestampOf("2024-05-17T06:45:00Z");
  request.nonce = bytesFrom<32>(0xA0);
  request.requester = "member-cy";
  request.officer = sampleOfficer();
  request.query = std::move(query);
  return request;
}

Response sampleResponse() {
  Response response;
  response.requestDigest = bytesFrom<32>(0x01);
  response.responder = "member-gr";
  response.status = ResponseStatus::refused;
  response.reason = "partly refused: compartment health is firewalled";
  response.hits = {Hit{"8c7e4b52-0000-4000-8000-000000000002",
                       RecordKind::travelDocument,
                       sampleTravelDocument(),
                       {"nationalReference"},
                       0,
                       std::nullopt},
                   Hit{"8c7e4b52-0000-4000-8000-000000000007",
                       RecordKind::watchlistPerson,
                       std::nullopt,
                       {"person", "aliases"},
                       4,
                       ScreeningMatch{870, "omar rashid", "omar al rashid", {{"omar", "omar", "exact", 1000}},
                                      Evidence::partial, Evidence::unknown, Evidence::agrees, "why"}}};
  response.withheld = {"2 records withheld under handling code H2"};
  response.receipt = AuditReceipt{"log-gr-1", 421337, bytesFrom<32>(0x40)};
  return response;
}

SignedEnvelope sampleEnvelope() {
  SignedEnvelope envelope;
  envelope.type = MessageType::response;
  envelope.body = encodeResponse(sampleResponse());
  envelope.keyId = bytesFrom<16>(0x70);
  envelope.signature = bytesFrom<64>(0x80);
  return envelope;
}

AuditEntry sampleAuditEntry() {
  AuditEntry entry;
  entry.recordedAt = timestampOf("2024-05-17T06:40:01Z");
  entry.requester = "member-cy";
  entry.officerPseudonym = "officer-7f3a";
  entry.role = Role::border;
  entry.purpose = "border check";
  entry.caseReference = "CASE-2024-0042";
  entry.queryKind = QueryKind::screenManifest;
  entry.queryDigest = bytesFrom<32>(0x20);
  entry.decision = Decision::permitted;
  entry.reason = "rule partners-documents";
  entry.recordRefs = {"8c7e4b52-0000-4000-8000-000000000002", "8c7e4b52-0000-4000-8000-000000000007"};
  entry.responseDigest = bytesFrom<32>(0x60);
  return entry;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Decoding failed as invalid input, with a message that contains `expected`.
template <typename T>
testing::AssertionResult rejectedWith(const Result<T>& result, std::string_view expected) {
  if (result.ok()) return testing::AssertionFailure() << "decoded successfully";
  const Error& error = result.error();
  if (error.kind != ErrorKind::invalidInput) {
    return testing::AssertionFailure()
           << "error kind is " << errorKindName(error.kind) << ": " << error.message;
  }
  if (error.message.find(expected) == std::string::npos) {
    return testing::AssertionFailure()
           << "message '" << error.message << "' does not mention '" << expected << "'";
  }
  return testing::AssertionSuccess();
}

/// `bytes` with the only occurrence of `from` replaced by `to`, which has the same length, so the
/// message layout is unchanged and only the value differs.
std::vector<uint8_t> replaceOnce(std::vector<uint8_t> bytes, std::string_view from, std::string_view to) {
  EXPECT_EQ(from.size(), to.size());
  std::string_view haystack(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  size_t at = haystack.find(from);
  EXPECT_NE(at, std::string_view::npos) << "'" << from << "' is not in the message";
  EXPECT_EQ(haystack.find(from, at + 1), std::string_view::npos) << "'" << from << "' occurs twice";
  if (at != std::string_view::npos) std::memcpy(bytes.data() + at, to.data(), to.size());
  return bytes;
}

void appendWord(std::vector<uint8_t>& bytes, uint32_t low, uint32_t high) {
  for (uint32_t half : {low, high}) {
    for (int shift = 0; shift < 32; shift += 8) bytes.push_back(static_cast<uint8_t>(half >> shift));
  }
}

/// Ways a hand-written envelope departs from what encodeEnvelope writes while staying canonical.
enum class Deviation { none, nullBody, unknownField };

/// A SignedEnvelope written word by word as encodeEnvelope would write it, so the signature can
/// have a length the model cannot express. Layout: root pointer, data word (type), three list
/// pointers (body, key id, signature), then the key id and signature bytes, each padded with zeros
/// to whole words. The body is empty, so its pointer points at where the key id starts.
std::vector<uint8_t> handWrittenEnvelope(uint32_t signatureLength, Deviation deviation = Deviation::none) {
  constexpr uint32_t kListPointer = 1, kByteElements = 2, kKeyIdLength = 16;
  const uint32_t dataWords = deviation == Deviation::unknownField ? 2 : 1;
  std::vector<uint8_t> bytes;
  appendWord(bytes, 0, dataWords | (3u << 16));  // struct pointer, offset 0: data words, 3 pointers
  appendWord(bytes, static_cast<uint32_t>(MessageType::response), 0);
  if (deviation == Deviation::unknownField) appendWord(bytes, 0x5EC0, 0);  // a field a newer schema might add
  // Offsets count words from the end of the pointer to the start of its target.
  if (deviation == Deviation::nullBody) {
    appendWord(bytes, 0, 0);  // reads as an empty body too, but encode writes an empty list
  } else {
    appendWord(bytes, (2u << 2) | kListPointer, (0u << 3) | kByteElements);
  }
  appendWord(bytes, (1u << 2) | kListPointer, (kKeyIdLength << 3) | kByteElements);
  appendWord(bytes, (2u << 2) | kListPointer, (signatureLength << 3) | kByteElements);
  for (uint32_t i = 0; i < kKeyIdLength; ++i) bytes.push_back(static_cast<uint8_t>(0x70 + i));
  for (uint32_t i = 0; i < signatureLength; ++i) bytes.push_back(static_cast<uint8_t>(0x80 + i));
  while (bytes.size() % 8 != 0) bytes.push_back(0);
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------------------------

TEST(RecordCodec, EveryRecordKindRoundTrips) {
  std::set<RecordKind> kinds;
  for (const Record& record : everyRecordKind()) {
    SCOPED_TRACE(std::string(name(kindOf(record))));
    kinds.insert(kindOf(record));
    auto decoded = decodeRecord(encodeRecord(record));
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(*decoded, record);
  }
  EXPECT_EQ(kinds.size(), std::variant_size_v<Record>);
}

TEST(RecordCodec, DatesOfBirthOfEveryPrecisionRoundTrip) {
  for (PartialDate dateOfBirth :
       {PartialDate{}, PartialDate{1968, 0, 0}, PartialDate{1968, 11, 0}, PartialDate{2000, 2, 29}}) {
    SCOPED_TRACE(formatPartialDate(dateOfBirth));
    Notice notice = sampleNotice();
    notice.person.dateOfBirth = dateOfBirth;
    auto decoded = decodeRecord(encodeRecord(notice));
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(*decoded, Record{notice});
  }
}

TEST(RecordCodec, EncodingIsDeterministicAndStableThroughDecoding) {
  for (const Record& record : everyRecordKind()) {
    SCOPED_TRACE(std::string(name(kindOf(record))));
    std::vector<uint8_t> first = encodeRecord(record);
    EXPECT_EQ(first, encodeRecord(Record{record}));
    EXPECT_EQ(first.size() % 8, 0u);
    auto decoded = decodeRecord(first);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(encodeRecord(*decoded), first);
  }
}

TEST(RecordCodec, DecodesInputThatIsNotEightByteAligned) {
  std::vector<uint8_t> encoded = encodeRecord(sampleNotice());
  std::vector<uint8_t> shifted(encoded.size() + 1);
  std::memcpy(shifted.data() + 1, encoded.data(), encoded.size());
  auto decoded = decodeRecord(std::span<const uint8_t>(shifted).subspan(1));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, Record{sampleNotice()});
}

TEST(RequestCodec, EveryQueryKindRoundTrips) {
  std::vector<Query> queries = everyQueryKind();
  ASSERT_EQ(queries.size(), std::variant_size_v<Query>);
  for (const Query& query : queries) {
    SCOPED_TRACE(std::string(name(kindOf(query))));
    Request request = sampleRequest(query);
    std::vector<uint8_t> encoded = encodeRequest(request);
    EXPECT_EQ(encoded, encodeRequest(request));
    auto decoded = decodeRequest(encoded);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(*decoded, request);
  }
}

TEST(ResponseCodec, HitsWithAndWithoutDetailsRoundTrip) {
  Response response = sampleResponse();
  ASSERT_TRUE(response.hits[0].details.has_value());
  ASSERT_FALSE(response.hits[1].details.has_value());
  std::vector<uint8_t> encoded = encodeResponse(response);
  EXPECT_EQ(encoded, encodeResponse(response));
  auto decoded = decodeResponse(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, response);
}

TEST(RequestCodec, KnownTreeSizeIsPartOfTheSignedBytes) {
  Request request = sampleRequest(everyQueryKind().front());
  const std::vector<uint8_t> without = encodeRequest(request);
  request.knownTreeSize = 1'000'003;
  const std::vector<uint8_t> with = encodeRequest(request);
  EXPECT_NE(with, without);
  auto decoded = decodeRequest(with);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->knownTreeSize, 1'000'003u);
}

TEST(ResponseCodec, TreeHeadAndConsistencyProofRoundTrip) {
  TreeHead head{"member-gr", 421338, bytesFrom<32>(0x51), parseTimestamp("2026-11-25T10:00:00Z").value()};
  auto headBytes = encodeTreeHead(head);
  auto decodedHead = decodeTreeHead(headBytes);
  ASSERT_TRUE(decodedHead.ok()) << decodedHead.error().message;
  EXPECT_EQ(*decodedHead, head);

  Response response = sampleResponse();
  response.treeHead = SignedEnvelope{MessageType::treeHead, headBytes, bytesFrom<16>(0x70), bytesFrom<64>(0x80)};
  response.consistency = {bytesFrom<32>(0x61), bytesFrom<32>(0x62)};
  auto decoded = decodeResponse(encodeResponse(response));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, response);
  EXPECT_NE(encodeResponse(response), encodeResponse(sampleResponse()));
}

AggregateStatisticsQuery refusalsByGround() {
  AggregateStatisticsQuery query;
  query.compartment = Compartment::immigration;
  query.subject = StatisticsSubject::records;
  query.kind = RecordKind::refusal;
  query.period = StatisticsPeriod::week;
  query.from = parseDate("2026-03-02").value();
  query.until = parseDate("2026-04-06").value();
  query.dimension = StatisticsDimension::ground;
  return query;
}

TEST(RequestCodec, AStatisticsQueryRoundTripsEveryField) {
  AggregateStatisticsQuery requests;
  requests.subject = StatisticsSubject::requests;
  requests.period = StatisticsPeriod::day;
  requests.dimension = StatisticsDimension::requester;
  for (const AggregateStatisticsQuery& query : {refusalsByGround(), requests}) {
    const Request request = sampleRequest(query);
    auto decoded = decodeRequest(encodeRequest(request));
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(*decoded, request);
  }
  AggregateStatisticsQuery badDate = refusalsByGround();
  badDate.until = Date{std::chrono::year{2026}, std::chrono::February, std::chrono::day{30}};
  auto refused = decodeRequest(encodeRequest(sampleRequest(badDate)));
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message, ::testing::HasSubstr("aggregate statistics until day 30 out of range"));
}

StatisticsTable sampleTable() {
  StatisticsTable table;
  table.minCellSize = 10;
  table.noiseBound = 2;
  table.cells = {StatisticsCell{parseDate("2026-03-02").value(), "A", false, 41},
                 StatisticsCell{parseDate("2026-03-02").value(), "B", true, 0},
                 StatisticsCell{parseDate("2026-03-09").value(), "", false, 12}};
  return table;
}

TEST(ResponseCodec, AStatisticsTableRoundTripsAndOnlyAnAnswerWithOneChangesItsBytes) {
  Response response = sampleResponse();
  response.statistics = sampleTable();
  auto decoded = decodeResponse(encodeResponse(response));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, response);
  EXPECT_NE(encodeResponse(response), encodeResponse(sampleResponse()));
  response.statistics = StatisticsTable{};
  auto empty = decodeResponse(encodeResponse(response));
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_EQ(*empty, response) << "an empty table is still a table, not none";
}

TEST(ResponseCodec, ASuppressedCellCarryingACountAndOverlongValuesAreRefused) {
  Response leaky = sampleResponse();
  leaky.statistics = sampleTable();
  leaky.statistics->cells[1].count = 9;
  auto refused = decodeResponse(encodeResponse(leaky));
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message, ::testing::HasSubstr("statistics cells[1] count is set on a suppressed cell"));

  Response longValue = sampleResponse();
  longValue.statistics = sampleTable();
  longValue.statistics->cells[0].value = std::string(limits::kStatisticsValueBytes + 1, 'v');
  auto tooLong = decodeResponse(encodeResponse(longValue));
  ASSERT_FALSE(tooLong.ok());
  EXPECT_THAT(tooLong.error().message, ::testing::HasSubstr("value is 65 bytes, more than the 64 allowed"));

  Response tooMany = sampleResponse();
  tooMany.statistics = StatisticsTable{};
  tooMany.statistics->cells.resize(limits::kMaxStatisticsCells + 1);
  auto overLimit = decodeResponse(encodeResponse(tooMany));
  ASSERT_FALSE(overLimit.ok());
  EXPECT_THAT(overLimit.error().message, ::testing::HasSubstr("has 10001 items, more than the 10000 allowed"));
}

TEST(ResponseCodec, EmptyResponseRoundTrips) {
  Response response;
  response.responder = "member-gr";
  response.status = ResponseStatus::ok;
  auto decoded = decodeResponse(encodeResponse(response));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, response);
}

TEST(EnvelopeCodec, RoundTripsWithItsBodyByteForByte) {
  SignedEnvelope envelope = sampleEnvelope();
  std::vector<uint8_t> encoded = encodeEnvelope(envelope);
  EXPECT_EQ(encoded, encodeEnvelope(envelope));
  auto decoded = decodeEnvelope(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, envelope);
  auto body = decodeResponse(decoded->body);
  ASSERT_TRUE(body.ok()) << body.error().message;
  EXPECT_EQ(*body, sampleResponse());
}

TEST(AuditEntryCodec, RoundTripsWithAndWithoutRoleAndQueryKind) {
  for (bool withRole : {true, false}) {
    for (bool withQueryKind : {true, false}) {
      SCOPED_TRACE(testing::Message() << "role " << withRole << ", query kind " << withQueryKind);
      AuditEntry entry = sampleAuditEntry();
      if (!withRole) entry.role.reset();
      if (!withQueryKind) entry.queryKind.reset();
      std::vector<uint8_t> encoded = encodeAuditEntry(entry);
      EXPECT_EQ(encoded, encodeAuditEntry(entry));
      auto decoded = decodeAuditEntry(encoded);
      ASSERT_TRUE(decoded.ok()) << decoded.error().message;
      EXPECT_EQ(*decoded, entry);
    }
  }
}

TEST(AuditEntryCodec, AnEntryWrittenBeforeSchemaVersion7KeepsItsExactBytes) {
  // Encoded by the codec as it was before the signer, claimed identity, source and command-line
  // fields existed: the leaves of every log written then must still decode and hash the same.
  const std::string before7 =
      "0000000002000800c1fb46660000000001000000010002001d00000052000000210000006a000000250000006a0000"
      "00290000007a0000002d0000000201000039000000c2000000410000000e00000055000000020100006d656d626572"
      "2d6379000000000000006f6666696365722d3766336100000000626f7264657220636865636b00000000434153452d"
      "323032342d303034320000202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f72756c65"
      "20706172746e6572732d646f63756d656e747300010000002a01000038633765346235322d303030302d343030302d"
      "383030302d30303030303030303030303200000000606162636465666768696a6b6c6d6e6f707172737475767778"
      "797a7b7c7d7e7f";
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i < before7.size(); i += 2) bytes.push_back(static_cast<uint8_t>(std::stoi(before7.substr(i, 2), nullptr, 16)));
  auto decoded = decodeAuditEntry(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->officerPseudonym, "officer-7f3a");
  EXPECT_TRUE(decoded->signer.empty());
  EXPECT_EQ(decoded->repeatCount, 0u);
  EXPECT_EQ(encodeAuditEntry(*decoded), bytes);
}

TEST(AuditEntryCodec, RoundTripsTheVerifiedSignerTheClaimedIdentityAndTheSource) {
  AuditEntry entry = sampleAuditEntry();
  entry.signer = "officer:officer-7f3a";
  entry.claimedRequester = "member-zz";
  entry.claimedOfficer = "officer-0000";
  entry.claimedRole = Role::health;
  entry.remoteAddress = "192.0.2.7";
  entry.peerPin = "sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  entry.localUser = "operator";
  entry.command = "liaison records list health-record --member XA-POLICE --role health";
  entry.repeatCount = 41;
  auto decoded = decodeAuditEntry(encodeAuditEntry(entry));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, entry);
  // Each field changes the bytes, so the leaf commits to it.
  AuditEntry without = entry;
  without.claimedRole.reset();
  EXPECT_NE(encodeAuditEntry(without), encodeAuditEntry(entry));
}

TEST(AuditEntryCodec, AbsentRoleDiffersFromEveryRoleOnTheWire) {
  AuditEntry absent = sampleAuditEntry();
  absent.role.reset();
  AuditEntry border = sampleAuditEntry();
  border.role = Role::border;  // ordinal 0, the value an unset enum field would read as
  EXPECT_NE(encodeAuditEntry(absent), encodeAuditEntry(border));
}

// ---------------------------------------------------------------------------------------------
// Rejected input
// ---------------------------------------------------------------------------------------------

TEST(RecordCodec, RejectsEmptyInput) {
  EXPECT_TRUE(rejectedWith(decodeRecord({}), "record: empty input"));
  EXPECT_TRUE(rejectedWith(decodeEnvelope({}), "envelope: empty input"));
}

TEST(RecordCodec, RejectsInputWhoseLengthIsNotWholeWords) {
  std::vector<uint8_t> encoded = encodeRecord(sampleNotice());
  std::vector<uint8_t> truncated(encoded.begin(), encoded.end() - 3);
  EXPECT_TRUE(rejectedWith(decodeRecord(truncated), "record: length " + std::to_string(truncated.size()) +
                                                        " is not a multiple of 8 bytes"));
}

TEST(RecordCodec, RejectsEveryTruncation) {
  std::vector<uint8_t> encoded = encodeRecord(sampleNotice());
  for (size_t length = 8; length < encoded.size(); length += 8) {
    SCOPED_TRACE(length);
    EXPECT_TRUE(rejectedWith(decodeRecord(std::span<const uint8_t>(encoded).first(length)), "record: "));
  }
  std::vector<uint8_t> lastWordMissing(encoded.begin(), encoded.end() - 8);
  EXPECT_TRUE(rejectedWith(decodeRecord(lastWordMissing), "out-of-bounds"));
}

TEST(RecordCodec, RejectsTrailingBytes) {
  std::vector<uint8_t> encoded = encodeRecord(sampleNotice());
  encoded.resize(encoded.size() + 8, 0);
  EXPECT_TRUE(rejectedWith(decodeRecord(encoded), "record: not a canonical Cap'n Proto message"));
}

TEST(RecordCodec, RejectsInputOverTheSizeLimit) {
  std::vector<uint8_t> huge(kMaxEncodedBytes + 8, 0);
  EXPECT_TRUE(rejectedWith(decodeRecord(huge), "exceeds the limit"));
}

TEST(RecordCodec, RejectsRandomGarbageWithoutCrashing) {
  std::mt19937 random(20240517);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<size_t> words(1, 256);
  for (int round = 0; round < 500; ++round) {
    std::vector<uint8_t> garbage(words(random) * 8);
    for (uint8_t& b : garbage) b = static_cast<uint8_t>(byte(random));
    SCOPED_TRACE(round);
    EXPECT_TRUE(rejectedWith(decodeRecord(garbage), "record: "));
    EXPECT_TRUE(rejectedWith(decodeRequest(garbage), "request: "));
    EXPECT_TRUE(rejectedWith(decodeResponse(garbage), "response: "));
    EXPECT_TRUE(rejectedWith(decodeEnvelope(garbage), "envelope: "));
    EXPECT_TRUE(rejectedWith(decodeAuditEntry(garbage), "audit entry: "));
  }
}

TEST(ResponseCodec, EverySingleByteCorruptionDecodesOrIsRejected) {
  std::vector<uint8_t> encoded = encodeResponse(sampleResponse());
  for (size_t i = 0; i < encoded.size(); ++i) {
    std::vector<uint8_t> corrupted = encoded;
    corrupted[i] ^= 0xFF;
    auto decoded = decodeResponse(corrupted);
    if (!decoded.ok()) {
      EXPECT_EQ(decoded.error().kind, ErrorKind::invalidInput) << "byte " << i;
    }
  }
}

TEST(RecordCodec, RejectsUnknownEnumValue) {
  Notice notice = sampleNotice();
  notice.colour = static_cast<NoticeColour>(42);
  EXPECT_TRUE(rejectedWith(decodeRecord(encodeRecord(notice)), "record: notice colour has unknown value 42"));
}

TEST(RequestCodec, RejectsUnknownOfficerRole) {
  Request request = sampleRequest(GetRecordQuery{"8c7e4b52-0000-4000-8000-000000000002", RecordKind::watchlistPerson});
  request.officer.role = static_cast<Role>(7);
  EXPECT_TRUE(
      rejectedWith(decodeRequest(encodeRequest(request)), "request: officer role has unknown value 7"));
}

// The path of a traveller's field once pointed at a destroyed temporary: rendering it crashed.
TEST(RequestCodec, RejectsABadTravellerOfAManifestNamingTheTraveller) {
  PersonIdentity bad = greekPerson();
  bad.dateOfBirth = PartialDate{1980, 13, 0};
  Request request = sampleRequest(ScreenManifestQuery{{screeningOf(arabicPerson()), screeningOf(bad)}, {}});
  EXPECT_TRUE(rejectedWith(decodeRequest(encodeRequest(request)),
                           "request: query screen manifest travellers[1] person date of birth month 13 out of range"));
}

// Screening is about a named person: a query by nationality, sex or date of birth alone is not one.
TEST(RequestCodec, AScreeningWithoutANameOrADocumentNumberIsInvalid) {
  PersonIdentity nobody{"", " - ", PartialDate{1980, 0, 0}, Sex::female, "SYR"};
  auto refused = decodeRequest(encodeRequest(sampleRequest(ScreenPersonQuery{nobody, {}, {"IRQ"}, {}, ""})));
  EXPECT_TRUE(rejectedWith(refused, "request: query screen person names no person: screening needs a name or a "
                                    "document number, never nationality or sex alone"));
  EXPECT_TRUE(rejectedWith(decodeRequest(encodeRequest(sampleRequest(ScreenManifestQuery{{screeningOf(arabicPerson()), screeningOf(nobody)}, {}}))),
                           "request: query screen manifest travellers[1] names no person"));
  EXPECT_TRUE(decodeRequest(encodeRequest(sampleRequest(ScreenPersonQuery{nobody, {"Шевченко"}, {}, {}, ""}))).ok());
  EXPECT_TRUE(decodeRequest(encodeRequest(sampleRequest(ScreenPersonQuery{nobody, {}, {}, documentNumberOf("P1"), ""}))).ok());
}

TEST(RequestCodec, AnEmptyManifestIsInvalid) {
  EXPECT_TRUE(rejectedWith(decodeRequest(encodeRequest(sampleRequest(ScreenManifestQuery{}))),
                           "request: query screen manifest travellers is empty"));
}

TEST(ResponseCodec, AScreeningHitsScoreAndWhyRoundTrip) {
  Response response;
  response.responder = "XA-POLICE";
  Hit hit{"8c7e4b52-0000-4000-8000-000000000002", RecordKind::notice, std::nullopt, {}, 3, ScreeningMatch{}};
  hit.match->score = 912;
  hit.match->queryName = "taras shevchenko";
  hit.match->recordName = "taras shevchenko";
  hit.match->tokens = {{"shevchenko", "shevchenko", "exact", 1000}, {"taras", "tapas", "edit", 870}};
  hit.match->dateOfBirth = Evidence::partial;
  hit.match->nationality = Evidence::agrees;
  hit.match->explanation = "family name exact";
  response.hits.push_back(hit);
  auto decoded = decodeResponse(encodeResponse(response));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->hits, response.hits);
  response.hits[0].match->score = 1001;
  EXPECT_TRUE(rejectedWith(decodeResponse(encodeResponse(response)), "response: hits[0] match score is over 1000 per mille"));
}

TEST(RecordCodec, RejectsDateThatIsNotOnTheCalendar) {
  TravelDocument document = sampleTravelDocument();
  document.meta.retentionUntil = dateOf(2023, 2, 29);
  EXPECT_TRUE(rejectedWith(decodeRecord(encodeRecord(document)),
                           "record: travel document retention date day 29 out of range for month 2 of 2023"));
}

TEST(RecordCodec, RejectsOptionalDateThatIsNotOnTheCalendar) {
  TravelDocument document = sampleTravelDocument();
  document.expiryDate = dateOf(2029, 4, 31);
  EXPECT_TRUE(
      rejectedWith(decodeRecord(encodeRecord(document)), "expiry date day 31 out of range for month 4"));
}

TEST(RecordCodec, RejectsDateOfBirthWithMonthOutOfRange) {
  Notice notice = sampleNotice();
  notice.person.dateOfBirth = PartialDate{1980, 13, 0};
  EXPECT_TRUE(rejectedWith(decodeRecord(encodeRecord(notice)), "person date of birth month 13 out of range"));
}

TEST(RecordCodec, RejectsDateOfBirthWithDayButNoMonth) {
  Notice notice = sampleNotice();
  notice.person.dateOfBirth = PartialDate{1980, 0, 12};
  EXPECT_TRUE(rejectedWith(decodeRecord(encodeRecord(notice)), "date of birth has a day but no month"));
}

TEST(RecordCodec, RejectsDefaultConstructedDate) {
  // year_month_day{} is 0000-00-00; a record must carry real dates.
  Overstay overstay = sampleOverstay();
  overstay.detectedOn = Date{};
  EXPECT_TRUE(rejectedWith(decodeRecord(encodeRecord(overstay)), "detection date month 0 out of range"));
}

TEST(RecordCodec, RejectsTimestampBeyondYear9999) {
  Movement movement = sampleMovement();
  movement.occurredAt = std::chrono::sys_days{std::chrono::year{10000} / 1 / 1};
  EXPECT_TRUE(rejectedWith(decodeRecord(encodeRecord(movement)), "movement time 253402300800 is outside"));
}

TEST(RecordCodec, RejectsDocumentNumberThatIsNotNormalised) {
  std::vector<uint8_t> lowerCase =
      replaceOnce(encodeRecord(sampleWatchlistDocument()), "X1234567", "x1234567");
  EXPECT_TRUE(rejectedWith(decodeRecord(lowerCase), "record: watchlist document number is not normalised"));
  std::vector<uint8_t> withFiller =
      replaceOnce(encodeRecord(sampleWatchlistDocument()), "X1234567", "X123<567");
  EXPECT_TRUE(rejectedWith(decodeRecord(withFiller), "number is not normalised"));
  std::vector<uint8_t> withSymbol =
      replaceOnce(encodeRecord(sampleWatchlistDocument()), "X1234567", "X123$567");
  EXPECT_TRUE(rejectedWith(decodeRecord(withSymbol), "number is invalid"));
}

TEST(RecordCodec, RejectsTextThatIsNotUtf8) {
  // "Ι" (U+0399) becomes C0 80, an overlong encoding of NUL.
  std::vector<uint8_t> overlong = replaceOnce(encodeRecord(sampleNotice()), "Ιωάννης", "\xC0\x80ωάννης");
  EXPECT_TRUE(rejectedWith(decodeRecord(overlong), "record: notice person given names is not UTF-8"));
  std::vector<uint8_t> withNul =
      replaceOnce(encodeRecord(sampleNotice()), "2099/1", std::string_view("2099\0001", 6));
  EXPECT_TRUE(rejectedWith(decodeRecord(withNul), "notice id is not UTF-8 text without NUL"));
}

TEST(ResponseCodec, RejectsHitWhoseDetailsAreOfAnotherKind) {
  Response response = sampleResponse();
  response.hits[0].kind = RecordKind::notice;
  EXPECT_TRUE(rejectedWith(decodeResponse(encodeResponse(response)),
                           "response: hits[0] is of kind notice but its details are a travel-document"));
}

TEST(ResponseCodec, RejectsInvalidDateInsideHitDetails) {
  Response response = sampleResponse();
  std::get<TravelDocument>(*response.hits[0].details).reportDate = dateOf(2024, 2, 30);
  EXPECT_TRUE(rejectedWith(decodeResponse(encodeResponse(response)),
                           "response: hits[0] details travel document report date day 30"));
}

TEST(EnvelopeCodec, AcceptsHandWrittenEnvelopeWithFullSignature) {
  auto decoded = decodeEnvelope(handWrittenEnvelope(64));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->type, MessageType::response);
  EXPECT_TRUE(decoded->body.empty());
  EXPECT_EQ(decoded->keyId, bytesFrom<16>(0x70));
  EXPECT_EQ(decoded->signature, bytesFrom<64>(0x80));
}

TEST(EnvelopeCodec, RejectsSignatureOfWrongLength) {
  EXPECT_TRUE(
      rejectedWith(decodeEnvelope(handWrittenEnvelope(3)), "envelope: signature must be 64 bytes, got 3"));
  EXPECT_TRUE(
      rejectedWith(decodeEnvelope(handWrittenEnvelope(0)), "envelope: signature must be 64 bytes, got 0"));
}

TEST(EnvelopeCodec, RejectsCanonicalBytesThatEncodeWouldNotWrite) {
  EXPECT_TRUE(rejectedWith(decodeEnvelope(handWrittenEnvelope(64, Deviation::nullBody)),
                           "envelope: not the encoding this codec writes"));
  EXPECT_TRUE(rejectedWith(decodeEnvelope(handWrittenEnvelope(64, Deviation::unknownField)),
                           "envelope: not the encoding this codec writes"));
}

TEST(EnvelopeCodec, RejectsUnknownMessageType) {
  SignedEnvelope envelope = sampleEnvelope();
  envelope.type = static_cast<MessageType>(static_cast<int>(MessageType::federationPart) + 1);
  EXPECT_TRUE(rejectedWith(decodeEnvelope(encodeEnvelope(envelope)), "envelope: type has unknown value 5"));
}

TEST(FederationCodec, AFederatedRequestRoundTripsAndALocalOneKeepsItsBytes) {
  Request local = sampleRequest(everyQueryKind().front());
  const std::vector<uint8_t> before = encodeRequest(local);
  Request federated = local;
  federated.partners = {"XB-BORDER", "XC-IMMIGRATION"};
  federated.alsoLocal = true;
  EXPECT_EQ(decodeRequest(encodeRequest(federated)).value(), federated);
  Request all = local;
  all.allPartners = true;
  EXPECT_EQ(decodeRequest(encodeRequest(all)).value(), all);
  Request forwarded = local;
  forwarded.onBehalfOf = Digest{};
  forwarded.onBehalfOf->fill(7);
  EXPECT_EQ(decodeRequest(encodeRequest(forwarded)).value(), forwarded);
  // A request that asks no partner is encoded as before the federation fields existed.
  EXPECT_EQ(encodeRequest(local), before);
  EXPECT_EQ(decodeRequest(before).value(), local);
}

TEST(FederationCodec, ContradictoryFederationFieldsAreRefusedNamingTheField) {
  Request base = sampleRequest(everyQueryKind().front());
  Request twice = base;
  twice.partners = {"XB-BORDER", "XB-BORDER"};
  EXPECT_TRUE(rejectedWith(decodeRequest(encodeRequest(twice)), "request: partners[1] names a partner twice"));
  Request empty = base;
  empty.partners = {""};
  EXPECT_TRUE(rejectedWith(decodeRequest(encodeRequest(empty)), "request: partners[0] is empty"));
  Request both = base;
  both.partners = {"XB-BORDER"};
  both.allPartners = true;
  EXPECT_TRUE(rejectedWith(decodeRequest(encodeRequest(both)), "request: partners must be empty when the request asks every partner"));
  Request localOnly = base;
  localOnly.alsoLocal = true;
  EXPECT_TRUE(rejectedWith(decodeRequest(encodeRequest(localOnly)), "request: also local is set but no partner is asked"));
  Request transitive = base;
  transitive.onBehalfOf = Digest{};
  transitive.allPartners = true;
  EXPECT_TRUE(rejectedWith(decodeRequest(encodeRequest(transitive)), "a forwarded request is never forwarded again"));
  Request many = base;
  for (size_t i = 0; i <= limits::kMaxPartnersPerRequest; ++i) many.partners.push_back("P" + std::to_string(i));
  EXPECT_TRUE(rejectedWith(decodeRequest(encodeRequest(many)), "request: partners has 65 items, more than the 64 allowed"));
}

TEST(FederationCodec, PartsAndFramesRoundTripAndOversizedPiecesAreRefused) {
  Digest digest{};
  digest.fill(3);
  PartnerAnswer answer{"XB-BORDER", PartnerStatus::timedOut, "no answer within 3000 ms", digest, Digest{},
                       AuditReceipt{"XA-POLICE", 12, digest}};
  for (const FederationPart& part : {FederationPart{digest, answer}, FederationPart{digest, LocalPart{}},
                                     FederationPart{digest, FederationSummary{{{"XB-BORDER", PartnerStatus::fork}}}}}) {
    EXPECT_EQ(decodeFederationPart(encodeFederationPart(part)).value(), part);
  }
  FederationFrame frame{{1, 2, 3}, {4, 5}, {}};
  EXPECT_EQ(decodeFederationFrame(encodeFederationFrame(frame)).value(), frame);
  frame.response.assign(limits::kMaxFramePieceBytes + 1, 0);
  EXPECT_TRUE(rejectedWith(decodeFederationFrame(encodeFederationFrame(frame)), "federation frame: response "));
  PartnerAnswer unknown = answer;
  unknown.status = static_cast<PartnerStatus>(6);
  EXPECT_TRUE(rejectedWith(decodeFederationPart(encodeFederationPart(FederationPart{digest, unknown})),
                           "federation part: partner status has unknown value 6"));
}

TEST(AuditEntryCodec, RejectsUnknownQueryKind) {
  AuditEntry entry = sampleAuditEntry();
  entry.queryKind = static_cast<QueryKind>(200);
  EXPECT_TRUE(rejectedWith(decodeAuditEntry(encodeAuditEntry(entry)),
                           "audit entry: query kind has unknown value 200"));
}

}  // namespace
}  // namespace liaison
