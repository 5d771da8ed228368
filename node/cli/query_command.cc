// `liaison query`: an officer's (or a partner's) signed query from the command line.
#include "node/cli/answer_format.h"
#include "node/cli/commands.h"
#include "node/cli/exit_codes.h"
#include "node/client/query_client.h"
#include "schema/limits.h"

#include <algorithm>
#include <functional>

namespace liaison::cli {
namespace {

using client::loadClientConfig;
using client::QueryClient;
using client::QueryOptions;

// `aggregate-statistics WHAT`: WHAT a record kind (its compartment follows) or `requests`.
AggregateStatisticsQuery statisticsQuery(const std::string& what, const Arguments& args) {
  AggregateStatisticsQuery q;
  if (what == "requests") {
    q.subject = StatisticsSubject::requests;
  } else if (auto kind = parseRecordKind(what)) {
    q.kind = *kind;
    q.compartment = compartmentOf(*kind);
  } else {
    throw UsageError{"aggregate-statistics counts a record kind (movement, refusal, ...) or requests, not '" + what + "'"};
  }
  auto date = [&](const char* option) {
    auto parsed = parseDate(args.require(option));
    if (!parsed) throw UsageError{std::string("--") + option + ": " + parsed.error().message};
    return *parsed;
  };
  q.from = date("from");
  q.until = date("until");
  const std::string per = args.option("per").value_or("month");
  auto period = parseStatisticsPeriod(per);
  if (!period) throw UsageError{"--per: '" + per + "' is not day, week or month"};
  q.period = *period;
  const std::string by = args.option("by").value_or("none");
  auto dimension = parseStatisticsDimension(by);
  if (!dimension) throw UsageError{"--by: unknown dimension '" + by + "'"};
  q.dimension = *dimension;
  return q;
}

// The query named by the positional words: the kind and its arguments.
Query buildQuery(const Arguments& args) {
  const std::vector<std::string> words = args.positionals("KIND ARGS");
  if (words.empty()) {
    throw UsageError{"name a query kind: check-document, get-record, list-movements, health-record, justice-record, "
                     "aggregate-statistics"};
  }
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
    case QueryKind::aggregateStatistics:
      expect(2, 2, "aggregate-statistics RECORD_KIND|requests --from YYYY-MM-DD --until YYYY-MM-DD [--per day|week|month] [--by DIMENSION]");
      return statisticsQuery(words[1], args);
    case QueryKind::screenPerson:
    case QueryKind::screenManifest:
    case QueryKind::auditRead: break;
  }
  throw UsageError{"query kind '" + words[0] + "' is not available from the command line yet"};
}

// `--partners all` or a comma-separated list of member ids.
client::FederatedTargets targetsOf(const std::string& list, bool local) {
  client::FederatedTargets targets;
  targets.local = local;
  if (list == "all") {
    targets.all = true;
    return targets;
  }
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    std::string member = list.substr(start, comma - start);
    if (member.empty()) throw UsageError{"--partners: an empty member id in '" + list + "'"};
    if (std::find(targets.partners.begin(), targets.partners.end(), member) != targets.partners.end()) {
      throw UsageError{"--partners: " + member + " is named twice"};
    }
    targets.partners.push_back(std::move(member));
    start = comma + 1;
  }
  if (targets.partners.size() > limits::kMaxPartnersPerRequest) {
    throw UsageError{"--partners: at most " + std::to_string(limits::kMaxPartnersPerRequest) + " partners; use 'all'"};
  }
  return targets;
}

// Asks partners through the own node and prints each part as it arrives, checked.
int federatedQuery(QueryClient& client, const Query& query, const QueryOptions& options, const std::string& partners,
                   const Arguments& args, const CommandContext& context) {
  const bool json = args.flag("json");
  bool fork = false;
  auto answer = client.sendFederated(query, options, targetsOf(partners, args.flag("local")),
                                     [&](const client::FederatedPart& part) {
                                       if (part.status == PartnerStatus::fork) fork = true;
                                       context.out << (json ? formatFederatedPartJson(part) + "\n"
                                                            : formatFederatedPartText(part));
                                       context.out.flush();
                                     });
  if (!answer) {
    context.err << "liaison: " << answer.error().message << "\n";
    return answer.error().kind == ErrorKind::conflict ? kExitFork : kExitFailure;
  }
  if (*answer) {  // refused (or invalid) as a whole: nothing was forwarded
    const Response& response = (*answer)->response;
    context.out << (json ? formatResponseJson(response) + "\n" : formatResponseText(response));
    return response.status == ResponseStatus::invalid ? kExitInvalid
           : response.status == ResponseStatus::refused ? kExitRefused
                                                        : kExitFailure;
  }
  return fork ? kExitFork : kExitOk;
}

// Signs the query, sends it, verifies the answer (signature, request digest, the node's tree head
// against those kept) and prints it.
int query(const Arguments& args, const CommandContext& context) {
  Query query = buildQuery(args);
  return sendQuery(query, args, context, [&args](const Response& response) {
    return args.flag("json") ? formatResponseJson(response) + "\n" : formatResponseText(response);
  });
}

}  // namespace

int sendQuery(const Query& query, const Arguments& args, const CommandContext& context,
              const std::function<std::string(const Response&)>& format) {
  std::ostream& err = context.err;
  auto config = loadClientConfig(args.require("as"));
  if (!config) {
    err << "liaison: " << config.error().message << "\n";
    return kExitFailure;
  }
  auto client = QueryClient::create(*config, args.require("node"));
  if (!client) {
    err << "liaison: " << client.error().message << "\n";
    return kExitFailure;
  }
  QueryOptions options;
  options.purpose = args.option("purpose").value_or("");
  options.caseReference = args.option("case").value_or("");
  if (auto partners = args.option("partners")) return federatedQuery(**client, query, options, *partners, args, context);
  if (args.flag("local")) throw UsageError{"--local goes with --partners: without it the query is local anyway"};
  auto answer = (*client)->send(query, options);
  if (!answer) {
    err << "liaison: " << answer.error().message << "\n";
    return answer.error().kind == ErrorKind::conflict ? kExitFork : kExitFailure;
  }
  const Response& response = answer->response;
  context.out << (response.status == ResponseStatus::ok ? format(response) : formatResponseText(response));
  switch (response.status) {
    case ResponseStatus::ok: return kExitOk;
    case ResponseStatus::refused: return kExitRefused;
    case ResponseStatus::invalid: return kExitInvalid;
    case ResponseStatus::error: return kExitFailure;
  }
  return kExitFailure;
}


Command queryCommand() {
  return Command{
      .name = "query",
      .summary = "sign a query, send it, verify and print the answer and its audit receipt",
      .details = "KIND ARGS is one of\n"
                 "  check-document NUMBER ISSUING_STATE [TYPE]\n"
                 "  get-record RECORD_KIND REF\n"
                 "  list-movements --document NUMBER | --family-name NAME --date-of-birth YYYY[-MM[-DD]]\n"
                 "  health-record REF | justice-record REF\n"
                 "  aggregate-statistics RECORD_KIND|requests --from YYYY-MM-DD --until YYYY-MM-DD "
                 "[--per day|week|month] [--by DIMENSION]\n"
                 "    counts per whole period in [from, until), completed periods only; dimensions: none, port, "
                 "direction, nationality, sex, ground, outcome, fraud-type, document-type, issuing-state, "
                 "record-type, query-kind, decision, role, requester (which ones a kind offers: README "
                 "\"Statistics\"); small cells are printed as suppressed\n"
                 "The answer's signature, its request digest and the node's audit tree head (against the heads "
                 "kept in the state folder) are verified before anything is printed.\n"
                 "With --partners the own node asks partners too (those its outbound policy lets you ask; "
                 "others are not mentioned) and each partner's answer is printed as it arrives, with its "
                 "status (answered, refused, timed-out, unreachable, invalid, fork) and a summary at the end. "
                 "Each partner's own signed answer is checked here with the partner's key ([[partner]] or "
                 "directory in the client configuration).\n"
                 "exit status: 0 answered, 1 failed, 2 usage error, 3 refused, 4 invalid, 5 fork in the node's "
                 "audit log (the evidence is kept)\n",
      .positionals = {{"KIND ARGS", "the query kind and its arguments (see below)", true, true}},
      .options =
          {
              {"as", "CLIENT.toml", "who signs: the officer's (or partner's) client configuration", true},
              {"node", "URL", "the node, https://HOST:PORT", true},
              {"purpose", "P", "the declared purpose (default: the configuration's)"},
              {"case", "REF", "the case reference (needed for details: get-record)"},
              {"json", "", "print the answer as one JSON object (with --partners: one per part, JSON lines)"},
              {"partners", "all|ID,ID", "ask these partners through the own node (all: every one you may ask)"},
              {"local", "", "with --partners: the own node answers too"},
              {"document", "NUMBER", "list-movements: by travel document"},
              {"family-name", "NAME", "list-movements: by person, with --date-of-birth"},
              {"date-of-birth", "YYYY[-MM[-DD]]", "list-movements: by person, with --family-name"},
              {"from", "YYYY-MM-DD", "aggregate-statistics: the first day of the first period"},
              {"until", "YYYY-MM-DD", "aggregate-statistics: the first day after the last period"},
              {"per", "day|week|month", "aggregate-statistics: the period (default month)"},
              {"by", "DIMENSION", "aggregate-statistics: what to group by besides the period (default none)"},
          },
      .run = query,
      .loadsSecretKeys = true,
  };
}

}  // namespace liaison::cli
