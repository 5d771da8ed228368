// UN/EDIFACT PAXLST, the advance passenger information (API) message airlines send to border
// agencies: passenger lists and crew lists as the WCO/IATA/ICAO PAXLST implementation guide
// describes them (directories D02B to D15B), read from untrusted bytes. Two layers: an EDIFACT
// tokenizer (ISO 9735 syntax: segments, elements, components, release character) and the
// PAXLST parser built on it, which also checks the interchange's counts and references.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/model.h"
#include "schema/status.h"

namespace liaison::paxlst {

/// Largest interchange accepted, in bytes; an API file for the largest aircraft is well under 1 MiB.
constexpr size_t kMaxInputBytes = size_t{16} << 20;
/// Most segments an interchange may have (UNB and UNZ included).
constexpr size_t kMaxSegments = 100'000;
/// Most data elements in one segment and components in one element. No PAXLST segment needs more
/// than ten; the limits bound what one hostile segment can make the tokenizer allocate.
constexpr size_t kMaxElements = 99;
constexpr size_t kMaxComponents = 99;
/// Most warnings one lenient parse reports; past it one last warning says how many were left out.
constexpr size_t kMaxWarnings = 1000;

/// How strictly parsePaxlst reads. Lenient (the default, for screening) reads the quirks real
/// airline files have, with a Warning for each; strict refuses the file at the first one.
struct ParseOptions {
  bool strict = false;
};

/// One quirk a lenient parse read past. `message` is the whole text, located as errors are, e.g.
/// `segment 14 (NAD), element 4: bytes outside UNOA (ASCII); read as ISO 8859-1`; it never quotes
/// names, document numbers or dates of birth.
struct Warning {
  size_t segment = 0;  ///< the segment number (UNB is 1), 0 when the quirk is before the first segment
  std::string tag;     ///< the segment's tag, empty when not known
  std::string message;
  friend bool operator==(const Warning&, const Warning&) = default;
};

// ---------------------------------------------------------------------------------------------
// EDIFACT syntax
// ---------------------------------------------------------------------------------------------

/// The service characters of an interchange: ISO 9735's defaults, or those a UNA at the start
/// announces. The UNA's fifth character (reserved, or the repetition separator in syntax 4) is
/// not kept: PAXLST repeats no data element, so it is read as ordinary data.
struct ServiceCharacters {
  char component = ':';
  char element = '+';
  char decimal = '.';
  char release = '?';
  char segment = '\'';
  friend bool operator==(const ServiceCharacters&, const ServiceCharacters&) = default;
};

/// One segment as the tokenizer splits it, release characters removed. Values are the raw
/// bytes of the interchange's character set; the PAXLST parser decodes them to UTF-8.
struct Segment {
  size_t number = 0;  ///< 1-based position in the interchange: UNB is 1, a UNA is not counted
  std::string tag;    ///< three capital letters, e.g. `NAD`
  std::vector<std::vector<std::string>> elements;  ///< elements[0] is element 1, the one after the tag

  /// Component `component` of element `element` (both 1-based, as guides number them), or empty
  /// when the segment stops before it: EDIFACT does not distinguish absent from empty.
  std::string_view value(size_t element, size_t component = 1) const;
};

/// Splits an interchange into segments one at a time, so memory stays bounded by one segment.
/// CR and LF between segments are skipped (files are often written one segment per line); any
/// other control byte is an error. Errors name the segment number and element, e.g.
/// `segment 14 (DOC), element 2: ...`.
///
/// Leniently opened, it also reads past layout quirks, each class reported once (the first time)
/// in warnings(): a UTF-8 byte order mark, spaces or tabs between segments, line breaks inside a
/// segment (files wrapped at a fixed width), spaces after a segment tag and lower-case tags.
class EdifactReader {
 public:
  /// Checks the size limit and reads the UNA service string advice if the input starts with one.
  /// `text` must outlive the reader. A file that starts with UNB followed by something other than
  /// `+` uses other service characters without announcing them in a UNA, which no reader can
  /// recover from: refused in both modes, saying so.
  static Result<EdifactReader> open(std::string_view text, const ParseOptions& options = {.strict = true});

  /// The layout quirks read past so far (lenient mode only), oldest first; the caller may clear it.
  std::vector<Warning>& warnings() { return warnings_; }

  /// The bytes not yet read: after the last segment returned, what follows it.
  std::string_view rest() const { return text_.substr(position_); }

  /// Byte offset of the next byte to read.
  size_t position() const { return position_; }

  /// Reads the next segment into `segment`. Returns false at the end of the input.
  Result<bool> next(Segment& segment);

  /// The service characters in force.
  const ServiceCharacters& characters() const { return characters_; }

  /// Number of segments read so far, which is the number of the last one returned.
  size_t segmentsRead() const { return segmentsRead_; }

 private:
  EdifactReader(std::string_view text, ServiceCharacters characters, size_t position, bool lenient)
      : text_(text), characters_(characters), position_(position), lenient_(lenient) {}

  // Reports a layout quirk the first time its kind is seen (lenient mode).
  void layoutQuirk(unsigned kind, size_t segment, std::string_view tag, const std::string& message);

  std::string_view text_;
  ServiceCharacters characters_;
  size_t position_ = 0;
  size_t segmentsRead_ = 0;
  bool lenient_ = false;
  unsigned quirksSeen_ = 0;  // bit set of the layout quirk kinds already reported
  std::vector<Warning> warnings_;
};

// ---------------------------------------------------------------------------------------------
// PAXLST
// ---------------------------------------------------------------------------------------------

/// One passenger (NAD+FL, or NAD+DDU in transit) or crew member (NAD+FM, or NAD+DDT in transit).
/// Only the first travel document (DOC group) is kept: a visa or residence permit reported after
/// the passport is skipped.
struct Traveller {
  size_t segment = 0;  ///< the number of the traveller's NAD segment
  bool crew = false;
  PersonIdentity person;     ///< NAD name, ATT+2 sex, DTM+329 birth date, NAT+2
  std::string documentType;  ///< DOC code as sent: P passport, I identity card, V visa, ...
  std::optional<DocumentNumber> documentNumber;  ///< DOC element 2, normalised
  std::string documentIssuingState;              ///< LOC+91, an ICAO code
  std::optional<Date> documentExpiry;            ///< DTM+36
  std::string embarkation;                       ///< LOC+178, usually an IATA airport code
  std::string debarkation;                       ///< LOC+179
  std::string countryOfResidence;                ///< LOC+174, an ICAO code
  std::vector<std::string> references;           ///< RFF as `QUALIFIER:VALUE`, e.g. `AVF:ABC123` (booking)
};

/// The flight a message reports (TDT with its LOC/DTM group). Times are the airports' local times
/// as PAXLST gives them, without a zone, held in a Timestamp as if they were UTC: compare them
/// only with other times at the same airport. A progressive flight (several TDT legs under one
/// flight number) is reported from its first departure to its last arrival.
struct Flight {
  std::string carrier;                 ///< TDT element 5, e.g. `KL`; may be empty
  std::string flightNumber;            ///< TDT element 2 as sent, usually carrier and number, e.g. `KL1234`
  std::string departurePort;           ///< LOC+125 (or LOC+92 followed by DTM+189)
  std::optional<Timestamp> departure;  ///< DTM+189, local time
  std::string arrivalPort;             ///< LOC+87 (or LOC+92 followed by DTM+232)
  std::optional<Timestamp> arrival;    ///< DTM+232, local time
};

/// A traveller group (NAD with its ATT, DTM, DOC, ... segments) a lenient parse could not read:
/// kept so that no traveller is silently dropped, with what was wrong.
struct UnreadableTraveller {
  size_t segment = 0;  ///< the number of the traveller's NAD segment
  std::string reason;  ///< located like an error, e.g. `segment 17 (DTM), element 1: the date of birth ...`
  friend bool operator==(const UnreadableTraveller&, const UnreadableTraveller&) = default;
};

/// One PAXLST message (UNH..UNT): a passenger list or a crew list for one flight.
struct PaxlstMessage {
  std::string reference;     ///< UNH message reference
  std::string documentName;  ///< BGM code: "745" passenger list, "250" crew list
  bool crewList = false;
  Flight flight;
  /// Further legs under other flight numbers (a lenient parse only; strict refuses them), in order.
  std::vector<Flight> otherLegs;
  std::vector<Traveller> travellers;
  std::vector<UnreadableTraveller> unreadable;  ///< lenient parse only; strict refuses the file instead
  std::string reportingParty;                   ///< NAD+MS name (or its identifier when no name is sent)
};

/// A whole interchange (UNB..UNZ), with or without functional groups (UNG..UNE).
struct Interchange {
  ServiceCharacters characters;
  std::string sender;            ///< UNB element 2
  std::string recipient;         ///< UNB element 3
  std::string controlReference;  ///< UNB element 5, repeated in UNZ
  Timestamp preparedAt{};        ///< UNB element 4, as the sender wrote it (no zone)
  std::vector<PaxlstMessage> messages;
};

/// Parses a PAXLST interchange, at most kMaxInputBytes and kMaxSegments. Checks the syntax
/// strictly: delimiters and release character, mandatory UNB, UNH, BGM, UNT and UNZ, UNT's segment
/// count and reference, UNE's and UNZ's counts and references, and CNT against the travellers
/// listed. Also refused, as no reader could trust the result: a message without a flight (TDT),
/// a second flight number in one message, a crew member in a passenger list or a passenger in a
/// crew list, and a traveller's single-valued field (sex, birth date, nationality, ...) given twice.
/// Segments the guide allows but Liaison does not use (COM, MEA, FTX, ...) are skipped.
/// Text is decoded to UTF-8 from the UNB character set: UNOA and UNOB (ASCII), UNOC (ISO 8859-1)
/// or UNOW (UTF-8); others are refused.
///
/// Two-digit years are resolved against the interchange's preparation date (UNB), so a parse
/// never depends on the clock: a birth date is the latest date not after it (a traveller is taken
/// to be under 100); an expiry or flight date is the one within 50 years of it, so documents that
/// expire years ahead and documents that already expired both come out right. A two-digit year in
/// UNB itself is in 2000..2099.
///
/// This overload is strict: the first quirk refuses the whole file.
Result<Interchange> parsePaxlst(std::string_view text);

/// Parses as above, leniently unless `options.strict`. Besides the tokenizer's layout quirks (see
/// EdifactReader), a lenient parse reads with a warning each (into `warnings`, when given):
/// - text outside the declared character set: valid UTF-8 as UTF-8, other bytes as ISO 8859-1;
/// - `CNT+42+5` (qualifier and count in two elements) for `CNT+42:5`;
/// - counts and references of CNT, UNT, UNE and UNZ that do not match (a CNT that counts more
///   travellers than were read says travellers may be missing);
/// - a second flight number in one message (kept in PaxlstMessage::otherLegs);
/// - a crew member in a passenger list or a passenger in a crew list (kept, marked as such);
/// - a missing UNZ after a complete last message, and anything after UNZ (ignored);
/// - a flight's airport or time that cannot be read (left empty).
/// A traveller group that cannot be read (no family name, a bad document number or date, a field
/// given twice, ...) becomes an UnreadableTraveller of its message and the rest is read. What no
/// reader can trust still fails: no UNB or BGM, a truncated segment or message, an unknown
/// character set or message type, the size limits.
Result<Interchange> parsePaxlst(std::string_view text, const ParseOptions& options,
                                std::vector<Warning>* warnings = nullptr);

}  // namespace liaison::paxlst
