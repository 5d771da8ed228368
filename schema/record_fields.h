// The field list of every record kind, as one visitor template per kind. The names are the SQL
// column names (schema/sql) and the names policy field masks use, so storage, decoding and masking
// walk the same list and cannot drift. A visitor provides `ref(std::string&)` and
// `field(const char* name, T&)` for every field type used here.
#pragma once

#include "schema/model.h"

namespace liaison {

template <typename V>
void metaFields(V& v, RecordMeta& m) {
  v.ref(m.ref);
  v.field("owner_member", m.owner);
  v.field("visible_to", m.visibleTo);
  v.field("handling_code", m.handling);
  v.field("retention_until", m.retentionUntil);
}

template <typename V>
void personFields(V& v, PersonIdentity& p) {
  v.field("family_name", p.familyName);
  v.field("given_names", p.givenNames);
  v.field("date_of_birth", p.dateOfBirth);
  v.field("sex", p.sex);
  v.field("nationality", p.nationality);
}

template <typename V>
void fields(V& v, Notice& r) {
  metaFields(v, r.meta);
  v.field("colour", r.colour);
  v.field("notice_id", r.noticeId);
  personFields(v, r.person);
  v.field("other_nationalities", r.otherNationalities);
  v.field("aliases", r.aliases);
  v.field("name_in_original_script", r.nameInOriginalScript);
  v.field("warrant_issuing_states", r.warrantIssuingStates);
  v.field("charges", r.charges);
}

template <typename V>
void fields(V& v, TravelDocument& r) {
  metaFields(v, r.meta);
  v.field("number", r.number);
  v.field("issuing_state", r.issuingState);
  v.field("document_type", r.type);
  v.field("fraud_type", r.fraudType);
  v.field("issue_date", r.issueDate);
  v.field("expiry_date", r.expiryDate);
  v.field("report_date", r.reportDate);
  v.field("review_date", r.reviewDate);
  v.field("national_reference", r.nationalReference);
}

template <typename V>
void fields(V& v, Movement& r) {
  metaFields(v, r.meta);
  personFields(v, r.person);
  v.field("document_number", r.documentNumber);
  v.field("document_state", r.documentState);
  v.field("direction", r.direction);
  v.field("port", r.port);
  v.field("occurred_at", r.occurredAt);
  v.field("carrier_reference", r.carrierReference);
}

template <typename V>
void fields(V& v, Refusal& r) {
  metaFields(v, r.meta);
  personFields(v, r.person);
  v.field("document_number", r.documentNumber);
  v.field("document_state", r.documentState);
  v.field("port", r.port);
  v.field("refused_on", r.refusedOn);
  v.field("grounds", r.grounds);
}

template <typename V>
void fields(V& v, Overstay& r) {
  metaFields(v, r.meta);
  personFields(v, r.person);
  v.field("document_number", r.documentNumber);
  v.field("document_state", r.documentState);
  v.field("authorised_until", r.authorisedUntil);
  v.field("detected_on", r.detectedOn);
}

template <typename V>
void fields(V& v, VisaDecision& r) {
  metaFields(v, r.meta);
  personFields(v, r.person);
  v.field("application_ref", r.applicationRef);
  v.field("visa_type", r.visaType);
  v.field("outcome", r.outcome);
  v.field("decided_on", r.decidedOn);
  v.field("valid_from", r.validFrom);
  v.field("valid_until", r.validUntil);
  v.field("grounds", r.grounds);
}

template <typename V>
void fields(V& v, WatchlistPerson& r) {
  metaFields(v, r.meta);
  personFields(v, r.person);
  v.field("aliases", r.aliases);
  v.field("reason_code", r.reasonCode);
  v.field("exclusion_from", r.exclusionFrom);
  v.field("exclusion_until", r.exclusionUntil);
}

template <typename V>
void fields(V& v, WatchlistDocument& r) {
  metaFields(v, r.meta);
  v.field("number", r.number);
  v.field("issuing_state", r.issuingState);
  v.field("reason_code", r.reasonCode);
  v.field("exclusion_from", r.exclusionFrom);
  v.field("exclusion_until", r.exclusionUntil);
}

template <typename V>
void fields(V& v, HealthRecord& r) {
  metaFields(v, r.meta);
  personFields(v, r.person);
  v.field("facility", r.facility);
  v.field("record_kind", r.recordKind);
  v.field("recorded_on", r.recordedOn);
  v.field("summary", r.summary);
}

template <typename V>
void fields(V& v, JusticeRecord& r) {
  metaFields(v, r.meta);
  personFields(v, r.person);
  v.field("court", r.court);
  v.field("case_number", r.caseNumber);
  v.field("record_kind", r.recordKind);
  v.field("filed_on", r.filedOn);
  v.field("summary", r.summary);
}

/// Walks the fields of whichever kind `record` holds with `visitor`.
template <typename V>
void visitFields(V& visitor, Record& record) {
  std::visit([&](auto& r) { fields(visitor, r); }, record);
}

}  // namespace liaison
