#include "schema/model.h"

#include <algorithm>
#include <cassert>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <utility>

namespace liaison {
namespace {

// Name tables in enum order. These names are a contract: they appear in SQL, CSV, policy files and
// (for MessageType) in every signature's domain-separation prefix, so a rename breaks stored data
// and every signature in the federation. Add names at the end; never rename one.
constexpr std::array kCompartmentNames = {"notices", "documents", "immigration", "watchlist", "health", "justice"};
constexpr std::array kRoleNames = {"border", "immigration", "enforcement", "health", "justice", "liaison", "auditor"};
constexpr std::array kNoticeColourNames = {"red",    "yellow", "blue",   "black",     "green",
                                           "orange", "purple", "silver", "un-special"};
constexpr std::array kDocumentTypeNames = {"passport",         "identity-card",   "visa",
                                           "residence-permit", "travel-document", "other"};
constexpr std::array kFraudTypeNames = {"stolen-blank", "lost", "stolen-from-bearer", "revoked", "invalid"};
constexpr std::array kSexNames = {"unspecified", "female", "male"};
constexpr std::array kMovementDirectionNames = {"entry", "exit", "transit"};
constexpr std::array kVisaOutcomeNames = {"granted", "refused", "revoked", "annulled"};
constexpr std::array kHandlingCodeNames = {"h0", "h1", "h2", "h3"};
constexpr std::array kRecordKindNames = {"notice",          "travel-document",    "movement",      "refusal",
                                         "overstay",        "visa-decision",      "watchlist-person",
                                         "watchlist-document", "health-record",   "justice-record"};
constexpr std::array kMessageTypeNames = {"request", "response", "tree-head", "directory", "federation-part"};
constexpr std::array kQueryKindNames = {"check-document", "screen-person",  "screen-manifest", "get-record",
                                        "list-movements", "health-record",  "justice-record",
                                        "aggregate-statistics", "audit-read"};
constexpr std::array kResponseStatusNames = {"ok", "refused", "invalid", "error"};
constexpr std::array kDecisionNames = {"permitted", "refused", "invalid"};
constexpr std::array kPartnerStatusNames = {"answered", "refused", "timed-out", "unreachable", "invalid", "fork"};
constexpr std::array kEvidenceNames = {"unknown", "agrees", "partial", "near", "differs"};
constexpr std::array kStatisticsSubjectNames = {"records", "requests"};
constexpr std::array kStatisticsPeriodNames = {"day", "week", "month"};
constexpr std::array kStatisticsDimensionNames = {
    "none",       "port",          "direction",     "nationality", "sex",        "ground",   "outcome", "fraud-type",
    "document-type", "issuing-state", "record-type", "query-kind",  "decision",   "role",     "requester"};
static_assert(kStatisticsDimensionNames.size() == static_cast<size_t>(StatisticsDimension::requester) + 1);
static_assert(kRecordKindNames.size() == std::variant_size_v<Record>);
static_assert(kQueryKindNames.size() == std::variant_size_v<Query>);

template <typename Enum, size_t N>
std::string_view lookup(const std::array<const char*, N>& names, Enum value) {
  auto index = static_cast<size_t>(value);
  assert(index < N);
  return index < N ? names[index] : "invalid";  // never read past the table, even without asserts
}

template <typename Enum, size_t N>
std::optional<Enum> reverseLookup(const std::array<const char*, N>& names, std::string_view text) {
  for (size_t i = 0; i < N; ++i) {
    if (text == names[i]) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

bool parseUnsigned(std::string_view text, unsigned& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

bool allDigits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string_view name(Compartment v) { return lookup(kCompartmentNames, v); }
std::string_view name(Role v) { return lookup(kRoleNames, v); }
std::string_view name(NoticeColour v) { return lookup(kNoticeColourNames, v); }
std::string_view name(DocumentType v) { return lookup(kDocumentTypeNames, v); }
std::string_view name(FraudType v) { return lookup(kFraudTypeNames, v); }
std::string_view name(Sex v) { return lookup(kSexNames, v); }
std::string_view name(MovementDirection v) { return lookup(kMovementDirectionNames, v); }
std::string_view name(VisaOutcome v) { return lookup(kVisaOutcomeNames, v); }
std::string_view name(HandlingCode v) { return lookup(kHandlingCodeNames, v); }
std::string_view name(RecordKind v) { return lookup(kRecordKindNames, v); }
std::string_view name(MessageType v) { return lookup(kMessageTypeNames, v); }
std::string_view name(QueryKind v) { return lookup(kQueryKindNames, v); }
std::string_view name(ResponseStatus v) { return lookup(kResponseStatusNames, v); }
std::string_view name(Decision v) { return lookup(kDecisionNames, v); }
std::string_view name(PartnerStatus v) { return lookup(kPartnerStatusNames, v); }
std::string_view name(Evidence v) { return lookup(kEvidenceNames, v); }
std::string_view name(StatisticsSubject v) { return lookup(kStatisticsSubjectNames, v); }
std::string_view name(StatisticsPeriod v) { return lookup(kStatisticsPeriodNames, v); }
std::string_view name(StatisticsDimension v) { return lookup(kStatisticsDimensionNames, v); }

std::optional<Compartment> parseCompartment(std::string_view t) { return reverseLookup<Compartment>(kCompartmentNames, t); }
std::optional<Role> parseRole(std::string_view t) { return reverseLookup<Role>(kRoleNames, t); }
std::optional<NoticeColour> parseNoticeColour(std::string_view t) {
  return reverseLookup<NoticeColour>(kNoticeColourNames, t);
}
std::optional<DocumentType> parseDocumentType(std::string_view t) {
  return reverseLookup<DocumentType>(kDocumentTypeNames, t);
}
std::optional<FraudType> parseFraudType(std::string_view t) { return reverseLookup<FraudType>(kFraudTypeNames, t); }
std::optional<Sex> parseSex(std::string_view t) { return reverseLookup<Sex>(kSexNames, t); }
std::optional<MovementDirection> parseMovementDirection(std::string_view t) {
  return reverseLookup<MovementDirection>(kMovementDirectionNames, t);
}
std::optional<VisaOutcome> parseVisaOutcome(std::string_view t) {
  return reverseLookup<VisaOutcome>(kVisaOutcomeNames, t);
}
std::optional<HandlingCode> parseHandlingCode(std::string_view t) {
  return reverseLookup<HandlingCode>(kHandlingCodeNames, t);
}
std::optional<RecordKind> parseRecordKind(std::string_view t) { return reverseLookup<RecordKind>(kRecordKindNames, t); }
std::optional<QueryKind> parseQueryKind(std::string_view t) { return reverseLookup<QueryKind>(kQueryKindNames, t); }
std::optional<StatisticsSubject> parseStatisticsSubject(std::string_view t) {
  return reverseLookup<StatisticsSubject>(kStatisticsSubjectNames, t);
}
std::optional<StatisticsPeriod> parseStatisticsPeriod(std::string_view t) {
  return reverseLookup<StatisticsPeriod>(kStatisticsPeriodNames, t);
}
std::optional<StatisticsDimension> parseStatisticsDimension(std::string_view t) {
  return reverseLookup<StatisticsDimension>(kStatisticsDimensionNames, t);
}

template <> std::optional<Compartment> parseName<Compartment>(std::string_view t) { return parseCompartment(t); }
template <> std::optional<Role> parseName<Role>(std::string_view t) { return parseRole(t); }
template <> std::optional<NoticeColour> parseName<NoticeColour>(std::string_view t) { return parseNoticeColour(t); }
template <> std::optional<DocumentType> parseName<DocumentType>(std::string_view t) { return parseDocumentType(t); }
template <> std::optional<FraudType> parseName<FraudType>(std::string_view t) { return parseFraudType(t); }
template <> std::optional<Sex> parseName<Sex>(std::string_view t) { return parseSex(t); }
template <> std::optional<MovementDirection> parseName<MovementDirection>(std::string_view t) {
  return parseMovementDirection(t);
}
template <> std::optional<VisaOutcome> parseName<VisaOutcome>(std::string_view t) { return parseVisaOutcome(t); }
template <> std::optional<HandlingCode> parseName<HandlingCode>(std::string_view t) { return parseHandlingCode(t); }
template <> std::optional<RecordKind> parseName<RecordKind>(std::string_view t) { return parseRecordKind(t); }
template <> std::optional<QueryKind> parseName<QueryKind>(std::string_view t) { return parseQueryKind(t); }

Compartment compartmentOf(RecordKind kind) {
  switch (kind) {
    case RecordKind::notice: return Compartment::notices;
    case RecordKind::travelDocument: return Compartment::documents;
    case RecordKind::movement:
    case RecordKind::refusal:
    case RecordKind::overstay:
    case RecordKind::visaDecision: return Compartment::immigration;
    case RecordKind::watchlistPerson:
    case RecordKind::watchlistDocument: return Compartment::watchlist;
    case RecordKind::healthRecord: return Compartment::health;
    case RecordKind::justiceRecord: return Compartment::justice;
  }
  assert(false && "unknown record kind");
  return Compartment::health;  // unreachable; the most restrictive answer if it ever were reached
}

Result<Date> parseDate(std::string_view text) {
  unsigned y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !parseUnsigned(text.substr(0, 4), y) ||
      !parseUnsigned(text.substr(5, 2), m) || !parseUnsigned(text.substr(8, 2), d)) {
    return fail(ErrorKind::invalidInput, "expected a date YYYY-MM-DD, got '" + std::string(text) + "'");
  }
  Date date{std::chrono::year(static_cast<int>(y)), std::chrono::month(m), std::chrono::day(d)};
  if (!date.ok()) return fail(ErrorKind::invalidInput, "'" + std::string(text) + "' is not a calendar date");
  return date;
}

std::string formatDate(Date date) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buf;
}

Result<Timestamp> parseTimestamp(std::string_view text) {
  unsigned hh = 0, mm = 0, ss = 0;
  if (text.size() != 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != 'Z' ||
      !parseUnsigned(text.substr(11, 2), hh) || !parseUnsigned(text.substr(14, 2), mm) ||
      !parseUnsigned(text.substr(17, 2), ss) || hh > 23 || mm > 59 || ss > 60) {
    return fail(ErrorKind::invalidInput, "expected a UTC timestamp YYYY-MM-DDTHH:MM:SSZ, got '" + std::string(text) + "'");
  }
  auto date = parseDate(text.substr(0, 10));
  if (!date) return date.error();
  return Timestamp{std::chrono::sys_days(*date)} + std::chrono::hours(hh) + std::chrono::minutes(mm) +
         std::chrono::seconds(ss);
}

std::string formatTimestamp(Timestamp t) {
  auto days = std::chrono::floor<std::chrono::days>(t);
  std::chrono::hh_mm_ss time{t - days};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02dZ", formatDate(Date{days}).c_str(),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return buf;
}

Result<PartialDate> parsePartialDate(std::string_view text) {
  auto bad = [&] {
    return fail(ErrorKind::invalidInput,
                "expected a date YYYY, YYYY-MM or YYYY-MM-DD, got '" + std::string(text) + "'");
  };
  if (text.empty()) return PartialDate{};
  unsigned y = 0, m = 0, d = 0;
  if (text.size() < 4 || !allDigits(text.substr(0, 4)) || !parseUnsigned(text.substr(0, 4), y) || y == 0) return bad();
  if (text.size() == 4) return PartialDate{static_cast<uint16_t>(y), 0, 0};
  if (text.size() < 7 || text[4] != '-' || !parseUnsigned(text.substr(5, 2), m) || m < 1 || m > 12) return bad();
  if (text.size() == 7) return PartialDate{static_cast<uint16_t>(y), static_cast<uint8_t>(m), 0};
  if (text.size() != 10 || text[7] != '-' || !parseUnsigned(text.substr(8, 2), d)) return bad();
  Date full{std::chrono::year(static_cast<int>(y)), std::chrono::month(m), std::chrono::day(d)};
  if (!full.ok()) return bad();
  return PartialDate{static_cast<uint16_t>(y), static_cast<uint8_t>(m), static_cast<uint8_t>(d)};
}

PartialDate partialDateOf(Date date) {
  return PartialDate{static_cast<uint16_t>(static_cast<int>(date.year())),
                     static_cast<uint8_t>(static_cast<unsigned>(date.month())),
                     static_cast<uint8_t>(static_cast<unsigned>(date.day()))};
}

std::string formatPartialDate(const PartialDate& date) {
  if (!date.known()) return {};
  char buf[16];
  if (date.month == 0) {
    std::snprintf(buf, sizeof buf, "%04u", static_cast<unsigned>(date.year));
  } else if (date.day == 0) {
    std::snprintf(buf, sizeof buf, "%04u-%02u", static_cast<unsigned>(date.year), static_cast<unsigned>(date.month));
  } else {
    std::snprintf(buf, sizeof buf, "%04u-%02u-%02u", static_cast<unsigned>(date.year),
                  static_cast<unsigned>(date.month), static_cast<unsigned>(date.day));
  }
  return buf;
}

Result<DocumentNumber> DocumentNumber::parse(std::string_view raw) {
  constexpr size_t kMaxLength = 20;
  std::string normalised;
  normalised.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == ' ' || c == '\t' || c == '-' || c == '<') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
      return fail(ErrorKind::invalidInput, "document number has a character that is not a letter or digit at position " +
                                               std::to_string(i + 1));
    }
    normalised.push_back(c);
  }
  if (normalised.empty()) return fail(ErrorKind::invalidInput, "document number is empty");
  if (normalised.size() > kMaxLength) {
    return fail(ErrorKind::invalidInput, "document number is longer than " + std::to_string(kMaxLength) + " characters");
  }
  return DocumentNumber(std::move(normalised));
}

bool isIcaoStateCode(std::string_view code) {
  if (code.size() != 3 || code[0] < 'A' || code[0] > 'Z') return false;
  bool filler = false;
  for (char c : code.substr(1)) {
    if (c == '<') {
      filler = true;
    } else if (c < 'A' || c > 'Z' || filler) {
      return false;
    }
  }
  return true;
}

RecordKind kindOf(const Record& record) { return static_cast<RecordKind>(record.index()); }

Record defaultRecord(RecordKind kind) {
  switch (kind) {
    case RecordKind::notice: return Notice{};
    case RecordKind::travelDocument: return TravelDocument{};
    case RecordKind::movement: return Movement{};
    case RecordKind::refusal: return Refusal{};
    case RecordKind::overstay: return Overstay{};
    case RecordKind::visaDecision: return VisaDecision{};
    case RecordKind::watchlistPerson: return WatchlistPerson{};
    case RecordKind::watchlistDocument: return WatchlistDocument{};
    case RecordKind::healthRecord: return HealthRecord{};
    case RecordKind::justiceRecord: return JusticeRecord{};
  }
  assert(false && "unknown record kind");
  return HealthRecord{};
}
const RecordMeta& metaOf(const Record& record) {
  return std::visit([](const auto& r) -> const RecordMeta& { return r.meta; }, record);
}
RecordMeta& metaOf(Record& record) {
  return std::visit([](auto& r) -> RecordMeta& { return r.meta; }, record);
}
QueryKind kindOf(const Query& query) { return static_cast<QueryKind>(query.index()); }

namespace {
// A letter or digit: ASCII ones, and any character outside ASCII (a name in another script).
bool hasNameCharacter(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || std::isalnum(u) != 0;
  });
}
}  // namespace

bool namesPerson(const ScreenPersonQuery& query) {
  if (query.documentNumber) return true;
  if (hasNameCharacter(query.person.familyName) || hasNameCharacter(query.person.givenNames)) return true;
  return std::any_of(query.otherNames.begin(), query.otherNames.end(), hasNameCharacter);
}

const char* errorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalidInput: return "invalid input";
    case ErrorKind::notPermitted: return "not permitted";
    case ErrorKind::notFound: return "not found";
    case ErrorKind::conflict: return "conflict";
    case ErrorKind::unavailable: return "unavailable";
    case ErrorKind::internal: return "internal error";
  }
  return "internal error";
}

}  // namespace liaison
