// `liaison paxlst parse [--json] [--strict] FILE`: reads a UN/EDIFACT PAXLST interchange (advance
// passenger information) and prints each message's flight and its travellers, or the error that
// stops it. Leniently by default, with a warning on standard error for each quirk read past.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <system_error>

#include "adapters/paxlst.h"
#include "node/cli/commands.h"
#include "node/cli/exit_codes.h"

namespace liaison::cli {
namespace {

// Keeps the fields in the order written here rather than sorted.
using Json = nlohmann::ordered_json;

// PAXLST times carry no zone (see paxlst::Flight), so they print without one.
std::string localTime(const std::optional<Timestamp>& time, const char* separator) {
  if (!time) return "?";
  auto day = std::chrono::floor<std::chrono::days>(*time);
  std::chrono::hh_mm_ss clock(*time - day);
  char text[8];
  std::snprintf(text, sizeof text, "%02d:%02d", static_cast<int>(clock.hours().count()),
                static_cast<int>(clock.minutes().count()));
  return formatDate(Date{day}) + separator + text;
}

std::string orUnknown(const std::string& text) { return text.empty() ? "?" : text; }

// The flight as people write it: the flight number, with the carrier in front when the number
// does not already start with it.
std::string flightDesignator(const paxlst::Flight& flight) {
  if (flight.flightNumber.rfind(flight.carrier, 0) == 0) return flight.flightNumber;
  return flight.carrier + flight.flightNumber;
}

std::string legText(const paxlst::Flight& flight) {
  return flightDesignator(flight) + " " + orUnknown(flight.departurePort) + " " + localTime(flight.departure, " ") +
         " -> " + orUnknown(flight.arrivalPort) + " " + localTime(flight.arrival, " ");
}

std::string messageLine(const paxlst::PaxlstMessage& message) {
  std::string legs = legText(message.flight);
  for (const paxlst::Flight& leg : message.otherLegs) legs += ", then " + legText(leg);
  size_t count = message.travellers.size();
  std::string unreadable =
      message.unreadable.empty() ? "" : " and " + std::to_string(message.unreadable.size()) + " unreadable";
  return "flight " + legs + " (local times), " + (message.crewList ? "crew list, " : "passenger list, ") +
         std::to_string(count) + " " +
         (message.crewList ? (count == 1 ? "crew member" : "crew members")
                           : (count == 1 ? "passenger" : "passengers")) +
         unreadable + " (message " + message.reference + ")\n";
}

std::string unreadableLine(const paxlst::UnreadableTraveller& traveller) {
  return "  unreadable traveller (NAD at segment " + std::to_string(traveller.segment) + "): " + traveller.reason +
         "\n";
}

std::string travellerLine(const paxlst::Traveller& traveller) {
  const PersonIdentity& person = traveller.person;
  std::string line = std::string("  ") + (traveller.crew ? "crew " : "passenger ") + person.familyName;
  if (!person.givenNames.empty()) line += ", " + person.givenNames;
  line += "; sex " + std::string(name(person.sex));
  line += "; born " + (person.dateOfBirth.known() ? formatPartialDate(person.dateOfBirth) : std::string("?"));
  line += "; nationality " + orUnknown(person.nationality);
  line += "; document " + orUnknown(traveller.documentType) + " " +
          (traveller.documentNumber ? traveller.documentNumber->str() : "?") + " issued by " +
          orUnknown(traveller.documentIssuingState) + " expires " +
          (traveller.documentExpiry ? formatDate(*traveller.documentExpiry) : "?");
  line += "; " + orUnknown(traveller.embarkation) + " -> " + orUnknown(traveller.debarkation) + "\n";
  return line;
}

Json textOrNull(const std::string& text) { return text.empty() ? Json() : Json(text); }

Json travellerJson(const paxlst::Traveller& traveller) {
  const PersonIdentity& person = traveller.person;
  return {
      {"crew", traveller.crew},
      {"family_name", person.familyName},
      {"given_names", textOrNull(person.givenNames)},
      {"sex", std::string(name(person.sex))},
      {"date_of_birth", person.dateOfBirth.known() ? Json(formatPartialDate(person.dateOfBirth)) : Json()},
      {"nationality", textOrNull(person.nationality)},
      {"document_type", textOrNull(traveller.documentType)},
      {"document_number", traveller.documentNumber ? Json(traveller.documentNumber->str()) : Json()},
      {"document_issuing_state", textOrNull(traveller.documentIssuingState)},
      {"document_expiry", traveller.documentExpiry ? Json(formatDate(*traveller.documentExpiry)) : Json()},
      {"embarkation", textOrNull(traveller.embarkation)},
      {"debarkation", textOrNull(traveller.debarkation)},
      {"country_of_residence", textOrNull(traveller.countryOfResidence)},
      {"references", traveller.references},
  };
}

Json flightJson(const paxlst::Flight& flight) {
  auto local = [](const std::optional<Timestamp>& time) { return time ? Json(localTime(time, "T")) : Json(); };
  return {{"carrier", textOrNull(flight.carrier)},
          {"flight_number", flight.flightNumber},
          {"departure_port", textOrNull(flight.departurePort)},
          {"departure_local", local(flight.departure)},
          {"arrival_port", textOrNull(flight.arrivalPort)},
          {"arrival_local", local(flight.arrival)}};
}

std::string interchangeJson(const paxlst::Interchange& interchange) {
  Json messages = Json::array();
  for (const paxlst::PaxlstMessage& message : interchange.messages) {
    Json travellers = Json::array();
    for (const paxlst::Traveller& traveller : message.travellers)
      travellers.push_back(travellerJson(traveller));
    Json otherLegs = Json::array();
    for (const paxlst::Flight& leg : message.otherLegs) otherLegs.push_back(flightJson(leg));
    Json unreadable = Json::array();
    for (const paxlst::UnreadableTraveller& traveller : message.unreadable) {
      unreadable.push_back({{"segment", traveller.segment}, {"reason", traveller.reason}});
    }
    messages.push_back({
        {"reference", message.reference},
        {"document_name", message.documentName},
        {"list", message.crewList ? "crew" : "passengers"},
        {"reporting_party", textOrNull(message.reportingParty)},
        {"flight", flightJson(message.flight)},
        {"other_legs", std::move(otherLegs)},
        {"travellers", std::move(travellers)},
        {"unreadable_travellers", std::move(unreadable)},
    });
  }
  Json json = {
      {"sender", interchange.sender},
      {"recipient", interchange.recipient},
      {"control_reference", interchange.controlReference},
      {"prepared_at", localTime(interchange.preparedAt, "T")},
      {"messages", std::move(messages)},
  };
  // The parser hands over UTF-8 only; replacing stray bytes keeps a bug there from aborting the dump.
  return json.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

// The whole file, or an error naming it. Checks the size first so a huge file is never read.
Result<std::string> readInput(const std::string& path) {
  std::error_code error;
  auto size = std::filesystem::file_size(path, error);
  if (error) return fail(ErrorKind::invalidInput, path + ": cannot read the file: " + error.message());
  if (size > paxlst::kMaxInputBytes) {
    return fail(ErrorKind::invalidInput, path + ": the file is " + std::to_string(size) +
                                             " bytes; a PAXLST interchange may have at most " +
                                             std::to_string(paxlst::kMaxInputBytes) + " bytes (16 MiB)");
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return fail(ErrorKind::invalidInput, path + ": cannot open the file");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (file.bad()) return fail(ErrorKind::invalidInput, path + ": reading the file failed");
  return text;
}

int parse(const Arguments& args, const CommandContext& context) {
  std::ostream& out = context.out;
  std::ostream& err = context.err;
  const std::string path = args.positional("FILE");
  auto text = readInput(path);
  if (!text) {
    err << "liaison: " << text.error().message << "\n";
    return kExitFailure;
  }
  std::vector<paxlst::Warning> warnings;
  auto interchange = paxlst::parsePaxlst(*text, paxlst::ParseOptions{.strict = args.flag("strict")}, &warnings);
  for (const paxlst::Warning& warning : warnings) {
    err << "liaison: " << path << ": warning: " << warning.message << "\n";
  }
  if (!interchange) {
    err << "liaison: " << path << ": " << interchange.error().message << "\n";
    return kExitFailure;
  }
  if (args.flag("json")) {
    out << interchangeJson(*interchange);
    return kExitOk;
  }
  for (const paxlst::PaxlstMessage& message : interchange->messages) {
    out << messageLine(message);
    for (const paxlst::Traveller& traveller : message.travellers) out << travellerLine(traveller);
    for (const paxlst::UnreadableTraveller& traveller : message.unreadable) out << unreadableLine(traveller);
  }
  return kExitOk;
}

}  // namespace

Command paxlstCommand() {
  return Command{
      .name = "paxlst",
      .summary = "read UN/EDIFACT PAXLST (advance passenger information) interchanges",
      .subcommands = {Command{
          .name = "parse",
          .summary = "print the flight and travellers of a UN/EDIFACT PAXLST interchange",
          .details = "Reads passenger or crew lists (several messages, UNA delimiters, count and reference checks) "
                     "and prints one line per message with its flight, then one line per traveller. Flight times "
                     "are the airports' local times, as PAXLST gives them.\n"
                     "Reads leniently by default: the quirks of real airline files (line breaks or spaces between "
                     "segments, lower-case tags, text outside the declared character set, CNT+42+N, counts that "
                     "do not match, several flights in one message, data after UNZ) are read with one warning "
                     "each on standard error, naming the segment; a traveller that cannot be read is listed as "
                     "unreadable, with why, and the rest are read. --strict refuses the file at the first quirk.\n"
                     "exit status: 0 parsed, 1 the file cannot be read or is not a valid PAXLST interchange, "
                     "2 usage error\n",
          .positionals = {{"FILE", "the interchange"}},
          .options = {{"json", "", "print the interchange as JSON"},
                      {"strict", "", "refuse the file at the first quirk instead of reading past it"}},
          .run = parse,
      }},
  };
}

}  // namespace liaison::cli
