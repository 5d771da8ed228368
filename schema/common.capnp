# Vocabularies and value types shared by records, messages and the audit log: the wire form of the
# types of the same names in schema/model.h. Only schema/codec.cc reads or writes them.
#
# Every enum lists the enumerants of its model.h twin in the same order, because the codec converts
# by ordinal; a value beyond the last enumerant is rejected on decode. Append new enumerants to both
# at the end, never reorder.
#
# Optional values are a named union whose first member is `none :Void` and whose second is `some`,
# so a field left unset reads as absent.
#
# Timestamps are Int64 fields holding whole seconds since 1970-01-01T00:00:00Z (UTC), limited on
# decode to 0000-01-01T00:00:00Z..9999-12-31T23:59:59Z, the range RFC 3339 text can express.

@0xd4b69d913f7d8adb;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("liaison::wire");

enum Compartment {
  notices @0;
  documents @1;
  immigration @2;
  watchlist @3;
  health @4;  # firewalled from enforcement-facing roles
  justice @5;  # firewalled from enforcement-facing roles
}

enum Role {
  border @0;
  immigration @1;
  enforcement @2;
  health @3;
  justice @4;
  liaison @5;
  auditor @6;
}

enum NoticeColour {
  red @0;
  yellow @1;
  blue @2;
  black @3;
  green @4;
  orange @5;
  purple @6;
  silver @7;
  unSpecial @8;  # INTERPOL-UN Security Council special notice
}

# SLTD document "type".
enum DocumentType {
  passport @0;
  identityCard @1;
  visa @2;
  residencePermit @3;
  travelDocument @4;
  other @5;
}

# SLTD "fraud type": why a document is listed.
enum FraudType {
  stolenBlank @0;
  lost @1;
  stolenFromBearer @2;
  revoked @3;
  invalid @4;
}

# Sex as printed in an MRZ; `unspecified` covers X and a blank.
enum Sex {
  unspecified @0;
  female @1;
  male @2;
}

enum MovementDirection {
  entry @0;
  exit @1;
  transit @2;
}

enum VisaOutcome {
  granted @0;
  refused @1;
  revoked @2;
  annulled @3;
}

# Europol handling codes; see HandlingCode in schema/model.h for what each restricts.
enum HandlingCode {
  h0 @0;
  h1 @1;
  h2 @2;
  h3 @3;
}

# Same order as the union of Record in records.capnp.
enum RecordKind {
  notice @0;
  travelDocument @1;
  movement @2;
  refusal @3;
  overstay @4;
  visaDecision @5;
  watchlistPerson @6;
  watchlistDocument @7;
  healthRecord @8;
  justiceRecord @9;
}

# What a SignedEnvelope carries; part of the signature's domain-separation prefix.
enum MessageType {
  request @0;
  response @1;
  treeHead @2;
  directory @3;  # a federation directory (directory.capnp), signed by a directory key
  federationPart @4;  # one part of a federated answer (messages.capnp), signed by the officer's own node
}

# Same order as the union of Query in messages.capnp.
enum QueryKind {
  checkDocument @0;
  screenPerson @1;
  screenManifest @2;
  getRecord @3;
  listMovements @4;
  healthRecord @5;
  justiceRecord @6;
  aggregateStatistics @7;
  auditRead @8;  # an auditor's read of the audit log (GET /v1/audit/...)
}

enum ResponseStatus {
  ok @0;
  refused @1;
  invalid @2;
  error @3;
}

# What became of one partner a federated request was forwarded to.
enum PartnerStatus {
  answered @0;  # a signed answer with status ok (hits or none)
  refused @1;  # a signed answer refusing the request; its reason travels with it
  timedOut @2;  # no answer within the federated request's deadline
  unreachable @3;  # no connection, or the partner's node answered without a signed response
  invalid @4;  # an answer that is not a signed response to the forwarded request
  fork @5;  # a signed answer whose tree head contradicts the heads kept for the partner
}

# Audit decision for a request.
enum Decision {
  permitted @0;
  refused @1;
  invalid @2;
}

# A full calendar date; the decoder rejects anything that is not one (year 0..9999, as YYYY-MM-DD).
struct Date {
  year @0 :UInt16;
  month @1 :UInt8;  # 1..12
  day @2 :UInt8;  # 1..31, within the month
}

# A date of birth as records carry it: unknown, year only, year and month, or a full date.
struct PartialDate {
  year @0 :UInt16;  # 1..9999, or 0 when unknown (then month and day are 0 too)
  month @1 :UInt8;  # 1..12, or 0 when only the year is known (then day is 0 too)
  day @2 :UInt8;  # 1..31 forming a calendar date with year and month, or 0 when unknown
}

# A person as an agency recorded them. Names are UTF-8 as recorded, not transliterated.
struct PersonIdentity {
  familyName @0 :Text;
  givenNames @1 :Text;
  dateOfBirth @2 :PartialDate;
  sex @3 :Sex;
  nationality @4 :Text;  # ICAO 9303 code, empty if unknown
}

# Fields every record carries.
struct RecordMeta {
  ref @0 :Text;  # opaque reference (a UUID), unique per node
  owner @1 :Text;  # owning member id
  visibleTo @2 :List(Text);  # members or groups allowed to see the record
  handling @3 :HandlingCode;
  retentionUntil @4 :Date;  # the record is purged after this date
}
