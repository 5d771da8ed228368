# Protocol messages between members: the wire form of the protocol structs in schema/model.h.
# Conventions (optional values, timestamps, enum order) are described in common.capnp.

@0xdd672be6c3f96722;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("liaison::wire");

using Common = import "/schema/common.capnp";
using Records = import "/schema/records.capnp";

# A signed message: the exact canonical bytes of a Request or Response (or tree head) and the
# signature over them.
struct SignedEnvelope {
  type @0 :Common.MessageType;  # what `body` holds; its name is part of the signed prefix
  body @1 :Data;  # canonical encoding of the signed message, signed byte for byte
  keyId @2 :Data;  # exactly 16 bytes: the signer's key id (crypto/keys.h)
  signature @3 :Data;  # exactly 64 bytes: Ed25519 over "liaison/v1/" + type name + "\0" + body
}

# Who asks: the officer's pseudonym at the requesting member, with role and declared purpose.
struct OfficerContext {
  pseudonym @0 :Text;  # the officer's pseudonym at the requesting member, never a name
  role @1 :Common.Role;
  purpose @2 :Text;
  caseReference @3 :Text;
  legalBasis @4 :Text;
}

struct CheckDocumentQuery {
  number @0 :Text;  # normalised document number: 1..20 of A-Z and 0-9
  issuingState @1 :Text;  # ICAO code
  type @2 :Common.DocumentType;
}

# Screening a person: a name is required (person's family or given names, or another name), or a
# document number; never nationality or sex alone.
struct ScreenPersonQuery {
  person @0 :Common.PersonIdentity;  # the name as family/given, date of birth (may be partial), sex, a nationality
  otherNames @1 :List(Text);  # further whole names in any script (aliases, the name in its own script)
  otherNationalities @2 :List(Text);  # ICAO codes besides person.nationality
  documentNumber @3 :Text;  # normalised document number; empty: none
  documentState @4 :Text;  # ICAO code of the document's issuer; may be empty
}

struct ScreenManifestQuery {
  travellers @0 :List(ScreenPersonQuery);  # in the manifest's order; hits name them by index
  manifestDigest @1 :Data;  # exactly 32 bytes: SHA-256 of the manifest file as the client read it
}

struct GetRecordQuery {
  recordRef @0 :Text;  # RecordMeta.ref at the responder
  kind @1 :Common.RecordKind;  # as the hit named it; decides the compartment before any lookup
}

struct ListMovementsQuery {
  person @0 :Common.PersonIdentity;
  documentNumber @1 :Text;  # normalised, may be empty
}

struct HealthRecordQuery {
  recordRef @0 :Text;  # RecordMeta.ref at the responder
}

struct JusticeRecordQuery {
  recordRef @0 :Text;  # RecordMeta.ref at the responder
}

# What a statistics table counts; model.h StatisticsSubject.
enum StatisticsSubject {
  records @0;  # records of one kind
  requests @1;  # requests in the audit log (oversight only)
}

# model.h StatisticsPeriod.
enum StatisticsPeriod {
  day @0;
  week @1;  # ISO weeks, Monday first
  month @2;
}

# model.h StatisticsDimension, in its order.
enum StatisticsDimension {
  none @0;
  port @1;
  direction @2;
  nationality @3;
  sex @4;
  ground @5;
  outcome @6;
  fraudType @7;
  documentType @8;
  issuingState @9;
  recordType @10;
  queryKind @11;
  decision @12;
  role @13;
  requester @14;
}

struct AggregateStatisticsQuery {
  compartment @0 :Common.Compartment;  # records: the compartment counted
  subject @1 :StatisticsSubject;
  kind @2 :Common.RecordKind;  # records: the kind counted, one of the compartment's
  period @3 :StatisticsPeriod;
  from @4 :Common.Date;  # the first day of the first period counted
  until @5 :Common.Date;  # the first day after the last period counted
  dimension @6 :StatisticsDimension;
}

# One cell of a statistics table.
struct StatisticsCell {
  period @0 :Common.Date;  # the first day of the period
  value @1 :Text;  # the dimension's value; empty for none or unknown; at most 64 bytes
  suppressed @2 :Bool;  # too few to release: no count
  count @3 :UInt64;  # the released count (with noise when noiseBound > 0); 0 when suppressed
}

# The answer to an aggregate-statistics query.
struct StatisticsTable {
  minCellSize @0 :UInt32;
  noiseBound @1 :UInt32;  # a released count differs from the true count by at most this
  cells @2 :List(StatisticsCell);  # at most 10,000
}

# Authorises one GET of the auditor API: the signed request travels in the `Liaison-Request`
# header, and `target` must equal the GET's request target byte for byte.
struct AuditReadQuery {
  target @0 :Text;  # path and query string, e.g. `/v1/audit/entries?start=0&end=100`
}

# One query of the closed set. Union members are in Common.QueryKind order.
struct Query {
  union {
    checkDocument @0 :CheckDocumentQuery;
    screenPerson @1 :ScreenPersonQuery;
    screenManifest @2 :ScreenManifestQuery;
    getRecord @3 :GetRecordQuery;
    listMovements @4 :ListMovementsQuery;
    healthRecord @5 :HealthRecordQuery;
    justiceRecord @6 :JusticeRecordQuery;
    aggregateStatistics @7 :AggregateStatisticsQuery;
    auditRead @8 :AuditReadQuery;
  }
}

# The body of a signed request.
struct Request {
  requestId @0 :Data;  # exactly 16 bytes
  issuedAt @1 :Int64;  # timestamp
  expiresAt @2 :Int64;  # timestamp after which the request is no longer valid
  nonce @3 :Data;  # exactly 32 bytes
  requester @4 :Text;  # requesting member id
  officer @5 :OfficerContext;
  query @6 :Query;
  knownTreeSize @7 :UInt64;  # size of the responder's latest tree head this requester holds; 0: none

  # Federation. An officer's request to its own node may name partners for the node to ask; the
  # node forwards it, signed with its member key, naming the officer's request in `onBehalfOf`.
  # Each is written only when set, so a request that sets none has the bytes it had before.
  partners @8 :List(Text);  # member ids of partners to ask; at most 64, none twice
  allPartners @9 :Bool;  # ask every partner the node's outbound policy lets this officer ask
  alsoLocal @10 :Bool;  # with partners: the own node answers too
  onBehalfOf @11 :Data;  # forwarded requests only: exactly 32 bytes, SHA-256 of the officer's signed request body
}

# How one kind of evidence compares between the screened person and a record.
enum Evidence {
  unknown @0;  # one side does not say
  agrees @1;
  partial @2;  # agrees where both are known (a date of birth known to the year only)
  near @3;  # nearly agrees (a date one digit or one year off, day and month swapped)
  differs @4;
}

# One token of the screened name and the record's token it was matched with.
struct NameTokenMatch {
  query @0 :Text;  # romanised token of the screened name
  record @1 :Text;  # romanised token of the record's name
  how @2 :Text;  # exact, phonetic, skeleton, edit, initial, joined
  similarity @3 :UInt16;  # per mille
}

# Why a screened person matches a record: only for officers a details rule covers.
struct ScreeningMatch {
  score @0 :UInt16;  # per mille; a hit is at or above the node's threshold
  queryName @1 :Text;  # the screened name that matched best, romanised
  recordName @2 :Text;  # the record's name it matched, romanised
  tokens @3 :List(NameTokenMatch);
  dateOfBirth @4 :Evidence;
  sex @5 :Evidence;
  nationality @6 :Evidence;
  explanation @7 :Text;  # the same in words
}

# One hit in a response: where, and the details if the policy allowed them.
struct Hit {
  recordRef @0 :Text;
  kind @1 :Common.RecordKind;
  details :union {
    none @2 :Void;  # details not disclosed
    some @3 :Records.Record;  # must be of `kind`
  }
  withheldFields @4 :List(Text);  # names of fields withheld from `details`
  traveller @5 :UInt32;  # screen-manifest: the traveller's index in the query; else 0
  match :union {
    none @6 :Void;  # not a screening hit, or the requester learns hit or no hit only
    some @7 :ScreeningMatch;
  }
}

# Where an answered request sits in the responder's audit log.
struct AuditReceipt {
  logId @0 :Text;
  leafIndex @1 :UInt64;  # index of the request's entry in the RFC 6962 log
  leafHash @2 :Data;  # exactly 32 bytes: the RFC 6962 leaf hash of that entry
}

# The body of a signed response.
struct Response {
  requestDigest @0 :Data;  # exactly 32 bytes (SHA-256): the request answered
  responder @1 :Text;  # responding member id
  status @2 :Common.ResponseStatus;
  reason @3 :Text;  # why the status is not `ok`; empty when it is
  hits @4 :List(Hit);
  withheld @5 :List(Text);  # what was withheld and why, never firewalled content
  receipt @6 :AuditReceipt;
  treeHead :union {
    none @7 :Void;
    some @8 :SignedEnvelope;  # the responder's latest signed tree head (type treeHead, body a TreeHead)
  }
  # RFC 6962 consistency proof from the request's knownTreeSize to that tree head; empty when the
  # request knew no head, or the same one. Each element exactly 32 bytes.
  consistency @9 :List(Data);
  statistics :union {
    none @10 :Void;  # not an aggregate-statistics answer
    some @11 :StatisticsTable;
  }
}

# One partner's part of a federated answer, as the officer's own node signs it. The partner's own
# signed response travels beside it verbatim (FederationFrame), so the officer's client checks the
# partner's signature itself; the digests here bind those bytes to this part.
struct PartnerAnswer {
  partner @0 :Text;  # the partner's member id
  status @1 :Common.PartnerStatus;
  detail @2 :Text;  # why, for every status but `answered`; empty for it
  forwardedDigest @3 :Data;  # exactly 32 bytes: SHA-256 of the body of the request forwarded to the partner
  responseDigest @4 :Data;  # exactly 32 bytes: SHA-256 of the partner's response envelope as received; zeros when none came
  receipt @5 :AuditReceipt;  # the forwarded request's entry in the own node's audit log
}

struct PartnerStatusLine {
  partner @0 :Text;
  status @1 :Common.PartnerStatus;
}

# The last part of a federated answer: every partner asked, with its status.
struct FederationSummary {
  partners @0 :List(PartnerStatusLine);
}

# The body of a signed federation part (envelope type federationPart).
struct FederationPart {
  requestDigest @0 :Data;  # exactly 32 bytes: SHA-256 of the officer's signed request body
  union {
    partner @1 :PartnerAnswer;
    local @2 :Void;  # the own node's answer: its signed response is in FederationFrame.response
    summary @3 :FederationSummary;
  }
}

# One frame of a federated answer's stream (content type application/x-liaison-stream): each
# frame is a 4-byte big-endian length and then this message. The frame itself is not signed:
# `part` is, and binds the other two by their digests.
struct FederationFrame {
  part @0 :Data;  # a SignedEnvelope of type federationPart, from the officer's own node
  forwardedRequest @1 :Data;  # partner parts: the signed request envelope sent to the partner; else empty
  response @2 :Data;  # partner parts: the partner's response envelope as received (empty when none came); local part: the own node's signed response
}
