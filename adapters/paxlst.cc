#include "adapters/paxlst.h"

#include <cstdint>
#include <cstdio>
#include <map>
#include <tuple>
#include <utility>

#include "adapters/text_encoding.h"

namespace liaison::paxlst {
namespace {

// A failure inside the parser. parsePaxlst turns it into an Error; throwing keeps each of the many
// checks to one line.
struct Invalid {
  std::string message;
};

bool isControl(char c) {
  auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7F;
}
bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isLetterOrDigit(char c) { return isUpper(c) || isDigit(c) || (c >= 'a' && c <= 'z'); }

std::string hexByte(char c) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02X", static_cast<unsigned char>(c));
  return text;
}

// A value quoted for an error message: printable ASCII as is, other bytes as \xNN, long values cut,
// so hostile bytes never reach a terminal or a log. Used for codes only, never for names,
// document numbers or dates of birth.
std::string quoted(std::string_view value) {
  constexpr size_t kShown = 24;
  std::string text = "'";
  for (size_t i = 0; i < value.size() && i < kShown; ++i) {
    char c = value[i];
    if (isControl(c) || static_cast<unsigned char>(c) >= 0x80) {
      text += "\\x" + hexByte(c).substr(2);
    } else {
      text += c;
    }
  }
  if (value.size() > kShown) text += "...";
  return text + "'";
}

std::string quotedCharacter(char c) { return quoted(std::string_view(&c, 1)); }

std::string location(size_t number, std::string_view tag, size_t element) {
  std::string text = "segment " + std::to_string(number);
  if (!tag.empty()) text += " (" + std::string(tag) + ")";
  if (element > 0) text += ", element " + std::to_string(element);
  return text;
}

Error invalidAt(size_t number, std::string_view tag, size_t element, const std::string& what) {
  return fail(ErrorKind::invalidInput, location(number, tag, element) + ": " + what);
}

// For the parser: `element` 0 names the segment as a whole.
Invalid at(const Segment& segment, size_t element, const std::string& what) {
  return Invalid{location(segment.number, segment.tag, element) + ": " + what};
}

bool isTag(std::string_view text) {
  return text.size() == 3 && isUpper(text[0]) && isUpper(text[1]) && isUpper(text[2]);
}

// A code such as an airport, a flight number or a qualifier value: letters and digits only.
bool isCode(std::string_view text) {
  constexpr size_t kMaxCodeLength = 35;
  if (text.empty() || text.size() > kMaxCodeLength) return false;
  for (char c : text) {
    if (!isLetterOrDigit(c)) return false;
  }
  return true;
}

std::optional<uint64_t> wholeNumber(std::string_view text) {
  constexpr size_t kMaxDigits = 18;
  if (text.empty() || text.size() > kMaxDigits) return std::nullopt;
  uint64_t n = 0;
  for (char c : text) {
    if (!isDigit(c)) return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Character sets
// ---------------------------------------------------------------------------------------------

enum class Encoding { ascii, latin1, utf8 };

struct CharacterSet {
  Encoding encoding = Encoding::ascii;
  std::string label;  // for messages, e.g. "UNOC (ISO 8859-1)"
};

std::optional<CharacterSet> characterSetOf(std::string_view syntaxIdentifier) {
  // UNOA is upper-case ASCII only; lower case is accepted too, as senders declaring UNOA do send it.
  if (syntaxIdentifier == "UNOA" || syntaxIdentifier == "UNOB") {
    return CharacterSet{Encoding::ascii, std::string(syntaxIdentifier) + " (ASCII)"};
  }
  if (syntaxIdentifier == "UNOC") return CharacterSet{Encoding::latin1, "UNOC (ISO 8859-1)"};
  if (syntaxIdentifier == "UNOW") return CharacterSet{Encoding::utf8, "UNOW (UTF-8)"};
  return std::nullopt;
}

// Rewrites one value as UTF-8; returns what is wrong with it, or nothing.
std::optional<std::string> decode(std::string& value, const CharacterSet& set) {
  switch (set.encoding) {
    case Encoding::ascii:
      for (char c : value) {
        if (static_cast<unsigned char>(c) >= 0x80) {
          return "byte " + hexByte(c) + " is not a character of " + set.label +
                 "; a sender with accented names should declare UNOC or UNOW in UNB";
        }
      }
      return std::nullopt;
    case Encoding::latin1: {
      char badByte = 0;
      auto utf8 = latin1ToUtf8(value, &badByte);
      if (!utf8) return "byte " + hexByte(badByte) + " is a control code, not a character of " + set.label;
      value = std::move(*utf8);
      return std::nullopt;
    }
    case Encoding::utf8:
      if (isPrintableUtf8(value)) return std::nullopt;
      return "the text is not valid UTF-8, which " + set.label + " requires, or has a control character";
  }
  return std::nullopt;
}

// Lenient decoding of a value that is not in the declared set, or that is valid UTF-8 where
// ISO 8859-1 was declared (a UTF-8 file labelled UNOC, the most common mislabel: read as Latin-1,
// every accented letter would come out as two wrong ones). Returns the encoding it was read in,
// or nothing when `decode` reads it as declared or no fallback fits (then `decode` says why).
std::optional<std::string> decodeOtherwise(std::string& value, const CharacterSet& set) {
  if (!hasNonAsciiBytes(value)) return std::nullopt;
  if (set.encoding != Encoding::utf8 && isPrintableUtf8(value)) return "UTF-8";
  if (set.encoding != Encoding::latin1) {
    std::string copy = value;
    if (!decode(copy, CharacterSet{Encoding::latin1, "ISO 8859-1"})) {
      value = std::move(copy);
      return "ISO 8859-1";
    }
  }
  return std::nullopt;
}

// Where a lenient parse reads past a quirk that a strict one refuses, and the warnings it gives.
class Quirks {
 public:
  explicit Quirks(bool lenient) : lenient_(lenient) {}

  bool lenient() const { return lenient_; }

  // Strict: `problem` is the error. Lenient: it becomes a warning saying how it was read.
  void tolerate(const Invalid& problem, const Segment& segment, const std::string& howRead) {
    if (!lenient_) throw problem;
    add(Warning{segment.number, segment.tag, problem.message + "; " + howRead});
  }

  void add(Warning warning) {
    if (warnings_.size() < kMaxWarnings) {
      warnings_.push_back(std::move(warning));
    } else {
      ++leftOut_;
    }
  }

  std::vector<Warning> take() {
    if (leftOut_ > 0) {
      warnings_.push_back(Warning{0, "", std::to_string(leftOut_) + " more warnings are left out"});
      leftOut_ = 0;
    }
    return std::move(warnings_);
  }

 private:
  bool lenient_;
  std::vector<Warning> warnings_;
  size_t leftOut_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

// How a two-digit year gets its century (see parsePaxlst).
enum class Century { notAfterReference, nearReference };

struct DateFields {
  int year = 0;  // two digits unless the value carried the century
  unsigned month = 0, day = 0, hour = 0, minute = 0;
};

// Splits an all-digit value laid out as [CC]YYMMDD[HHMM]; nullopt if it is not exactly that.
std::optional<DateFields> splitDigits(std::string_view value, bool withCentury, bool withTime) {
  size_t yearDigits = withCentury ? 4 : 2;
  if (value.size() != yearDigits + 4 + (withTime ? 4 : 0) || !wholeNumber(value)) return std::nullopt;
  auto number = [&](size_t position, size_t length) {
    return static_cast<unsigned>(*wholeNumber(value.substr(position, length)));
  };
  DateFields fields;
  fields.year = static_cast<int>(number(0, yearDigits));
  fields.month = number(yearDigits, 2);
  fields.day = number(yearDigits + 2, 2);
  if (withTime) {
    fields.hour = number(yearDigits + 4, 2);
    fields.minute = number(yearDigits + 6, 2);
  }
  return fields;
}

std::optional<Date> calendarDate(int year, unsigned month, unsigned day) {
  Date date{std::chrono::year{year}, std::chrono::month{month}, std::chrono::day{day}};
  if (!date.ok()) return std::nullopt;
  return date;
}

int fullYear(const DateFields& fields, Date reference, Century rule) {
  int referenceYear = static_cast<int>(reference.year());
  int year = referenceYear - referenceYear % 100 + fields.year;
  if (rule == Century::notAfterReference) {
    auto referenceTuple = std::make_tuple(referenceYear, static_cast<unsigned>(reference.month()),
                                          static_cast<unsigned>(reference.day()));
    if (std::make_tuple(year, fields.month, fields.day) > referenceTuple) year -= 100;
  } else if (year > referenceYear + 49) {
    year -= 100;
  } else if (year < referenceYear - 50) {
    year += 100;
  }
  return year;
}

// The DTM formats PAXLST uses; when the format code is left out it follows from the length.
constexpr std::string_view kDateShort = "101";      // YYMMDD
constexpr std::string_view kDateLong = "102";       // CCYYMMDD
constexpr std::string_view kDateTimeShort = "201";  // YYMMDDHHMM
constexpr std::string_view kDateTimeLong = "203";   // CCYYMMDDHHMM

// The date of a DTM segment (element 1: qualifier, value, format). The value is personal data in
// a date of birth, so messages describe it without quoting it.
Date dtmDate(const Segment& dtm, Date reference, Century rule, const std::string& what) {
  std::string_view value = dtm.value(1, 2);
  std::string_view format = dtm.value(1, 3);
  if (format.empty()) format = value.size() == 8 ? kDateLong : kDateShort;
  if (format != kDateShort && format != kDateLong) {
    throw at(dtm, 1, what + " has format " + quoted(format) + "; use 101 (YYMMDD) or 102 (CCYYMMDD)");
  }
  bool withCentury = format == kDateLong;
  auto fields = splitDigits(value, withCentury, false);
  if (!fields) {
    throw at(dtm, 1, what + " is not " + (withCentury ? "CCYYMMDD (format 102)" : "YYMMDD (format 101)"));
  }
  int year = withCentury ? fields->year : fullYear(*fields, reference, rule);
  auto date = calendarDate(year, fields->month, fields->day);
  if (!date) throw at(dtm, 1, what + " is not a calendar date");
  return *date;
}

Timestamp timestampOf(Date date, unsigned hour, unsigned minute) {
  return std::chrono::sys_days{date} + std::chrono::hours{hour} + std::chrono::minutes{minute};
}

Timestamp dtmDateTime(const Segment& dtm, Date reference, const std::string& what) {
  std::string_view value = dtm.value(1, 2);
  std::string_view format = dtm.value(1, 3);
  if (format.empty()) format = value.size() == 12 ? kDateTimeLong : kDateTimeShort;
  if (format != kDateTimeShort && format != kDateTimeLong) {
    throw at(dtm, 1, what + " has format " + quoted(format) + "; use 201 (YYMMDDHHMM) or 203 (CCYYMMDDHHMM)");
  }
  bool withCentury = format == kDateTimeLong;
  auto fields = splitDigits(value, withCentury, true);
  if (!fields) {
    throw at(dtm, 1,
             what + " " + quoted(value) + " is not " +
                 (withCentury ? "CCYYMMDDHHMM (format 203)" : "YYMMDDHHMM (format 201)"));
  }
  int year = withCentury ? fields->year : fullYear(*fields, reference, Century::nearReference);
  auto date = calendarDate(year, fields->month, fields->day);
  if (!date || fields->hour > 23 || fields->minute > 59) {
    throw at(dtm, 1, what + " " + quoted(value) + " is not a valid date and time");
  }
  return timestampOf(*date, fields->hour, fields->minute);
}

// ---------------------------------------------------------------------------------------------
// One message body (BGM..CNT)
// ---------------------------------------------------------------------------------------------

constexpr std::string_view kPassengerList = "745";
constexpr std::string_view kCrewList = "250";

// Reads the segments between BGM and UNT into a message, in the order the PAXLST segment table
// gives: header (RFF, DTM, NAD+MS, ...), the flight (TDT with LOC/DTM), the travellers, CNT.
class MessageBuilder {
 public:
  MessageBuilder(PaxlstMessage& message, const Segment& unh, Date reference, Quirks& quirks)
      : message_(message), unh_(unh), reference_(reference), quirks_(quirks) {}

  // Adds one segment. `undecodable` is what is wrong with its text, when a lenient parse could
  // not decode it: it makes a traveller group unreadable, and any other segment is skipped.
  void add(const Segment& segment, const std::optional<Invalid>& undecodable = std::nullopt) {
    if (!quirks_.lenient() || !isTravellerSegment(segment)) {
      if (undecodable) return quirks_.tolerate(*undecodable, segment, "the segment is skipped");
      return dispatch(segment);
    }
    // Lenient: a traveller group that cannot be read is kept as unreadable, the rest read on.
    bool startsGroup = segment.tag == "NAD";
    if (!startsGroup && unreadableGroup_) return;  // the rest of an unreadable group
    const size_t travellers = message_.travellers.size();
    try {
      if (undecodable) throw *undecodable;
      dispatch(segment);
      if (startsGroup) unreadableGroup_ = false;
    } catch (const Invalid& problem) {
      if (startsGroup) {
        message_.travellers.resize(travellers);  // the NAD may have started its traveller before failing
        beginTraveller(segment, false);
      }
      message_.travellers.pop_back();
      message_.unreadable.push_back(UnreadableTraveller{groupStart_, problem.message});
      unreadableGroup_ = true;
    }
  }

  void finish(const Segment& unt) {
    if (part_ == Part::header) {
      throw at(unt, 0,
               "message " + quoted(message_.reference) + " (UNH at segment " + std::to_string(unh_.number) +
                   ") has no flight; TDT with its LOC and DTM segments is mandatory");
    }
    auto count = wholeNumber(unt.value(1));
    size_t actual = unt.number - unh_.number + 1;
    if (!count) {
      quirks_.tolerate(at(unt, 1, "the segment count " + quoted(unt.value(1)) + " is not a number"), unt,
                       "the message is read as it is");
    } else if (*count != actual) {
      quirks_.tolerate(at(unt, 1,
                          "the segment count is " + std::to_string(*count) + " but message " +
                              quoted(message_.reference) + " has " + std::to_string(actual) +
                              " segments from UNH (segment " + std::to_string(unh_.number) +
                              ") to UNT; a segment was lost or added, or the count is wrong"),
                       unt, "the message is read as it is");
    }
    if (unt.value(2) != message_.reference) {
      quirks_.tolerate(at(unt, 2,
                          "message reference " + quoted(unt.value(2)) + " does not match " +
                              quoted(message_.reference) + " in UNH (segment " + std::to_string(unh_.number) +
                              ")"),
                       unt, "read as the end of that message");
    }
  }

 private:
  // The segments of a traveller group: a traveller's NAD, and what follows it until the next NAD
  // or CNT. Anything else (TDT, BGM, ...) in the middle of the travellers is a structural error.
  bool isTravellerSegment(const Segment& segment) const {
    const std::string& tag = segment.tag;
    if (tag == "NAD") return segment.value(1) != "MS" && part_ != Part::header && part_ != Part::trailer;
    return part_ == Part::travellers &&
           (tag == "ATT" || tag == "NAT" || tag == "DOC" || tag == "DTM" || tag == "LOC" || tag == "RFF");
  }

  void dispatch(const Segment& segment) {
    if (part_ == Part::trailer) throw at(segment, 0, "only UNT may follow CNT");
    const std::string& tag = segment.tag;
    if (tag == "NAD") return nad(segment);
    if (tag == "TDT") return tdt(segment);
    if (tag == "LOC") return loc(segment);
    if (tag == "DTM") return dtm(segment);
    if (tag == "CNT") return cnt(segment);
    if (tag == "BGM") throw at(segment, 0, "a second BGM; a message has one, right after UNH");
    if (tag == "ATT" || tag == "NAT" || tag == "DOC") {
      if (part_ != Part::travellers) {
        throw at(segment, 0, tag + " before the first traveller; it belongs after a NAD+FL or NAD+FM");
      }
      if (tag == "ATT") return att(segment);
      if (tag == "NAT") return nat(segment);
      return doc(segment);
    }
    if (tag == "RFF" && part_ == Part::travellers) return rff(segment);
    // Anything else the guides allow (COM, CTA, MEA, GEI, FTX, EMP, a header RFF, ...) is not used.
  }

  enum class Part { header, flight, travellers, trailer };

  // NAD element 4 (C080) has five name components: family name, then given names; the sixth is a
  // format code, not a name.
  static constexpr size_t kLastNameComponent = 5;

  Traveller& traveller() { return message_.travellers.back(); }

  // A traveller's single-valued field may come once; a repeat is an error rather than a guess.
  void once(const Segment& segment, std::string_view qualifier) {
    std::string key = segment.tag + "+" + std::string(qualifier);
    auto [it, inserted] = seen_.emplace(key, segment.number);
    if (!inserted) {
      throw at(segment, 1,
               "a second " + key + " for this traveller (the first is segment " + std::to_string(it->second) +
                   ")");
    }
  }

  void nad(const Segment& segment) {
    std::string_view qualifier = segment.value(1);
    if (qualifier == "MS") {
      if (part_ != Part::header) {
        throw at(segment, 1,
                 "the reporting party (NAD+MS) must come before the flight (TDT) and the travellers");
      }
      // Segment group 1 may repeat; the first NAD+MS names the reporting party.
      if (message_.reportingParty.empty()) message_.reportingParty = partyName(segment);
      return;
    }
    bool crew = false;
    if (qualifier == "FM" || qualifier == "DDT") {
      crew = true;
    } else if (qualifier != "FL" && qualifier != "DDU") {
      throw at(segment, 1,
               "party qualifier " + quoted(qualifier) +
                   " is not MS (reporting party), FL or DDU (passenger), FM or DDT (crew member)");
    }
    if (part_ == Part::header) {
      throw at(segment, 0, "a traveller before the flight; TDT with its LOC and DTM segments comes first");
    }
    if (crew != message_.crewList) {
      quirks_.tolerate(
          at(segment, 1,
             crew ? "a crew member (NAD+" + std::string(qualifier) +
                        ") in a passenger list (BGM 745); crew are reported in a crew list (BGM 250)"
                  : "a passenger (NAD+" + std::string(qualifier) +
                        ") in a crew list (BGM 250); passengers are reported in a passenger list (BGM 745)"),
          segment, crew ? "read as a crew member" : "read as a passenger");
    }
    Traveller& traveller = beginTraveller(segment, crew);
    traveller.person.familyName = segment.value(4, 1);
    if (traveller.person.familyName.empty()) {
      throw at(segment, 4, "the traveller's family name (first component) is empty");
    }
    traveller.person.givenNames = joinedComponents(segment, 4, 2, kLastNameComponent);
  }

  // Starts a traveller group at its NAD: what follows belongs to it.
  Traveller& beginTraveller(const Segment& nad, bool crew) {
    Traveller traveller;
    traveller.segment = nad.number;
    traveller.crew = crew;
    message_.travellers.push_back(std::move(traveller));
    part_ = Part::travellers;
    groupStart_ = nad.number;
    documents_ = 0;
    seen_.clear();
    return message_.travellers.back();
  }

  // Components `first`..`last` of an element, the empty ones dropped, joined with spaces.
  static std::string joinedComponents(const Segment& segment, size_t element, size_t first, size_t last) {
    std::string text;
    for (size_t component = first; component <= last; ++component) {
      std::string_view part = segment.value(element, component);
      if (part.empty()) continue;
      if (!text.empty()) text += ' ';
      text += part;
    }
    return text;
  }

  static std::string partyName(const Segment& nad) {
    std::string name = joinedComponents(nad, 4, 1, kLastNameComponent);
    if (name.empty()) name = nad.value(2, 1);
    if (name.empty()) {
      throw at(nad, 4,
               "the reporting party has neither a name (element 4) nor an identification (element 2)");
    }
    return name;
  }

  void tdt(const Segment& segment) {
    if (part_ == Part::travellers) {
      throw at(segment, 0, "TDT after the first traveller; the flight comes before the travellers");
    }
    std::string_view number = segment.value(2);
    if (!isCode(number)) {
      throw at(segment, 2,
               "the flight number (journey identifier) " + quoted(number) + " is not letters and digits");
    }
    if (part_ == Part::flight) {
      // Another leg of a progressive flight: the same flight number calling at several airports.
      if (number != leg().flightNumber) {
        quirks_.tolerate(at(segment, 2,
                            "a second flight " + quoted(number) + " in a message for flight " +
                                quoted(leg().flightNumber) + "; send each flight in its own message"),
                         segment, "read as a further leg");
        Flight next;
        next.carrier = segment.value(5, 1);
        next.flightNumber = number;
        message_.otherLegs.push_back(std::move(next));
      }
    } else {
      message_.flight.flightNumber = number;
      message_.flight.carrier = segment.value(5, 1);
      part_ = Part::flight;
    }
    lastPort_.clear();
    lastPortQualifier_.clear();
  }

  void loc(const Segment& segment) {
    std::string_view qualifier = segment.value(1);
    std::string_view place = segment.value(2, 1);
    if (part_ == Part::header) return;  // message-level locations (D15A onwards) are not used
    if (part_ == Part::flight) return flightLocation(segment, qualifier, place);
    if (qualifier == "178") return travellerPlace(segment, traveller().embarkation, "port of embarkation");
    if (qualifier == "179") return travellerPlace(segment, traveller().debarkation, "port of debarkation");
    if (qualifier == "174")
      return travellerState(segment, traveller().countryOfResidence, "country of residence");
    if (qualifier == "91" && inFirstDocument(segment, "the document's issuing state")) {
      return travellerState(segment, traveller().documentIssuingState, "document issuing state");
    }
    // Others (22 port of clearance, 180 place of birth, ...) are not used.
  }

  // The leg the flight segments describe: the first, or the last further leg a lenient parse read.
  Flight& leg() { return message_.otherLegs.empty() ? message_.flight : message_.otherLegs.back(); }

  void flightLocation(const Segment& segment, std::string_view qualifier, std::string_view place) {
    if (qualifier != "125" && qualifier != "87" && qualifier != "92") return;  // e.g. 130 final destination
    if (!isCode(place)) {
      return quirks_.tolerate(at(segment, 2, "the airport code " + quoted(place) + " is not letters and digits"),
                              segment, "left out");
    }
    Flight& flight = leg();
    if (qualifier == "125" && flight.departurePort.empty()) flight.departurePort = place;
    if (qualifier == "87") flight.arrivalPort = place;
    // A LOC+92 (departure and arrival airport) takes its role from the DTM that follows it.
    lastPort_ = place;
    lastPortQualifier_ = qualifier;
  }

  void travellerPlace(const Segment& segment, std::string& field, const std::string& what) {
    once(segment, segment.value(1));
    std::string_view place = segment.value(2, 1);
    if (!isCode(place))
      throw at(segment, 2, "the " + what + " " + quoted(place) + " is not letters and digits");
    field = place;
  }

  void travellerState(const Segment& segment, std::string& field, const std::string& what) {
    once(segment, segment.value(1));
    std::string_view state = segment.value(2, 1);
    if (!isIcaoStateCode(state)) {
      throw at(segment, 2, "the " + what + " " + quoted(state) + " is not a three-letter ICAO code");
    }
    field = state;
  }

  // Document details count only in the first DOC group; before any DOC they are misplaced.
  bool inFirstDocument(const Segment& segment, const std::string& what) {
    if (documents_ == 0) {
      throw at(segment, 1, what + " comes before any DOC; it belongs after the DOC it describes");
    }
    return documents_ == 1;
  }

  void dtm(const Segment& segment) {
    std::string_view qualifier = segment.value(1, 1);
    if (part_ == Part::header) return;  // message dates are not used
    if (part_ == Part::flight) return flightTime(segment, qualifier);
    if (qualifier == "329") {
      once(segment, qualifier);
      Date born = dtmDate(segment, reference_, Century::notAfterReference, "the date of birth");
      if (born > reference_) {
        throw at(segment, 1, "the date of birth lies after the interchange was prepared (UNB)");
      }
      traveller().person.dateOfBirth = partialDateOf(born);
      return;
    }
    if (qualifier == "36" && inFirstDocument(segment, "the document's expiry date")) {
      once(segment, qualifier);
      traveller().documentExpiry =
          dtmDate(segment, reference_, Century::nearReference, "the document's expiry date");
    }
    // Others (182 document issue date, ...) are not used.
  }

  void flightTime(const Segment& segment, std::string_view qualifier) {
    Flight& flight = leg();
    try {
      if (qualifier == "189") {
        Timestamp departure = dtmDateTime(segment, reference_, "the departure time");
        if (!flight.departure) flight.departure = departure;
        if (lastPortQualifier_ == "92" && flight.departurePort.empty()) flight.departurePort = lastPort_;
      } else if (qualifier == "232") {
        flight.arrival = dtmDateTime(segment, reference_, "the arrival time");
        if (lastPortQualifier_ == "92") flight.arrivalPort = lastPort_;
      }
    } catch (const Invalid& problem) {
      quirks_.tolerate(problem, segment, "left out");
    }
  }

  void att(const Segment& segment) {
    if (segment.value(1) != "2") return;  // only sex is used
    once(segment, "2");
    std::string_view code = segment.value(3, 1);
    Sex sex = Sex::unspecified;
    if (code == "M") {
      sex = Sex::male;
    } else if (code == "F") {
      sex = Sex::female;
    } else if (code != "U" && code != "X") {
      throw at(segment, 3, "sex " + quoted(code) + " is not M, F, U (unknown) or X (unspecified)");
    }
    traveller().person.sex = sex;
  }

  void nat(const Segment& segment) {
    if (segment.value(1) != "2") return;  // only the current nationality (2) is used
    once(segment, "2");
    std::string_view code = segment.value(2, 1);
    if (!isIcaoStateCode(code))
      throw at(segment, 2, "nationality " + quoted(code) + " is not a three-letter ICAO code");
    traveller().person.nationality = code;
  }

  void doc(const Segment& segment) {
    ++documents_;
    if (documents_ > 1) return;  // a visa or permit after the main document is not kept
    std::string_view type = segment.value(1, 1);
    if (!isCode(type) || type.size() > 3) {
      throw at(segment, 1,
               "document type " + quoted(type) + " is not a code such as P (passport) or I (identity card)");
    }
    Traveller& current = traveller();
    current.documentType = type;
    std::string_view number = segment.value(2, 1);
    if (number.empty()) return;
    auto parsed = DocumentNumber::parse(number);
    if (!parsed) throw at(segment, 2, parsed.error().message);
    current.documentNumber = std::move(parsed).value();
  }

  void rff(const Segment& segment) {
    std::string_view qualifier = segment.value(1, 1);
    std::string_view value = segment.value(1, 2);
    if (!isCode(qualifier) || value.empty()) {
      throw at(segment, 1, "a reference needs a qualifier and a value, e.g. AVF:ABC123");
    }
    traveller().references.push_back(std::string(qualifier) + ":" + std::string(value));
  }

  void cnt(const Segment& segment) {
    if (part_ == Part::header)
      throw at(segment, 0, "CNT before the flight; CNT is the last segment before UNT");
    part_ = Part::trailer;
    std::string_view qualifier = segment.value(1, 1);
    std::string_view expected = message_.crewList ? "41" : "42";
    if (qualifier != expected) {
      quirks_.tolerate(at(segment, 1,
                          "control total qualifier " + quoted(qualifier) + " does not fit a " +
                              (message_.crewList ? "crew list, which counts its crew members with CNT+41"
                                                 : "passenger list, which counts its passengers with CNT+42")),
                       segment, "the total is not checked");
      return;
    }
    std::string_view count = segment.value(1, 2);
    if (count.empty() && segment.elements.size() >= 2) {
      // CNT+42+5: the count in an element of its own rather than a component of C270.
      quirks_.tolerate(at(segment, 2,
                          "the control total is in element 2 (CNT+" + std::string(qualifier) +
                              "+N); it belongs in element 1 after a colon (CNT+" + std::string(qualifier) + ":N)"),
                       segment, "read from element 2");
      count = segment.value(2, 1);
    }
    auto total = wholeNumber(count);
    if (!total) {
      return quirks_.tolerate(at(segment, 1, "the control total " + quoted(count) + " is not a number"), segment,
                              "the total is not checked");
    }
    // Unreadable travellers are listed too, so they count.
    size_t listed = message_.travellers.size() + message_.unreadable.size();
    if (*total != listed) {
      const char* counted = message_.crewList ? (*total == 1 ? "crew member" : "crew members")
                                              : (*total == 1 ? "passenger" : "passengers");
      quirks_.tolerate(at(segment, 1,
                          "the control total says " + std::to_string(*total) + " " + counted +
                              " but the message lists " + std::to_string(listed) +
                              "; travellers are missing or the total is wrong"),
                       segment, "the travellers listed are read");
    }
  }

  PaxlstMessage& message_;
  const Segment& unh_;
  Date reference_;
  Quirks& quirks_;
  Part part_ = Part::header;
  size_t groupStart_ = 0;         // the NAD segment of the current traveller group
  bool unreadableGroup_ = false;  // the current traveller group is unreadable (lenient mode)
  std::string lastPort_;  // the last flight LOC, for the DTM that follows it
  std::string lastPortQualifier_;
  size_t documents_ = 0;                // DOC groups of the current traveller so far
  std::map<std::string, size_t> seen_;  // the current traveller's single-valued fields: key -> segment
};

// ---------------------------------------------------------------------------------------------
// The interchange (UNB..UNZ)
// ---------------------------------------------------------------------------------------------

bool isServiceSegment(std::string_view tag) {
  return tag == "UNA" || tag == "UNB" || tag == "UNG" || tag == "UNH" || tag == "UNT" || tag == "UNE" ||
         tag == "UNZ";
}

class InterchangeParser {
 public:
  InterchangeParser(EdifactReader reader, Quirks& quirks) : reader_(std::move(reader)), quirks_(quirks) {}

  Interchange parse() {
    interchange_.characters = reader_.characters();
    Segment unb;
    if (!read(unb)) throw Invalid{"the input is empty; a PAXLST interchange starts with UNA or UNB"};
    if (unb.tag != "UNB") {
      throw at(unb, 0,
               "an interchange starts with UNB (after an optional UNA), not " + unb.tag +
                   "; is this a PAXLST file?");
    }
    header(unb);
    size_t groups = 0;
    size_t ungrouped = 0;
    Segment segment;
    while (true) {
      if (!read(segment)) {
        // A file whose last message is complete but whose UNZ was lost (or stripped by a gateway).
        if (quirks_.lenient() && (groups > 0 || ungrouped > 0)) {
          quirks_.add(Warning{reader_.segmentsRead(), lastTag_,
                              "the input ends after segment " + std::to_string(reader_.segmentsRead()) + " (" +
                                  lastTag_ +
                                  ") but UNZ (interchange trailer) is missing; the complete messages before "
                                  "it are read"});
          return std::move(interchange_);
        }
        missing("UNZ (interchange trailer)");
      }
      if (segment.tag == "UNZ") break;
      if (segment.tag == "UNG" && ungrouped == 0) {
        group(segment);
        ++groups;
      } else if (segment.tag == "UNH" && groups == 0) {
        interchange_.messages.push_back(message(segment));
        ++ungrouped;
      } else if (segment.tag == "UNG" || segment.tag == "UNH") {
        throw at(
            segment, 0,
            "messages inside and outside functional groups in one interchange; use groups for all or none");
      } else {
        throw at(segment, 0, "expected UNH, UNG or UNZ, found " + segment.tag);
      }
    }
    if (groups > 0) {
      checkTrailer(segment, groups, "functional group", "functional groups", "the interchange",
                   interchange_.controlReference, "interchange control reference", unb);
    } else {
      checkTrailer(segment, ungrouped, "message", "messages", "the interchange",
                   interchange_.controlReference, "interchange control reference", unb);
    }
    if (quirks_.lenient()) {
      afterEnd(segment);
    } else if (Segment extra; read(extra)) {
      throw at(extra, 0, "data after UNZ, which ends the interchange; send one interchange per file");
    }
    return std::move(interchange_);
  }

 private:
  // Lenient: anything after UNZ but layout is ignored, with a warning (a second interchange, a
  // gateway's trailer, padding). The tokenizer is not asked, as what follows need not be EDIFACT.
  void afterEnd(const Segment& unz) {
    std::string_view rest = reader_.rest();
    size_t skipped = rest.find_first_not_of(" \t\r\n");
    if (skipped == std::string_view::npos) return;
    quirks_.add(Warning{unz.number, unz.tag,
                        location(unz.number, unz.tag, 0) + ": " + std::to_string(rest.size() - skipped) +
                            (rest.size() - skipped == 1 ? " byte" : " bytes") +
                            " after UNZ, which ends the interchange, from byte " +
                            std::to_string(reader_.position() + skipped) + "; ignored"});
  }

  // The next segment with its text decoded to UTF-8, or false at the end of the input. A lenient
  // parse reads text outside the declared character set as UTF-8 or ISO 8859-1 (decodeOtherwise)
  // with a warning; what it cannot decode in a segment the message builder handles is left in
  // undecodable_ for the builder (an unreadable traveller), elsewhere it is an error.
  bool read(Segment& segment) {
    auto more = reader_.next(segment);
    for (Warning& warning : reader_.warnings()) quirks_.add(std::move(warning));
    reader_.warnings().clear();
    if (!more) throw Invalid{more.error().message};
    if (!*more) return false;
    undecodable_.reset();
    for (size_t e = 0; e < segment.elements.size(); ++e) {
      std::optional<std::string> readAs;
      for (std::string& component : segment.elements[e]) {
        if (quirks_.lenient() && !undecodable_) {
          if (auto encoding = decodeOtherwise(component, characterSet_)) {
            readAs = *encoding;
            continue;
          }
        }
        auto problem = decode(component, characterSet_);
        if (!problem) continue;
        if (!quirks_.lenient() || isServiceSegment(segment.tag) || segment.tag == "BGM") {
          throw at(segment, e + 1, *problem);
        }
        if (!undecodable_) undecodable_ = at(segment, e + 1, *problem);
      }
      if (readAs) {
        quirks_.add(Warning{segment.number, segment.tag,
                            location(segment.number, segment.tag, e + 1) + ": text outside " +
                                characterSet_.label + "; read as " + *readAs});
      }
    }
    lastTag_ = segment.tag;
    return true;
  }

  [[noreturn]] void missing(const std::string& expected) {
    throw Invalid{"the input ends after segment " + std::to_string(reader_.segmentsRead()) + " (" + lastTag_ +
                  ") but " + expected + " is missing; the file looks truncated"};
  }

  Segment require(const std::string& expected) {
    Segment segment;
    if (!read(segment)) missing(expected);
    return segment;
  }

  void header(const Segment& unb) {
    std::string_view syntax = unb.value(1, 1);
    auto set = characterSetOf(syntax);
    if (!set)
      throw at(unb, 1, "character set " + quoted(syntax) + " is not supported; use UNOA, UNOB, UNOC or UNOW");
    characterSet_ = *set;
    std::string_view version = unb.value(1, 2);
    if (version.size() != 1 || version[0] < '1' || version[0] > '4') {
      throw at(unb, 1, "syntax version " + quoted(version) + " is not 1, 2, 3 or 4");
    }
    interchange_.sender = unb.value(2, 1);
    if (interchange_.sender.empty()) throw at(unb, 2, "the sender identification is empty");
    interchange_.recipient = unb.value(3, 1);
    if (interchange_.recipient.empty()) throw at(unb, 3, "the recipient identification is empty");

    // Syntax 4 writes CCYYMMDD, earlier versions YYMMDD; a two-digit year here is 20YY.
    std::string_view date = unb.value(4, 1);
    std::string_view time = unb.value(4, 2);
    auto fields = splitDigits(date, date.size() == 8, false);
    std::optional<Date> day;
    if (fields)
      day = calendarDate(date.size() == 8 ? fields->year : 2000 + fields->year, fields->month, fields->day);
    auto hhmm = wholeNumber(time);
    if (!day || time.size() != 4 || !hhmm || *hhmm / 100 > 23 || *hhmm % 100 > 59) {
      throw at(unb, 4,
               "the preparation date and time " + quoted(date) + ":" + quoted(time) +
                   " is not YYMMDD:HHMM (or CCYYMMDD:HHMM)");
    }
    reference_ = *day;
    interchange_.preparedAt =
        timestampOf(*day, static_cast<unsigned>(*hhmm / 100), static_cast<unsigned>(*hhmm % 100));

    interchange_.controlReference = unb.value(5, 1);
    if (interchange_.controlReference.empty()) {
      throw at(unb, 5, "the interchange control reference is empty; UNZ must repeat it");
    }
  }

  void group(const Segment& ung) {
    if (ung.value(1) != "PAXLST") {
      throw at(ung, 1, "functional group of " + quoted(ung.value(1)) + " messages; only PAXLST is read");
    }
    std::string reference(ung.value(5, 1));
    if (reference.empty()) throw at(ung, 5, "the group reference is empty; UNE must repeat it");
    std::string closing =
        "UNE (end of the functional group opened at segment " + std::to_string(ung.number) + ")";
    size_t messages = 0;
    Segment segment = require(closing);
    for (; segment.tag != "UNE"; segment = require(closing)) {
      if (segment.tag != "UNH") {
        throw at(segment, 0,
                 "expected UNH or UNE in the functional group opened at segment " +
                     std::to_string(ung.number) + ", found " + segment.tag);
      }
      interchange_.messages.push_back(message(segment));
      ++messages;
    }
    checkTrailer(segment, messages, "message", "messages",
                 "the functional group opened at segment " + std::to_string(ung.number), reference,
                 "group reference", ung);
  }

  PaxlstMessage message(const Segment& unh) {
    PaxlstMessage message;
    message.reference = unh.value(1);
    if (message.reference.empty()) throw at(unh, 1, "the message reference is empty; UNT must repeat it");
    if (unh.value(2, 1) != "PAXLST") {
      throw at(unh, 2, "message type " + quoted(unh.value(2, 1)) + " is not PAXLST");
    }
    Segment bgm = require("BGM (beginning of message)");
    if (bgm.tag != "BGM")
      throw at(bgm, 0, "BGM must follow UNH (segment " + std::to_string(unh.number) + "), not " + bgm.tag);
    message.documentName = bgm.value(1, 1);
    if (message.documentName != kPassengerList && message.documentName != kCrewList) {
      throw at(bgm, 1,
               "document name code " + quoted(message.documentName) +
                   " is neither 745 (passenger list) nor 250 (crew list); flight status (266), master crew "
                   "list (336) and gate pass (655) messages are not read");
    }
    message.crewList = message.documentName == kCrewList;

    MessageBuilder builder(message, unh, reference_, quirks_);
    std::string closing = "UNT (end of message " + quoted(message.reference) + ")";
    for (Segment segment = require(closing);; segment = require(closing)) {
      if (segment.tag == "UNT") {
        builder.finish(segment);
        break;
      }
      if (isServiceSegment(segment.tag)) {
        throw at(segment, 0,
                 segment.tag + " inside message " + quoted(message.reference) + " (UNH at segment " +
                     std::to_string(unh.number) + "); its UNT is missing");
      }
      builder.add(segment, undecodable_);
    }
    return message;
  }

  // UNE and UNZ: element 1 counts what they close, element 2 repeats the opening reference.
  void checkTrailer(const Segment& trailer, size_t actual, const char* singular, const char* plural,
                    const std::string& container, const std::string& reference, const std::string& referenceName,
                    const Segment& opening) {
    auto count = wholeNumber(trailer.value(1));
    if (!count) {
      quirks_.tolerate(at(trailer, 1, "the count " + quoted(trailer.value(1)) + " is not a number"), trailer,
                       "not checked");
    } else if (*count != actual) {
      quirks_.tolerate(at(trailer, 1,
                          "the count is " + std::to_string(*count) + " but " + container + " holds " +
                              std::to_string(actual) + " " + (actual == 1 ? singular : plural)),
                       trailer, "what it holds is read");
    }
    if (trailer.value(2) != reference) {
      quirks_.tolerate(at(trailer, 2,
                          referenceName + " " + quoted(trailer.value(2)) + " does not match " + quoted(reference) +
                              " in " + opening.tag + " (segment " + std::to_string(opening.number) + ")"),
                       trailer, "read as its end");
    }
  }

  EdifactReader reader_;
  Quirks& quirks_;
  std::optional<Invalid> undecodable_;  // what the last segment read could not decode (lenient mode)
  // The interchange header must be ASCII whatever character set it then declares.
  CharacterSet characterSet_{Encoding::ascii, "the ASCII of the interchange header"};
  Date reference_{};
  std::string lastTag_;
  Interchange interchange_;
};

}  // namespace

std::string_view Segment::value(size_t element, size_t component) const {
  if (element == 0 || element > elements.size()) return {};
  const std::vector<std::string>& components = elements[element - 1];
  if (component == 0 || component > components.size()) return {};
  return components[component - 1];
}

// The kinds of layout quirk the tokenizer reads past in lenient mode, each reported once.
enum LayoutQuirk : unsigned {
  kByteOrderMark = 1u << 0,
  kSpaceBetweenSegments = 1u << 1,
  kLineBreakInSegment = 1u << 2,
  kSpaceAfterTag = 1u << 3,
  kLowerCaseTag = 1u << 4,
};

constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";

void EdifactReader::layoutQuirk(unsigned kind, size_t segment, std::string_view tag, const std::string& message) {
  if (quirksSeen_ & kind) return;
  quirksSeen_ |= kind;
  std::string where = segment == 0 ? std::string() : location(segment, tag, 0) + ": ";
  warnings_.push_back(Warning{segment, std::string(tag), where + message});
}

Result<EdifactReader> EdifactReader::open(std::string_view text, const ParseOptions& options) {
  if (text.size() > kMaxInputBytes) {
    return fail(ErrorKind::invalidInput, "the input is " + std::to_string(text.size()) +
                                             " bytes; a PAXLST interchange may have at most " +
                                             std::to_string(kMaxInputBytes) + " bytes (16 MiB)");
  }
  const bool lenient = !options.strict;
  size_t start = 0;
  bool byteOrderMark = lenient && text.substr(0, 3) == kUtf8ByteOrderMark;
  if (byteOrderMark) start = kUtf8ByteOrderMark.size();
  const std::string_view whole = text;
  auto opened = [&](ServiceCharacters characters, size_t position) {
    EdifactReader reader(whole, characters, position, lenient);
    if (byteOrderMark) {
      reader.layoutQuirk(kByteOrderMark, 0, "",
                         "the file starts with a UTF-8 byte order mark, which EDIFACT does not use; skipped");
    }
    return reader;
  };
  ServiceCharacters characters;
  std::string_view body = text.substr(start);
  if (body.substr(0, 3) != "UNA") {
    // Without a UNA the default separators apply; a UNB followed by anything else is a file that
    // changed them without saying so, and guessing which byte separates what would misread names.
    if (body.size() > 3 && body.substr(0, 3) == "UNB" && body[3] != characters.element &&
        body[3] != characters.segment) {
      return fail(ErrorKind::invalidInput,
                  "segment 1 (UNB): UNB is followed by " + quotedCharacter(body[3]) +
                      " where the element separator '+' belongs; a file with other service characters must "
                      "announce them in a UNA segment at the start, which this file lacks, so it cannot be "
                      "read; ask the sender to add the UNA");
    }
    return opened(characters, start);
  }
  text = body;  // the UNA's characters are read from here on

  constexpr size_t kUnaLength = 9;  // "UNA" and six service characters
  auto error = [](const std::string& what) {
    return fail(ErrorKind::invalidInput, "UNA (service string advice): " + what);
  };
  if (text.size() < kUnaLength) {
    return error("it needs six characters after UNA, found " + std::to_string(text.size() - 3) +
                 "; the file looks truncated");
  }
  characters.component = text[3];
  characters.element = text[4];
  characters.decimal = text[5];
  characters.release = text[6];
  char reserved = text[7];
  characters.segment = text[8];

  const std::pair<const char*, char> delimiters[] = {{"component separator", characters.component},
                                                     {"element separator", characters.element},
                                                     {"release character", characters.release},
                                                     {"segment terminator", characters.segment}};
  for (size_t i = 0; i < std::size(delimiters); ++i) {
    auto [name, c] = delimiters[i];
    if (isControl(c) || c == ' ' || isLetterOrDigit(c) || static_cast<unsigned char>(c) >= 0x80) {
      return error(std::string("the ") + name + " " + quotedCharacter(c) +
                   " must be a printable character other than a letter, digit or space");
    }
    for (size_t j = 0; j < i; ++j) {
      if (delimiters[j].second == c) {
        return error(std::string("the ") + delimiters[j].first + " and the " + name + " are both " +
                     quotedCharacter(c) + "; each delimiter must be different");
      }
    }
  }
  if (characters.decimal != '.' && characters.decimal != ',') {
    return error("the decimal mark " + quotedCharacter(characters.decimal) + " must be '.' or ','");
  }
  if (isControl(reserved)) return error("the reserved character is the control byte " + hexByte(reserved));
  return opened(characters, start + kUnaLength);
}

Result<bool> EdifactReader::next(Segment& segment) {
  // Line breaks between segments are layout an editor or a gateway added; they cannot be service
  // characters (open() allows no control bytes there), so skipping them loses nothing. Nor can a
  // space or a tab, which lenient mode skips as well.
  auto isLineBreak = [](char c) { return c == '\r' || c == '\n'; };
  auto isBlank = [](char c) { return c == ' ' || c == '\t'; };
  while (position_ < text_.size() && (isLineBreak(text_[position_]) || (lenient_ && isBlank(text_[position_])))) {
    if (isBlank(text_[position_])) {
      layoutQuirk(kSpaceBetweenSegments, segmentsRead_ + 1, "",
                  "spaces or tabs before the segment, at byte " + std::to_string(position_) +
                      "; skipped (further ones are not reported)");
    }
    ++position_;
  }
  if (position_ == text_.size()) return false;

  const size_t number = segmentsRead_ + 1;
  segment.number = number;
  segment.tag.clear();
  segment.elements.clear();
  if (number > kMaxSegments) {
    return invalidAt(number, "", 0,
                     "the interchange has more than " + std::to_string(kMaxSegments) +
                         " segments; split it into several interchanges");
  }

  std::vector<std::string> element(1);  // components of the element being read; the tag first
  bool inTag = true;
  bool spaceAfterTag = false;
  auto error = [&](const std::string& what) {
    return invalidAt(number, segment.tag, inTag ? 0 : segment.elements.size() + 1, what);
  };
  // Lenient mode: a line break inside a segment is a file wrapped at a fixed width.
  auto skipLineBreaks = [&] {
    while (lenient_ && position_ < text_.size() && isLineBreak(text_[position_])) {
      layoutQuirk(kLineBreakInSegment, number, segment.tag,
                  "a line break inside the segment, at byte " + std::to_string(position_) +
                      " (a file wrapped at a fixed width?); skipped (further ones are not reported)");
      ++position_;
    }
  };
  while (true) {
    skipLineBreaks();
    if (position_ == text_.size()) {
      return error(std::string("the input ends before the segment terminator ") +
                   quotedCharacter(characters_.segment) + "; the file looks truncated");
    }
    char c = text_[position_++];
    if (c == characters_.segment || c == characters_.element) {
      if (inTag) {
        std::string& tag = element[0];
        if (lenient_ && tag.size() == 3 && isLetterOrDigit(tag[0]) && isLetterOrDigit(tag[1]) &&
            isLetterOrDigit(tag[2]) && !isTag(tag)) {
          std::string upper = tag;
          for (char& letter : upper) {
            if (letter >= 'a' && letter <= 'z') letter = static_cast<char>(letter - 'a' + 'A');
          }
          if (isTag(upper)) {
            layoutQuirk(kLowerCaseTag, number, upper,
                        "the tag is written in lower case; read in capitals (further ones are not reported)");
            tag = std::move(upper);
          }
        }
        if (!isTag(tag)) {
          return error(quoted(tag) + " is not a segment tag (three capital letters)");
        }
        if (spaceAfterTag) {
          layoutQuirk(kSpaceAfterTag, number, tag,
                      "spaces after the segment tag; skipped (further ones are not reported)");
        }
        segment.tag = std::move(tag);
        inTag = false;
      } else {
        if (segment.elements.size() == kMaxElements) {
          return error("more than " + std::to_string(kMaxElements) + " elements in one segment");
        }
        segment.elements.push_back(std::move(element));
      }
      element.assign(1, std::string());
      if (c == characters_.segment) break;
      continue;
    }
    if (inTag && lenient_ && isBlank(c) && !element[0].empty()) {
      spaceAfterTag = true;
      continue;
    }
    if (inTag && spaceAfterTag) {
      return error(quoted(element[0] + " " + c) + " is not a segment tag (three capital letters)");
    }
    if (c == characters_.component) {
      if (inTag) return error("a component separator inside the segment tag " + quoted(element[0]));
      if (element.size() == kMaxComponents) {
        return error("more than " + std::to_string(kMaxComponents) + " components in one element");
      }
      element.emplace_back();
      continue;
    }
    if (c == characters_.release) {
      skipLineBreaks();
      if (position_ == text_.size()) {
        return error("the input ends with the release character " + quotedCharacter(c) +
                     ", which has nothing to release; the file looks truncated");
      }
      c = text_[position_++];
    }
    if (isControl(c)) {
      return error("control byte " + hexByte(c) +
                   " in the data; EDIFACT text has no control characters "
                   "(is this a binary file, or a line break inside a segment?)");
    }
    element.back() += c;
    if (inTag && element.back().size() > 3) {
      return error(quoted(element.back()) +
                   " is not a segment tag (three capital letters); is this an EDIFACT file, "
                   "or is a segment terminator missing before it?");
    }
  }
  ++segmentsRead_;
  return true;
}

Result<Interchange> parsePaxlst(std::string_view text) { return parsePaxlst(text, ParseOptions{.strict = true}); }

Result<Interchange> parsePaxlst(std::string_view text, const ParseOptions& options, std::vector<Warning>* warnings) {
  auto reader = EdifactReader::open(text, options);
  if (!reader) return reader.error();
  Quirks quirks(!options.strict);
  try {
    Interchange interchange = InterchangeParser(std::move(reader).value(), quirks).parse();
    if (warnings) *warnings = quirks.take();
    return interchange;
  } catch (const Invalid& invalid) {
    return fail(ErrorKind::invalidInput, invalid.message);
  }
}

}  // namespace liaison::paxlst
