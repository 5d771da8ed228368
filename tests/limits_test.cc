// The limits on text and list fields (schema/limits.h): every decoder refuses a field one byte or
// one item beyond its limit, naming the field and the limit, and takes it at the limit; importers
// refuse the records the codec would refuse; the audit log's cutting keeps entries decodable.
#include "schema/limits.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/csv_import.h"
#include "adapters/interpol_notices.h"
#include "schema/codec.h"
#include "schema/record_fields.h"
#include "tests/sample_records.h"

namespace liaison {
namespace {

using namespace limits;

std::string over(std::string_view field, size_t bytes, size_t limit) {
  return std::string(field) + " " + bytesOverLimit(bytes, limit);
}

Request baseRequest() {
  Request request;
  request.requestId.fill(1);
  request.nonce.fill(2);
  request.issuedAt = parseTimestamp("2026-01-01T00:00:00Z").value();
  request.expiresAt = request.issuedAt + std::chrono::seconds(60);
  request.requester = "XA-POLICE";
  request.officer =
      OfficerContext{"border-1", Role::border, "border-control", "CASE-1", "Schengen Borders Code"};
  request.query =
      CheckDocumentQuery{DocumentNumber::parse("L898902C3").value(), "UTO", DocumentType::passport};
  return request;
}

PersonIdentity personWithFamilyName(std::string name) {
  return PersonIdentity{std::move(name), "Anna", PartialDate{1980, 1, 0}, Sex::female, "UTO"};
}

// A text field of a request: where the codec names it, its limit, and how to set it.
struct RequestText {
  std::string path;
  size_t limit;
  std::function<void(Request&, std::string)> set;
};

std::vector<RequestText> requestTexts() {
  return {
      {"request: requester", kMemberIdBytes, [](Request& r, std::string t) { r.requester = std::move(t); }},
      {"request: officer pseudonym", kPseudonymBytes,
       [](Request& r, std::string t) { r.officer.pseudonym = std::move(t); }},
      {"request: officer purpose", kPurposeBytes,
       [](Request& r, std::string t) { r.officer.purpose = std::move(t); }},
      {"request: officer case reference", kCaseReferenceBytes,
       [](Request& r, std::string t) { r.officer.caseReference = std::move(t); }},
      {"request: officer legal basis", kLegalBasisBytes,
       [](Request& r, std::string t) { r.officer.legalBasis = std::move(t); }},
      {"request: query check document issuing state", kCodeBytes,
       [](Request& r, std::string t) { std::get<CheckDocumentQuery>(r.query).issuingState = std::move(t); }},
      {"request: query screen person person family name", kPersonNameBytes,
       [](Request& r, std::string t) { r.query = screeningOf(personWithFamilyName(std::move(t))); }},
      {"request: query screen person person given names", kPersonNameBytes,
       [](Request& r, std::string t) {
         PersonIdentity person = personWithFamilyName("Doe");
         person.givenNames = std::move(t);
         r.query = screeningOf(person);
       }},
      {"request: query screen person person nationality", kCodeBytes,
       [](Request& r, std::string t) {
         PersonIdentity person = personWithFamilyName("Doe");
         person.nationality = std::move(t);
         r.query = screeningOf(person);
       }},
      {"request: query screen manifest travellers[1] person family name", kPersonNameBytes,
       [](Request& r, std::string t) {
         r.query = ScreenManifestQuery{{screeningOf(personWithFamilyName("Doe")), screeningOf(personWithFamilyName(std::move(t)))}, {}};
       }},
      {"request: query screen person other names[0]", kPersonNameBytes,
       [](Request& r, std::string t) {
         ScreenPersonQuery q = screeningOf(personWithFamilyName("Doe"));
         q.otherNames = {std::move(t)};
         r.query = q;
       }},
      {"request: query get record record ref", kRecordRefBytes,
       [](Request& r, std::string t) {
         r.query = GetRecordQuery{std::move(t), RecordKind::travelDocument};
       }},
      {"request: query list movements person family name", kPersonNameBytes,
       [](Request& r, std::string t) {
         r.query = ListMovementsQuery{personWithFamilyName(std::move(t)), ""};
       }},
      {"request: query list movements document number", kDocumentNumberBytes,
       [](Request& r, std::string t) {
         r.query = ListMovementsQuery{personWithFamilyName("Doe"), std::move(t)};
       }},
      {"request: query health record record ref", kRecordRefBytes,
       [](Request& r, std::string t) { r.query = HealthRecordQuery{std::move(t)}; }},
      {"request: query justice record record ref", kRecordRefBytes,
       [](Request& r, std::string t) { r.query = JusticeRecordQuery{std::move(t)}; }},
      {"request: query audit read target", kAuditReadTargetBytes,
       [](Request& r, std::string t) { r.query = AuditReadQuery{std::move(t)}; }},
  };
}

TEST(Limits, AMillionByteCaseReferenceIsRefusedNamingTheFieldAndTheLimit) {
  Request request = baseRequest();
  request.officer.caseReference = std::string(1'000'000, 'X');
  auto decoded = decodeRequest(encodeRequest(request));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().kind, ErrorKind::invalidInput);
  EXPECT_EQ(decoded.error().message,
            "request: officer case reference is 1000000 bytes, more than the 128 allowed");
}

TEST(Limits, EveryTextFieldOfARequestIsTakenAtItsLimitAndRefusedOneByteBeyond) {
  for (const RequestText& field : requestTexts()) {
    Request atLimit = baseRequest();
    field.set(atLimit, std::string(field.limit, 'A'));
    auto taken = decodeRequest(encodeRequest(atLimit));
    ASSERT_TRUE(taken.ok()) << field.path << ": " << taken.error().message;
    EXPECT_EQ(*taken, atLimit) << field.path;

    Request beyond = baseRequest();
    field.set(beyond, std::string(field.limit + 1, 'A'));
    auto refused = decodeRequest(encodeRequest(beyond));
    ASSERT_FALSE(refused.ok()) << field.path;
    EXPECT_EQ(refused.error().message, over(field.path, field.limit + 1, field.limit));
  }
}

TEST(Limits, NamesOfRealPeopleInFourByteScriptsFit) {
  std::string name;
  for (int i = 0; i < 256; ++i) name += "\xF0\xA0\x80\x80";  // U+20000, a CJK ideograph: 4 bytes
  ASSERT_EQ(name.size(), kPersonNameBytes);
  Request request = baseRequest();
  request.query = screeningOf(personWithFamilyName(name));
  EXPECT_TRUE(decodeRequest(encodeRequest(request)).ok());
}

TEST(Limits, AManifestOfMoreTravellersThanTheLimitIsRefused) {
  Request request = baseRequest();
  request.query =
      ScreenManifestQuery{std::vector<ScreenPersonQuery>(kMaxTravellers + 1, screeningOf(personWithFamilyName("Doe"))), {}};
  auto refused = decodeRequest(encodeRequest(request));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "request: query screen manifest travellers " +
                                         itemsOverLimit(kMaxTravellers + 1, kMaxTravellers));
  std::get<ScreenManifestQuery>(request.query).travellers.pop_back();
  EXPECT_TRUE(decodeRequest(encodeRequest(request)).ok());
}

Response baseResponse() {
  Response response;
  response.responder = "XA-POLICE";
  response.status = ResponseStatus::ok;
  response.receipt.logId = "XA-POLICE";
  return response;
}

Hit sampleHit() {
  Hit hit;
  hit.recordRef = "8c7e4b52-0000-4000-8000-000000000001";
  hit.kind = RecordKind::healthRecord;
  hit.details = testing::sampleRecord(RecordKind::healthRecord, "XA-POLICE");
  hit.withheldFields = {"summary"};
  return hit;
}

void expectRefused(const Response& response, const std::string& message) {
  auto decoded = decodeResponse(encodeResponse(response));
  ASSERT_FALSE(decoded.ok()) << message;
  EXPECT_EQ(decoded.error().message, message);
}

TEST(Limits, ResponsesAreHeldToTheLimitsWhereverTheirTextComesFrom) {
  Response response = baseResponse();
  response.reason = std::string(kResponseReasonBytes + 1, 'r');
  expectRefused(response, over("response: reason", kResponseReasonBytes + 1, kResponseReasonBytes));

  response = baseResponse();
  response.responder = std::string(kMemberIdBytes + 1, 'M');
  expectRefused(response, over("response: responder", kMemberIdBytes + 1, kMemberIdBytes));

  response = baseResponse();
  response.withheld = {"documents: details need a separate request",
                       std::string(kResponseReasonBytes + 1, 'w')};
  expectRefused(response, over("response: withheld[1]", kResponseReasonBytes + 1, kResponseReasonBytes));

  response = baseResponse();
  response.withheld.assign(kMaxWithheld + 1, "w");
  expectRefused(response, "response: withheld " + itemsOverLimit(kMaxWithheld + 1, kMaxWithheld));

  response = baseResponse();
  response.hits.assign(kMaxManifestHits + 1, Hit{"ref", RecordKind::travelDocument, std::nullopt, {}, 0, std::nullopt});
  expectRefused(response, "response: hits " + itemsOverLimit(kMaxManifestHits + 1, kMaxManifestHits));
  response.hits.pop_back();
  EXPECT_TRUE(decodeResponse(encodeResponse(response)).ok());

  response = baseResponse();
  response.hits = {sampleHit()};
  response.hits[0].recordRef = std::string(kRecordRefBytes + 1, 'r');
  expectRefused(response, over("response: hits[0] record ref", kRecordRefBytes + 1, kRecordRefBytes));

  response = baseResponse();
  response.hits = {sampleHit()};
  response.hits[0].withheldFields = {std::string(kFieldNameBytes + 1, 'f')};
  expectRefused(response, over("response: hits[0] withheld fields[0]", kFieldNameBytes + 1, kFieldNameBytes));

  // Records travel in responses: their fields are held to the same limits.
  response = baseResponse();
  response.hits = {sampleHit()};
  std::get<HealthRecord>(*response.hits[0].details).summary = std::string(kFreeTextBytes + 1, 's');
  expectRefused(response,
                over("response: hits[0] details health record summary", kFreeTextBytes + 1, kFreeTextBytes));

  response = baseResponse();
  response.receipt.logId = std::string(kMemberIdBytes + 1, 'L');
  expectRefused(response, over("response: receipt log id", kMemberIdBytes + 1, kMemberIdBytes));
}

TEST(Limits, ATreeHeadsLogIdIsAMemberId) {
  TreeHead head{std::string(kMemberIdBytes, 'L'), 5, {}, parseTimestamp("2026-01-01T00:00:00Z").value()};
  EXPECT_TRUE(decodeTreeHead(encodeTreeHead(head)).ok());
  head.logId += "L";
  auto refused = decodeTreeHead(encodeTreeHead(head));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, over("tree head: log id", kMemberIdBytes + 1, kMemberIdBytes));
}

// A text field of an audit entry: where the codec names it, its limit, and how to set it.
struct EntryText {
  std::string path;
  size_t limit;
  std::string AuditEntry::*field;
};

TEST(Limits, AuditEntriesAreHeldToTheLimitsUnlessAReaderOfAnOldLogWaivesThem) {
  const std::vector<EntryText> texts = {
      {"audit entry: requester", kMemberIdBytes, &AuditEntry::requester},
      {"audit entry: officer pseudonym", kPseudonymBytes, &AuditEntry::officerPseudonym},
      {"audit entry: purpose", kPurposeBytes, &AuditEntry::purpose},
      {"audit entry: case reference", kCaseReferenceBytes, &AuditEntry::caseReference},
      {"audit entry: reason", kAuditReasonBytes, &AuditEntry::reason},
      {"audit entry: signer", kSignerBytes, &AuditEntry::signer},
      {"audit entry: claimed requester", kMemberIdBytes, &AuditEntry::claimedRequester},
      {"audit entry: claimed officer", kPseudonymBytes, &AuditEntry::claimedOfficer},
      {"audit entry: remote address", kRemoteAddressBytes, &AuditEntry::remoteAddress},
      {"audit entry: peer pin", kPinBytes, &AuditEntry::peerPin},
      {"audit entry: local user", kLocalUserBytes, &AuditEntry::localUser},
      {"audit entry: command", kAuditCommandBytes, &AuditEntry::command},
  };
  for (const EntryText& text : texts) {
    AuditEntry entry;
    entry.*text.field = std::string(text.limit, 'e');
    EXPECT_TRUE(decodeAuditEntry(encodeAuditEntry(entry)).ok()) << text.path;
    entry.*text.field += "e";
    const auto bytes = encodeAuditEntry(entry);
    auto refused = decodeAuditEntry(bytes);
    ASSERT_FALSE(refused.ok()) << text.path;
    EXPECT_EQ(refused.error().message, over(text.path, text.limit + 1, text.limit));
    // What an older node wrote before the limits is still an entry of its log.
    auto waived = decodeAuditEntry(bytes, FieldLimits::waive);
    ASSERT_TRUE(waived.ok()) << text.path << ": " << waived.error().message;
    EXPECT_EQ(*waived, entry);
  }
  AuditEntry entry;
  entry.recordRefs.assign(kMaxAuditRecordRefs + 1, "8c7e4b52-0000-4000-8000-000000000001");
  auto refused = decodeAuditEntry(encodeAuditEntry(entry));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message,
            "audit entry: record refs " + itemsOverLimit(kMaxAuditRecordRefs + 1, kMaxAuditRecordRefs));
}

// Sets one column of a record (schema/record_fields.h) to `items` copies of `text`.
struct SetColumn {
  std::string_view column;
  std::string text;
  size_t items = 1;
  bool found = false;
  void ref(std::string&) {}
  void field(const char* name, std::string& value) {
    if (name != column) return;
    value = text;
    found = true;
  }
  void field(const char* name, std::vector<std::string>& value) {
    if (name != column) return;
    value.assign(items, text);
    found = true;
  }
  template <typename T>
  void field(const char*, T&) {}
};

// Names of the text and list columns of a record.
struct TextColumns {
  std::vector<std::string> names;
  void ref(std::string&) {}
  void field(const char* name, std::string&) { names.emplace_back(name); }
  void field(const char* name, std::vector<std::string>&) { names.emplace_back(name); }
  template <typename T>
  void field(const char*, T&) {}
};

Record withColumn(RecordKind kind, std::string_view column, std::string text, size_t items = 1) {
  Record record = testing::sampleRecord(kind, "XA-POLICE");
  SetColumn set{column, std::move(text), items};
  visitFields(set, record);
  EXPECT_TRUE(set.found) << column;
  return record;
}

// The codec's record readers and recordOverLimit (which importers use) must agree on every column:
// an imported record always travels, and one the codec refuses is never imported.
TEST(Limits, TheCodecAndTheImportersHoldEveryRecordColumnToTheSameLimit) {
  for (RecordKind kind : testing::allRecordKinds()) {
    Record sample = testing::sampleRecord(kind, "XA-POLICE");
    TextColumns columns;
    visitFields(columns, sample);
    for (const std::string& column : columns.names) {
      const std::string where = std::string(name(kind)) + " " + column;
      auto limit = recordFieldLimit(column);
      ASSERT_TRUE(limit.has_value()) << where << " has no limit in schema/limits.cc";

      Record atLimit = withColumn(kind, column, std::string(limit->bytes, 'A'), limit->items);
      auto taken = decodeRecord(encodeRecord(atLimit));
      EXPECT_TRUE(taken.ok()) << where << ": " << (taken ? "" : taken.error().message);
      EXPECT_FALSE(recordOverLimit(atLimit).has_value()) << where;

      Record tooLong = withColumn(kind, column, std::string(limit->bytes + 1, 'A'));
      auto refused = decodeRecord(encodeRecord(tooLong));
      ASSERT_FALSE(refused.ok()) << where;
      EXPECT_NE(refused.error().message.find(bytesOverLimit(limit->bytes + 1, limit->bytes)),
                std::string::npos)
          << where << ": " << refused.error().message;
      auto overLimit = recordOverLimit(tooLong);
      ASSERT_TRUE(overLimit.has_value()) << where;
      EXPECT_EQ(overLimit->column, column);
      EXPECT_EQ(overLimit->problem, bytesOverLimit(limit->bytes + 1, limit->bytes));

      if (limit->items > 1) {
        Record tooMany = withColumn(kind, column, "AAA", limit->items + 1);
        auto refusedList = decodeRecord(encodeRecord(tooMany));
        ASSERT_FALSE(refusedList.ok()) << where;
        EXPECT_NE(refusedList.error().message.find(itemsOverLimit(limit->items + 1, limit->items)),
                  std::string::npos)
            << where << ": " << refusedList.error().message;
        ASSERT_TRUE(recordOverLimit(tooMany).has_value()) << where;
        EXPECT_EQ(recordOverLimit(tooMany)->problem, itemsOverLimit(limit->items + 1, limit->items));
      }
    }
  }
}

TEST(Limits, CutTextKeepsWholeCharactersAndSaysHowMuchWasCut) {
  EXPECT_EQ(cutToLimit("short", 64), "short");
  std::string accents;
  for (int i = 0; i < 1000; ++i) accents += "\xC3\xA9";  // é, 2 bytes
  const std::string cut = cutToLimit(accents, 101);
  EXPECT_LE(cut.size(), 101u);
  const size_t note = cut.find(" [");
  ASSERT_NE(note, std::string::npos);
  EXPECT_EQ(note % 2, 0u) << "a character was split";
  EXPECT_EQ(cut.substr(note), " [" + std::to_string(2000 - note) + " bytes cut]");
  // The result is still text a decoder takes.
  AuditEntry entry;
  entry.reason = cut;
  EXPECT_TRUE(decodeAuditEntry(encodeAuditEntry(entry)).ok());
}

TEST(Limits, AnEntryWhoseTextWasCutToTheLimitsDecodes) {
  AuditEntry entry;
  entry.requester = std::string(500, 'R');
  entry.caseReference = std::string(1'000'000, 'C');
  entry.reason = "request names officer '" + std::string(100'000, 'o') + "'";
  entry.command = std::string(10'000, 'c');
  entry.recordRefs = {std::string(200, 'x')};
  cutTextToLimits(entry);
  auto decoded = decodeAuditEntry(encodeAuditEntry(entry));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_LE(decoded->caseReference.size(), kCaseReferenceBytes);
  EXPECT_NE(decoded->caseReference.find("bytes cut]"), std::string::npos);
  EXPECT_NE(decoded->reason.find("bytes cut]"), std::string::npos);
}

TEST(Limits, ACsvRowWhoseRecordCouldNotTravelIsRefusedNamingLineAndColumn) {
  importers::ImportOptions options;
  options.owner = "XA-POLICE";
  options.retentionUntil = parseDate("2040-01-01").value();
  const std::vector<std::string> header = {"family_name", "aliases", "reason_code"};
  auto longName = importers::parseCsvRow(RecordKind::watchlistPerson, header,
                                         {std::string(kPersonNameBytes + 1, 'N'), "", "R1"}, 7, options);
  ASSERT_FALSE(longName.ok());
  EXPECT_EQ(longName.error().message,
            "line 7, column family_name: " + bytesOverLimit(kPersonNameBytes + 1, kPersonNameBytes));

  std::string aliases;
  for (size_t i = 0; i <= kMaxAliases; ++i)
    aliases += (i == 0 ? "" : ";") + std::string("A") + std::to_string(i);
  auto manyAliases =
      importers::parseCsvRow(RecordKind::watchlistPerson, header, {"Doe", aliases, "R1"}, 8, options);
  ASSERT_FALSE(manyAliases.ok());
  EXPECT_EQ(manyAliases.error().message,
            "line 8, column aliases: " + itemsOverLimit(kMaxAliases + 1, kMaxAliases));

  EXPECT_TRUE(importers::parseCsvRow(RecordKind::watchlistPerson, header,
                                     {std::string(kPersonNameBytes, 'N'), "A;B", "R1"}, 9, options)
                  .ok());
}

TEST(Limits, AnInterpolNoticeThatCouldNotTravelIsRefusedNamingItsField) {
  importers::ImportOptions options;
  options.owner = "FR-POLICE";
  options.retentionUntil = parseDate("2040-01-01").value();
  const std::string json =
      R"({"entity_id": "2099/1", "name": ")" + std::string(kPersonNameBytes + 1, 'N') +
      R"(", "_links": {"self": {"href": "https://ws-public.interpol.int/notices/v1/red/2099-1"}}})";
  auto refused = importers::parseInterpolNotices(json, "red.json", std::nullopt, options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message,
            "red.json: the notice's family_name " + bytesOverLimit(kPersonNameBytes + 1, kPersonNameBytes));
}

}  // namespace
}  // namespace liaison
