// How long each text field and how many items each list of a wire message may hold. The decoders
// (schema/codec.h) refuse anything longer, naming the field and the limit, e.g. "request: officer
// case reference is 1000000 bytes, more than the 128 allowed"; the importers (CSV rows, INTERPOL
// notices) refuse records that could not travel in an answer; the audit log cuts text the node
// builds (AuditLog::append), so no entry outgrows what the auditor API serves. The table in
// docs/data-model.md lists them.
//
// Limits are in bytes of UTF-8, not characters: a name of 256 characters in a four-byte script is
// 1,024 bytes. Names of real people are long in some traditions and scripts, so their limits are
// generous; identifiers, codes and references are short. The request body limit (1 MiB) and the
// message limit (kMaxEncodedBytes) bound the whole; these bound each part.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "schema/model.h"

namespace liaison::limits {

// --- identifiers -----------------------------------------------------------------------------
/// Member and group ids (`XA-POLICE`, `EU-PARTNERS`): the store accepts at most 64 bytes.
inline constexpr size_t kMemberIdBytes = 64;
/// An officer's pseudonym at the officer's member (`border-1`).
inline constexpr size_t kPseudonymBytes = 64;
/// A declared purpose (`border-control`): a word of the policy file, never prose.
inline constexpr size_t kPurposeBytes = 64;
/// A case reference (`CASE-2026-000123`): agencies' file numbers are short.
inline constexpr size_t kCaseReferenceBytes = 128;
/// The legal basis an officer cites, e.g. `Regulation (EU) 2018/1862, Art. 36(3)`.
inline constexpr size_t kLegalBasisBytes = 512;
/// A record reference handed out in hits (a UUID is 36 bytes).
inline constexpr size_t kRecordRefBytes = 64;
/// Who verified an audited request, `officer:PSEUDONYM` or `member:ID`.
inline constexpr size_t kSignerBytes = 8 + kPseudonymBytes;

// --- people and documents --------------------------------------------------------------------
/// A family name, the given names, or one alias: 256 characters even in a four-byte script.
inline constexpr size_t kPersonNameBytes = 1024;
/// A whole name as written in its original script.
inline constexpr size_t kOriginalScriptNameBytes = 2048;
/// A document number; normalised numbers (DocumentNumber) have at most 20 characters.
inline constexpr size_t kDocumentNumberBytes = 20;
/// A code: ICAO state code, UN/LOCODE port, visa type, reason code, ground, record kind.
inline constexpr size_t kCodeBytes = 32;
/// An agency's reference: notice id, national reference, application ref, carrier, case number.
inline constexpr size_t kReferenceBytes = 128;
/// The name of a facility or a court.
inline constexpr size_t kInstitutionBytes = 256;
/// Prose kept with a record: a notice's charges, a health or justice summary.
inline constexpr size_t kFreeTextBytes = 16384;

// --- answers and the audit log ---------------------------------------------------------------
/// A response's reason, and one statement of what was withheld.
inline constexpr size_t kResponseReasonBytes = 4096;
/// The name of a withheld field (a column name).
inline constexpr size_t kFieldNameBytes = 64;
/// An auditor-API target signed in an audit-read query (the server takes 16 KiB of headers).
inline constexpr size_t kAuditReadTargetBytes = 16384;
/// An audit entry's reason: the decision with its rules and firewalls, or what a command did.
inline constexpr size_t kAuditReasonBytes = 16384;
/// The command line of an audited command-line access.
inline constexpr size_t kAuditCommandBytes = 4096;
/// The operating-system user of an audited command-line access.
inline constexpr size_t kLocalUserBytes = 256;
/// The remote IP address of an audited request (an IPv6 address with a zone fits).
inline constexpr size_t kRemoteAddressBytes = 64;
/// A TLS certificate pin, `sha256:` and the base64 of a SHA-256.
inline constexpr size_t kPinBytes = 128;

// --- lists -----------------------------------------------------------------------------------
/// Members and groups a record is visible to.
inline constexpr size_t kMaxVisibleTo = 256;
/// Aliases of a notice or watchlist person.
inline constexpr size_t kMaxAliases = 64;
/// Nationalities besides the first.
inline constexpr size_t kMaxOtherNationalities = 16;
/// States that issued warrants behind one notice.
inline constexpr size_t kMaxWarrantStates = 256;
/// Grounds of a refusal or a visa decision.
inline constexpr size_t kMaxGrounds = 32;
/// Travellers of one screened manifest (the largest ships carry fewer).
inline constexpr size_t kMaxTravellers = 10'000;
/// Hits one answer carries: a query is never a bulk export.
inline constexpr size_t kMaxHits = 100;
/// Hits a screened manifest's answer carries over all its travellers (each without details).
inline constexpr size_t kMaxManifestHits = 1'000;
/// Names of one screened person besides family and given names (aliases, original script).
inline constexpr size_t kMaxOtherNames = 16;
/// Token pairs one screening match explains (a name has at most 12 tokens after normalising).
inline constexpr size_t kMaxMatchTokens = 32;
/// A romanised name token in a screening match.
inline constexpr size_t kMatchTokenBytes = 256;
/// A screening match's explanation in words.
inline constexpr size_t kExplanationBytes = 4096;
/// Withheld fields named for one hit.
inline constexpr size_t kMaxWithheldFields = 64;
/// Statements of what an answer withheld.
inline constexpr size_t kMaxWithheld = 64;
/// Cells one statistics table carries (a year of days by a dimension's values is far less).
inline constexpr size_t kMaxStatisticsCells = 10'000;
/// Periods one statistics query may span: ten years of months, or a year of days.
inline constexpr size_t kMaxStatisticsPeriods = 400;
/// A statistics cell's value: a code, a name of the closed vocabularies, a member id.
inline constexpr size_t kStatisticsValueBytes = 64;
/// Record references one audit entry names (a purge writes one entry per this many records).
inline constexpr size_t kMaxAuditRecordRefs = 1'000;

// --- the federation directory (schema/directory.h) -------------------------------------------
/// A federation's name.
inline constexpr size_t kFederationNameBytes = 64;
/// A member node's endpoint, `https://host:port`.
inline constexpr size_t kEndpointBytes = 512;
/// Members one directory lists.
inline constexpr size_t kMaxDirectoryMembers = 1'000;
/// Signing keys listed for one member: the one in use and those it rotates from or to.
inline constexpr size_t kMaxMemberKeys = 8;
/// TLS certificate pins listed for one member, likewise.
inline constexpr size_t kMaxMemberPins = 8;
/// Roles listed for one member: each role at most once.
inline constexpr size_t kMaxMemberRoles = static_cast<size_t>(Role::auditor) + 1;
/// Purposes listed for one member.
inline constexpr size_t kMaxMemberPurposes = 64;
/// Partners one federated request may name (a federation of more asks them all with allPartners).
inline constexpr size_t kMaxPartnersPerRequest = 64;
/// Each signed message a federated answer's frame carries (as crypto::kMaxEnvelopeBytes).
inline constexpr size_t kMaxFramePieceBytes = size_t{1} << 20;
/// Why a partner gave no answer, as a federated answer says it.
inline constexpr size_t kPartnerDetailBytes = 4096;

/// The limits of one record field: bytes per text (per item of a list), and items of a list.
struct FieldLimit {
  size_t bytes = 0;
  size_t items = 1;
};

/// The limit of a record field by its column name (schema/record_fields.h); nullopt for fields
/// that are not text (dates, enums, document numbers are bounded by their types).
std::optional<FieldLimit> recordFieldLimit(std::string_view column);

/// A record field over its limit: its column name, and what is wrong with it, e.g. `aliases` and
/// "has 70 items, more than the 64 allowed".
struct FieldOverLimit {
  std::string column;
  std::string problem;
};

/// The first field of `record` over its limit; nullopt when every field is within. Importers
/// check this so that every stored record can travel in an answer.
std::optional<FieldOverLimit> recordOverLimit(const Record& record);

/// `text` shortened to at most `maxBytes` at a UTF-8 character boundary, ending in a note of how
/// many bytes were cut, e.g. "... [1000000 bytes cut]"; `text` itself when it fits.
std::string cutToLimit(std::string text, size_t maxBytes);

/// Cuts every text field of `entry` to its limit with cutToLimit, so that an entry the node builds
/// (a reason may quote a request) always decodes under the limits. Lists are left as they are: a
/// record reference must never be dropped silently, so too many of them is the writer's error.
void cutTextToLimits(AuditEntry& entry);

/// "is N bytes, more than the M allowed": the one wording of every refusal, after the field's name.
std::string bytesOverLimit(size_t bytes, size_t maxBytes);
/// "has N items, more than the M allowed", after the list's name.
std::string itemsOverLimit(size_t items, size_t maxItems);

}  // namespace liaison::limits
