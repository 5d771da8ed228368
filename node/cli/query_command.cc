#include "node/cli/query_command.h"


#include "node/cli/answer_format.h"
#include "node/cli/cli_args.h"
#include "node/client/query_client.h"

namespace liaison::cli {
namespace {

using client::loadClientConfig;
using client::QueryClient;
using client::QueryOptions;

constexpr int kExitAnswered = 0;
constexpr int kExitFailure = 1;
constexpr int kExitRefused = 3;
constexpr int kExitInvalid = 4;
constexpr int kExitFork = 5;  // the node's audit tree head contradicts one it gave before

// The query named by the positional words after the kind.
Query buildQuery(const Arguments& args) {
  const auto& words = args.positional;
  if (words.empty()) throw UsageError{"name a query kind: check-document, get-record, list-movements, health-record, justice-record"};
  auto kind = parseQueryKind(words[0]);
  if (!kind) throw UsageError{"unknown query kind '" + words[0] + "'"};
  auto expect = [&](size_t min, size_t max, const char* shape) {
    if (words.size() < min || words.size() > max) throw UsageError{std::string("usage: liaison query ... ") + shape};
  };
  switch (*kind) {
    case QueryKind::checkDocument: {
      expect(3, 4, "check-document NUMBER ISSUING_STATE [TYPE]");
      auto number = DocumentNumber::parse(words[1]);
      if (!number) throw UsageError{"document number: " + number.error().message};
      if (!isIcaoStateCode(words[2])) throw UsageError{"issuing state '" + words[2] + "' is not a three-letter ICAO code"};
      auto type = parseDocumentType(words.size() == 4 ? words[3] : "passport");
      if (!type) throw UsageError{"unknown document type '" + words[3] + "'"};
      return CheckDocumentQuery{*number, words[2], *type};
    }
    case QueryKind::getRecord: {
      expect(3, 3, "get-record RECORD_KIND REF");
      auto recordKind = parseRecordKind(words[1]);
      if (!recordKind) throw UsageError{"unknown record kind '" + words[1] + "'"};
      return GetRecordQuery{words[2], *recordKind};
    }
    case QueryKind::listMovements: {
      expect(1, 1, "list-movements --document NUMBER | --family-name NAME --date-of-birth YYYY[-MM[-DD]]");
      ListMovementsQuery q;
      if (auto document = args.option("document")) {
        auto number = DocumentNumber::parse(*document);
        if (!number) throw UsageError{"--document: " + number.error().message};
        q.documentNumber = number->str();
      } else {
        q.person.familyName = args.require("family-name");
        auto dob = parsePartialDate(args.option("date-of-birth").value_or(""));
        if (!dob) throw UsageError{"--date-of-birth: " + dob.error().message};
        q.person.dateOfBirth = *dob;
      }
      return q;
    }
    case QueryKind::healthRecord:
      expect(2, 2, "health-record REF");
      return HealthRecordQuery{words[1]};
    case QueryKind::justiceRecord:
      expect(2, 2, "justice-record REF");
      return JusticeRecordQuery{words[1]};
    case QueryKind::screenPerson:
    case QueryKind::screenManifest:
    case QueryKind::aggregateStatistics:
    case QueryKind::auditRead: break;
  }
  throw UsageError{"query kind '" + words[0] + "' is not available from the command line yet"};
}

}  // namespace

int runQueryCommand(const std::vector<std::string>& words, std::ostream& out, std::ostream& err) {
  Arguments args = Arguments::parse(words, {"json"});
  args.allowOnly({"as", "node", "purpose", "case", "json", "document", "family-name", "date-of-birth"});
  auto config = loadClientConfig(args.require("as"));
  if (!config) {
    err << "liaison: " << config.error().message << "\n";
    return kExitFailure;
  }
  Query query = buildQuery(args);
  auto client = QueryClient::create(*config, args.require("node"));
  if (!client) {
    err << "liaison: " << client.error().message << "\n";
    return kExitFailure;
  }
  QueryOptions options;
  options.purpose = args.option("purpose").value_or("");
  options.caseReference = args.option("case").value_or("");
  auto answer = (*client)->send(query, options);
  if (!answer) {
    err << "liaison: " << answer.error().message << "\n";
    return answer.error().kind == ErrorKind::conflict ? kExitFork : kExitFailure;
  }
  const Response& response = answer->response;
  out << (args.flag("json") ? formatResponseJson(response) + "\n" : formatResponseText(response));
  switch (response.status) {
    case ResponseStatus::ok: return kExitAnswered;
    case ResponseStatus::refused: return kExitRefused;
    case ResponseStatus::invalid: return kExitInvalid;
    case ResponseStatus::error: return kExitFailure;
  }
  return kExitFailure;
}

}  // namespace liaison::cli
