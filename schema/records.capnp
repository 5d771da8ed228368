# Records, one struct per RecordKind: the wire form of the record structs in schema/model.h.
# Conventions (optional values, timestamps, enum order) are described in common.capnp.

@0x8ef5578903b80d8d;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("liaison::wire");

using Common = import "/schema/common.capnp";

# An INTERPOL-style notice.
struct Notice {
  meta @0 :Common.RecordMeta;
  colour @1 :Common.NoticeColour;
  noticeId @2 :Text;  # as INTERPOL writes entity ids, e.g. `2099/1`
  person @3 :Common.PersonIdentity;
  otherNationalities @4 :List(Text);  # ICAO codes besides person.nationality
  aliases @5 :List(Text);
  nameInOriginalScript @6 :Text;
  warrantIssuingStates @7 :List(Text);  # ICAO codes
  charges @8 :Text;
}

# A lost, stolen, revoked or invalid travel document.
struct TravelDocument {
  meta @0 :Common.RecordMeta;
  number @1 :Text;  # normalised document number: 1..20 of A-Z and 0-9
  issuingState @2 :Text;  # ICAO code
  type @3 :Common.DocumentType;
  fraudType @4 :Common.FraudType;
  issueDate :union {
    none @5 :Void;
    some @6 :Common.Date;
  }
  expiryDate :union {
    none @7 :Void;
    some @8 :Common.Date;
  }
  reportDate @9 :Common.Date;  # when the loss or theft was reported
  reviewDate :union {
    none @10 :Void;
    some @11 :Common.Date;
  }
  nationalReference @12 :Text;  # the reporting agency's own reference
}

# An entry, exit or transit at a border crossing point.
struct Movement {
  meta @0 :Common.RecordMeta;
  person @1 :Common.PersonIdentity;
  documentNumber @2 :Text;  # normalised, empty if none was presented
  documentState @3 :Text;  # ICAO code of the document's issuer
  direction @4 :Common.MovementDirection;
  port @5 :Text;  # UN/LOCODE of the crossing point
  occurredAt @6 :Int64;  # timestamp
  carrierReference @7 :Text;  # flight or vessel, may be empty
}

# A refusal of entry.
struct Refusal {
  meta @0 :Common.RecordMeta;
  person @1 :Common.PersonIdentity;
  documentNumber @2 :Text;
  documentState @3 :Text;
  port @4 :Text;  # UN/LOCODE
  refusedOn @5 :Common.Date;
  grounds @6 :List(Text);  # Schengen Borders Code Annex V codes A..J
}

# A stay beyond the authorised period.
struct Overstay {
  meta @0 :Common.RecordMeta;
  person @1 :Common.PersonIdentity;
  documentNumber @2 :Text;
  documentState @3 :Text;
  authorisedUntil @4 :Common.Date;
  detectedOn @5 :Common.Date;
}

# A decision on a visa application or an issued visa.
struct VisaDecision {
  meta @0 :Common.RecordMeta;
  person @1 :Common.PersonIdentity;
  applicationRef @2 :Text;
  visaType @3 :Text;  # e.g. `C`, `D`
  outcome @4 :Common.VisaOutcome;
  decidedOn @5 :Common.Date;
  validFrom :union {
    none @6 :Void;
    some @7 :Common.Date;
  }
  validUntil :union {
    none @8 :Void;
    some @9 :Common.Date;
  }
  grounds @10 :List(Text);  # grounds of a refusal, revocation or annulment
}

# A person of concern.
struct WatchlistPerson {
  meta @0 :Common.RecordMeta;
  person @1 :Common.PersonIdentity;
  aliases @2 :List(Text);
  reasonCode @3 :Text;
  exclusionFrom :union {
    none @4 :Void;
    some @5 :Common.Date;
  }
  exclusionUntil :union {
    none @6 :Void;
    some @7 :Common.Date;
  }
}

# A document of concern.
struct WatchlistDocument {
  meta @0 :Common.RecordMeta;
  number @1 :Text;  # normalised document number: 1..20 of A-Z and 0-9
  issuingState @2 :Text;  # ICAO code
  reasonCode @3 :Text;
  exclusionFrom :union {
    none @4 :Void;
    some @5 :Common.Date;
  }
  exclusionUntil :union {
    none @6 :Void;
    some @7 :Common.Date;
  }
}

# A health record. Firewalled: never reachable from enforcement-facing roles.
struct HealthRecord {
  meta @0 :Common.RecordMeta;
  person @1 :Common.PersonIdentity;
  facility @2 :Text;
  recordKind @3 :Text;  # e.g. `consultation`, `vaccination`
  recordedOn @4 :Common.Date;
  summary @5 :Text;
}

# A justice record. Firewalled: never reachable from enforcement-facing roles.
struct JusticeRecord {
  meta @0 :Common.RecordMeta;
  person @1 :Common.PersonIdentity;
  court @2 :Text;
  caseNumber @3 :Text;
  recordKind @4 :Text;  # e.g. `proceeding`, `protection-order`
  filedOn @5 :Common.Date;
  summary @6 :Text;
}

# Any record. Union members are in Common.RecordKind order.
struct Record {
  union {
    notice @0 :Notice;
    travelDocument @1 :TravelDocument;
    movement @2 :Movement;
    refusal @3 :Refusal;
    overstay @4 :Overstay;
    visaDecision @5 :VisaDecision;
    watchlistPerson @6 :WatchlistPerson;
    watchlistDocument @7 :WatchlistDocument;
    healthRecord @8 :HealthRecord;
    justiceRecord @9 :JusticeRecord;
  }
}
