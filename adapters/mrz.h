// The machine-readable zone of ICAO Doc 9303 travel documents (TD1 and TD2 cards, TD3 passports,
// MRV-A and MRV-B visas), read from untrusted scanner or operator input into checked values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/model.h"
#include "schema/status.h"

namespace liaison::mrz {

/// The MRZ layouts of Doc 9303: TD1 (3 lines of 30), TD2 (2 x 36), TD3 (2 x 44, passports),
/// MRV-A (2 x 44, visas) and MRV-B (2 x 36, visas).
enum class MrzFormat { td1, td2, td3, mrvA, mrvB };

/// The name Doc 9303 gives a format: `TD1`, `TD2`, `TD3`, `MRV-A` or `MRV-B`.
std::string_view name(MrzFormat format);

/// A document as its MRZ describes it. Every check digit has been verified, every code and date
/// checked. Text fields have their trailing `<` fillers removed.
struct MrzDocument {
  MrzFormat format = MrzFormat::td3;  ///< the layout the zone was read with
  std::string documentCode;           ///< one or two letters, e.g. `P`, `I`, `ID`, `V`
  std::string issuingState;           ///< ICAO code as printed, e.g. `UTO`, `D<<`
  std::string primaryIdentifier;      ///< the name before `<<` (usually the family name), fillers as spaces
  std::string secondaryIdentifier;    ///< the name after `<<` (usually the given names); may be empty
  /// Normalised; a TD1 or TD2 number over 9 characters with its overflow from the optional data joined on.
  DocumentNumber number = DocumentNumber::parse("0").value();
  std::string nationality;         ///< ICAO code as printed
  /// As much as the zone gives: a full date, year and month (`YYMM<<`), the year (`YY<<<<`) or
  /// nothing (`<<<<<<`), Doc 9303's fillers for an unknown part. The century is the latest that
  /// does not put the earliest day it can mean after the reference date.
  PartialDate dateOfBirth{};
  Sex sex = Sex::unspecified;      ///< X and < both read as unspecified
  std::optional<Date> expiryDate;  ///< nullopt when the zone leaves it blank (all fillers)
  /// TD1: line 1 optional data (after a long number's overflow); TD2: optional data (after the
  /// overflow); TD3: personal number; MRV-A/MRV-B: optional data. Interior fillers are kept.
  std::string optionalData1;
  std::string optionalData2;  ///< TD1: line 2 optional data; empty for the other formats
  friend bool operator==(const MrzDocument&, const MrzDocument&) = default;
};

/// Parses and checks the lines of an MRZ. The format follows from the line count, the line length
/// and the document code. `today` fixes the century of the two-digit years: a birth date is never
/// after it, an expiry date falls within [today - 50 years, today + 50 years). Errors are
/// invalidInput and name the line, the columns (1-based, as Doc 9303 counts them), the field and,
/// for a check digit, the digit expected. They never repeat a name or a document number.
Result<MrzDocument> parseMrz(const std::vector<std::string>& lines, Date today);

}  // namespace liaison::mrz
