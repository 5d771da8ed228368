#include "schema/codec.h"

#include <capnp/message.h>
#include <kj/array.h>
#include <kj/exception.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

#include "schema/audit.capnp.h"
#include "schema/common.capnp.h"
#include "schema/directory.capnp.h"
#include "schema/limits.h"
#include "schema/messages.capnp.h"
#include "schema/records.capnp.h"

namespace liaison {
namespace {

using std::chrono::sys_days;

// Our deepest message is Response > hits > Hit > Record > record kind > PersonIdentity > PartialDate.
constexpr int kNestingLimit = 16;
// Checking the canonical form walks the message once and reading it walks it once more (canonical
// form rules out pointers that share content), so twice the largest input bounds an honest decode.
constexpr uint64_t kTraversalLimitInWords = 2 * kMaxEncodedBytes / sizeof(capnp::word);

// Timestamps outside the years RFC 3339 text can express are rejected: no valid message needs
// them, and formatTimestamp could not write them as YYYY-MM-DDTHH:MM:SSZ.
constexpr Timestamp kEarliestTimestamp = sys_days{std::chrono::year{0} / 1 / 1};
constexpr Timestamp kLatestTimestamp =
    sys_days{std::chrono::year{9999} / 12 / 31} + std::chrono::seconds{86399};
constexpr unsigned kLatestYear = 9999;

// ---------------------------------------------------------------------------------------------
// Where a value sits in the message, for error messages
// ---------------------------------------------------------------------------------------------

/// A field's position, e.g. `record: notice person date of birth`. A chain of views on the stack,
/// rendered only when a value is rejected, so decoding valid input builds no strings.
struct Path {
  static constexpr size_t kNoIndex = static_cast<size_t>(-1);

  const Path* parent = nullptr;
  std::string_view name;    ///< the message for the root, a field otherwise
  size_t index = kNoIndex;  ///< set for a list element

  Path field(std::string_view child) const { return Path{this, child}; }
  Path element(size_t i) const { return Path{this, {}, i}; }

  std::string render() const {
    if (parent == nullptr) return std::string(name);
    std::string out = parent->render();
    if (index != kNoIndex) return out + "[" + std::to_string(index) + "]";
    return out + (parent->parent == nullptr ? ": " : " ") + std::string(name);
  }
};

/// A decoded value that breaks a rule of the model. Thrown only inside this file and turned into
/// an Error by decodeMessage; an exception spares every nested reader from forwarding a Result.
struct Rejected {
  std::string message;
};

[[noreturn]] void reject(const Path& at, const std::string& problem) {
  throw Rejected{at.render() + (at.parent == nullptr ? ": " : " ") + problem};
}

// ---------------------------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------------------------

/// Pins a wire enum to its model twin. Both list the same enumerants in the same order, so they
/// convert by ordinal; checking that their last enumerants agree catches one growing alone.
template <auto kModelLast, auto kWireLast>
struct MirrorOf {
  static_assert(static_cast<unsigned>(kModelLast) == static_cast<unsigned>(kWireLast),
                "an enum in schema/model.h and its twin in schema/common.capnp differ in length");
  using Model = decltype(kModelLast);
  static constexpr unsigned kCount = static_cast<unsigned>(kModelLast) + 1;
};

template <typename Wire>
struct Mirror;
template <>
struct Mirror<wire::Compartment> : MirrorOf<Compartment::justice, wire::Compartment::JUSTICE> {};
template <>
struct Mirror<wire::Role> : MirrorOf<Role::auditor, wire::Role::AUDITOR> {};
template <>
struct Mirror<wire::NoticeColour> : MirrorOf<NoticeColour::unSpecial, wire::NoticeColour::UN_SPECIAL> {};
template <>
struct Mirror<wire::DocumentType> : MirrorOf<DocumentType::other, wire::DocumentType::OTHER> {};
template <>
struct Mirror<wire::FraudType> : MirrorOf<FraudType::invalid, wire::FraudType::INVALID> {};
template <>
struct Mirror<wire::Sex> : MirrorOf<Sex::male, wire::Sex::MALE> {};
template <>
struct Mirror<wire::MovementDirection>
    : MirrorOf<MovementDirection::transit, wire::MovementDirection::TRANSIT> {};
template <>
struct Mirror<wire::VisaOutcome> : MirrorOf<VisaOutcome::annulled, wire::VisaOutcome::ANNULLED> {};
template <>
struct Mirror<wire::HandlingCode> : MirrorOf<HandlingCode::h3, wire::HandlingCode::H3> {};
template <>
struct Mirror<wire::RecordKind> : MirrorOf<RecordKind::justiceRecord, wire::RecordKind::JUSTICE_RECORD> {};
template <>
struct Mirror<wire::MessageType> : MirrorOf<MessageType::federationPart, wire::MessageType::FEDERATION_PART> {};
template <>
struct Mirror<wire::QueryKind>
    : MirrorOf<QueryKind::auditRead, wire::QueryKind::AUDIT_READ> {};
template <>
struct Mirror<wire::ResponseStatus> : MirrorOf<ResponseStatus::error, wire::ResponseStatus::ERROR> {};
template <>
struct Mirror<wire::Decision> : MirrorOf<Decision::invalid, wire::Decision::INVALID> {};
template <>
struct Mirror<wire::PartnerStatus> : MirrorOf<PartnerStatus::fork, wire::PartnerStatus::FORK> {};
template <>
struct Mirror<wire::Evidence> : MirrorOf<Evidence::differs, wire::Evidence::DIFFERS> {};
template <>
struct Mirror<wire::StatisticsSubject> : MirrorOf<StatisticsSubject::requests, wire::StatisticsSubject::REQUESTS> {};
template <>
struct Mirror<wire::StatisticsPeriod> : MirrorOf<StatisticsPeriod::month, wire::StatisticsPeriod::MONTH> {};
template <>
struct Mirror<wire::StatisticsDimension>
    : MirrorOf<StatisticsDimension::requester, wire::StatisticsDimension::REQUESTER> {};

template <typename Wire>
Wire toWire(typename Mirror<Wire>::Model value) {
  return static_cast<Wire>(value);
}

/// Cap'n Proto hands an enumerant this schema does not know over as its raw number.
template <typename Wire>
typename Mirror<Wire>::Model fromWire(Wire value, const Path& at) {
  auto raw = static_cast<unsigned>(value);
  if (raw >= Mirror<Wire>::kCount) reject(at, "has unknown value " + std::to_string(raw));
  return static_cast<typename Mirror<Wire>::Model>(raw);
}

// ---------------------------------------------------------------------------------------------
// Leaf values
// ---------------------------------------------------------------------------------------------

capnp::Text::Reader textOf(const std::string& text) { return {text.data(), text.size()}; }

template <typename ListBuilder>
void writeTexts(ListBuilder list, const std::vector<std::string>& texts) {
  for (size_t i = 0; i < texts.size(); ++i) list.set(static_cast<unsigned>(i), textOf(texts[i]));
}

template <size_t N>
capnp::Data::Reader bytesOf(const std::array<uint8_t, N>& bytes) {
  return {bytes.data(), bytes.size()};
}

/// True for well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF)
/// without NUL, which PostgreSQL text and C strings downstream cannot hold.
bool isUtf8WithoutNul(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto lead = static_cast<unsigned char>(text[i]);
    if (lead == 0) return false;
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t length = 0;
    uint32_t codePoint = 0;
    uint32_t smallest = 0;
    if ((lead & 0xE0) == 0xC0) {
      length = 2, codePoint = lead & 0x1Fu, smallest = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3, codePoint = lead & 0x0Fu, smallest = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4, codePoint = lead & 0x07u, smallest = 0x10000;
    } else {
      return false;
    }
    if (text.size() - i < length) return false;
    for (size_t k = 1; k < length; ++k) {
      auto continuation = static_cast<unsigned char>(text[i + k]);
      if ((continuation & 0xC0) != 0x80) return false;
      codePoint = (codePoint << 6) | (continuation & 0x3Fu);
    }
    if (codePoint < smallest || codePoint > 0x10FFFF || (codePoint >= 0xD800 && codePoint <= 0xDFFF))
      return false;
    i += length;
  }
  return true;
}

// Rejections never quote the text itself: it may be a name or a document number (STYLE.md rule 7).
// Its length is checked first, so no oversized text is copied (limits in schema/limits.h).
std::string readText(capnp::Text::Reader text, const Path& at, size_t maxBytes) {
  if (text.size() > maxBytes) reject(at, limits::bytesOverLimit(text.size(), maxBytes));
  std::string_view view(text.begin(), text.size());
  if (!isUtf8WithoutNul(view)) reject(at, "is not UTF-8 text without NUL characters");
  return std::string(view);
}

/// The bounds of a list of texts: how many items, and how long each may be.
struct TextsLimit {
  size_t items;
  size_t bytes;
};

std::vector<std::string> readTexts(capnp::List<capnp::Text>::Reader list, const Path& at, TextsLimit limit) {
  if (list.size() > limit.items) reject(at, limits::itemsOverLimit(list.size(), limit.items));
  std::vector<std::string> texts;
  texts.reserve(list.size());
  for (unsigned i = 0; i < list.size(); ++i) texts.push_back(readText(list[i], at.element(i), limit.bytes));
  return texts;
}

template <size_t N>
std::array<uint8_t, N> readBytes(capnp::Data::Reader data, const Path& at) {
  if (data.size() != N) {
    reject(at, "must be " + std::to_string(N) + " bytes, got " + std::to_string(data.size()));
  }
  std::array<uint8_t, N> bytes;
  std::memcpy(bytes.data(), data.begin(), N);
  return bytes;
}

DocumentNumber readDocumentNumber(capnp::Text::Reader text, const Path& at) {
  std::string raw = readText(text, at, limits::kDocumentNumberBytes);
  auto number = DocumentNumber::parse(raw);
  if (!number) reject(at, "is invalid: " + number.error().message);
  // Numbers are compared byte for byte, so a sender must not leave normalising to us.
  if (number->str() != raw) reject(at, "is not normalised (upper case A-Z and 0-9 only)");
  return std::move(number).value();
}

int64_t epochSeconds(Timestamp t) { return t.time_since_epoch().count(); }

Timestamp readTimestamp(int64_t seconds, const Path& at) {
  if (seconds < epochSeconds(kEarliestTimestamp) || seconds > epochSeconds(kLatestTimestamp)) {
    reject(at, std::to_string(seconds) + " is outside 0000-01-01T00:00:00Z..9999-12-31T23:59:59Z");
  }
  return Timestamp{std::chrono::seconds{seconds}};
}

void write(wire::Date::Builder b, Date date) {
  // An invalid model date keeps its raw fields (a negative year wraps), so the decoder rejects it.
  b.setYear(static_cast<uint16_t>(static_cast<int>(date.year())));
  b.setMonth(static_cast<uint8_t>(static_cast<unsigned>(date.month())));
  b.setDay(static_cast<uint8_t>(static_cast<unsigned>(date.day())));
}

/// Checks year, month and day together form a date of 0000-01-01..9999-12-31.
Date checkedDate(unsigned year, unsigned month, unsigned day, const Path& at) {
  if (year > kLatestYear) reject(at, "year " + std::to_string(year) + " out of range");
  if (month < 1 || month > 12) reject(at, "month " + std::to_string(month) + " out of range");
  Date date{std::chrono::year{static_cast<int>(year)}, std::chrono::month{month}, std::chrono::day{day}};
  if (!date.ok()) {
    reject(at, "day " + std::to_string(day) + " out of range for month " + std::to_string(month) + " of " +
                   std::to_string(year));
  }
  return date;
}

Date read(wire::Date::Reader r, const Path& at) {
  return checkedDate(r.getYear(), r.getMonth(), r.getDay(), at);
}

template <typename Group>
void writeOptionalDate(Group group, const std::optional<Date>& date) {
  if (date) {
    write(group.initSome(), *date);
  } else {
    group.setNone();
  }
}

template <typename Group>
std::optional<Date> readOptionalDate(Group group, const Path& at) {
  if (group.isNone()) return std::nullopt;
  if (group.isSome()) return read(group.getSome(), at);
  reject(at, "has unknown alternative " + std::to_string(static_cast<unsigned>(group.which())));
}

void write(wire::PartialDate::Builder b, const PartialDate& date) {
  b.setYear(date.year);
  b.setMonth(date.month);
  b.setDay(date.day);
}

PartialDate read(wire::PartialDate::Reader r, const Path& at) {
  PartialDate date{r.getYear(), r.getMonth(), r.getDay()};
  if (!date.known()) {
    if (date.month != 0 || date.day != 0) reject(at, "has a month or day but no year");
  } else if (date.month == 0) {
    if (date.day != 0) reject(at, "has a day but no month");
    if (date.year > kLatestYear) reject(at, "year " + std::to_string(date.year) + " out of range");
  } else if (date.day == 0) {
    checkedDate(date.year, date.month, 1, at);
  } else {
    checkedDate(date.year, date.month, date.day, at);
  }
  return date;
}

// ---------------------------------------------------------------------------------------------
// Shared structs
// ---------------------------------------------------------------------------------------------

void write(wire::PersonIdentity::Builder b, const PersonIdentity& person) {
  b.setFamilyName(textOf(person.familyName));
  b.setGivenNames(textOf(person.givenNames));
  write(b.initDateOfBirth(), person.dateOfBirth);
  b.setSex(toWire<wire::Sex>(person.sex));
  b.setNationality(textOf(person.nationality));
}

PersonIdentity read(wire::PersonIdentity::Reader r, const Path& at) {
  PersonIdentity person;
  person.familyName = readText(r.getFamilyName(), at.field("family name"), limits::kPersonNameBytes);
  person.givenNames = readText(r.getGivenNames(), at.field("given names"), limits::kPersonNameBytes);
  person.dateOfBirth = read(r.getDateOfBirth(), at.field("date of birth"));
  person.sex = fromWire(r.getSex(), at.field("sex"));
  person.nationality = readText(r.getNationality(), at.field("nationality"), limits::kCodeBytes);
  return person;
}

void write(wire::RecordMeta::Builder b, const RecordMeta& meta) {
  b.setRef(textOf(meta.ref));
  b.setOwner(textOf(meta.owner));
  writeTexts(b.initVisibleTo(static_cast<unsigned>(meta.visibleTo.size())), meta.visibleTo);
  b.setHandling(toWire<wire::HandlingCode>(meta.handling));
  write(b.initRetentionUntil(), meta.retentionUntil);
}

RecordMeta read(wire::RecordMeta::Reader r, const Path& at) {
  RecordMeta meta;
  meta.ref = readText(r.getRef(), at.field("ref"), limits::kRecordRefBytes);
  meta.owner = readText(r.getOwner(), at.field("owner"), limits::kMemberIdBytes);
  meta.visibleTo =
      readTexts(r.getVisibleTo(), at.field("visible to"), {limits::kMaxVisibleTo, limits::kMemberIdBytes});
  meta.handling = fromWire(r.getHandling(), at.field("handling code"));
  meta.retentionUntil = read(r.getRetentionUntil(), at.field("retention date"));
  return meta;
}

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

void write(wire::Notice::Builder b, const Notice& notice) {
  write(b.initMeta(), notice.meta);
  b.setColour(toWire<wire::NoticeColour>(notice.colour));
  b.setNoticeId(textOf(notice.noticeId));
  write(b.initPerson(), notice.person);
  writeTexts(b.initOtherNationalities(static_cast<unsigned>(notice.otherNationalities.size())),
             notice.otherNationalities);
  writeTexts(b.initAliases(static_cast<unsigned>(notice.aliases.size())), notice.aliases);
  b.setNameInOriginalScript(textOf(notice.nameInOriginalScript));
  writeTexts(b.initWarrantIssuingStates(static_cast<unsigned>(notice.warrantIssuingStates.size())),
             notice.warrantIssuingStates);
  b.setCharges(textOf(notice.charges));
}

Notice read(wire::Notice::Reader r, const Path& at) {
  Notice notice;
  notice.meta = read(r.getMeta(), at);
  notice.colour = fromWire(r.getColour(), at.field("colour"));
  notice.noticeId = readText(r.getNoticeId(), at.field("notice id"), limits::kReferenceBytes);
  notice.person = read(r.getPerson(), at.field("person"));
  notice.otherNationalities = readTexts(r.getOtherNationalities(), at.field("other nationalities"),
                                        {limits::kMaxOtherNationalities, limits::kCodeBytes});
  notice.aliases =
      readTexts(r.getAliases(), at.field("aliases"), {limits::kMaxAliases, limits::kPersonNameBytes});
  notice.nameInOriginalScript = readText(r.getNameInOriginalScript(), at.field("name in original script"),
                                         limits::kOriginalScriptNameBytes);
  notice.warrantIssuingStates = readTexts(r.getWarrantIssuingStates(), at.field("warrant issuing states"),
                                          {limits::kMaxWarrantStates, limits::kCodeBytes});
  notice.charges = readText(r.getCharges(), at.field("charges"), limits::kFreeTextBytes);
  return notice;
}

void write(wire::TravelDocument::Builder b, const TravelDocument& document) {
  write(b.initMeta(), document.meta);
  b.setNumber(textOf(document.number.str()));
  b.setIssuingState(textOf(document.issuingState));
  b.setType(toWire<wire::DocumentType>(document.type));
  b.setFraudType(toWire<wire::FraudType>(document.fraudType));
  writeOptionalDate(b.initIssueDate(), document.issueDate);
  writeOptionalDate(b.initExpiryDate(), document.expiryDate);
  write(b.initReportDate(), document.reportDate);
  writeOptionalDate(b.initReviewDate(), document.reviewDate);
  b.setNationalReference(textOf(document.nationalReference));
}

TravelDocument read(wire::TravelDocument::Reader r, const Path& at) {
  TravelDocument document;
  document.meta = read(r.getMeta(), at);
  document.number = readDocumentNumber(r.getNumber(), at.field("number"));
  document.issuingState = readText(r.getIssuingState(), at.field("issuing state"), limits::kCodeBytes);
  document.type = fromWire(r.getType(), at.field("type"));
  document.fraudType = fromWire(r.getFraudType(), at.field("fraud type"));
  document.issueDate = readOptionalDate(r.getIssueDate(), at.field("issue date"));
  document.expiryDate = readOptionalDate(r.getExpiryDate(), at.field("expiry date"));
  document.reportDate = read(r.getReportDate(), at.field("report date"));
  document.reviewDate = readOptionalDate(r.getReviewDate(), at.field("review date"));
  document.nationalReference =
      readText(r.getNationalReference(), at.field("national reference"), limits::kReferenceBytes);
  return document;
}

void write(wire::Movement::Builder b, const Movement& movement) {
  write(b.initMeta(), movement.meta);
  write(b.initPerson(), movement.person);
  b.setDocumentNumber(textOf(movement.documentNumber));
  b.setDocumentState(textOf(movement.documentState));
  b.setDirection(toWire<wire::MovementDirection>(movement.direction));
  b.setPort(textOf(movement.port));
  b.setOccurredAt(epochSeconds(movement.occurredAt));
  b.setCarrierReference(textOf(movement.carrierReference));
}

Movement read(wire::Movement::Reader r, const Path& at) {
  Movement movement;
  movement.meta = read(r.getMeta(), at);
  movement.person = read(r.getPerson(), at.field("person"));
  movement.documentNumber =
      readText(r.getDocumentNumber(), at.field("document number"), limits::kDocumentNumberBytes);
  movement.documentState = readText(r.getDocumentState(), at.field("document state"), limits::kCodeBytes);
  movement.direction = fromWire(r.getDirection(), at.field("direction"));
  movement.port = readText(r.getPort(), at.field("port"), limits::kCodeBytes);
  movement.occurredAt = readTimestamp(r.getOccurredAt(), at.field("time"));
  movement.carrierReference =
      readText(r.getCarrierReference(), at.field("carrier reference"), limits::kReferenceBytes);
  return movement;
}

void write(wire::Refusal::Builder b, const Refusal& refusal) {
  write(b.initMeta(), refusal.meta);
  write(b.initPerson(), refusal.person);
  b.setDocumentNumber(textOf(refusal.documentNumber));
  b.setDocumentState(textOf(refusal.documentState));
  b.setPort(textOf(refusal.port));
  write(b.initRefusedOn(), refusal.refusedOn);
  writeTexts(b.initGrounds(static_cast<unsigned>(refusal.grounds.size())), refusal.grounds);
}

Refusal read(wire::Refusal::Reader r, const Path& at) {
  Refusal refusal;
  refusal.meta = read(r.getMeta(), at);
  refusal.person = read(r.getPerson(), at.field("person"));
  refusal.documentNumber =
      readText(r.getDocumentNumber(), at.field("document number"), limits::kDocumentNumberBytes);
  refusal.documentState = readText(r.getDocumentState(), at.field("document state"), limits::kCodeBytes);
  refusal.port = readText(r.getPort(), at.field("port"), limits::kCodeBytes);
  refusal.refusedOn = read(r.getRefusedOn(), at.field("refusal date"));
  refusal.grounds = readTexts(r.getGrounds(), at.field("grounds"), {limits::kMaxGrounds, limits::kCodeBytes});
  return refusal;
}

void write(wire::Overstay::Builder b, const Overstay& overstay) {
  write(b.initMeta(), overstay.meta);
  write(b.initPerson(), overstay.person);
  b.setDocumentNumber(textOf(overstay.documentNumber));
  b.setDocumentState(textOf(overstay.documentState));
  write(b.initAuthorisedUntil(), overstay.authorisedUntil);
  write(b.initDetectedOn(), overstay.detectedOn);
}

Overstay read(wire::Overstay::Reader r, const Path& at) {
  Overstay overstay;
  overstay.meta = read(r.getMeta(), at);
  overstay.person = read(r.getPerson(), at.field("person"));
  overstay.documentNumber =
      readText(r.getDocumentNumber(), at.field("document number"), limits::kDocumentNumberBytes);
  overstay.documentState = readText(r.getDocumentState(), at.field("document state"), limits::kCodeBytes);
  overstay.authorisedUntil = read(r.getAuthorisedUntil(), at.field("authorised-until date"));
  overstay.detectedOn = read(r.getDetectedOn(), at.field("detection date"));
  return overstay;
}

void write(wire::VisaDecision::Builder b, const VisaDecision& decision) {
  write(b.initMeta(), decision.meta);
  write(b.initPerson(), decision.person);
  b.setApplicationRef(textOf(decision.applicationRef));
  b.setVisaType(textOf(decision.visaType));
  b.setOutcome(toWire<wire::VisaOutcome>(decision.outcome));
  write(b.initDecidedOn(), decision.decidedOn);
  writeOptionalDate(b.initValidFrom(), decision.validFrom);
  writeOptionalDate(b.initValidUntil(), decision.validUntil);
  writeTexts(b.initGrounds(static_cast<unsigned>(decision.grounds.size())), decision.grounds);
}

VisaDecision read(wire::VisaDecision::Reader r, const Path& at) {
  VisaDecision decision;
  decision.meta = read(r.getMeta(), at);
  decision.person = read(r.getPerson(), at.field("person"));
  decision.applicationRef =
      readText(r.getApplicationRef(), at.field("application ref"), limits::kReferenceBytes);
  decision.visaType = readText(r.getVisaType(), at.field("visa type"), limits::kCodeBytes);
  decision.outcome = fromWire(r.getOutcome(), at.field("outcome"));
  decision.decidedOn = read(r.getDecidedOn(), at.field("decision date"));
  decision.validFrom = readOptionalDate(r.getValidFrom(), at.field("valid-from date"));
  decision.validUntil = readOptionalDate(r.getValidUntil(), at.field("valid-until date"));
  decision.grounds =
      readTexts(r.getGrounds(), at.field("grounds"), {limits::kMaxGrounds, limits::kCodeBytes});
  return decision;
}

void write(wire::WatchlistPerson::Builder b, const WatchlistPerson& entry) {
  write(b.initMeta(), entry.meta);
  write(b.initPerson(), entry.person);
  writeTexts(b.initAliases(static_cast<unsigned>(entry.aliases.size())), entry.aliases);
  b.setReasonCode(textOf(entry.reasonCode));
  writeOptionalDate(b.initExclusionFrom(), entry.exclusionFrom);
  writeOptionalDate(b.initExclusionUntil(), entry.exclusionUntil);
}

WatchlistPerson read(wire::WatchlistPerson::Reader r, const Path& at) {
  WatchlistPerson entry;
  entry.meta = read(r.getMeta(), at);
  entry.person = read(r.getPerson(), at.field("person"));
  entry.aliases =
      readTexts(r.getAliases(), at.field("aliases"), {limits::kMaxAliases, limits::kPersonNameBytes});
  entry.reasonCode = readText(r.getReasonCode(), at.field("reason code"), limits::kCodeBytes);
  entry.exclusionFrom = readOptionalDate(r.getExclusionFrom(), at.field("exclusion-from date"));
  entry.exclusionUntil = readOptionalDate(r.getExclusionUntil(), at.field("exclusion-until date"));
  return entry;
}

void write(wire::WatchlistDocument::Builder b, const WatchlistDocument& entry) {
  write(b.initMeta(), entry.meta);
  b.setNumber(textOf(entry.number.str()));
  b.setIssuingState(textOf(entry.issuingState));
  b.setReasonCode(textOf(entry.reasonCode));
  writeOptionalDate(b.initExclusionFrom(), entry.exclusionFrom);
  writeOptionalDate(b.initExclusionUntil(), entry.exclusionUntil);
}

WatchlistDocument read(wire::WatchlistDocument::Reader r, const Path& at) {
  WatchlistDocument entry;
  entry.meta = read(r.getMeta(), at);
  entry.number = readDocumentNumber(r.getNumber(), at.field("number"));
  entry.issuingState = readText(r.getIssuingState(), at.field("issuing state"), limits::kCodeBytes);
  entry.reasonCode = readText(r.getReasonCode(), at.field("reason code"), limits::kCodeBytes);
  entry.exclusionFrom = readOptionalDate(r.getExclusionFrom(), at.field("exclusion-from date"));
  entry.exclusionUntil = readOptionalDate(r.getExclusionUntil(), at.field("exclusion-until date"));
  return entry;
}

void write(wire::HealthRecord::Builder b, const HealthRecord& record) {
  write(b.initMeta(), record.meta);
  write(b.initPerson(), record.person);
  b.setFacility(textOf(record.facility));
  b.setRecordKind(textOf(record.recordKind));
  write(b.initRecordedOn(), record.recordedOn);
  b.setSummary(textOf(record.summary));
}

HealthRecord read(wire::HealthRecord::Reader r, const Path& at) {
  HealthRecord record;
  record.meta = read(r.getMeta(), at);
  record.person = read(r.getPerson(), at.field("person"));
  record.facility = readText(r.getFacility(), at.field("facility"), limits::kInstitutionBytes);
  record.recordKind = readText(r.getRecordKind(), at.field("record kind"), limits::kCodeBytes);
  record.recordedOn = read(r.getRecordedOn(), at.field("recording date"));
  record.summary = readText(r.getSummary(), at.field("summary"), limits::kFreeTextBytes);
  return record;
}

void write(wire::JusticeRecord::Builder b, const JusticeRecord& record) {
  write(b.initMeta(), record.meta);
  write(b.initPerson(), record.person);
  b.setCourt(textOf(record.court));
  b.setCaseNumber(textOf(record.caseNumber));
  b.setRecordKind(textOf(record.recordKind));
  write(b.initFiledOn(), record.filedOn);
  b.setSummary(textOf(record.summary));
}

JusticeRecord read(wire::JusticeRecord::Reader r, const Path& at) {
  JusticeRecord record;
  record.meta = read(r.getMeta(), at);
  record.person = read(r.getPerson(), at.field("person"));
  record.court = readText(r.getCourt(), at.field("court"), limits::kInstitutionBytes);
  record.caseNumber = readText(r.getCaseNumber(), at.field("case number"), limits::kReferenceBytes);
  record.recordKind = readText(r.getRecordKind(), at.field("record kind"), limits::kCodeBytes);
  record.filedOn = read(r.getFiledOn(), at.field("filing date"));
  record.summary = readText(r.getSummary(), at.field("summary"), limits::kFreeTextBytes);
  return record;
}

void write(wire::Record::Builder b, const Record& record) {
  switch (kindOf(record)) {
    case RecordKind::notice:
      return write(b.initNotice(), std::get<Notice>(record));
    case RecordKind::travelDocument:
      return write(b.initTravelDocument(), std::get<TravelDocument>(record));
    case RecordKind::movement:
      return write(b.initMovement(), std::get<Movement>(record));
    case RecordKind::refusal:
      return write(b.initRefusal(), std::get<Refusal>(record));
    case RecordKind::overstay:
      return write(b.initOverstay(), std::get<Overstay>(record));
    case RecordKind::visaDecision:
      return write(b.initVisaDecision(), std::get<VisaDecision>(record));
    case RecordKind::watchlistPerson:
      return write(b.initWatchlistPerson(), std::get<WatchlistPerson>(record));
    case RecordKind::watchlistDocument:
      return write(b.initWatchlistDocument(), std::get<WatchlistDocument>(record));
    case RecordKind::healthRecord:
      return write(b.initHealthRecord(), std::get<HealthRecord>(record));
    case RecordKind::justiceRecord:
      return write(b.initJusticeRecord(), std::get<JusticeRecord>(record));
  }
}

Record read(wire::Record::Reader r, const Path& at) {
  switch (r.which()) {
    case wire::Record::NOTICE:
      return read(r.getNotice(), at.field("notice"));
    case wire::Record::TRAVEL_DOCUMENT:
      return read(r.getTravelDocument(), at.field("travel document"));
    case wire::Record::MOVEMENT:
      return read(r.getMovement(), at.field("movement"));
    case wire::Record::REFUSAL:
      return read(r.getRefusal(), at.field("refusal"));
    case wire::Record::OVERSTAY:
      return read(r.getOverstay(), at.field("overstay"));
    case wire::Record::VISA_DECISION:
      return read(r.getVisaDecision(), at.field("visa decision"));
    case wire::Record::WATCHLIST_PERSON:
      return read(r.getWatchlistPerson(), at.field("watchlist person"));
    case wire::Record::WATCHLIST_DOCUMENT:
      return read(r.getWatchlistDocument(), at.field("watchlist document"));
    case wire::Record::HEALTH_RECORD:
      return read(r.getHealthRecord(), at.field("health record"));
    case wire::Record::JUSTICE_RECORD:
      return read(r.getJusticeRecord(), at.field("justice record"));
  }
  reject(at, "has unknown record kind " + std::to_string(static_cast<unsigned>(r.which())));
}

// ---------------------------------------------------------------------------------------------
// Queries and requests
// ---------------------------------------------------------------------------------------------

void write(wire::ScreenPersonQuery::Builder b, const ScreenPersonQuery& q) {
  write(b.initPerson(), q.person);
  writeTexts(b.initOtherNames(static_cast<unsigned>(q.otherNames.size())), q.otherNames);
  writeTexts(b.initOtherNationalities(static_cast<unsigned>(q.otherNationalities.size())), q.otherNationalities);
  b.setDocumentNumber(textOf(q.documentNumber ? q.documentNumber->str() : std::string()));
  b.setDocumentState(textOf(q.documentState));
}

// Screening needs a name or a document number: never nationality or sex alone.
ScreenPersonQuery read(wire::ScreenPersonQuery::Reader r, const Path& at) {
  ScreenPersonQuery q;
  q.person = read(r.getPerson(), at.field("person"));
  q.otherNames = readTexts(r.getOtherNames(), at.field("other names"), {limits::kMaxOtherNames, limits::kPersonNameBytes});
  q.otherNationalities = readTexts(r.getOtherNationalities(), at.field("other nationalities"),
                                   {limits::kMaxOtherNationalities, limits::kCodeBytes});
  if (r.getDocumentNumber().size() > 0) q.documentNumber = readDocumentNumber(r.getDocumentNumber(), at.field("document number"));
  q.documentState = readText(r.getDocumentState(), at.field("document state"), limits::kCodeBytes);
  if (!namesPerson(q)) {
    reject(at, "names no person: screening needs a name or a document number, never nationality or sex alone");
  }
  return q;
}

// ---------------------------------------------------------------------------------------------

void write(wire::AggregateStatisticsQuery::Builder b, const AggregateStatisticsQuery& q) {
  b.setCompartment(toWire<wire::Compartment>(q.compartment));
  b.setSubject(toWire<wire::StatisticsSubject>(q.subject));
  b.setKind(toWire<wire::RecordKind>(q.kind));
  b.setPeriod(toWire<wire::StatisticsPeriod>(q.period));
  write(b.initFrom(), q.from);
  write(b.initUntil(), q.until);
  b.setDimension(toWire<wire::StatisticsDimension>(q.dimension));
}

// Only the shape is checked here; whether the range is whole periods and the dimension fits the
// subject is the node's to say (policy/statistics.h), so a client learns it with a reason.
AggregateStatisticsQuery read(wire::AggregateStatisticsQuery::Reader r, const Path& at) {
  AggregateStatisticsQuery q;
  q.compartment = fromWire(r.getCompartment(), at.field("compartment"));
  q.subject = fromWire(r.getSubject(), at.field("subject"));
  q.kind = fromWire(r.getKind(), at.field("kind"));
  q.period = fromWire(r.getPeriod(), at.field("period"));
  q.from = read(r.getFrom(), at.field("from"));
  q.until = read(r.getUntil(), at.field("until"));
  q.dimension = fromWire(r.getDimension(), at.field("dimension"));
  return q;
}

void write(wire::StatisticsTable::Builder b, const StatisticsTable& table) {
  b.setMinCellSize(table.minCellSize);
  b.setNoiseBound(table.noiseBound);
  auto cells = b.initCells(static_cast<unsigned>(table.cells.size()));
  for (size_t i = 0; i < table.cells.size(); ++i) {
    const StatisticsCell& cell = table.cells[i];
    auto c = cells[static_cast<unsigned>(i)];
    write(c.initPeriod(), cell.period);
    c.setValue(textOf(cell.value));
    c.setSuppressed(cell.suppressed);
    c.setCount(cell.count);
  }
}

StatisticsTable read(wire::StatisticsTable::Reader r, const Path& at) {
  StatisticsTable table;
  table.minCellSize = r.getMinCellSize();
  table.noiseBound = r.getNoiseBound();
  auto cells = r.getCells();
  const Path cellsAt = at.field("cells");
  if (cells.size() > limits::kMaxStatisticsCells) reject(cellsAt, limits::itemsOverLimit(cells.size(), limits::kMaxStatisticsCells));
  table.cells.reserve(cells.size());
  for (unsigned i = 0; i < cells.size(); ++i) {
    const Path cellAt = cellsAt.element(i);
    StatisticsCell cell;
    cell.period = read(cells[i].getPeriod(), cellAt.field("period"));
    cell.value = readText(cells[i].getValue(), cellAt.field("value"), limits::kStatisticsValueBytes);
    cell.suppressed = cells[i].getSuppressed();
    cell.count = cells[i].getCount();
    // A suppressed cell carries no count, so no reader can take one from it by mistake.
    if (cell.suppressed && cell.count != 0) reject(cellAt.field("count"), "is set on a suppressed cell");
    table.cells.push_back(std::move(cell));
  }
  return table;
}

void write(wire::Query::Builder b, const Query& query) {
  switch (kindOf(query)) {
    case QueryKind::checkDocument: {
      const auto& q = std::get<CheckDocumentQuery>(query);
      auto check = b.initCheckDocument();
      check.setNumber(textOf(q.number.str()));
      check.setIssuingState(textOf(q.issuingState));
      check.setType(toWire<wire::DocumentType>(q.type));
      return;
    }
    case QueryKind::screenPerson:
      return write(b.initScreenPerson(), std::get<ScreenPersonQuery>(query));
    case QueryKind::screenManifest: {
      const auto& manifest = std::get<ScreenManifestQuery>(query);
      auto q = b.initScreenManifest();
      auto list = q.initTravellers(static_cast<unsigned>(manifest.travellers.size()));
      for (size_t i = 0; i < manifest.travellers.size(); ++i) write(list[static_cast<unsigned>(i)], manifest.travellers[i]);
      q.setManifestDigest(bytesOf(manifest.manifestDigest));
      return;
    }
    case QueryKind::getRecord: {
      const auto& q = std::get<GetRecordQuery>(query);
      auto get = b.initGetRecord();
      get.setRecordRef(textOf(q.recordRef));
      get.setKind(toWire<wire::RecordKind>(q.kind));
      return;
    }
    case QueryKind::listMovements: {
      const auto& q = std::get<ListMovementsQuery>(query);
      auto list = b.initListMovements();
      write(list.initPerson(), q.person);
      list.setDocumentNumber(textOf(q.documentNumber));
      return;
    }
    case QueryKind::healthRecord:
      return b.initHealthRecord().setRecordRef(textOf(std::get<HealthRecordQuery>(query).recordRef));
    case QueryKind::justiceRecord:
      return b.initJusticeRecord().setRecordRef(textOf(std::get<JusticeRecordQuery>(query).recordRef));
    case QueryKind::aggregateStatistics:
      return write(b.initAggregateStatistics(), std::get<AggregateStatisticsQuery>(query));
    case QueryKind::auditRead:
      return b.initAuditRead().setTarget(textOf(std::get<AuditReadQuery>(query).target));
  }
}

Query read(wire::Query::Reader r, const Path& at) {
  switch (r.which()) {
    case wire::Query::CHECK_DOCUMENT: {
      auto check = r.getCheckDocument();
      Path here = at.field("check document");
      return CheckDocumentQuery{
          readDocumentNumber(check.getNumber(), here.field("number")),
          readText(check.getIssuingState(), here.field("issuing state"), limits::kCodeBytes),
          fromWire(check.getType(), here.field("type"))};
    }
    case wire::Query::SCREEN_PERSON:
      return read(r.getScreenPerson(), at.field("screen person"));
    case wire::Query::SCREEN_MANIFEST: {
      auto list = r.getScreenManifest().getTravellers();
      // Each Path must outlive the paths made from it: a named parent, not a temporary.
      const Path manifest = at.field("screen manifest");
      const Path travellers = manifest.field("travellers");
      if (list.size() > limits::kMaxTravellers) {
        reject(travellers, limits::itemsOverLimit(list.size(), limits::kMaxTravellers));
      }
      if (list.size() == 0) reject(travellers, "is empty: a manifest lists at least one traveller");
      ScreenManifestQuery q;
      q.travellers.reserve(list.size());
      for (unsigned i = 0; i < list.size(); ++i) q.travellers.push_back(read(list[i], travellers.element(i)));
      q.manifestDigest = readBytes<32>(r.getScreenManifest().getManifestDigest(), manifest.field("manifest digest"));
      return q;
    }
    case wire::Query::GET_RECORD: {
      auto get = r.getGetRecord();
      Path here = at.field("get record");
      return GetRecordQuery{readText(get.getRecordRef(), here.field("record ref"), limits::kRecordRefBytes),
                            fromWire(get.getKind(), here.field("kind"))};
    }
    case wire::Query::LIST_MOVEMENTS: {
      auto list = r.getListMovements();
      Path here = at.field("list movements");
      return ListMovementsQuery{
          read(list.getPerson(), here.field("person")),
          readText(list.getDocumentNumber(), here.field("document number"), limits::kDocumentNumberBytes)};
    }
    case wire::Query::HEALTH_RECORD:
      return HealthRecordQuery{readText(r.getHealthRecord().getRecordRef(),
                                        at.field("health record").field("record ref"),
                                        limits::kRecordRefBytes)};
    case wire::Query::JUSTICE_RECORD:
      return JusticeRecordQuery{readText(r.getJusticeRecord().getRecordRef(),
                                         at.field("justice record").field("record ref"),
                                         limits::kRecordRefBytes)};
    case wire::Query::AGGREGATE_STATISTICS:
      return read(r.getAggregateStatistics(), at.field("aggregate statistics"));
    case wire::Query::AUDIT_READ:
      return AuditReadQuery{readText(r.getAuditRead().getTarget(), at.field("audit read").field("target"),
                                     limits::kAuditReadTargetBytes)};
  }
  reject(at, "has unknown query kind " + std::to_string(static_cast<unsigned>(r.which())));
}

void write(wire::OfficerContext::Builder b, const OfficerContext& officer) {
  b.setPseudonym(textOf(officer.pseudonym));
  b.setRole(toWire<wire::Role>(officer.role));
  b.setPurpose(textOf(officer.purpose));
  b.setCaseReference(textOf(officer.caseReference));
  b.setLegalBasis(textOf(officer.legalBasis));
}

OfficerContext read(wire::OfficerContext::Reader r, const Path& at) {
  OfficerContext officer;
  officer.pseudonym = readText(r.getPseudonym(), at.field("pseudonym"), limits::kPseudonymBytes);
  officer.role = fromWire(r.getRole(), at.field("role"));
  officer.purpose = readText(r.getPurpose(), at.field("purpose"), limits::kPurposeBytes);
  officer.caseReference =
      readText(r.getCaseReference(), at.field("case reference"), limits::kCaseReferenceBytes);
  officer.legalBasis = readText(r.getLegalBasis(), at.field("legal basis"), limits::kLegalBasisBytes);
  return officer;
}

void write(wire::Request::Builder b, const Request& request) {
  b.setRequestId(bytesOf(request.requestId));
  b.setIssuedAt(epochSeconds(request.issuedAt));
  b.setExpiresAt(epochSeconds(request.expiresAt));
  b.setNonce(bytesOf(request.nonce));
  b.setRequester(textOf(request.requester));
  write(b.initOfficer(), request.officer);
  write(b.initQuery(), request.query);
  b.setKnownTreeSize(request.knownTreeSize);
  // The federation fields are written only when set, so other requests keep their bytes.
  if (!request.partners.empty()) {
    writeTexts(b.initPartners(static_cast<unsigned>(request.partners.size())), request.partners);
  }
  b.setAllPartners(request.allPartners);
  b.setAlsoLocal(request.alsoLocal);
  if (request.onBehalfOf) b.setOnBehalfOf(bytesOf(*request.onBehalfOf));
}

Request read(wire::Request::Reader r, const Path& at) {
  Request request;
  request.requestId = readBytes<16>(r.getRequestId(), at.field("request id"));
  request.issuedAt = readTimestamp(r.getIssuedAt(), at.field("issue time"));
  request.expiresAt = readTimestamp(r.getExpiresAt(), at.field("expiry time"));
  request.nonce = readBytes<32>(r.getNonce(), at.field("nonce"));
  request.requester = readText(r.getRequester(), at.field("requester"), limits::kMemberIdBytes);
  request.officer = read(r.getOfficer(), at.field("officer"));
  request.query = read(r.getQuery(), at.field("query"));
  request.knownTreeSize = r.getKnownTreeSize();
  request.partners = readTexts(r.getPartners(), at.field("partners"),
                               {limits::kMaxPartnersPerRequest, limits::kMemberIdBytes});
  for (size_t i = 0; i < request.partners.size(); ++i) {
    if (request.partners[i].empty()) reject(at.field("partners").element(i), "is empty");
    for (size_t j = 0; j < i; ++j) {
      if (request.partners[j] == request.partners[i]) reject(at.field("partners").element(i), "names a partner twice");
    }
  }
  request.allPartners = r.getAllPartners();
  request.alsoLocal = r.getAlsoLocal();
  if (r.hasOnBehalfOf()) request.onBehalfOf = readBytes<32>(r.getOnBehalfOf(), at.field("on behalf of"));
  if (request.allPartners && !request.partners.empty()) {
    reject(at.field("partners"), "must be empty when the request asks every partner");
  }
  if (request.alsoLocal && !asksPartners(request)) reject(at.field("also local"), "is set but no partner is asked");
  if (request.onBehalfOf && asksPartners(request)) {
    reject(at.field("partners"), "must be empty in a forwarded request: a forwarded request is never forwarded again");
  }
  return request;
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

// A response carries the signed tree head as an envelope (defined with the envelopes below).
void write(wire::SignedEnvelope::Builder b, const SignedEnvelope& envelope);
SignedEnvelope read(wire::SignedEnvelope::Reader r, const Path& at);

// No RFC 6962 consistency proof between trees of fewer than 2^64 leaves has more hashes.
constexpr unsigned kMaxProofHashes = 128;

void write(wire::ScreeningMatch::Builder b, const ScreeningMatch& match) {
  b.setScore(match.score);
  b.setQueryName(textOf(match.queryName));
  b.setRecordName(textOf(match.recordName));
  auto tokens = b.initTokens(static_cast<unsigned>(match.tokens.size()));
  for (size_t i = 0; i < match.tokens.size(); ++i) {
    auto t = tokens[static_cast<unsigned>(i)];
    t.setQuery(textOf(match.tokens[i].query));
    t.setRecord(textOf(match.tokens[i].record));
    t.setHow(textOf(match.tokens[i].how));
    t.setSimilarity(match.tokens[i].similarity);
  }
  b.setDateOfBirth(toWire<wire::Evidence>(match.dateOfBirth));
  b.setSex(toWire<wire::Evidence>(match.sex));
  b.setNationality(toWire<wire::Evidence>(match.nationality));
  b.setExplanation(textOf(match.explanation));
}

ScreeningMatch read(wire::ScreeningMatch::Reader r, const Path& at) {
  ScreeningMatch match;
  match.score = r.getScore();
  if (match.score > 1000) reject(at.field("score"), "is over 1000 per mille");
  match.queryName = readText(r.getQueryName(), at.field("query name"), limits::kOriginalScriptNameBytes);
  match.recordName = readText(r.getRecordName(), at.field("record name"), limits::kOriginalScriptNameBytes);
  auto tokens = r.getTokens();
  const Path tokensAt = at.field("tokens");
  if (tokens.size() > limits::kMaxMatchTokens) reject(tokensAt, limits::itemsOverLimit(tokens.size(), limits::kMaxMatchTokens));
  for (unsigned i = 0; i < tokens.size(); ++i) {
    const Path here = tokensAt.element(i);
    NameTokenMatch t;
    t.query = readText(tokens[i].getQuery(), here.field("query"), limits::kMatchTokenBytes);
    t.record = readText(tokens[i].getRecord(), here.field("record"), limits::kMatchTokenBytes);
    t.how = readText(tokens[i].getHow(), here.field("how"), limits::kCodeBytes);
    t.similarity = tokens[i].getSimilarity();
    if (t.similarity > 1000) reject(here.field("similarity"), "is over 1000 per mille");
    match.tokens.push_back(std::move(t));
  }
  match.dateOfBirth = fromWire(r.getDateOfBirth(), at.field("date of birth"));
  match.sex = fromWire(r.getSex(), at.field("sex"));
  match.nationality = fromWire(r.getNationality(), at.field("nationality"));
  match.explanation = readText(r.getExplanation(), at.field("explanation"), limits::kExplanationBytes);
  return match;
}

void write(wire::Hit::Builder b, const Hit& hit) {
  b.setRecordRef(textOf(hit.recordRef));
  b.setKind(toWire<wire::RecordKind>(hit.kind));
  if (hit.details) {
    write(b.getDetails().initSome(), *hit.details);
  } else {
    b.getDetails().setNone();
  }
  writeTexts(b.initWithheldFields(static_cast<unsigned>(hit.withheldFields.size())), hit.withheldFields);
  b.setTraveller(hit.traveller);
  if (hit.match) {
    write(b.getMatch().initSome(), *hit.match);
  } else {
    b.getMatch().setNone();
  }
}

Hit read(wire::Hit::Reader r, const Path& at) {
  Hit hit;
  hit.recordRef = readText(r.getRecordRef(), at.field("record ref"), limits::kRecordRefBytes);
  hit.kind = fromWire(r.getKind(), at.field("kind"));
  auto details = r.getDetails();
  if (details.isSome()) {
    hit.details = read(details.getSome(), at.field("details"));
    if (kindOf(*hit.details) != hit.kind) {
      reject(at, "is of kind " + std::string(name(hit.kind)) + " but its details are a " +
                     std::string(name(kindOf(*hit.details))));
    }
  } else if (!details.isNone()) {
    reject(at.field("details"),
           "has unknown alternative " + std::to_string(static_cast<unsigned>(details.which())));
  }
  hit.withheldFields = readTexts(r.getWithheldFields(), at.field("withheld fields"),
                                 {limits::kMaxWithheldFields, limits::kFieldNameBytes});
  hit.traveller = r.getTraveller();
  if (hit.traveller >= limits::kMaxTravellers) reject(at.field("traveller"), "is past the largest manifest");
  auto match = r.getMatch();
  if (match.isSome()) {
    hit.match = read(match.getSome(), at.field("match"));
  } else if (!match.isNone()) {
    reject(at.field("match"), "has unknown alternative " + std::to_string(static_cast<unsigned>(match.which())));
  }
  return hit;
}

void write(wire::AuditReceipt::Builder b, const AuditReceipt& receipt) {
  b.setLogId(textOf(receipt.logId));
  b.setLeafIndex(receipt.leafIndex);
  b.setLeafHash(bytesOf(receipt.leafHash));
}

AuditReceipt read(wire::AuditReceipt::Reader r, const Path& at) {
  AuditReceipt receipt;
  receipt.logId = readText(r.getLogId(), at.field("log id"), limits::kMemberIdBytes);
  receipt.leafIndex = r.getLeafIndex();
  receipt.leafHash = readBytes<32>(r.getLeafHash(), at.field("leaf hash"));
  return receipt;
}

void write(wire::Response::Builder b, const Response& response) {
  b.setRequestDigest(bytesOf(response.requestDigest));
  b.setResponder(textOf(response.responder));
  b.setStatus(toWire<wire::ResponseStatus>(response.status));
  b.setReason(textOf(response.reason));
  auto hits = b.initHits(static_cast<unsigned>(response.hits.size()));
  for (size_t i = 0; i < response.hits.size(); ++i) write(hits[static_cast<unsigned>(i)], response.hits[i]);
  writeTexts(b.initWithheld(static_cast<unsigned>(response.withheld.size())), response.withheld);
  write(b.initReceipt(), response.receipt);
  if (response.treeHead) {
    write(b.getTreeHead().initSome(), *response.treeHead);
  } else {
    b.getTreeHead().setNone();
  }
  auto proof = b.initConsistency(static_cast<unsigned>(response.consistency.size()));
  for (size_t i = 0; i < response.consistency.size(); ++i) {
    proof.set(static_cast<unsigned>(i), bytesOf(response.consistency[i]));
  }
  if (response.statistics) {
    write(b.getStatistics().initSome(), *response.statistics);
  } else {
    b.getStatistics().setNone();
  }
}

Response read(wire::Response::Reader r, const Path& at) {
  Response response;
  response.requestDigest = readBytes<32>(r.getRequestDigest(), at.field("request digest"));
  response.responder = readText(r.getResponder(), at.field("responder"), limits::kMemberIdBytes);
  response.status = fromWire(r.getStatus(), at.field("status"));
  response.reason = readText(r.getReason(), at.field("reason"), limits::kResponseReasonBytes);
  auto hits = r.getHits();
  Path hitsAt = at.field("hits");
  if (hits.size() > limits::kMaxManifestHits) {
    reject(hitsAt, limits::itemsOverLimit(hits.size(), limits::kMaxManifestHits));
  }
  response.hits.reserve(hits.size());
  for (unsigned i = 0; i < hits.size(); ++i) response.hits.push_back(read(hits[i], hitsAt.element(i)));
  response.withheld =
      readTexts(r.getWithheld(), at.field("withheld"), {limits::kMaxWithheld, limits::kResponseReasonBytes});
  response.receipt = read(r.getReceipt(), at.field("receipt"));
  auto treeHead = r.getTreeHead();
  if (treeHead.isSome()) {
    response.treeHead = read(treeHead.getSome(), at.field("tree head"));
  } else if (!treeHead.isNone()) {
    reject(at.field("tree head"), "has unknown alternative " + std::to_string(static_cast<unsigned>(treeHead.which())));
  }
  auto proof = r.getConsistency();
  Path proofAt = at.field("consistency");
  if (proof.size() > kMaxProofHashes) reject(proofAt, "has " + std::to_string(proof.size()) + " hashes, more than any log holds");
  for (unsigned i = 0; i < proof.size(); ++i) response.consistency.push_back(readBytes<32>(proof[i], proofAt.element(i)));
  auto statistics = r.getStatistics();
  if (statistics.isSome()) {
    response.statistics = read(statistics.getSome(), at.field("statistics"));
  } else if (!statistics.isNone()) {
    reject(at.field("statistics"), "has unknown alternative " + std::to_string(static_cast<unsigned>(statistics.which())));
  }
  return response;
}

// ---------------------------------------------------------------------------------------------
// Envelopes and audit entries
// ---------------------------------------------------------------------------------------------

void write(wire::SignedEnvelope::Builder b, const SignedEnvelope& envelope) {
  b.setType(toWire<wire::MessageType>(envelope.type));
  b.setBody(capnp::Data::Reader(envelope.body.data(), envelope.body.size()));
  b.setKeyId(bytesOf(envelope.keyId));
  b.setSignature(bytesOf(envelope.signature));
}

SignedEnvelope read(wire::SignedEnvelope::Reader r, const Path& at) {
  SignedEnvelope envelope;
  envelope.type = fromWire(r.getType(), at.field("type"));
  auto body = r.getBody();
  envelope.body.assign(body.begin(), body.end());
  envelope.keyId = readBytes<16>(r.getKeyId(), at.field("key id"));
  envelope.signature = readBytes<64>(r.getSignature(), at.field("signature"));
  return envelope;
}

void write(wire::AuditEntry::Builder b, const AuditEntry& entry) {
  b.setRecordedAt(epochSeconds(entry.recordedAt));
  b.setRequester(textOf(entry.requester));
  b.setOfficerPseudonym(textOf(entry.officerPseudonym));
  if (entry.role) {
    b.getRole().setSome(toWire<wire::Role>(*entry.role));
  } else {
    b.getRole().setNone();
  }
  b.setPurpose(textOf(entry.purpose));
  b.setCaseReference(textOf(entry.caseReference));
  if (entry.queryKind) {
    b.getQueryKind().setSome(toWire<wire::QueryKind>(*entry.queryKind));
  } else {
    b.getQueryKind().setNone();
  }
  b.setQueryDigest(bytesOf(entry.queryDigest));
  b.setDecision(toWire<wire::Decision>(entry.decision));
  b.setReason(textOf(entry.reason));
  writeTexts(b.initRecordRefs(static_cast<unsigned>(entry.recordRefs.size())), entry.recordRefs);
  b.setResponseDigest(bytesOf(entry.responseDigest));
  // Fields of schema version 7 stay null when empty, so older entries keep their exact bytes.
  auto setIfAny = [](const std::string& text, auto setter) {
    if (!text.empty()) setter(textOf(text));
  };
  setIfAny(entry.signer, [&](auto t) { b.setSigner(t); });
  setIfAny(entry.claimedRequester, [&](auto t) { b.setClaimedRequester(t); });
  setIfAny(entry.claimedOfficer, [&](auto t) { b.setClaimedOfficer(t); });
  if (entry.claimedRole) b.getClaimedRole().setSome(toWire<wire::Role>(*entry.claimedRole));
  setIfAny(entry.remoteAddress, [&](auto t) { b.setRemoteAddress(t); });
  setIfAny(entry.peerPin, [&](auto t) { b.setPeerPin(t); });
  setIfAny(entry.localUser, [&](auto t) { b.setLocalUser(t); });
  setIfAny(entry.command, [&](auto t) { b.setCommand(t); });
  b.setRepeatCount(entry.repeatCount);
  if (entry.onBehalfOf) b.setOnBehalfOf(bytesOf(*entry.onBehalfOf));
  setIfAny(entry.partner, [&](auto t) { b.setPartner(t); });
  if (entry.manifestDigest) b.setManifestDigest(bytesOf(*entry.manifestDigest));
  b.setTravellers(entry.travellers);
}

void write(wire::TreeHead::Builder b, const TreeHead& head) {
  b.setLogId(textOf(head.logId));
  b.setTreeSize(head.treeSize);
  b.setRootHash(bytesOf(head.rootHash));
  b.setTimestamp(epochSeconds(head.timestamp));
}

TreeHead read(wire::TreeHead::Reader r, const Path& at) {
  TreeHead head;
  head.logId = readText(r.getLogId(), at.field("log id"), limits::kMemberIdBytes);
  head.treeSize = r.getTreeSize();
  head.rootHash = readBytes<32>(r.getRootHash(), at.field("root hash"));
  head.timestamp = readTimestamp(r.getTimestamp(), at.field("timestamp"));
  return head;
}

template <typename Group>
auto readOptionalEnum(Group group, const Path& at) -> std::optional<decltype(fromWire(group.getSome(), at))> {
  if (group.isNone()) return std::nullopt;
  if (group.isSome()) return fromWire(group.getSome(), at);
  reject(at, "has unknown alternative " + std::to_string(static_cast<unsigned>(group.which())));
}

AuditEntry read(wire::AuditEntry::Reader r, const Path& at, FieldLimits fieldLimits) {
  // Entries an older node wrote before the limits are still entries of its log (see codec.h).
  const auto limit = [fieldLimits](size_t bound) {
    return fieldLimits == FieldLimits::enforce ? bound : std::numeric_limits<size_t>::max();
  };
  AuditEntry entry;
  entry.recordedAt = readTimestamp(r.getRecordedAt(), at.field("recording time"));
  entry.requester = readText(r.getRequester(), at.field("requester"), limit(limits::kMemberIdBytes));
  entry.officerPseudonym =
      readText(r.getOfficerPseudonym(), at.field("officer pseudonym"), limit(limits::kPseudonymBytes));
  entry.role = readOptionalEnum(r.getRole(), at.field("role"));
  entry.purpose = readText(r.getPurpose(), at.field("purpose"), limit(limits::kPurposeBytes));
  entry.caseReference =
      readText(r.getCaseReference(), at.field("case reference"), limit(limits::kCaseReferenceBytes));
  entry.queryKind = readOptionalEnum(r.getQueryKind(), at.field("query kind"));
  entry.queryDigest = readBytes<32>(r.getQueryDigest(), at.field("query digest"));
  entry.decision = fromWire(r.getDecision(), at.field("decision"));
  entry.reason = readText(r.getReason(), at.field("reason"), limit(limits::kAuditReasonBytes));
  entry.recordRefs = readTexts(r.getRecordRefs(), at.field("record refs"),
                               {limit(limits::kMaxAuditRecordRefs), limit(limits::kRecordRefBytes)});
  entry.responseDigest = readBytes<32>(r.getResponseDigest(), at.field("response digest"));
  // Null reads as empty; an empty text that is not null is refused by the re-encoding check.
  entry.signer = readText(r.getSigner(), at.field("signer"), limit(limits::kSignerBytes));
  entry.claimedRequester =
      readText(r.getClaimedRequester(), at.field("claimed requester"), limit(limits::kMemberIdBytes));
  entry.claimedOfficer =
      readText(r.getClaimedOfficer(), at.field("claimed officer"), limit(limits::kPseudonymBytes));
  entry.claimedRole = readOptionalEnum(r.getClaimedRole(), at.field("claimed role"));
  entry.remoteAddress =
      readText(r.getRemoteAddress(), at.field("remote address"), limit(limits::kRemoteAddressBytes));
  entry.peerPin = readText(r.getPeerPin(), at.field("peer pin"), limit(limits::kPinBytes));
  entry.localUser = readText(r.getLocalUser(), at.field("local user"), limit(limits::kLocalUserBytes));
  entry.command = readText(r.getCommand(), at.field("command"), limit(limits::kAuditCommandBytes));
  entry.repeatCount = r.getRepeatCount();
  if (r.hasOnBehalfOf()) entry.onBehalfOf = readBytes<32>(r.getOnBehalfOf(), at.field("on behalf of"));
  entry.partner = readText(r.getPartner(), at.field("partner"), limit(limits::kMemberIdBytes));
  if (r.hasManifestDigest()) entry.manifestDigest = readBytes<32>(r.getManifestDigest(), at.field("manifest digest"));
  entry.travellers = r.getTravellers();
  return entry;
}

// ---------------------------------------------------------------------------------------------
// Federated answers
// ---------------------------------------------------------------------------------------------

void write(wire::FederationPart::Builder b, const FederationPart& part) {
  b.setRequestDigest(bytesOf(part.requestDigest));
  if (const auto* answer = std::get_if<PartnerAnswer>(&part.part)) {
    auto p = b.initPartner();
    p.setPartner(textOf(answer->partner));
    p.setStatus(toWire<wire::PartnerStatus>(answer->status));
    p.setDetail(textOf(answer->detail));
    p.setForwardedDigest(bytesOf(answer->forwardedDigest));
    p.setResponseDigest(bytesOf(answer->responseDigest));
    write(p.initReceipt(), answer->receipt);
  } else if (std::holds_alternative<LocalPart>(part.part)) {
    b.setLocal();
  } else {
    const auto& summary = std::get<FederationSummary>(part.part);
    auto lines = b.initSummary().initPartners(static_cast<unsigned>(summary.partners.size()));
    for (size_t i = 0; i < summary.partners.size(); ++i) {
      lines[static_cast<unsigned>(i)].setPartner(textOf(summary.partners[i].first));
      lines[static_cast<unsigned>(i)].setStatus(toWire<wire::PartnerStatus>(summary.partners[i].second));
    }
  }
}

FederationPart read(wire::FederationPart::Reader r, const Path& at) {
  FederationPart part;
  part.requestDigest = readBytes<32>(r.getRequestDigest(), at.field("request digest"));
  switch (r.which()) {
    case wire::FederationPart::PARTNER: {
      auto p = r.getPartner();
      Path here = at.field("partner");
      PartnerAnswer answer;
      answer.partner = readText(p.getPartner(), here.field("partner"), limits::kMemberIdBytes);
      answer.status = fromWire(p.getStatus(), here.field("status"));
      answer.detail = readText(p.getDetail(), here.field("detail"), limits::kPartnerDetailBytes);
      answer.forwardedDigest = readBytes<32>(p.getForwardedDigest(), here.field("forwarded digest"));
      answer.responseDigest = readBytes<32>(p.getResponseDigest(), here.field("response digest"));
      answer.receipt = read(p.getReceipt(), here.field("receipt"));
      part.part = std::move(answer);
      break;
    }
    case wire::FederationPart::LOCAL: part.part = LocalPart{}; break;
    case wire::FederationPart::SUMMARY: {
      auto lines = r.getSummary().getPartners();
      Path here = at.field("summary").field("partners");
      if (lines.size() > limits::kMaxDirectoryMembers) {
        reject(here, limits::itemsOverLimit(lines.size(), limits::kMaxDirectoryMembers));
      }
      FederationSummary summary;
      for (unsigned i = 0; i < lines.size(); ++i) {
        summary.partners.emplace_back(readText(lines[i].getPartner(), here.element(i).field("partner"), limits::kMemberIdBytes),
                                      fromWire(lines[i].getStatus(), here.element(i).field("status")));
      }
      part.part = std::move(summary);
      break;
    }
    default: reject(at, "has unknown alternative " + std::to_string(static_cast<unsigned>(r.which())));
  }
  return part;
}

void write(wire::FederationFrame::Builder b, const FederationFrame& frame) {
  b.setPart(capnp::Data::Reader(frame.part.data(), frame.part.size()));
  b.setForwardedRequest(capnp::Data::Reader(frame.forwardedRequest.data(), frame.forwardedRequest.size()));
  b.setResponse(capnp::Data::Reader(frame.response.data(), frame.response.size()));
}

FederationFrame read(wire::FederationFrame::Reader r, const Path& at) {
  FederationFrame frame;
  auto bytes = [&](capnp::Data::Reader data, const Path& where) {
    if (data.size() > limits::kMaxFramePieceBytes) reject(where, limits::bytesOverLimit(data.size(), limits::kMaxFramePieceBytes));
    return std::vector<uint8_t>(data.begin(), data.end());
  };
  frame.part = bytes(r.getPart(), at.field("part"));
  frame.forwardedRequest = bytes(r.getForwardedRequest(), at.field("forwarded request"));
  frame.response = bytes(r.getResponse(), at.field("response"));
  return frame;
}

// ---------------------------------------------------------------------------------------------
// The federation directory
// ---------------------------------------------------------------------------------------------

void write(wire::DirectoryKey::Builder b, const DirectoryKey& key);
DirectoryKey read(wire::DirectoryKey::Reader r, const Path& at);
void write(wire::DirectoryPin::Builder b, const DirectoryPin& pin);
DirectoryPin read(wire::DirectoryPin::Reader r, const Path& at);
void write(wire::DirectoryMember::Builder b, const DirectoryMember& member);
DirectoryMember read(wire::DirectoryMember::Reader r, const Path& at);

/// Writes each item of `items` into the list `list` with the item's own write.
template <typename ListBuilder, typename T>
void writeEach(ListBuilder list, const std::vector<T>& items) {
  for (size_t i = 0; i < items.size(); ++i) write(list[static_cast<unsigned>(i)], items[i]);
}

/// Reads each item of a list of structs with the item's own read, at most `maxItems` of them.
template <typename T, typename ListReader>
std::vector<T> readEach(ListReader list, const Path& at, size_t maxItems) {
  if (list.size() > maxItems) reject(at, limits::itemsOverLimit(list.size(), maxItems));
  std::vector<T> items;
  items.reserve(list.size());
  for (unsigned i = 0; i < list.size(); ++i) items.push_back(read(list[i], at.element(i)));
  return items;
}

void write(wire::DirectoryKey::Builder b, const DirectoryKey& key) {
  b.setPublicKey(bytesOf(key.publicKey));
  b.setNotBefore(epochSeconds(key.notBefore));
  b.setNotAfter(epochSeconds(key.notAfter));
}

DirectoryKey read(wire::DirectoryKey::Reader r, const Path& at) {
  DirectoryKey key;
  key.publicKey = readBytes<32>(r.getPublicKey(), at.field("public key"));
  key.notBefore = readTimestamp(r.getNotBefore(), at.field("not before"));
  key.notAfter = readTimestamp(r.getNotAfter(), at.field("not after"));
  return key;
}

void write(wire::DirectoryPin::Builder b, const DirectoryPin& pin) {
  b.setPin(textOf(pin.pin));
  b.setNotBefore(epochSeconds(pin.notBefore));
  b.setNotAfter(epochSeconds(pin.notAfter));
}

DirectoryPin read(wire::DirectoryPin::Reader r, const Path& at) {
  DirectoryPin pin;
  pin.pin = readText(r.getPin(), at.field("pin"), limits::kPinBytes);
  pin.notBefore = readTimestamp(r.getNotBefore(), at.field("not before"));
  pin.notAfter = readTimestamp(r.getNotAfter(), at.field("not after"));
  return pin;
}

void write(wire::DirectoryMember::Builder b, const DirectoryMember& member) {
  b.setMember(textOf(member.member));
  b.setEndpoint(textOf(member.endpoint));
  writeEach(b.initSigningKeys(static_cast<unsigned>(member.signingKeys.size())), member.signingKeys);
  writeEach(b.initTlsPins(static_cast<unsigned>(member.tlsPins.size())), member.tlsPins);
  auto roles = b.initRoles(static_cast<unsigned>(member.roles.size()));
  for (size_t i = 0; i < member.roles.size(); ++i) roles.set(static_cast<unsigned>(i), toWire<wire::Role>(member.roles[i]));
  if (member.purposes) {
    writeTexts(b.getPurposes().initSome(static_cast<unsigned>(member.purposes->size())), *member.purposes);
  } else {
    b.getPurposes().setNone();
  }
}

DirectoryMember read(wire::DirectoryMember::Reader r, const Path& at) {
  DirectoryMember member;
  member.member = readText(r.getMember(), at.field("member"), limits::kMemberIdBytes);
  member.endpoint = readText(r.getEndpoint(), at.field("endpoint"), limits::kEndpointBytes);
  member.signingKeys = readEach<DirectoryKey>(r.getSigningKeys(), at.field("signing keys"), limits::kMaxMemberKeys);
  member.tlsPins = readEach<DirectoryPin>(r.getTlsPins(), at.field("tls pins"), limits::kMaxMemberPins);
  auto roles = r.getRoles();
  Path rolesAt = at.field("roles");
  if (roles.size() > limits::kMaxMemberRoles) reject(rolesAt, limits::itemsOverLimit(roles.size(), limits::kMaxMemberRoles));
  for (unsigned i = 0; i < roles.size(); ++i) member.roles.push_back(fromWire(roles[i], rolesAt.element(i)));
  auto purposes = r.getPurposes();
  if (purposes.isSome()) {
    member.purposes = readTexts(purposes.getSome(), at.field("purposes"),
                                {limits::kMaxMemberPurposes, limits::kPurposeBytes});
  } else if (!purposes.isNone()) {
    reject(at.field("purposes"), "has unknown alternative " + std::to_string(static_cast<unsigned>(purposes.which())));
  }
  return member;
}

void write(wire::Directory::Builder b, const Directory& directory) {
  b.setFederation(textOf(directory.federation));
  b.setSerial(directory.serial);
  b.setIssuedAt(epochSeconds(directory.issuedAt));
  b.setExpiresAt(epochSeconds(directory.expiresAt));
  writeEach(b.initMembers(static_cast<unsigned>(directory.members.size())), directory.members);
}

Directory read(wire::Directory::Reader r, const Path& at) {
  Directory directory;
  directory.federation = readText(r.getFederation(), at.field("federation"), limits::kFederationNameBytes);
  directory.serial = r.getSerial();
  directory.issuedAt = readTimestamp(r.getIssuedAt(), at.field("issued at"));
  directory.expiresAt = readTimestamp(r.getExpiresAt(), at.field("expires at"));
  directory.members = readEach<DirectoryMember>(r.getMembers(), at.field("members"), limits::kMaxDirectoryMembers);
  return directory;
}

// ---------------------------------------------------------------------------------------------
// Whole messages
// ---------------------------------------------------------------------------------------------

template <typename Wire, typename Model>
std::vector<uint8_t> encodeMessage(const Model& value) {
  capnp::MallocMessageBuilder message;
  write(message.initRoot<Wire>(), value);
  kj::Array<capnp::word> words = capnp::canonicalize(message.getRoot<Wire>().asReader());
  auto bytes = words.asBytes();
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

template <typename Wire, typename Model, typename... ReadOptions>
Result<Model> decodeMessage(std::span<const uint8_t> bytes, std::string_view what, ReadOptions... options) {
  const Path root{nullptr, what};
  try {
    if (bytes.empty()) reject(root, "empty input");
    if (bytes.size() > kMaxEncodedBytes) {
      reject(root, std::to_string(bytes.size()) + " bytes exceeds the limit of " +
                       std::to_string(kMaxEncodedBytes));
    }
    if (bytes.size() % sizeof(capnp::word) != 0) {
      reject(root, "length " + std::to_string(bytes.size()) + " is not a multiple of 8 bytes");
    }
    // Cap'n Proto reads words in place; a copy gives any input (e.g. a slice of a network buffer)
    // the 8-byte alignment that needs.
    auto words = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
    std::memcpy(words.begin(), bytes.data(), bytes.size());
    kj::ArrayPtr<const capnp::word> segments[] = {words.asPtr()};
    capnp::SegmentArrayMessageReader message(
        kj::arrayPtr(segments, 1),
        capnp::ReaderOptions{.traversalLimitInWords = kTraversalLimitInWords, .nestingLimit = kNestingLimit});
    // Signatures, audit leaves and replay checks are computed over the bytes, so exactly one byte
    // string may stand for each value: the canonical one encode writes. Checking canonical form
    // first also rules out shared content before any field is read. The re-encoding then refuses
    // what canonical form still allows: fields this schema does not know, and null pointers where
    // encode writes an empty text or list.
    if (!message.isCanonical()) reject(root, "not a canonical Cap'n Proto message");
    Model value = read(message.getRoot<Wire>(), root, options...);
    if (!std::ranges::equal(encodeMessage<Wire>(value), bytes)) {
      reject(root, "not the encoding this codec writes (unknown fields, or null where empty is written)");
    }
    return value;
  } catch (const Rejected& rejected) {
    return fail(ErrorKind::invalidInput, rejected.message);
  } catch (const kj::Exception& exception) {
    return fail(ErrorKind::invalidInput,
                std::string(what) + ": malformed Cap'n Proto message: " + exception.getDescription().cStr());
  }
}

}  // namespace

std::vector<uint8_t> encodeRecord(const Record& record) { return encodeMessage<wire::Record>(record); }
Result<Record> decodeRecord(std::span<const uint8_t> bytes) {
  return decodeMessage<wire::Record, Record>(bytes, "record");
}

std::vector<uint8_t> encodeRequest(const Request& request) { return encodeMessage<wire::Request>(request); }
Result<Request> decodeRequest(std::span<const uint8_t> bytes) {
  return decodeMessage<wire::Request, Request>(bytes, "request");
}

std::vector<uint8_t> encodeResponse(const Response& response) {
  return encodeMessage<wire::Response>(response);
}
Result<Response> decodeResponse(std::span<const uint8_t> bytes) {
  return decodeMessage<wire::Response, Response>(bytes, "response");
}

std::vector<uint8_t> encodeEnvelope(const SignedEnvelope& envelope) {
  return encodeMessage<wire::SignedEnvelope>(envelope);
}
Result<SignedEnvelope> decodeEnvelope(std::span<const uint8_t> bytes) {
  return decodeMessage<wire::SignedEnvelope, SignedEnvelope>(bytes, "envelope");
}

std::vector<uint8_t> encodeAuditEntry(const AuditEntry& entry) {
  return encodeMessage<wire::AuditEntry>(entry);
}
Result<AuditEntry> decodeAuditEntry(std::span<const uint8_t> bytes, FieldLimits fieldLimits) {
  return decodeMessage<wire::AuditEntry, AuditEntry>(bytes, "audit entry", fieldLimits);
}

std::vector<uint8_t> encodeTreeHead(const TreeHead& head) { return encodeMessage<wire::TreeHead>(head); }
Result<TreeHead> decodeTreeHead(std::span<const uint8_t> bytes) {
  return decodeMessage<wire::TreeHead, TreeHead>(bytes, "tree head");
}

std::vector<uint8_t> encodeFederationPart(const FederationPart& part) {
  return encodeMessage<wire::FederationPart>(part);
}
Result<FederationPart> decodeFederationPart(std::span<const uint8_t> bytes) {
  return decodeMessage<wire::FederationPart, FederationPart>(bytes, "federation part");
}

std::vector<uint8_t> encodeFederationFrame(const FederationFrame& frame) {
  return encodeMessage<wire::FederationFrame>(frame);
}
std::vector<uint8_t> encodeFramedFederationFrame(const FederationFrame& frame) {
  std::vector<uint8_t> bytes = encodeFederationFrame(frame);
  const auto size = static_cast<uint32_t>(bytes.size());
  const std::array<uint8_t, 4> length = {static_cast<uint8_t>(size >> 24), static_cast<uint8_t>(size >> 16),
                                         static_cast<uint8_t>(size >> 8), static_cast<uint8_t>(size)};
  bytes.insert(bytes.begin(), length.begin(), length.end());
  return bytes;
}

Result<FederationFrame> decodeFederationFrame(std::span<const uint8_t> bytes) {
  return decodeMessage<wire::FederationFrame, FederationFrame>(bytes, "federation frame");
}

std::vector<uint8_t> encodeDirectory(const Directory& directory) {
  return encodeMessage<wire::Directory>(directory);
}
Result<Directory> decodeDirectory(std::span<const uint8_t> bytes) {
  return decodeMessage<wire::Directory, Directory>(bytes, "directory");
}

}  // namespace liaison
