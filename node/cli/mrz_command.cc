#include "node/cli/mrz_command.h"

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <utility>

#include "adapters/mrz.h"
#include "node/cli/cli_args.h"

namespace liaison::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

constexpr const char* kMrzUsage = R"(usage: liaison mrz parse [--json] LINE...

parse   check every check digit, code and date of a machine-readable zone given as its 2 lines (TD2,
        TD3 passport, MRV-A or MRV-B visa) or 3 lines (TD1), and print its fields. Quote each line:
        the shell reads < as a redirection.
--json  print one JSON object instead of one `field: value` per line
exit status: 0 valid, 1 invalid zone (the error names line, columns and field), 2 usage error
)";

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

Date todayUtc() { return Date{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())}; }

int parseCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  Arguments parsed = Arguments::parse(std::vector<std::string>(args.begin() + 1, args.end()), {"json"});
  parsed.allowOnly({"json"});
  if (parsed.positional.empty()) throw UsageError{"mrz parse needs the lines of the zone"};
  auto document = mrz::parseMrz(parsed.positional, todayUtc());
  if (!document) {
    err << "liaison: invalid MRZ: " << document.error().message << "\n";
    return kExitFailure;
  }
  auto fields = fieldsOf(*document);
  if (parsed.flag("json")) {
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

int runMrzCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  try {
    if (args.empty()) throw UsageError{"mrz needs a subcommand: parse"};
    if (args[0] == "parse") return parseCommand(args, out, err);
    if (args[0] == "help") {
      out << kMrzUsage;
      return kExitOk;
    }
    throw UsageError{"unknown mrz subcommand '" + args[0] + "'"};
  } catch (const UsageError& e) {
    err << "liaison: " << e.message << "\n\n" << kMrzUsage;
    return kExitUsage;
  }
}

}  // namespace liaison::cli
