#include "adapters/interpol_notices.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <utility>

#include "adapters/pg_session.h"
#include "schema/limits.h"

namespace liaison::importers {
namespace {

using Json = nlohmann::json;

// --- countries ---------------------------------------------------------------------------------

struct CountryCode {
  std::string_view iso;   ///< ISO 3166-1 alpha-2, as the API writes country ids
  std::string_view icao;  ///< ICAO 9303 code, as the model stores states
};

// Every ISO 3166-1 country (iso-codes 4.x, 249 entries) plus Kosovo's user-assigned XK. ICAO codes are
// the ISO alpha-3 codes except Germany (`D<<`, ICAO 9303 part 3) and Kosovo (`RKS`). Sorted by `iso`.
constexpr std::array<CountryCode, 250> kCountryCodes = {{
    {"AD", "AND"}, {"AE", "ARE"}, {"AF", "AFG"}, {"AG", "ATG"}, {"AI", "AIA"}, {"AL", "ALB"}, {"AM", "ARM"},
    {"AO", "AGO"}, {"AQ", "ATA"}, {"AR", "ARG"}, {"AS", "ASM"}, {"AT", "AUT"}, {"AU", "AUS"}, {"AW", "ABW"},
    {"AX", "ALA"}, {"AZ", "AZE"}, {"BA", "BIH"}, {"BB", "BRB"}, {"BD", "BGD"}, {"BE", "BEL"}, {"BF", "BFA"},
    {"BG", "BGR"}, {"BH", "BHR"}, {"BI", "BDI"}, {"BJ", "BEN"}, {"BL", "BLM"}, {"BM", "BMU"}, {"BN", "BRN"},
    {"BO", "BOL"}, {"BQ", "BES"}, {"BR", "BRA"}, {"BS", "BHS"}, {"BT", "BTN"}, {"BV", "BVT"}, {"BW", "BWA"},
    {"BY", "BLR"}, {"BZ", "BLZ"}, {"CA", "CAN"}, {"CC", "CCK"}, {"CD", "COD"}, {"CF", "CAF"}, {"CG", "COG"},
    {"CH", "CHE"}, {"CI", "CIV"}, {"CK", "COK"}, {"CL", "CHL"}, {"CM", "CMR"}, {"CN", "CHN"}, {"CO", "COL"},
    {"CR", "CRI"}, {"CU", "CUB"}, {"CV", "CPV"}, {"CW", "CUW"}, {"CX", "CXR"}, {"CY", "CYP"}, {"CZ", "CZE"},
    {"DE", "D<<"}, {"DJ", "DJI"}, {"DK", "DNK"}, {"DM", "DMA"}, {"DO", "DOM"}, {"DZ", "DZA"}, {"EC", "ECU"},
    {"EE", "EST"}, {"EG", "EGY"}, {"EH", "ESH"}, {"ER", "ERI"}, {"ES", "ESP"}, {"ET", "ETH"}, {"FI", "FIN"},
    {"FJ", "FJI"}, {"FK", "FLK"}, {"FM", "FSM"}, {"FO", "FRO"}, {"FR", "FRA"}, {"GA", "GAB"}, {"GB", "GBR"},
    {"GD", "GRD"}, {"GE", "GEO"}, {"GF", "GUF"}, {"GG", "GGY"}, {"GH", "GHA"}, {"GI", "GIB"}, {"GL", "GRL"},
    {"GM", "GMB"}, {"GN", "GIN"}, {"GP", "GLP"}, {"GQ", "GNQ"}, {"GR", "GRC"}, {"GS", "SGS"}, {"GT", "GTM"},
    {"GU", "GUM"}, {"GW", "GNB"}, {"GY", "GUY"}, {"HK", "HKG"}, {"HM", "HMD"}, {"HN", "HND"}, {"HR", "HRV"},
    {"HT", "HTI"}, {"HU", "HUN"}, {"ID", "IDN"}, {"IE", "IRL"}, {"IL", "ISR"}, {"IM", "IMN"}, {"IN", "IND"},
    {"IO", "IOT"}, {"IQ", "IRQ"}, {"IR", "IRN"}, {"IS", "ISL"}, {"IT", "ITA"}, {"JE", "JEY"}, {"JM", "JAM"},
    {"JO", "JOR"}, {"JP", "JPN"}, {"KE", "KEN"}, {"KG", "KGZ"}, {"KH", "KHM"}, {"KI", "KIR"}, {"KM", "COM"},
    {"KN", "KNA"}, {"KP", "PRK"}, {"KR", "KOR"}, {"KW", "KWT"}, {"KY", "CYM"}, {"KZ", "KAZ"}, {"LA", "LAO"},
    {"LB", "LBN"}, {"LC", "LCA"}, {"LI", "LIE"}, {"LK", "LKA"}, {"LR", "LBR"}, {"LS", "LSO"}, {"LT", "LTU"},
    {"LU", "LUX"}, {"LV", "LVA"}, {"LY", "LBY"}, {"MA", "MAR"}, {"MC", "MCO"}, {"MD", "MDA"}, {"ME", "MNE"},
    {"MF", "MAF"}, {"MG", "MDG"}, {"MH", "MHL"}, {"MK", "MKD"}, {"ML", "MLI"}, {"MM", "MMR"}, {"MN", "MNG"},
    {"MO", "MAC"}, {"MP", "MNP"}, {"MQ", "MTQ"}, {"MR", "MRT"}, {"MS", "MSR"}, {"MT", "MLT"}, {"MU", "MUS"},
    {"MV", "MDV"}, {"MW", "MWI"}, {"MX", "MEX"}, {"MY", "MYS"}, {"MZ", "MOZ"}, {"NA", "NAM"}, {"NC", "NCL"},
    {"NE", "NER"}, {"NF", "NFK"}, {"NG", "NGA"}, {"NI", "NIC"}, {"NL", "NLD"}, {"NO", "NOR"}, {"NP", "NPL"},
    {"NR", "NRU"}, {"NU", "NIU"}, {"NZ", "NZL"}, {"OM", "OMN"}, {"PA", "PAN"}, {"PE", "PER"}, {"PF", "PYF"},
    {"PG", "PNG"}, {"PH", "PHL"}, {"PK", "PAK"}, {"PL", "POL"}, {"PM", "SPM"}, {"PN", "PCN"}, {"PR", "PRI"},
    {"PS", "PSE"}, {"PT", "PRT"}, {"PW", "PLW"}, {"PY", "PRY"}, {"QA", "QAT"}, {"RE", "REU"}, {"RO", "ROU"},
    {"RS", "SRB"}, {"RU", "RUS"}, {"RW", "RWA"}, {"SA", "SAU"}, {"SB", "SLB"}, {"SC", "SYC"}, {"SD", "SDN"},
    {"SE", "SWE"}, {"SG", "SGP"}, {"SH", "SHN"}, {"SI", "SVN"}, {"SJ", "SJM"}, {"SK", "SVK"}, {"SL", "SLE"},
    {"SM", "SMR"}, {"SN", "SEN"}, {"SO", "SOM"}, {"SR", "SUR"}, {"SS", "SSD"}, {"ST", "STP"}, {"SV", "SLV"},
    {"SX", "SXM"}, {"SY", "SYR"}, {"SZ", "SWZ"}, {"TC", "TCA"}, {"TD", "TCD"}, {"TF", "ATF"}, {"TG", "TGO"},
    {"TH", "THA"}, {"TJ", "TJK"}, {"TK", "TKL"}, {"TL", "TLS"}, {"TM", "TKM"}, {"TN", "TUN"}, {"TO", "TON"},
    {"TR", "TUR"}, {"TT", "TTO"}, {"TV", "TUV"}, {"TW", "TWN"}, {"TZ", "TZA"}, {"UA", "UKR"}, {"UG", "UGA"},
    {"UM", "UMI"}, {"US", "USA"}, {"UY", "URY"}, {"UZ", "UZB"}, {"VA", "VAT"}, {"VC", "VCT"}, {"VE", "VEN"},
    {"VG", "VGB"}, {"VI", "VIR"}, {"VN", "VNM"}, {"VU", "VUT"}, {"WF", "WLF"}, {"WS", "WSM"}, {"XK", "RKS"},
    {"YE", "YEM"}, {"YT", "MYT"}, {"ZA", "ZAF"}, {"ZM", "ZMB"}, {"ZW", "ZWE"},
}};
static_assert(std::is_sorted(kCountryCodes.begin(), kCountryCodes.end(),
                             [](const CountryCode& a, const CountryCode& b) { return a.iso < b.iso; }));

std::optional<std::string_view> icaoCodeOf(std::string_view iso) {
  auto it = std::lower_bound(kCountryCodes.begin(), kCountryCodes.end(), iso,
                             [](const CountryCode& c, std::string_view code) { return c.iso < code; });
  if (it == kCountryCodes.end() || it->iso != iso) return std::nullopt;
  return it->icao;
}

// --- small readers of API values ---------------------------------------------------------------

// The JSON path of a value for messages: `_embedded.notices[3].date_of_birth`.
std::string memberPath(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}
std::string elementPath(const std::string& path, size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

// A value quoted for a message: JSON-escaped, so control bytes and broken UTF-8 cannot reach a terminal.
std::string quotedValue(std::string_view text) {
  constexpr size_t kShown = 40;
  std::string shown =
      Json(std::string(text.substr(0, kShown))).dump(-1, ' ', false, Json::error_handler_t::replace);
  return text.size() > kShown ? shown + "..." : shown;
}

std::string typeOf(const Json& value) {
  const std::string type = value.type_name();
  return (type == "array" || type == "object") ? "an " + type : "a " + type;
}

std::string trimmed(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return std::string(text.substr(first, text.find_last_not_of(kSpace) - first + 1));
}

// `2099/1` as written in entity_id, or `2099-1` as in the notice's URL; nullopt for anything else.
std::optional<std::string> noticeIdOf(std::string_view entityId) {
  constexpr size_t kMaxSerialDigits = 10;
  auto digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (entityId.size() < 6 || entityId.size() > 5 + kMaxSerialDigits) return std::nullopt;
  if (!digits(entityId.substr(0, 4)) || (entityId[4] != '/' && entityId[4] != '-') ||
      !digits(entityId.substr(5))) {
    return std::nullopt;
  }
  return std::string(entityId.substr(0, 4)) + "/" + std::string(entityId.substr(5));
}

// The API writes dates YYYY/MM/DD, or YYYY/MM or YYYY when less is known; the model's form uses '-'.
std::optional<PartialDate> partialDateOf(std::string_view text) {
  const bool shaped =
      (text.size() == 4 || text.size() == 7 || text.size() == 10) &&
      std::all_of(text.begin(), text.end(), [&](char c) { return c == '/' || (c >= '0' && c <= '9'); });
  if (!shaped) return std::nullopt;
  std::string iso(text);
  for (size_t i = 0; i < iso.size(); ++i) {
    const bool separator = (i == 4 || i == 7);
    if ((iso[i] == '/') != separator) return std::nullopt;
    if (separator) iso[i] = '-';
  }
  auto date = parsePartialDate(iso);
  if (!date || !date->known()) return std::nullopt;
  return *date;
}

// The colour named by a notice's own link, e.g. https://ws-public.interpol.int/notices/v1/red/2099-1 or
// .../notices/v1/un/persons/2099-1; nullopt when no path segment names one.
std::optional<NoticeColour> colourOfLink(std::string_view href) {
  if (size_t scheme = href.find("://"); scheme != std::string_view::npos) {
    size_t path = href.find('/', scheme + 3);
    href = path == std::string_view::npos ? std::string_view() : href.substr(path);
  }
  href = href.substr(0, href.find_first_of("?#"));
  size_t start = 0;
  while (start < href.size()) {
    size_t end = href.find('/', start);
    if (end == std::string_view::npos) end = href.size();
    std::string_view segment = href.substr(start, end - start);
    if (segment == "red") return NoticeColour::red;
    if (segment == "yellow") return NoticeColour::yellow;
    if (segment == "un") return NoticeColour::unSpecial;
    start = end + 1;
  }
  return std::nullopt;
}

// --- the response reader -----------------------------------------------------------------------

// Reads notices out of a parsed response. Every error names the source and the JSON path. Absent and
// null are the same everywhere; keys it does not read are ignored, since the API adds fields over time.
class ResponseReader {
 public:
  ResponseReader(const std::string& sourceName, std::optional<NoticeColour> colour,
                 const ImportOptions& options)
      : sourceName_(sourceName), colour_(colour), options_(options) {}

  Result<std::vector<Notice>> read(const Json& root) const {
    if (!root.is_object()) return at("", "expected a notices list or a notice object, got " + typeOf(root));
    // A detail response has `_embedded` too (`{"links": []}`), so entity_id decides what this is.
    if (root.contains("entity_id")) {
      auto notice = readNotice(root, "");
      if (!notice) return notice.error();
      return std::vector<Notice>{std::move(notice).value()};
    }
    const Json* embedded = nullptr;
    if (auto s = object(root, "_embedded", "", embedded); !s) return s.error();
    const Json* list = nullptr;
    if (embedded != nullptr) {
      if (auto s = array(*embedded, "notices", "_embedded", list); !s) return s.error();
    }
    if (list == nullptr) {
      if (embedded == nullptr || !embedded->contains("notices")) {
        return at("", "neither a notices list (_embedded.notices) nor a notice (entity_id)");
      }
      return std::vector<Notice>{};  // `"notices": null`, as in an empty page
    }
    std::vector<Notice> notices;
    notices.reserve(list->size());
    for (size_t i = 0; i < list->size(); ++i) {
      auto notice = readNotice((*list)[i], elementPath("_embedded.notices", i));
      if (!notice) return notice.error();
      notices.push_back(std::move(notice).value());
    }
    return notices;
  }

 private:
  Error at(const std::string& path, const std::string& what) const {
    return fail(ErrorKind::invalidInput, sourceName_ + ": " + (path.empty() ? what : path + ": " + what));
  }

  // `out` points at the value of `key` when it is present and not null, else stays null.
  Status typed(const Json& holder, const char* key, const std::string& path,
               bool (Json::*is)() const noexcept, const char* expected, const Json*& out) const {
    out = nullptr;
    auto it = holder.find(key);
    if (it == holder.end() || it->is_null()) return {};
    if (!((*it).*is)()) {
      return at(memberPath(path, key), "expected " + std::string(expected) + " or null, got " + typeOf(*it));
    }
    out = &*it;
    return {};
  }
  Status object(const Json& holder, const char* key, const std::string& path, const Json*& out) const {
    return typed(holder, key, path, &Json::is_object, "an object", out);
  }
  Status array(const Json& holder, const char* key, const std::string& path, const Json*& out) const {
    return typed(holder, key, path, &Json::is_array, "an array", out);
  }
  /// The trimmed text of `key`, or empty when absent or null.
  Status text(const Json& holder, const char* key, const std::string& path, std::string& out) const {
    const Json* value = nullptr;
    if (auto s = typed(holder, key, path, &Json::is_string, "a string", value); !s) return s;
    out = value == nullptr ? std::string() : trimmed(value->get_ref<const std::string&>());
    return {};
  }

  // A country id at `path`, as its ICAO code.
  Result<std::string> country(const Json& value, const std::string& path) const {
    if (!value.is_string()) return at(path, "expected a country code string, got " + typeOf(value));
    const std::string& iso = value.get_ref<const std::string&>();
    auto icao = icaoCodeOf(iso);
    if (!icao) {
      return at(path,
                "unknown country code " + quotedValue(iso) + "; expected ISO 3166-1 alpha-2 such as \"FR\"");
    }
    return std::string(*icao);
  }

  Result<Notice> readNotice(const Json& value, const std::string& path) const {
    if (!value.is_object()) return at(path, "expected a notice object, got " + typeOf(value));
    Notice notice;
    notice.meta.owner = options_.owner;
    notice.meta.visibleTo = options_.visibleTo;
    notice.meta.handling = options_.handling;
    notice.meta.retentionUntil = options_.retentionUntil;

    std::string entityId;
    if (auto s = text(value, "entity_id", path, entityId); !s) return s.error();
    if (entityId.empty()) {
      return at(memberPath(path, "entity_id"), "missing; every notice needs its entity id");
    }
    auto noticeId = noticeIdOf(entityId);
    if (!noticeId) {
      return at(memberPath(path, "entity_id"),
                "expected YEAR/NUMBER such as 2099/1, got " + quotedValue(entityId));
    }
    notice.noticeId = *noticeId;

    if (auto s = text(value, "name", path, notice.person.familyName); !s) return s.error();
    if (notice.person.familyName.empty()) {
      return at(memberPath(path, "name"), "missing; every notice needs a name");
    }
    if (auto s = text(value, "forename", path, notice.person.givenNames); !s) return s.error();
    if (auto s = text(value, "name_in_original_script", path, notice.nameInOriginalScript); !s) {
      return s.error();
    }

    std::string dateOfBirth;
    if (auto s = text(value, "date_of_birth", path, dateOfBirth); !s) return s.error();
    if (!dateOfBirth.empty()) {
      auto date = partialDateOf(dateOfBirth);
      if (!date) {
        return at(memberPath(path, "date_of_birth"),
                  "expected YYYY/MM/DD, YYYY/MM or YYYY, got " + quotedValue(dateOfBirth));
      }
      notice.person.dateOfBirth = *date;
    }

    std::string sex;
    if (auto s = text(value, "sex_id", path, sex); !s) return s.error();
    if (sex == "M") {
      notice.person.sex = Sex::male;
    } else if (sex == "F") {
      notice.person.sex = Sex::female;
    } else if (!sex.empty() && sex != "U") {
      return at(memberPath(path, "sex_id"), "expected \"M\", \"F\" or \"U\", got " + quotedValue(sex));
    }

    if (auto s = readNationalities(value, path, notice); !s) return s.error();
    if (auto s = readArrestWarrants(value, path, notice); !s) return s.error();
    if (auto s = readAliases(value, path, notice); !s) return s.error();
    auto colour = readColour(value, path);
    if (!colour) return colour.error();
    notice.colour = *colour;
    // A notice that could not travel in an answer is refused here rather than stored.
    if (auto over = limits::recordOverLimit(notice)) {
      return at(path, "the notice's " + over->column + " " + over->problem);
    }
    return notice;
  }

  Status readNationalities(const Json& value, const std::string& path, Notice& notice) const {
    const Json* nationalities = nullptr;
    if (auto s = array(value, "nationalities", path, nationalities); !s) return s;
    if (nationalities == nullptr) return {};
    for (size_t i = 0; i < nationalities->size(); ++i) {
      auto code = country((*nationalities)[i], elementPath(memberPath(path, "nationalities"), i));
      if (!code) return code.error();
      if (i == 0) {
        notice.person.nationality = *code;
      } else {
        notice.otherNationalities.push_back(*code);
      }
    }
    return {};
  }

  // Issuing states once each, in order; charges joined with "; ". charge_translation is not read.
  Status readArrestWarrants(const Json& value, const std::string& path, Notice& notice) const {
    const Json* warrants = nullptr;
    if (auto s = array(value, "arrest_warrants", path, warrants); !s) return s;
    if (warrants == nullptr) return {};
    for (size_t i = 0; i < warrants->size(); ++i) {
      const std::string warrantPath = elementPath(memberPath(path, "arrest_warrants"), i);
      const Json& warrant = (*warrants)[i];
      if (!warrant.is_object()) {
        return at(warrantPath, "expected an arrest warrant object, got " + typeOf(warrant));
      }
      const Json* issuer = nullptr;
      Status issuerType =
          typed(warrant, "issuing_country_id", warrantPath, &Json::is_string, "a string", issuer);
      if (!issuerType) return issuerType;
      if (issuer != nullptr) {
        auto code = country(*issuer, memberPath(warrantPath, "issuing_country_id"));
        if (!code) return code.error();
        auto& states = notice.warrantIssuingStates;
        if (std::find(states.begin(), states.end(), *code) == states.end()) states.push_back(*code);
      }
      std::string charge;
      if (auto s = text(warrant, "charge", warrantPath, charge); !s) return s;
      if (!charge.empty()) notice.charges += (notice.charges.empty() ? "" : "; ") + charge;
    }
    return {};
  }

  // UN notices list aliases as {"forename", "name"}; the model keeps each as one "forename name".
  Status readAliases(const Json& value, const std::string& path, Notice& notice) const {
    const Json* aliases = nullptr;
    if (auto s = array(value, "aliases", path, aliases); !s) return s;
    if (aliases == nullptr) return {};
    for (size_t i = 0; i < aliases->size(); ++i) {
      const std::string aliasPath = elementPath(memberPath(path, "aliases"), i);
      const Json& alias = (*aliases)[i];
      if (!alias.is_object()) return at(aliasPath, "expected an alias object, got " + typeOf(alias));
      std::string forename;
      std::string familyName;
      if (auto s = text(alias, "forename", aliasPath, forename); !s) return s;
      if (auto s = text(alias, "name", aliasPath, familyName); !s) return s;
      std::string full = forename + (forename.empty() || familyName.empty() ? "" : " ") + familyName;
      if (!full.empty()) notice.aliases.push_back(std::move(full));
    }
    return {};
  }

  // The colour asked for, checked against the notice's link; else the link's colour.
  Result<NoticeColour> readColour(const Json& value, const std::string& path) const {
    const Json* links = nullptr;
    const Json* self = nullptr;
    std::string href;
    if (auto s = object(value, "_links", path, links); !s) return s.error();
    if (links != nullptr) {
      if (auto s = object(*links, "self", memberPath(path, "_links"), self); !s) return s.error();
    }
    if (self != nullptr) {
      if (auto s = text(*self, "href", memberPath(path, "_links.self"), href); !s) return s.error();
    }
    const std::string hrefPath = memberPath(path, "_links.self.href");
    std::optional<NoticeColour> linked = colourOfLink(href);
    if (colour_) {
      if (linked && *linked != *colour_) {
        return at(hrefPath, "the link is to a " + std::string(name(*linked)) + " notice, but " +
                                std::string(name(*colour_)) + " notices are being read");
      }
      return *colour_;
    }
    if (!linked) {
      return at(
          hrefPath,
          "no /red/, /yellow/ or /un/ in the notice's link tells its colour; give the colour explicitly");
    }
    return *linked;
  }

  const std::string& sourceName_;
  std::optional<NoticeColour> colour_;
  const ImportOptions& options_;
};

// Thrown out of the JSON parser's callback to stop at the nesting limit before building deeper values.
struct NestingTooDeep {};

// Where and why nlohmann's parser stopped: "at byte 201 (line 4, column 31): syntax error ...", without
// its "[json.exception.parse_error.101] parse error at" preamble and without the "; last read: '...'"
// part, which can quote a piece of a name.
std::string parseErrorMessage(const Json::parse_error& e) {
  std::string message = e.what();
  if (size_t preamble = message.find("] parse error"); preamble != std::string::npos) {
    message.erase(0, preamble + std::string_view("] parse error").size());
  }
  std::string position;
  if (size_t colon = message.find(": "); message.rfind(" at line ", 0) == 0 && colon != std::string::npos) {
    position = " (" + message.substr(4, colon - 4) + ")";
    message.erase(0, colon);
  }
  if (size_t lastRead = message.find("; last read: "); lastRead != std::string::npos) {
    size_t expected = message.rfind("; expected ");
    message.erase(lastRead, expected != std::string::npos && expected > lastRead ? expected - lastRead
                                                                                 : std::string::npos);
  }
  if (message.rfind(": ", 0) == 0) message.erase(0, 2);
  return "at byte " + std::to_string(e.byte) + position + ": " + message;
}

// Checks at the time of use what the table's constraints would otherwise reject less clearly, or not
// at all (the elements of text[] columns).
Status checkNotice(const Notice& notice, const ImportOptions& options) {
  if (notice.noticeId.empty()) return fail(ErrorKind::invalidInput, "a notice has no notice id");
  const std::string where = "notice " + notice.noticeId.substr(0, 32) + ": ";
  if (notice.meta.owner != options.owner) {
    return fail(ErrorKind::invalidInput, where + "owned by '" + notice.meta.owner.substr(0, 64) +
                                             "', but the import runs as member '" + options.owner + "'");
  }
  for (const auto& v : notice.meta.visibleTo) {
    if (!store::isValidMemberId(v)) {
      return fail(ErrorKind::invalidInput, where + "visible-to entry '" + v.substr(0, 64) + "' is not valid");
    }
  }
  std::vector<std::string> states = notice.otherNationalities;
  states.insert(states.end(), notice.warrantIssuingStates.begin(), notice.warrantIssuingStates.end());
  if (!notice.person.nationality.empty()) states.push_back(notice.person.nationality);
  for (const auto& state : states) {
    if (!isIcaoStateCode(state)) {
      return fail(ErrorKind::invalidInput,
                  where + "'" + state.substr(0, 8) + "' is not a three-letter ICAO state code");
    }
  }
  return {};
}

}  // namespace

Result<std::vector<Notice>> parseInterpolNotices(std::string_view json, const std::string& sourceName,
                                                 std::optional<NoticeColour> colour,
                                                 const ImportOptions& options) {
  if (json.size() > kMaxNoticesResponseBytes) {
    return fail(ErrorKind::invalidInput, sourceName + ": " + std::to_string(json.size()) +
                                             " bytes; a notices response may have at most " +
                                             std::to_string(kMaxNoticesResponseBytes >> 20) + " MiB");
  }
  Json root;
  try {
    // The callback sees every container as it opens, before anything inside it is built.
    root = Json::parse(json.begin(), json.end(), [](int depth, Json::parse_event_t event, Json&) {
      if ((event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) &&
          depth >= kMaxNoticesJsonNesting) {
        throw NestingTooDeep{};
      }
      return true;
    });
  } catch (const NestingTooDeep&) {
    return fail(ErrorKind::invalidInput, sourceName + ": arrays and objects nested more than " +
                                             std::to_string(kMaxNoticesJsonNesting) +
                                             " deep; not a notices response");
  } catch (const Json::parse_error& e) {
    return fail(ErrorKind::invalidInput, sourceName + ": not valid JSON " + parseErrorMessage(e));
  } catch (const Json::exception& e) {
    return fail(ErrorKind::invalidInput, sourceName + ": not valid JSON: " + e.what());
  }
  return ResponseReader(sourceName, colour, options).read(root);
}

Result<ImportReport> importNotices(const store::DatabaseTarget& target, const std::vector<Notice>& notices,
                                   const ImportOptions& options, const ImportControl& control) {
  std::vector<Record> records;
  records.reserve(notices.size());
  for (const Notice& notice : notices) {
    if (auto s = checkNotice(notice, options); !s) return s.error();
    records.emplace_back(notice);
  }
  // Notices have a natural key (owner, notice id), so the shared staged insert's ON CONFLICT DO
  // NOTHING leaves a notice already present as it is.
  return importRecords(target, RecordKind::notice, records, options, control);
}

}  // namespace liaison::importers
