#include "schema/limits.h"

#include <array>
#include <utility>

#include "schema/record_fields.h"

namespace liaison::limits {
namespace {

struct ColumnLimit {
  std::string_view column;
  FieldLimit limit;
};

// Every text and list column of every record kind (schema/record_fields.h), with the limit the
// codec's record readers apply to the same field.
constexpr std::array kRecordColumns = {
    ColumnLimit{"owner_member", {kMemberIdBytes}},
    ColumnLimit{"visible_to", {kMemberIdBytes, kMaxVisibleTo}},
    ColumnLimit{"family_name", {kPersonNameBytes}},
    ColumnLimit{"given_names", {kPersonNameBytes}},
    ColumnLimit{"nationality", {kCodeBytes}},
    ColumnLimit{"notice_id", {kReferenceBytes}},
    ColumnLimit{"other_nationalities", {kCodeBytes, kMaxOtherNationalities}},
    ColumnLimit{"aliases", {kPersonNameBytes, kMaxAliases}},
    ColumnLimit{"name_in_original_script", {kOriginalScriptNameBytes}},
    ColumnLimit{"warrant_issuing_states", {kCodeBytes, kMaxWarrantStates}},
    ColumnLimit{"charges", {kFreeTextBytes}},
    ColumnLimit{"issuing_state", {kCodeBytes}},
    ColumnLimit{"national_reference", {kReferenceBytes}},
    ColumnLimit{"document_number", {kDocumentNumberBytes}},
    ColumnLimit{"document_state", {kCodeBytes}},
    ColumnLimit{"port", {kCodeBytes}},
    ColumnLimit{"carrier_reference", {kReferenceBytes}},
    ColumnLimit{"grounds", {kCodeBytes, kMaxGrounds}},
    ColumnLimit{"application_ref", {kReferenceBytes}},
    ColumnLimit{"visa_type", {kCodeBytes}},
    ColumnLimit{"reason_code", {kCodeBytes}},
    ColumnLimit{"facility", {kInstitutionBytes}},
    ColumnLimit{"record_kind", {kCodeBytes}},
    ColumnLimit{"summary", {kFreeTextBytes}},
    ColumnLimit{"court", {kInstitutionBytes}},
    ColumnLimit{"case_number", {kReferenceBytes}},
};

// Finds the first text or list field of a record over its limit.
struct OverLimit {
  std::optional<FieldOverLimit> found;

  void check(std::string_view column, size_t bytes, size_t maxBytes) {
    if (!found && bytes > maxBytes)
      found = FieldOverLimit{std::string(column), bytesOverLimit(bytes, maxBytes)};
  }
  void ref(std::string& ref) { check("ref", ref.size(), kRecordRefBytes); }
  void field(const char* column, std::string& text) {
    if (auto limit = recordFieldLimit(column)) check(column, text.size(), limit->bytes);
  }
  void field(const char* column, std::vector<std::string>& list) {
    auto limit = recordFieldLimit(column);
    if (!limit || found) return;
    if (list.size() > limit->items) {
      found = FieldOverLimit{column, itemsOverLimit(list.size(), limit->items)};
      return;
    }
    for (const auto& item : list) check(column, item.size(), limit->bytes);
  }
  template <typename T>
  void field(const char*, T&) {}  // dates, enums and document numbers are bounded by their types
};

}  // namespace

std::optional<FieldLimit> recordFieldLimit(std::string_view column) {
  for (const auto& c : kRecordColumns) {
    if (c.column == column) return c.limit;
  }
  return std::nullopt;
}

std::optional<FieldOverLimit> recordOverLimit(const Record& record) {
  Record copy = record;  // the field visitors walk mutable records
  OverLimit visitor;
  visitFields(visitor, copy);
  return std::move(visitor.found);
}

std::string cutToLimit(std::string text, size_t maxBytes) {
  if (text.size() <= maxBytes) return text;
  // The note is at most this long, since it counts fewer bytes than the text holds.
  const size_t noteBytes = std::string(" [ bytes cut]").size() + std::to_string(text.size()).size();
  if (maxBytes <= noteBytes) {
    size_t keep = maxBytes;
    while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;
    text.resize(keep);
    return text;
  }
  size_t keep = maxBytes - noteBytes;
  // Never split a UTF-8 sequence: step back to the start of the character at `keep`.
  while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;
  const size_t cut = text.size() - keep;
  text.resize(keep);
  return text + " [" + std::to_string(cut) + " bytes cut]";
}

void cutTextToLimits(AuditEntry& entry) {
  const auto cut = [](std::string& text, size_t maxBytes) { text = cutToLimit(std::move(text), maxBytes); };
  cut(entry.requester, kMemberIdBytes);
  cut(entry.officerPseudonym, kPseudonymBytes);
  cut(entry.purpose, kPurposeBytes);
  cut(entry.caseReference, kCaseReferenceBytes);
  cut(entry.reason, kAuditReasonBytes);
  for (auto& ref : entry.recordRefs) cut(ref, kRecordRefBytes);
  cut(entry.signer, kSignerBytes);
  cut(entry.claimedRequester, kMemberIdBytes);
  cut(entry.claimedOfficer, kPseudonymBytes);
  cut(entry.remoteAddress, kRemoteAddressBytes);
  cut(entry.peerPin, kPinBytes);
  cut(entry.localUser, kLocalUserBytes);
  cut(entry.command, kAuditCommandBytes);
}

std::string bytesOverLimit(size_t bytes, size_t maxBytes) {
  return "is " + std::to_string(bytes) + " bytes, more than the " + std::to_string(maxBytes) + " allowed";
}

std::string itemsOverLimit(size_t items, size_t maxItems) {
  return "has " + std::to_string(items) + " items, more than the " + std::to_string(maxItems) + " allowed";
}

}  // namespace liaison::limits
