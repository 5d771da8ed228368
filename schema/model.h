// The data model as plain C++ values. Everything outside the codecs sees these structs; only
// schema/codec.cc includes the generated Cap'n Proto headers. The .capnp files
// beside this header are the wire form of exactly these types (docs/data-model.md).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "schema/status.h"

namespace liaison {

// ---------------------------------------------------------------------------------------------
// Closed vocabularies. Each has a stable lower-case name used in SQL, CSV, TOML and JSON.
// ---------------------------------------------------------------------------------------------

/// The six compartments; `health` and `justice` are firewalled from enforcement-facing roles.
enum class Compartment : uint8_t { notices, documents, immigration, watchlist, health, justice };

/// Roles an officer can hold at a member.
enum class Role : uint8_t { border, immigration, enforcement, health, justice, liaison, auditor };

/// INTERPOL notice colours plus the INTERPOL-UN Security Council special notice.
enum class NoticeColour : uint8_t { red, yellow, blue, black, green, orange, purple, silver, unSpecial };

/// Kinds of travel document (SLTD "type").
enum class DocumentType : uint8_t { passport, identityCard, visa, residencePermit, travelDocument, other };

/// Why a document is listed (SLTD "fraud type" / status).
enum class FraudType : uint8_t { stolenBlank, lost, stolenFromBearer, revoked, invalid };

/// Sex as printed in an MRZ: F, M or X/unspecified.
enum class Sex : uint8_t { unspecified, female, male };

/// Direction of an immigration movement.
enum class MovementDirection : uint8_t { entry, exit, transit };

/// Outcome of a visa application or a later decision on a visa.
enum class VisaOutcome : uint8_t { granted, refused, revoked, annulled };

/// Europol-style handling codes: H0 no restriction within law enforcement, H1 not for use in
/// judicial proceedings without the owner's consent, H2 no dissemination without consent,
/// H3 further restrictions stated with the record.
enum class HandlingCode : uint8_t { h0, h1, h2, h3 };

/// Every kind of record, one SQL table each (schema/sql, docs/data-model.md).
enum class RecordKind : uint8_t {
  notice,
  travelDocument,
  movement,
  refusal,
  overstay,
  visaDecision,
  watchlistPerson,
  watchlistDocument,
  healthRecord,
  justiceRecord,
};

/// Which signed message an envelope carries. Its name is part of the signature's domain-separation
/// prefix (`liaison/v1/<name>\0`), so names must never change.
enum class MessageType : uint8_t { request, response, treeHead, directory, federationPart };

/// Query kinds of the wire protocol (closed set).
enum class QueryKind : uint8_t {
  checkDocument,
  screenPerson,
  screenManifest,
  getRecord,
  listMovements,
  healthRecord,
  justiceRecord,
  aggregateStatistics,
  auditRead,  ///< an auditor's read of the audit log; never a policy permit (node-enforced)
};

/// Outcome of a request as the responder decided it.
enum class ResponseStatus : uint8_t { ok, refused, invalid, error };

/// Audit decision for a request.
enum class Decision : uint8_t { permitted, refused, invalid };

/// What became of one partner a federated request was forwarded to (see PartnerAnswer).
enum class PartnerStatus : uint8_t { answered, refused, timedOut, unreachable, invalid, fork };

/// How one kind of evidence (date of birth, sex, nationality) compares in a screening match.
enum class Evidence : uint8_t { unknown, agrees, partial, near, differs };

/// What an aggregate-statistics table counts: records of one kind, or the requests in the audit log.
enum class StatisticsSubject : uint8_t { records, requests };

/// The length of a statistics table's periods; a table's range is always whole periods.
enum class StatisticsPeriod : uint8_t { day, week, month };

/// What a statistics table groups by besides the period: a closed set, no free filters
/// (policy/statistics.h says which subject offers which).
enum class StatisticsDimension : uint8_t {
  none,          ///< the period alone
  port,          ///< UN/LOCODE of a movement's or refusal's crossing point
  direction,     ///< entry, exit, transit
  nationality,   ///< protected: oversight only
  sex,           ///< protected: oversight only
  ground,        ///< a refusal's grounds (Schengen Borders Code Annex V), each counted
  outcome,       ///< a visa decision's outcome
  fraudType,     ///< a listed document's status: lost, stolen, revoked, ...
  documentType,  ///< a listed document's type
  issuingState,  ///< a listed document's issuing state
  recordType,    ///< a health or justice record's kind, e.g. consultation
  queryKind,     ///< requests: the query kind
  decision,      ///< requests: permitted, refused, invalid
  role,          ///< requests: the officer's role
  requester,     ///< requests: the requesting member
};

/// True for the dimensions that describe a person's protected attributes (nationality, sex):
/// answered in aggregate to oversight roles only, never to an enforcement-facing role.
constexpr bool isProtected(StatisticsDimension d) {
  return d == StatisticsDimension::nationality || d == StatisticsDimension::sex;
}

// Stable names. `parseX` returns nullopt for an unknown name; callers report where it came from.
std::string_view name(Compartment);
std::string_view name(Role);
std::string_view name(NoticeColour);
std::string_view name(DocumentType);
std::string_view name(FraudType);
std::string_view name(Sex);
std::string_view name(MovementDirection);
std::string_view name(VisaOutcome);
std::string_view name(HandlingCode);
std::string_view name(RecordKind);
std::string_view name(MessageType);
std::string_view name(QueryKind);
std::string_view name(ResponseStatus);
std::string_view name(Decision);
std::string_view name(PartnerStatus);  ///< `answered`, `refused`, `timed-out`, `unreachable`, `invalid`, `fork`
std::string_view name(Evidence);       ///< `unknown`, `agrees`, `partial`, `near`, `differs`
std::string_view name(StatisticsSubject);    ///< `records`, `requests`
std::string_view name(StatisticsPeriod);     ///< `day`, `week`, `month`
std::string_view name(StatisticsDimension);  ///< `none`, `port`, ..., `fraud-type`, `query-kind`, ...

std::optional<Compartment> parseCompartment(std::string_view);
std::optional<Role> parseRole(std::string_view);
std::optional<NoticeColour> parseNoticeColour(std::string_view);
std::optional<DocumentType> parseDocumentType(std::string_view);
std::optional<FraudType> parseFraudType(std::string_view);
std::optional<Sex> parseSex(std::string_view);
std::optional<MovementDirection> parseMovementDirection(std::string_view);
std::optional<VisaOutcome> parseVisaOutcome(std::string_view);
std::optional<HandlingCode> parseHandlingCode(std::string_view);
std::optional<RecordKind> parseRecordKind(std::string_view);
std::optional<QueryKind> parseQueryKind(std::string_view);
std::optional<StatisticsSubject> parseStatisticsSubject(std::string_view);
std::optional<StatisticsPeriod> parseStatisticsPeriod(std::string_view);
std::optional<StatisticsDimension> parseStatisticsDimension(std::string_view);

/// The enum value with this stable name, for any enum above; nullopt for an unknown name. Lets
/// generic code (field visitors) parse an enum field by its type.
template <typename E>
std::optional<E> parseName(std::string_view text);
template <> std::optional<Compartment> parseName<Compartment>(std::string_view);
template <> std::optional<Role> parseName<Role>(std::string_view);
template <> std::optional<NoticeColour> parseName<NoticeColour>(std::string_view);
template <> std::optional<DocumentType> parseName<DocumentType>(std::string_view);
template <> std::optional<FraudType> parseName<FraudType>(std::string_view);
template <> std::optional<Sex> parseName<Sex>(std::string_view);
template <> std::optional<MovementDirection> parseName<MovementDirection>(std::string_view);
template <> std::optional<VisaOutcome> parseName<VisaOutcome>(std::string_view);
template <> std::optional<HandlingCode> parseName<HandlingCode>(std::string_view);
template <> std::optional<RecordKind> parseName<RecordKind>(std::string_view);
template <> std::optional<QueryKind> parseName<QueryKind>(std::string_view);

/// The compartment a record kind lives in.
Compartment compartmentOf(RecordKind);

/// True for the compartments no enforcement-facing role may ever touch.
constexpr bool isFirewalled(Compartment c) { return c == Compartment::health || c == Compartment::justice; }

// ---------------------------------------------------------------------------------------------
// Value types
// ---------------------------------------------------------------------------------------------

/// A calendar date. ISO text form YYYY-MM-DD.
using Date = std::chrono::year_month_day;

/// Parses YYYY-MM-DD into a valid calendar date.
Result<Date> parseDate(std::string_view text);
/// Formats as YYYY-MM-DD.
std::string formatDate(Date date);

/// A moment in time, UTC, whole seconds.
using Timestamp = std::chrono::sys_seconds;

/// Parses an RFC 3339 UTC timestamp `YYYY-MM-DDTHH:MM:SSZ`.
Result<Timestamp> parseTimestamp(std::string_view text);
/// Formats as `YYYY-MM-DDTHH:MM:SSZ`.
std::string formatTimestamp(Timestamp t);

/// A date of birth as records really carry it: year only, year and month, or a full date.
/// An unknown date has year 0. Text form `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; empty when unknown.
struct PartialDate {
  uint16_t year = 0;   ///< 0 when unknown
  uint8_t month = 0;   ///< 1..12, or 0 when only the year is known
  uint8_t day = 0;     ///< 1..31, or 0 when the day is unknown (then month may still be known)

  bool known() const { return year != 0; }
  friend bool operator==(const PartialDate&, const PartialDate&) = default;
};
Result<PartialDate> parsePartialDate(std::string_view text);
std::string formatPartialDate(const PartialDate& date);
/// A full date as a partial one with every part known (`date` must be ok(), years 1..9999).
PartialDate partialDateOf(Date date);

/// A travel document number, always normalised: upper case, without spaces, hyphens or MRZ `<`
/// fillers, 1..20 characters of A-Z and 0-9. Every comparison of numbers goes through this type.
class DocumentNumber {
 public:
  /// Normalises `raw`; fails if nothing is left or a character is not a letter or digit.
  static Result<DocumentNumber> parse(std::string_view raw);
  const std::string& str() const { return value_; }
  friend bool operator==(const DocumentNumber&, const DocumentNumber&) = default;

 private:
  explicit DocumentNumber(std::string v) : value_(std::move(v)) {}
  std::string value_;
};

/// True for a three-letter ICAO 9303 state or organisation code (A-Z, may end in `<`, e.g. `D<<`).
bool isIcaoStateCode(std::string_view code);

/// Identity of a person as recorded by an agency. Names are UTF-8 as recorded.
struct PersonIdentity {
  std::string familyName;
  std::string givenNames;
  PartialDate dateOfBirth;
  Sex sex = Sex::unspecified;
  std::string nationality;  ///< ICAO code, empty if unknown
  friend bool operator==(const PersonIdentity&, const PersonIdentity&) = default;
};

/// Fields every record carries.
struct RecordMeta {
  std::string ref;                     ///< opaque reference, unique per node (a UUID)
  std::string owner;                   ///< owning member id
  std::vector<std::string> visibleTo;  ///< members or groups allowed to see the record
  HandlingCode handling = HandlingCode::h2;
  Date retentionUntil{};               ///< purged after this date
  friend bool operator==(const RecordMeta&, const RecordMeta&) = default;
};

// ---------------------------------------------------------------------------------------------
// Records, one struct per kind
// ---------------------------------------------------------------------------------------------

/// An INTERPOL-style notice.
struct Notice {
  RecordMeta meta;
  NoticeColour colour = NoticeColour::red;
  std::string noticeId;  ///< e.g. `2099/1` as INTERPOL writes entity ids
  PersonIdentity person;
  std::vector<std::string> otherNationalities;
  std::vector<std::string> aliases;
  std::string nameInOriginalScript;
  std::vector<std::string> warrantIssuingStates;
  std::string charges;
  friend bool operator==(const Notice&, const Notice&) = default;
};

/// A lost, stolen, revoked or invalid travel document.
struct TravelDocument {
  RecordMeta meta;
  DocumentNumber number = DocumentNumber::parse("0").value();
  std::string issuingState;  ///< ICAO code
  DocumentType type = DocumentType::passport;
  FraudType fraudType = FraudType::lost;
  std::optional<Date> issueDate;
  std::optional<Date> expiryDate;
  Date reportDate{};
  std::optional<Date> reviewDate;
  std::string nationalReference;
  friend bool operator==(const TravelDocument&, const TravelDocument&) = default;
};

/// An entry, exit or transit at a border crossing point.
struct Movement {
  RecordMeta meta;
  PersonIdentity person;
  std::string documentNumber;  ///< normalised, may be empty
  std::string documentState;
  MovementDirection direction = MovementDirection::entry;
  std::string port;  ///< UN/LOCODE of the crossing point
  Timestamp occurredAt{};
  std::string carrierReference;  ///< flight or vessel, may be empty
  friend bool operator==(const Movement&, const Movement&) = default;
};

/// A refusal of entry with its grounds (Schengen Borders Code Annex V codes A..J).
struct Refusal {
  RecordMeta meta;
  PersonIdentity person;
  std::string documentNumber;
  std::string documentState;
  std::string port;
  Date refusedOn{};
  std::vector<std::string> grounds;
  friend bool operator==(const Refusal&, const Refusal&) = default;
};

/// A stay beyond the authorised period.
struct Overstay {
  RecordMeta meta;
  PersonIdentity person;
  std::string documentNumber;
  std::string documentState;
  Date authorisedUntil{};
  Date detectedOn{};
  friend bool operator==(const Overstay&, const Overstay&) = default;
};

/// A decision on a visa application or an issued visa.
struct VisaDecision {
  RecordMeta meta;
  PersonIdentity person;
  std::string applicationRef;
  std::string visaType;  ///< e.g. `C`, `D`
  VisaOutcome outcome = VisaOutcome::granted;
  Date decidedOn{};
  std::optional<Date> validFrom;
  std::optional<Date> validUntil;
  std::vector<std::string> grounds;
  friend bool operator==(const VisaDecision&, const VisaDecision&) = default;
};

/// A person of concern.
struct WatchlistPerson {
  RecordMeta meta;
  PersonIdentity person;
  std::vector<std::string> aliases;
  std::string reasonCode;
  std::optional<Date> exclusionFrom;
  std::optional<Date> exclusionUntil;
  friend bool operator==(const WatchlistPerson&, const WatchlistPerson&) = default;
};

/// A document of concern.
struct WatchlistDocument {
  RecordMeta meta;
  DocumentNumber number = DocumentNumber::parse("0").value();
  std::string issuingState;
  std::string reasonCode;
  std::optional<Date> exclusionFrom;
  std::optional<Date> exclusionUntil;
  friend bool operator==(const WatchlistDocument&, const WatchlistDocument&) = default;
};

/// A health record. Firewalled: never reachable from enforcement-facing roles.
struct HealthRecord {
  RecordMeta meta;
  PersonIdentity person;
  std::string facility;
  std::string recordKind;  ///< e.g. `consultation`, `vaccination`
  Date recordedOn{};
  std::string summary;
  friend bool operator==(const HealthRecord&, const HealthRecord&) = default;
};

/// A justice record. Firewalled: never reachable from enforcement-facing roles.
struct JusticeRecord {
  RecordMeta meta;
  PersonIdentity person;
  std::string court;
  std::string caseNumber;
  std::string recordKind;  ///< e.g. `proceeding`, `protection-order`
  Date filedOn{};
  std::string summary;
  friend bool operator==(const JusticeRecord&, const JusticeRecord&) = default;
};

/// Any record. The alternative index order matches RecordKind.
using Record = std::variant<Notice, TravelDocument, Movement, Refusal, Overstay, VisaDecision,
                            WatchlistPerson, WatchlistDocument, HealthRecord, JusticeRecord>;

RecordKind kindOf(const Record& record);
/// A default-constructed record of `kind`, e.g. to walk a kind's field list without a value.
Record defaultRecord(RecordKind kind);
const RecordMeta& metaOf(const Record& record);
RecordMeta& metaOf(Record& record);

// ---------------------------------------------------------------------------------------------
// Protocol messages
// ---------------------------------------------------------------------------------------------

using Digest = std::array<uint8_t, 32>;  ///< SHA-256

/// Who asks: the officer's pseudonym at the requesting member, with role and declared purpose.
struct OfficerContext {
  std::string pseudonym;
  Role role = Role::border;
  std::string purpose;
  std::string caseReference;
  std::string legalBasis;
  friend bool operator==(const OfficerContext&, const OfficerContext&) = default;
};

struct CheckDocumentQuery {
  DocumentNumber number = DocumentNumber::parse("0").value();
  std::string issuingState;
  DocumentType type = DocumentType::passport;
  friend bool operator==(const CheckDocumentQuery&, const CheckDocumentQuery&) = default;
};
/// Screening one person: by name (any script) with date of birth, sex and nationalities as
/// evidence, and optionally a document. The codec refuses one that names no person and gives no
/// document number: screening is never a query by nationality or sex alone.
struct ScreenPersonQuery {
  PersonIdentity person;  ///< family and given names, date of birth (may be partial), sex, a nationality
  std::vector<std::string> otherNames;          ///< further whole names, any script (limits::kMaxOtherNames)
  std::vector<std::string> otherNationalities;  ///< ICAO codes besides person.nationality
  std::optional<DocumentNumber> documentNumber;
  std::string documentState;  ///< ICAO code of the document's issuer; may be empty
  friend bool operator==(const ScreenPersonQuery&, const ScreenPersonQuery&) = default;
};
/// Whether a screening names a person: a name with a letter or digit, or a document number.
bool namesPerson(const ScreenPersonQuery& query);
/// A screening of `person` alone: no other names or nationalities, no document.
inline ScreenPersonQuery screeningOf(PersonIdentity person) {
  ScreenPersonQuery query;
  query.person = std::move(person);
  return query;
}
struct ScreenManifestQuery {
  std::vector<ScreenPersonQuery> travellers;  ///< in the manifest's order; hits name them by index
  Digest manifestDigest{};                    ///< SHA-256 of the manifest file as the client read it
  friend bool operator==(const ScreenManifestQuery&, const ScreenManifestQuery&) = default;
};
struct GetRecordQuery {
  std::string recordRef;
  RecordKind kind = RecordKind::travelDocument;  ///< from the hit; fixes the compartment before any lookup
  friend bool operator==(const GetRecordQuery&, const GetRecordQuery&) = default;
};
struct ListMovementsQuery {
  PersonIdentity person;
  std::string documentNumber;
  friend bool operator==(const ListMovementsQuery&, const ListMovementsQuery&) = default;
};
struct HealthRecordQuery {
  std::string recordRef;
  friend bool operator==(const HealthRecordQuery&, const HealthRecordQuery&) = default;
};
struct JusticeRecordQuery {
  std::string recordRef;
  friend bool operator==(const JusticeRecordQuery&, const JusticeRecordQuery&) = default;
};
/// The first day of 2000: the default of a statistics range's dates (an empty range, refused).
inline constexpr Date kStatisticsEpoch{std::chrono::year{2000}, std::chrono::January, std::chrono::day{1}};

/// Counts for oversight and trend analysis: records of one kind (or requests in the audit log) per
/// period in [from, until), grouped by one fixed dimension. Small cells are suppressed and counts
/// may carry noise (README "Statistics"); the node refuses a range that is not whole periods.
struct AggregateStatisticsQuery {
  Compartment compartment = Compartment::documents;  ///< records: the compartment counted (the policy decides on it)
  StatisticsSubject subject = StatisticsSubject::records;
  RecordKind kind = RecordKind::travelDocument;  ///< records: the kind counted, one of `compartment`'s
  StatisticsPeriod period = StatisticsPeriod::month;
  Date from = kStatisticsEpoch;   ///< the first day of the first period counted
  Date until = kStatisticsEpoch;  ///< the first day after the last period counted
  StatisticsDimension dimension = StatisticsDimension::none;
  friend bool operator==(const AggregateStatisticsQuery&, const AggregateStatisticsQuery&) = default;
};

/// Authorises one GET of the auditor API: `target` is that GET's exact path and query string.
struct AuditReadQuery {
  std::string target;
  friend bool operator==(const AuditReadQuery&, const AuditReadQuery&) = default;
};

/// One query of the closed set. Alternative index order matches QueryKind.
using Query = std::variant<CheckDocumentQuery, ScreenPersonQuery, ScreenManifestQuery, GetRecordQuery,
                           ListMovementsQuery, HealthRecordQuery, JusticeRecordQuery,
                           AggregateStatisticsQuery, AuditReadQuery>;

QueryKind kindOf(const Query& query);

/// A signed request's body.
struct Request {
  std::array<uint8_t, 16> requestId{};
  Timestamp issuedAt{};
  Timestamp expiresAt{};
  std::array<uint8_t, 32> nonce{};
  std::string requester;  ///< requesting member id
  OfficerContext officer;
  Query query;
  uint64_t knownTreeSize = 0;  ///< size of the responder's latest tree head we hold; 0: none
  /// Federation: the partners an officer asks through its own node (member ids, at most
  /// limits::kMaxPartnersPerRequest, none twice); empty with allPartners false: this node only.
  std::vector<std::string> partners;
  bool allPartners = false;  ///< every partner the node's outbound policy lets the officer ask
  bool alsoLocal = false;    ///< with partners: the own node answers as well
  /// Set by a node forwarding an officer's request to a partner: the digest of that officer's
  /// signed request body, so both nodes' auditors can follow one request.
  std::optional<Digest> onBehalfOf;
  friend bool operator==(const Request&, const Request&) = default;
};

/// Whether an officer's request asks its node to forward it to partners.
inline bool asksPartners(const Request& request) { return request.allPartners || !request.partners.empty(); }

/// One token of a screened name and the record's token it was matched with.
struct NameTokenMatch {
  std::string query;       ///< romanised token of the screened name
  std::string record;      ///< romanised token of the record's name
  std::string how;         ///< exact, phonetic, skeleton, edit, initial, joined
  uint16_t similarity = 0; ///< per mille
  friend bool operator==(const NameTokenMatch&, const NameTokenMatch&) = default;
};

/// Why a screened person matches a record; given only to officers a details rule covers.
struct ScreeningMatch {
  uint16_t score = 0;  ///< per mille
  std::string queryName;
  std::string recordName;
  std::vector<NameTokenMatch> tokens;
  Evidence dateOfBirth = Evidence::unknown;
  Evidence sex = Evidence::unknown;
  Evidence nationality = Evidence::unknown;
  std::string explanation;
  friend bool operator==(const ScreeningMatch&, const ScreeningMatch&) = default;
};

/// One hit in a response: where, and the details if the policy allowed them.
struct Hit {
  std::string recordRef;
  RecordKind kind = RecordKind::travelDocument;
  std::optional<Record> details;
  std::vector<std::string> withheldFields;
  uint32_t traveller = 0;               ///< screen-manifest: the traveller's index in the query
  std::optional<ScreeningMatch> match;  ///< screening hits for a details rule: the score and why
  friend bool operator==(const Hit&, const Hit&) = default;
};

/// One cell of a statistics table: one period and one value of the table's dimension.
struct StatisticsCell {
  Date period = kStatisticsEpoch;  ///< the first day of the period
  std::string value;               ///< the dimension's value; empty for dimension none or an unknown value
  bool suppressed = false;         ///< too few to release (or hidden to protect a small cell): no count
  uint64_t count = 0;              ///< the released count, with noise when the table has any; 0 when suppressed
  friend bool operator==(const StatisticsCell&, const StatisticsCell&) = default;
};

/// The answer to an aggregate-statistics query: its cells and the rules they were released under.
struct StatisticsTable {
  uint32_t minCellSize = 0;  ///< cells with fewer records are suppressed
  uint32_t noiseBound = 0;   ///< a released count differs from the true count by at most this
  std::vector<StatisticsCell> cells;  ///< by period, then value (limits::kMaxStatisticsCells)
  friend bool operator==(const StatisticsTable&, const StatisticsTable&) = default;
};

/// A signed envelope: the exact body bytes, the signer's key id and the signature.
struct SignedEnvelope {
  MessageType type = MessageType::request;
  std::vector<uint8_t> body;
  std::array<uint8_t, 16> keyId{};
  std::array<uint8_t, 64> signature{};
  friend bool operator==(const SignedEnvelope&, const SignedEnvelope&) = default;
};

/// Where an answered request sits in the responder's audit log.
struct AuditReceipt {
  std::string logId;
  uint64_t leafIndex = 0;
  Digest leafHash{};
  friend bool operator==(const AuditReceipt&, const AuditReceipt&) = default;
};

/// A signed response's body.
struct Response {
  Digest requestDigest{};
  std::string responder;
  ResponseStatus status = ResponseStatus::ok;
  std::string reason;
  std::vector<Hit> hits;
  std::vector<std::string> withheld;  ///< what was withheld and why, never firewalled content
  AuditReceipt receipt;
  std::optional<SignedEnvelope> treeHead;  ///< the responder's latest signed TreeHead
  std::vector<Digest> consistency;         ///< proof from the request's knownTreeSize to treeHead
  std::optional<StatisticsTable> statistics;  ///< the answer to an aggregate-statistics query
  friend bool operator==(const Response&, const Response&) = default;
};

/// One partner's part of a federated answer, signed by the officer's own node (FederationPart).
/// The partner's own signed response travels beside it verbatim (FederationFrame); the digests
/// bind those bytes to this part.
struct PartnerAnswer {
  std::string partner;
  PartnerStatus status = PartnerStatus::invalid;
  std::string detail;        ///< why, for every status but answered
  Digest forwardedDigest{};  ///< of the body of the request forwarded to the partner
  Digest responseDigest{};   ///< of the partner's response envelope as received; zeros when none came
  AuditReceipt receipt;      ///< the forwarded request's entry in the own node's audit log
  friend bool operator==(const PartnerAnswer&, const PartnerAnswer&) = default;
};

/// The own node's answer to a federated request is in FederationFrame::response.
struct LocalPart {
  friend bool operator==(const LocalPart&, const LocalPart&) = default;
};

/// The last part: every partner asked, with what became of it.
struct FederationSummary {
  std::vector<std::pair<std::string, PartnerStatus>> partners;
  friend bool operator==(const FederationSummary&, const FederationSummary&) = default;
};

/// The body of a signed federation part (an envelope of type federationPart).
struct FederationPart {
  Digest requestDigest{};  ///< of the officer's signed request body
  std::variant<PartnerAnswer, LocalPart, FederationSummary> part;
  friend bool operator==(const FederationPart&, const FederationPart&) = default;
};

/// One frame of a federated answer's stream; not signed itself (`part` is).
struct FederationFrame {
  std::vector<uint8_t> part;              ///< encoded SignedEnvelope of type federationPart
  std::vector<uint8_t> forwardedRequest;  ///< partner parts: the request envelope sent
  std::vector<uint8_t> response;          ///< partner's response envelope, or the own node's (local part)
  friend bool operator==(const FederationFrame&, const FederationFrame&) = default;
};

/// A tree head of the audit log; signed as the body of an envelope of type treeHead.
struct TreeHead {
  std::string logId;
  uint64_t treeSize = 0;
  Digest rootHash{};
  Timestamp timestamp{};
  friend bool operator==(const TreeHead&, const TreeHead&) = default;
};

/// One audited access, allowed or refused. Fields a refused or unauthenticated request could not
/// establish stay empty.
struct AuditEntry {
  Timestamp recordedAt{};
  std::string requester;
  std::string officerPseudonym;
  std::optional<Role> role;
  std::string purpose;
  std::string caseReference;
  std::optional<QueryKind> queryKind;
  Digest queryDigest{};
  Decision decision = Decision::refused;
  std::string reason;
  std::vector<std::string> recordRefs;
  Digest responseDigest{};
  /// Whose key verified the request: `officer:PSEUDONYM` (an officer of this node) or `member:ID`
  /// (a partner); empty when no key did. requester, officerPseudonym and role are what that
  /// verification established; what the request claimed instead is kept apart below.
  std::string signer;
  std::string claimedRequester;      ///< the requester the request named, when it differs
  std::string claimedOfficer;        ///< the officer pseudonym the request named, when it differs
  std::optional<Role> claimedRole;   ///< the role the request named, when it differs
  std::string remoteAddress;         ///< IP address of the connection the request came over
  std::string peerPin;               ///< `sha256:...` pin of the TLS client certificate, if any
  std::string localUser;             ///< command-line access: the operating-system user
  std::string command;               ///< command-line access: the command as run
  uint64_t repeatCount = 0;          ///< further refusals from the same source folded into this entry
  /// A request forwarded for an officer, at both nodes: the digest of that officer's own signed
  /// request (the queryDigest of the officer's entry at the officer's node).
  std::optional<Digest> onBehalfOf;
  std::string partner;  ///< at the officer's node: the partner a forwarded request went to
  std::optional<Digest> manifestDigest;  ///< screen-manifest: SHA-256 of the manifest file
  uint32_t travellers = 0;               ///< screen-manifest: travellers the manifest listed
  friend bool operator==(const AuditEntry&, const AuditEntry&) = default;
};

}  // namespace liaison
