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
class EdifactReader {
 public:
  /// Checks the size limit and reads the UNA service string advice if the input starts with one.
  /// `text` must outlive the reader.
  static Result<EdifactReader> open(std::string_view text);

  /// Reads the next segment into `segment`. Returns false at the end of the input.
  Result<bool> next(Segment& segment);

  /// The service characters in force.
  const ServiceCharacters& characters() const { return characters_; }

  /// Number of segments read so far, which is the number of the last one returned.
  size_t segmentsRead() const { return segmentsRead_; }

 private:
  EdifactReader(std::string_view text, ServiceCharacters characters, size_t position)
      : text_(text), characters_(characters), position_(position) {}

  std::string_view text_;
  ServiceCharacters characters_;
  size_t position_ = 0;
  size_t segmentsRead_ = 0;
};

// ---------------------------------------------------------------------------------------------
// PAXLST
// ---------------------------------------------------------------------------------------------

/// One passenger (NAD+FL, or NAD+DDU in transit) or crew member (NAD+FM, or NAD+DDT in transit).
/// Only the first travel document (DOC group) is kept: a visa or residence permit reported after
/// the passport is skipped.
struct Traveller {
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

/// One PAXLST message (UNH..UNT): a passenger list or a crew list for one flight.
struct PaxlstMessage {
  std::string reference;     ///< UNH message reference
  std::string documentName;  ///< BGM code: "745" passenger list, "250" crew list
  bool crewList = false;
  Flight flight;
  std::vector<Traveller> travellers;
  std::string reportingParty;  ///< NAD+MS name (or its identifier when no name is sent)
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
Result<Interchange> parsePaxlst(std::string_view text);

}  // namespace liaison::paxlst
