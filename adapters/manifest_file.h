// Passenger manifests for screening: a UN/EDIFACT PAXLST interchange, a JSON list or a CSV table
// of travellers, read from untrusted bytes into one flat list of travellers, each with where in
// the file it came from. Lenient by default, as airline and agency files are messy: quirks are
// read past with a warning, and a traveller that cannot be read is kept as an unreadable entry
// with why, so that no traveller is ever silently dropped. Strict refuses at the first quirk.
//
// JSON: an array of objects, or an object `{"travellers": [...]}`; CSV: a header row, then one
// row per traveller. Both use the fields (columns) family_name, given_names, other_names,
// date_of_birth (YYYY, YYYY-MM or YYYY-MM-DD), sex (M, F, X or U; or male, female, unspecified),
// nationality and document_state (ICAO codes), document_number, document_type (e.g. P, I).
// family_name is required; null, absent and empty are the same. other_names is a JSON array of
// strings, or in CSV the names separated by `;`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/paxlst.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::manifest {

/// The format of a manifest file; `detect` looks at its first bytes (see detectManifestFormat).
enum class ManifestFormat : uint8_t { detect, paxlst, json, csv };

/// `detect`, `paxlst`, `json`, `csv`.
std::string_view name(ManifestFormat format);
/// The format with this name; nullopt for any other text.
std::optional<ManifestFormat> parseManifestFormat(std::string_view text);

/// After a UTF-8 byte order mark and white space: `UNA` or `UNB` (any case) is PAXLST, `[` or `{`
/// JSON, anything else CSV. Never returns `detect`.
ManifestFormat detectManifestFormat(std::string_view bytes);

/// Lenient (the default) or strict; the same options as the PAXLST parser.
using ParseOptions = paxlst::ParseOptions;

/// The largest manifest file accepted, in any format (as a PAXLST interchange: 16 MiB).
inline constexpr size_t kMaxManifestBytes = paxlst::kMaxInputBytes;
/// The deepest nesting of JSON arrays and objects accepted; a manifest needs three.
inline constexpr int kMaxManifestJsonNesting = 8;

/// Where in the file a traveller, an unreadable entry or a warning is.
struct SourcePosition {
  enum class Kind : uint8_t {
    segment,  ///< PAXLST segment number (UNB is 1): a traveller's NAD; 0 before the first segment
    line,     ///< CSV line, 1-based (the header is line 1)
    item,     ///< JSON: the traveller's place in the array, 1-based; 0 for the file as a whole
  };
  Kind kind = Kind::line;
  size_t number = 0;
  friend bool operator==(const SourcePosition&, const SourcePosition&) = default;
};

/// The position as people read it: `segment 14`, `line 3`, `item 2`.
std::string describe(const SourcePosition& position);

/// One traveller to screen.
struct ManifestTraveller {
  SourcePosition position;
  PersonIdentity person;                         ///< names, date of birth, sex, nationality
  std::vector<std::string> otherNames;           ///< aliases or other spellings, at most limits::kMaxAliases
  std::optional<DocumentNumber> documentNumber;  ///< normalised
  std::string documentIssuingState;              ///< ICAO code, empty if unknown
  std::string documentType;                      ///< as sent, e.g. `P` passport, `I` identity card
  bool crew = false;                             ///< a crew member (PAXLST crew lists only)
};

/// A traveller entry that could not be read (lenient mode): where, and why. The reason names the
/// field and never quotes names, document numbers or dates of birth.
struct UnreadableEntry {
  SourcePosition position;
  std::string reason;
  friend bool operator==(const UnreadableEntry&, const UnreadableEntry&) = default;
};

/// A quirk a lenient read went past; `message` is the whole text, located (e.g. `line 4: ...`).
struct ManifestWarning {
  SourcePosition position;
  std::string message;
  friend bool operator==(const ManifestWarning&, const ManifestWarning&) = default;
};

/// A whole manifest, in the order of the file.
struct Manifest {
  ManifestFormat format = ManifestFormat::detect;  ///< the format read (never `detect`)
  std::vector<ManifestTraveller> travellers;
  std::vector<UnreadableEntry> unreadable;  ///< always empty in strict mode
  std::vector<ManifestWarning> warnings;    ///< always empty in strict mode
};

/// Reads a manifest. Lenient (the default): PAXLST as parsePaxlst reads it leniently (every
/// message's travellers, crew included, in order); in JSON and CSV an entry with a field that
/// cannot be read (wrong JSON type, bad date, sex, code or document number, no family name, a CSV
/// row with the wrong number of fields) is an unreadable entry, a field the format does not know
/// is ignored with a warning, and CSV text that is not UTF-8 is read as ISO 8859-1 with a warning.
/// Strict: each of these refuses the file.
///
/// Refused in both modes, naming where and what: input over kMaxManifestBytes, more than
/// limits::kMaxTravellers entries (unreadable ones count), a text field over its limit
/// (limits::kPersonNameBytes for names, kCodeBytes for codes and dates, kReferenceBytes for a
/// document number before normalisation, kMaxAliases other names), JSON that does not parse or
/// nests deeper than kMaxManifestJsonNesting, a CSV header without family_name or with a column
/// twice, and whatever parsePaxlst refuses.
Result<Manifest> readManifest(std::string_view bytes, ManifestFormat format = ManifestFormat::detect,
                              const ParseOptions& options = {});

/// What screening sends for one traveller: the person, at most limits::kMaxOtherNames of the other
/// names, and the document (`liaison screen manifest`, bench/manifest_bench.cc).
ScreenPersonQuery screeningOf(const ManifestTraveller& traveller);

}  // namespace liaison::manifest
