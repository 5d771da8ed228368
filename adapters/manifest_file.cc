#include "adapters/manifest_file.h"

#include <array>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <utility>

#include "adapters/csv.h"
#include "adapters/text_encoding.h"
#include "schema/limits.h"

namespace liaison::manifest {
namespace {

using Json = nlohmann::json;

// The fields of a JSON traveller and the columns of a CSV manifest.
constexpr std::array<std::string_view, 9> kFields = {
    "family_name", "given_names",     "other_names",   "date_of_birth", "sex",
    "nationality", "document_number", "document_state", "document_type"};

bool isKnownField(std::string_view field) {
  for (std::string_view known : kFields) {
    if (known == field) return true;
  }
  return false;
}

// An entry that cannot be read: an unreadable entry when lenient, the error when strict.
struct Unreadable {
  std::string message;
};
// What refuses the whole file in either mode: a limit exceeded, a file that cannot be parsed.
struct Refused {
  std::string message;
};

// A field name quoted for a message: printable ASCII as is, anything else as `?`, cut at 32
// bytes, so a hostile key never reaches a terminal. Field names are not personal data.
std::string fieldName(std::string_view name) {
  constexpr size_t kShown = 32;
  std::string text = "'";
  for (size_t i = 0; i < name.size() && i < kShown; ++i) {
    char c = name[i];
    text += (c >= 0x20 && c < 0x7F) ? c : '?';
  }
  if (name.size() > kShown) text += "...";
  return text + "'";
}

std::string trimmed(std::string_view text) {
  size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  size_t last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

// The text fields of one traveller as the file gives them, before they are checked.
struct RawTraveller {
  std::string familyName, givenNames, dateOfBirth, sex, nationality, documentNumber, documentState,
      documentType;
  std::vector<std::string> otherNames;

  // The text field of that name; null for other_names and unknown names.
  const std::string* text(std::string_view field) const {
    if (field == "family_name") return &familyName;
    if (field == "given_names") return &givenNames;
    if (field == "date_of_birth") return &dateOfBirth;
    if (field == "sex") return &sex;
    if (field == "nationality") return &nationality;
    if (field == "document_number") return &documentNumber;
    if (field == "document_state") return &documentState;
    if (field == "document_type") return &documentType;
    return nullptr;
  }
  std::string* text(std::string_view field) { return const_cast<std::string*>(std::as_const(*this).text(field)); }
};

// The limit of each text field, in bytes of UTF-8.
size_t limitOf(std::string_view field) {
  if (field == "family_name" || field == "given_names" || field == "other_names") return limits::kPersonNameBytes;
  if (field == "document_number") return limits::kReferenceBytes;
  return limits::kCodeBytes;
}

void checkLimit(const std::string& where, std::string_view field, std::string_view value) {
  if (value.size() > limitOf(field)) {
    throw Refused{where + ", " + std::string(field) + ": " + limits::bytesOverLimit(value.size(), limitOf(field))};
  }
}

// Limits refuse the file; text that is not printable UTF-8 makes the entry unreadable.
void checkText(const std::string& where, const RawTraveller& raw) {
  auto check = [&](std::string_view field, std::string_view value) {
    checkLimit(where, field, value);
    bool control = false;
    for (char c : value) control = control || static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
    if (control || !isPrintableUtf8(value)) {
      throw Unreadable{where + ", " + std::string(field) + ": is not printable UTF-8 text"};
    }
  };
  if (raw.otherNames.size() > limits::kMaxAliases) {
    throw Refused{where + ", other_names: " + limits::itemsOverLimit(raw.otherNames.size(), limits::kMaxAliases)};
  }
  for (std::string_view field : kFields) {
    if (const std::string* value = raw.text(field)) check(field, *value);
  }
  for (const std::string& name : raw.otherNames) check("other_names", name);
}

bool isCode(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

std::optional<Sex> sexOf(std::string_view text) {
  if (text.empty() || text == "U" || text == "u" || text == "X" || text == "x") return Sex::unspecified;
  if (text == "M" || text == "m") return Sex::male;
  if (text == "F" || text == "f") return Sex::female;
  return parseSex(text);
}

// Checks one traveller's fields (limits first: those refuse the file) and builds the traveller.
// Messages name the field and never quote a name, a number or a date of birth.
ManifestTraveller travellerOf(const RawTraveller& raw, const SourcePosition& position) {
  const std::string where = describe(position);
  checkText(where, raw);
  auto unreadable = [&](std::string_view field, const std::string& what) {
    return Unreadable{where + ", " + std::string(field) + ": " + what};
  };
  ManifestTraveller traveller;
  traveller.position = position;
  PersonIdentity& person = traveller.person;
  person.familyName = raw.familyName;
  if (person.familyName.empty()) throw unreadable("family_name", "is empty; every traveller needs a family name");
  person.givenNames = raw.givenNames;
  for (const std::string& name : raw.otherNames) {
    if (!name.empty()) traveller.otherNames.push_back(name);
  }
  if (!raw.dateOfBirth.empty()) {
    auto date = parsePartialDate(raw.dateOfBirth);
    if (!date) throw unreadable("date_of_birth", "is not a date YYYY, YYYY-MM or YYYY-MM-DD");
    person.dateOfBirth = *date;
  }
  auto sex = sexOf(raw.sex);
  if (!sex) throw unreadable("sex", "is not M, F, X or U (or male, female, unspecified)");
  person.sex = *sex;
  if (!raw.nationality.empty() && !isIcaoStateCode(raw.nationality)) {
    throw unreadable("nationality", "is not a three-letter ICAO code such as UTO");
  }
  person.nationality = raw.nationality;
  if (!raw.documentNumber.empty()) {
    auto number = DocumentNumber::parse(raw.documentNumber);
    if (!number) throw unreadable("document_number", number.error().message);
    traveller.documentNumber = std::move(number).value();
  }
  if (!raw.documentState.empty() && !isIcaoStateCode(raw.documentState)) {
    throw unreadable("document_state", "is not a three-letter ICAO code such as UTO");
  }
  traveller.documentIssuingState = raw.documentState;
  if (!raw.documentType.empty() && !isCode(raw.documentType)) {
    throw unreadable("document_type", "is not a code of letters and digits such as P or I");
  }
  traveller.documentType = raw.documentType;
  return traveller;
}

// Collects what a read finds, applying the mode: strict turns every quirk into the error.
class ManifestBuilder {
 public:
  ManifestBuilder(ManifestFormat format, const ParseOptions& options) : strict_(options.strict) {
    manifest_.format = format;
  }

  bool strict() const { return strict_; }

  // Reads one entry; an Unreadable it throws becomes an unreadable entry (lenient) or the error.
  template <typename Read>
  void entry(const SourcePosition& position, Read read) {
    if (manifest_.travellers.size() + manifest_.unreadable.size() == limits::kMaxTravellers) {
      throw Refused{describe(position) + ": the manifest has more than " + std::to_string(limits::kMaxTravellers) +
                    " travellers; split it"};
    }
    try {
      manifest_.travellers.push_back(read());
    } catch (const Unreadable& problem) {
      if (strict_) throw Refused{problem.message};
      manifest_.unreadable.push_back(UnreadableEntry{position, problem.message});
    }
  }

  // A quirk: the error when strict, else a warning.
  void quirk(const SourcePosition& position, const std::string& message) {
    if (strict_) throw Refused{message};
    manifest_.warnings.push_back(ManifestWarning{position, message});
  }

  Manifest take() { return std::move(manifest_); }

 private:
  bool strict_;
  Manifest manifest_;
};

// ---------------------------------------------------------------------------------------------
// PAXLST
// ---------------------------------------------------------------------------------------------

Manifest readPaxlst(std::string_view bytes, const ParseOptions& options) {
  std::vector<paxlst::Warning> warnings;
  auto interchange = paxlst::parsePaxlst(bytes, options, &warnings);
  if (!interchange) throw Refused{interchange.error().message};
  ManifestBuilder builder(ManifestFormat::paxlst, options);
  for (const paxlst::Warning& warning : warnings) {
    builder.quirk(SourcePosition{SourcePosition::Kind::segment, warning.segment}, warning.message);
  }
  Manifest manifest = builder.take();
  for (const paxlst::PaxlstMessage& message : interchange->messages) {
    for (const paxlst::UnreadableTraveller& unreadable : message.unreadable) {
      manifest.unreadable.push_back(
          UnreadableEntry{SourcePosition{SourcePosition::Kind::segment, unreadable.segment}, unreadable.reason});
    }
    for (const paxlst::Traveller& traveller : message.travellers) {
      SourcePosition position{SourcePosition::Kind::segment, traveller.segment};
      const std::string where = describe(position) + " (NAD)";
      checkLimit(where, "family_name", traveller.person.familyName);
      checkLimit(where, "given_names", traveller.person.givenNames);
      ManifestTraveller entry;
      entry.position = position;
      entry.person = traveller.person;
      entry.documentNumber = traveller.documentNumber;
      entry.documentIssuingState = traveller.documentIssuingState;
      entry.documentType = traveller.documentType;
      entry.crew = traveller.crew;
      manifest.travellers.push_back(std::move(entry));
    }
    if (manifest.travellers.size() + manifest.unreadable.size() > limits::kMaxTravellers) {
      throw Refused{"message " + message.reference + ": the manifest has more than " +
                    std::to_string(limits::kMaxTravellers) + " travellers; split it"};
    }
  }
  return manifest;
}

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

struct NestingTooDeep {};

// Where nlohmann's parser stopped, without the piece of text it last read (which may be a name).
std::string jsonErrorMessage(const Json::parse_error& error) {
  std::string message = error.what();
  if (size_t lastRead = message.find("; last read: "); lastRead != std::string::npos) {
    size_t expected = message.find("; expected ", lastRead);
    message.erase(lastRead, expected == std::string::npos ? std::string::npos : expected - lastRead);
  }
  if (size_t preamble = message.find("] "); preamble != std::string::npos) message.erase(0, preamble + 2);
  return "not valid JSON at byte " + std::to_string(error.byte) + ": " + message;
}

RawTraveller rawFromJson(const Json& item, const SourcePosition& position, ManifestBuilder& builder,
                         std::set<std::string>& unknownReported) {
  const std::string where = describe(position);
  if (!item.is_object()) throw Unreadable{where + ": is not an object of traveller fields"};
  RawTraveller raw;
  for (const auto& [key, value] : item.items()) {
    if (!isKnownField(key)) {
      if (unknownReported.insert(key).second) {
        builder.quirk(position, where + ": unknown field " + fieldName(key) +
                                    " ignored (further ones of that name are not reported)");
      }
      continue;
    }
    if (value.is_null()) continue;
    if (key == "other_names") {
      if (!value.is_array()) throw Unreadable{where + ", other_names: is not an array of strings"};
      if (value.size() > limits::kMaxAliases) {
        throw Refused{where + ", other_names: " + limits::itemsOverLimit(value.size(), limits::kMaxAliases)};
      }
      for (const Json& name : value) {
        if (!name.is_string()) throw Unreadable{where + ", other_names: is not an array of strings"};
        raw.otherNames.push_back(trimmed(name.get_ref<const std::string&>()));
      }
      continue;
    }
    if (!value.is_string()) throw Unreadable{where + ", " + key + ": is not a string"};
    *raw.text(key) = trimmed(value.get_ref<const std::string&>());
  }
  return raw;
}

Manifest readJson(std::string_view bytes, const ParseOptions& options) {
  Json root;
  try {
    // The callback sees each container as it opens, before anything inside it is built.
    root = Json::parse(bytes.begin(), bytes.end(), [](int depth, Json::parse_event_t event, Json&) {
      if ((event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) &&
          depth >= kMaxManifestJsonNesting) {
        throw NestingTooDeep{};
      }
      return true;
    });
  } catch (const NestingTooDeep&) {
    throw Refused{"arrays and objects nested more than " + std::to_string(kMaxManifestJsonNesting) +
                  " deep; a manifest is an array of traveller objects"};
  } catch (const Json::parse_error& error) {
    throw Refused{jsonErrorMessage(error)};
  } catch (const Json::exception& error) {
    throw Refused{std::string("not valid JSON: ") + error.what()};
  }
  const Json* list = &root;
  if (root.is_object()) {
    auto travellers = root.find("travellers");
    if (travellers == root.end()) {
      throw Refused{"the JSON object has no \"travellers\" array; a manifest is an array of traveller objects or "
                    "{\"travellers\": [...]}"};
    }
    list = &*travellers;
  }
  if (!list->is_array()) {
    throw Refused{"a manifest is an array of traveller objects or {\"travellers\": [...]}, not a JSON " +
                  std::string(list->type_name())};
  }
  ManifestBuilder builder(ManifestFormat::json, options);
  std::set<std::string> unknownReported;
  size_t number = 0;
  for (const Json& item : *list) {
    SourcePosition position{SourcePosition::Kind::item, ++number};
    builder.entry(position, [&] {
      return travellerOf(rawFromJson(item, position, builder, unknownReported), position);
    });
  }
  return builder.take();
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

Manifest readCsv(std::string_view bytes, const ParseOptions& options) {
  std::istringstream in{std::string(bytes)};
  // A field may hold every other name; the per-field limits are checked with the field's name.
  CsvReader reader(in, CsvLimits{.maxFieldBytes = limits::kMaxAliases * (limits::kPersonNameBytes + 1),
                                 .maxFields = 64});
  ManifestBuilder builder(ManifestFormat::csv, options);
  std::vector<std::string> fields;
  auto next = [&] {
    auto more = reader.next(fields);
    if (!more) throw Refused{more.error().message};
    return *more;
  };
  if (!next()) throw Refused{"the file is empty; a CSV manifest starts with a header row naming its columns"};
  std::vector<std::string> columns;
  for (const std::string& field : fields) {
    std::string column = trimmed(field);
    SourcePosition header{SourcePosition::Kind::line, reader.recordLine()};
    for (const std::string& earlier : columns) {
      if (earlier == column && !column.empty()) {
        throw Refused{"line " + std::to_string(header.number) + ": column " + fieldName(column) + " is named twice"};
      }
    }
    if (!isKnownField(column)) {
      builder.quirk(header, "line " + std::to_string(header.number) + ": unknown column " + fieldName(column) +
                                " ignored");
    }
    columns.push_back(std::move(column));
  }
  bool hasFamilyName = false;
  for (const std::string& column : columns) hasFamilyName = hasFamilyName || column == "family_name";
  if (!hasFamilyName) {
    throw Refused{"line 1: the header has no family_name column; the columns are family_name, given_names, "
                  "other_names, date_of_birth, sex, nationality, document_number, document_state, document_type"};
  }

  bool latin1Reported = false;
  while (next()) {
    SourcePosition position{SourcePosition::Kind::line, reader.recordLine()};
    const std::string where = describe(position);
    if (fields.size() == 1 && trimmed(fields[0]).empty()) continue;  // a blank line holds no traveller
    builder.entry(position, [&] {
      if (fields.size() != columns.size()) {
        throw Unreadable{where + ": has " + std::to_string(fields.size()) + " fields but the header has " +
                         std::to_string(columns.size())};
      }
      RawTraveller raw;
      for (size_t i = 0; i < columns.size(); ++i) {
        std::string value = trimmed(fields[i]);
        if (!isKnownField(columns[i])) continue;
        if (columns[i] != "other_names") checkLimit(where, columns[i], value);
        if (!isPrintableUtf8(value)) {
          // Spreadsheets export in their own code page; ISO 8859-1 is the usual one.
          char badByte = 0;
          auto utf8 = latin1ToUtf8(value, &badByte);
          if (!utf8 || builder.strict()) {
            throw Unreadable{where + ", " + columns[i] + ": is not UTF-8 text"};
          }
          if (!latin1Reported) {
            builder.quirk(position, where + ", " + columns[i] +
                                        ": not UTF-8; read as ISO 8859-1 (further ones are not reported)");
            latin1Reported = true;
          }
          value = std::move(*utf8);
        }
        if (columns[i] == "other_names") {
          std::string_view rest = value;
          while (!rest.empty()) {
            size_t end = rest.find(';');
            raw.otherNames.push_back(trimmed(rest.substr(0, end)));
            rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
          }
        } else {
          *raw.text(columns[i]) = std::move(value);
        }
      }
      return travellerOf(raw, position);
    });
  }
  return builder.take();
}

}  // namespace

std::string_view name(ManifestFormat format) {
  switch (format) {
    case ManifestFormat::detect: return "detect";
    case ManifestFormat::paxlst: return "paxlst";
    case ManifestFormat::json: return "json";
    case ManifestFormat::csv: return "csv";
  }
  return "detect";
}

std::optional<ManifestFormat> parseManifestFormat(std::string_view text) {
  for (ManifestFormat format :
       {ManifestFormat::detect, ManifestFormat::paxlst, ManifestFormat::json, ManifestFormat::csv}) {
    if (name(format) == text) return format;
  }
  return std::nullopt;
}

ManifestFormat detectManifestFormat(std::string_view bytes) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  size_t start = bytes.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return ManifestFormat::csv;
  bytes.remove_prefix(start);
  if (bytes[0] == '[' || bytes[0] == '{') return ManifestFormat::json;
  std::string head(bytes.substr(0, 3));
  for (char& c : head) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  if (head == "UNA" || head == "UNB") return ManifestFormat::paxlst;
  return ManifestFormat::csv;
}

std::string describe(const SourcePosition& position) {
  switch (position.kind) {
    case SourcePosition::Kind::segment:
      return position.number == 0 ? "the start of the file" : "segment " + std::to_string(position.number);
    case SourcePosition::Kind::line: return "line " + std::to_string(position.number);
    case SourcePosition::Kind::item:
      return position.number == 0 ? "the file" : "item " + std::to_string(position.number);
  }
  return {};
}

Result<Manifest> readManifest(std::string_view bytes, ManifestFormat format, const ParseOptions& options) {
  if (bytes.size() > kMaxManifestBytes) {
    return fail(ErrorKind::invalidInput, "the manifest is " + std::to_string(bytes.size()) +
                                             " bytes; a manifest may have at most " +
                                             std::to_string(kMaxManifestBytes) + " bytes (16 MiB)");
  }
  if (format == ManifestFormat::detect) format = detectManifestFormat(bytes);
  try {
    switch (format) {
      case ManifestFormat::paxlst: return readPaxlst(bytes, options);
      case ManifestFormat::json: return readJson(bytes, options);
      case ManifestFormat::csv:
      case ManifestFormat::detect: return readCsv(bytes, options);
    }
  } catch (const Refused& refused) {
    return fail(ErrorKind::invalidInput, refused.message);
  }
  return fail(ErrorKind::internal, "unknown manifest format");
}

ScreenPersonQuery screeningOf(const ManifestTraveller& traveller) {
  ScreenPersonQuery query;
  query.person = traveller.person;
  for (const auto& other : traveller.otherNames) {
    if (query.otherNames.size() < limits::kMaxOtherNames) query.otherNames.push_back(other);
  }
  query.documentNumber = traveller.documentNumber;
  query.documentState = traveller.documentIssuingState;
  return query;
}

}  // namespace liaison::manifest
