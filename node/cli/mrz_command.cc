// `liaison mrz parse [--json] LINE...`: checks and decodes the machine-readable zone of a travel
// document as an officer or a script types or scans it.
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <utility>

#include "adapters/mrz.h"
#include "node/cli/commands.h"
#include "node/cli/exit_codes.h"

namespace liaison::cli {
namespace {

// The fields in print order, under the same names in text and JSON; a blank expiry date or an
// unknown date of birth is null, a partly known one YYYY or YYYY-MM.
std::vector<std::pair<std::string_view, nlohmann::ordered_json>> fieldsOf(const mrz::MrzDocument& document) {
  return {
      {"format", std::string(mrz::name(document.format))},
      {"document_code", document.documentCode},
      {"issuing_state", document.issuingState},
      {"primary_identifier", document.primaryIdentifier},
      {"secondary_identifier", document.secondaryIdentifier},
      {"document_number", document.number.str()},
      {"nationality", document.nationality},
      {"date_of_birth", document.dateOfBirth.known() ? nlohmann::ordered_json(formatPartialDate(document.dateOfBirth))
                                                     : nlohmann::ordered_json()},
      {"sex", std::string(name(document.sex))},
      {"expiry_date", document.expiryDate ? nlohmann::ordered_json(formatDate(*document.expiryDate))
                                          : nlohmann::ordered_json()},
      {"optional_data_1", document.optionalData1},
      {"optional_data_2", document.optionalData2},
  };
}

// The century of two-digit years is inferred against today's date (UTC).
int parse(const Arguments& args, const CommandContext& context) {
  std::ostream& out = context.out;
  auto document = mrz::parseMrz(args.positionals("LINE"), today());
  if (!document) {
    context.err << "liaison: invalid MRZ: " << document.error().message << "\n";
    return kExitFailure;
  }
  auto fields = fieldsOf(*document);
  if (args.flag("json")) {
    nlohmann::ordered_json json = nlohmann::ordered_json::object();
    for (auto& [key, value] : fields) json[std::string(key)] = std::move(value);
    out << json.dump() << "\n";
    return kExitOk;
  }
  for (const auto& [key, value] : fields) {
    out << key << ": " << (value.is_string() ? value.get<std::string>() : "none") << "\n";
  }
  return kExitOk;
}

}  // namespace

Command mrzCommand() {
  return Command{
      .name = "mrz",
      .summary = "check and decode an ICAO 9303 machine-readable zone",
      .subcommands = {Command{
          .name = "parse",
          .summary = "check every check digit, code and date of a machine-readable zone and print its fields",
          .details = "The zone is given as its 2 lines (TD2, TD3 passport, MRV-A or MRV-B visa) or 3 lines (TD1). "
                     "Quote each line: the shell reads < as a redirection.\n"
                     "exit status: 0 valid, 1 invalid zone (the error names line, columns, field and the expected "
                     "check digit), 2 usage error\n",
          .positionals = {{"LINE", "the lines of the zone", true, true}},
          .options = {{"json", "", "print one JSON object instead of one `field: value` per line"}},
          .run = parse,
      }},
  };
}

}  // namespace liaison::cli
