// `liaison screen person|manifest|compare`: screening a person or a whole passenger manifest
// against the notices and watchlists a node (and, with --partners, its partners) holds, and
// comparing two names the way screening does, with the score and why.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "adapters/csv.h"
#include "adapters/manifest_file.h"
#include "crypto/digest.h"
#include "node/cli/answer_format.h"
#include "node/client/audit_verify.h"
#include "node/cli/commands.h"
#include "node/cli/exit_codes.h"
#include "schema/limits.h"
#include "screening/match.h"
#include "screening/name.h"

namespace liaison::cli {
namespace {

using Json = nlohmann::ordered_json;

std::vector<std::string> nationalitiesOf(const Arguments& args) {
  std::vector<std::string> codes = splitCommaList(args.option("nationality").value_or(""));
  for (const auto& code : codes) {
    if (!isIcaoStateCode(code)) throw UsageError{"--nationality: '" + code + "' is not a three-letter ICAO code"};
  }
  return codes;
}

// --- screen person ----------------------------------------------------------------------------

ScreenPersonQuery personOf(const Arguments& args) {
  ScreenPersonQuery q;
  q.person.familyName = args.option("family-name").value_or("");
  q.person.givenNames = args.option("given-names").value_or("");
  for (const auto& name : args.values("name")) {
    if (name.empty()) continue;
    if (q.otherNames.size() >= limits::kMaxOtherNames) {
      throw UsageError{"--name: at most " + std::to_string(limits::kMaxOtherNames) + " names"};
    }
    q.otherNames.push_back(name);
  }
  if (auto dob = args.option("date-of-birth")) {
    auto date = parsePartialDate(*dob);
    if (!date) throw UsageError{"--date-of-birth: " + date.error().message};
    q.person.dateOfBirth = *date;
  }
  if (auto sex = args.option("sex")) {
    auto parsed = parseSex(*sex);
    if (!parsed) throw UsageError{"--sex: '" + *sex + "' is not female, male or unspecified"};
    q.person.sex = *parsed;
  }
  auto codes = nationalitiesOf(args);
  if (!codes.empty()) {
    q.person.nationality = codes.front();
    q.otherNationalities.assign(codes.begin() + 1, codes.end());
  }
  if (auto document = args.option("document")) {
    auto number = DocumentNumber::parse(*document);
    if (!number) throw UsageError{"--document: " + number.error().message};
    q.documentNumber = *number;
    q.documentState = args.option("document-state").value_or("");
    if (!q.documentState.empty() && !isIcaoStateCode(q.documentState)) {
      throw UsageError{"--document-state: '" + q.documentState + "' is not a three-letter ICAO code"};
    }
  }
  if (!namesPerson(q)) {
    throw UsageError{"name the person (--name, or --family-name/--given-names) or give --document: screening is "
                     "never by nationality, sex or date of birth alone"};
  }
  return q;
}

std::string personCsv(const Response& response) {
  std::string out = "ref,kind,score,explanation\n";
  for (const Hit& hit : response.hits) {
    out += csvCell(hit.recordRef) + "," + std::string(name(hit.kind)) + "," +
           (hit.match ? formatScore(hit.match->score) : std::string()) + "," +
           csvCell(hit.match ? hit.match->explanation : std::string()) + "\n";
  }
  return out;
}

int screenPerson(const Arguments& args, const CommandContext& context) {
  const ScreenPersonQuery person = personOf(args);
  return sendQuery(person, args, context, [&args](const Response& response) {
    if (args.flag("json")) return formatResponseJson(response) + "\n";
    if (args.flag("csv")) return personCsv(response);
    return formatResponseText(response);
  });
}

// --- screen manifest --------------------------------------------------------------------------

std::string personLabel(const PersonIdentity& person) {
  std::string label = person.familyName.empty() ? "?" : person.familyName;
  if (!person.givenNames.empty()) label += ", " + person.givenNames;
  return label;
}

struct TravellerResult {
  std::vector<const Hit*> hits;
  uint16_t best = 0;  // per mille; 0 when no hit carries a score
};

std::vector<TravellerResult> byTraveller(const Response& response, size_t travellers) {
  std::vector<TravellerResult> results(travellers);
  for (const Hit& hit : response.hits) {
    if (hit.traveller >= travellers) continue;  // the node's signature covers it; a hit for nobody is ignored
    auto& r = results[hit.traveller];
    r.hits.push_back(&hit);
    if (hit.match) r.best = std::max(r.best, hit.match->score);
  }
  return results;
}

std::string refsOf(const TravellerResult& result) {
  std::string refs;
  for (const Hit* hit : result.hits) refs += (refs.empty() ? "" : " ") + std::string(name(hit->kind)) + ":" + hit->recordRef;
  return refs;
}

int screenManifest(const Arguments& args, const CommandContext& context) {
  const std::string path = args.positional("FILE");
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    context.err << "liaison: cannot open " << path << "\n";
    return kExitFailure;
  }
  std::string bytes;
  {
    std::ostringstream all;
    all << file.rdbuf();
    bytes = std::move(all).str();
  }
  manifest::ManifestFormat format = manifest::ManifestFormat::detect;
  if (auto named = args.option("format")) {
    auto parsed = manifest::parseManifestFormat(*named);
    if (!parsed) throw UsageError{"--format: '" + *named + "' is not paxlst, json, csv or detect"};
    format = *parsed;
  }
  manifest::ParseOptions options;
  options.strict = args.flag("strict");
  auto read = manifest::readManifest(bytes, format, options);
  if (!read) {
    context.err << "liaison: " << path << ": " << read.error().message << "\n";
    return kExitInvalid;
  }
  for (const auto& warning : read->warnings) {
    context.err << "warning: " << path << ": " << manifest::describe(warning.position) << ": " << warning.message << "\n";
  }
  for (const auto& entry : read->unreadable) {
    context.err << "NOT SCREENED: " << path << ": " << manifest::describe(entry.position) << ": " << entry.reason << "\n";
  }
  ScreenManifestQuery query;
  query.manifestDigest = crypto::sha256(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  for (const auto& t : read->travellers) {
    ScreenPersonQuery q = manifest::screeningOf(t);
    if (!namesPerson(q)) {
      context.err << "NOT SCREENED: " << path << ": " << manifest::describe(t.position)
                  << ": neither a name nor a document number\n";
      continue;
    }
    query.travellers.push_back(std::move(q));
  }
  if (query.travellers.empty()) {
    context.err << "liaison: " << path << ": no traveller to screen\n";
    return kExitInvalid;
  }
  const auto& travellers = read->travellers;
  const size_t unreadable = read->unreadable.size();
  const int status = sendQuery(query, args, context, [&](const Response& response) {
    const auto results = byTraveller(response, query.travellers.size());
    size_t hits = 0;
    for (const auto& r : results) hits += r.hits.empty() ? 0 : 1;
    if (args.flag("json")) {
      Json json;
      json["manifest_digest"] = crypto::hex(query.manifestDigest);
      json["travellers"] = Json::array();
      for (size_t i = 0; i < results.size(); ++i) {
        Json t;
        t["index"] = i;
        t["position"] = manifest::describe(travellers[i].position);
        t["name"] = personLabel(query.travellers[i].person);
        t["result"] = results[i].hits.empty() ? "no hit" : "hit";
        t["best_score"] = results[i].best > 0 ? Json(results[i].best / 1000.0) : Json(nullptr);
        t["refs"] = Json::array();
        for (const Hit* hit : results[i].hits) t["refs"].push_back({{"kind", std::string(name(hit->kind))}, {"ref", hit->recordRef}});
        json["travellers"].push_back(std::move(t));
      }
      json["not_screened"] = unreadable;
      json["response"] = Json::parse(formatResponseJson(response));
      return json.dump() + "\n";
    }
    if (args.flag("csv")) {
      std::string out = "traveller,position,name,date_of_birth,document,result,best_score,refs\n";
      for (size_t i = 0; i < results.size(); ++i) {
        const auto& q = query.travellers[i];
        out += std::to_string(i) + "," + csvCell(manifest::describe(travellers[i].position)) + "," +
               csvCell(personLabel(q.person)) + "," + formatPartialDate(q.person.dateOfBirth) + "," +
               csvCell(q.documentNumber ? q.documentNumber->str() + " " + q.documentState : std::string()) + "," +
               (results[i].hits.empty() ? "no hit" : "hit") + "," +
               (results[i].best > 0 ? formatScore(results[i].best) : std::string()) + "," + csvCell(refsOf(results[i])) +
               "\n";
      }
      return out;
    }
    std::string out = "manifest " + crypto::hex(query.manifestDigest).substr(0, 16) + "…: " +
                      std::to_string(results.size()) + " travellers screened, " + std::to_string(hits) + " with hits" +
                      (unreadable > 0 ? ", " + std::to_string(unreadable) + " NOT SCREENED (see above)" : "") + "\n";
    for (size_t i = 0; i < results.size(); ++i) {
      const auto& q = query.travellers[i];
      char line[64];
      std::snprintf(line, sizeof line, "%4zu  ", i);
      out += line + personLabel(q.person) + "  " +
             (q.person.dateOfBirth.known() ? formatPartialDate(q.person.dateOfBirth) : std::string("?")) + "  " +
             (results[i].hits.empty() ? "no hit"
                                      : "HIT" + (results[i].best > 0 ? " " + formatScore(results[i].best) : std::string()) +
                                            "  " + refsOf(results[i])) +
             "\n";
    }
    for (const auto& w : response.withheld) out += "withheld: " + w + "\n";
    out += "answered by " + response.responder + "\naudit receipt: " + client::formatReceipt(response.receipt) + "\n";
    return out;
  });
  return status == kExitOk && unreadable > 0 ? kExitInvalid : status;
}

// --- screen compare ---------------------------------------------------------------------------

struct Tally {
  size_t truePositives = 0, falsePositives = 0, falseNegatives = 0, trueNegatives = 0;
};

int screenCompare(const Arguments& args, const CommandContext& context) {
  double threshold = screening::kNameMatchThreshold;
  if (auto t = args.option("threshold")) {
    char* end = nullptr;
    threshold = std::strtod(t->c_str(), &end);
    if (end == t->c_str() || *end != '\0' || !(threshold >= 0 && threshold <= 1)) {
      throw UsageError{"--threshold: '" + *t + "' is not a number from 0 to 1"};
    }
  }
  const bool csv = args.flag("csv");
  const bool json = args.flag("json");
  Tally tally;
  bool labelled = false;
  auto compare = [&](const std::string& a, const std::string& b, std::optional<bool> label) {
    const auto left = screening::normaliseName(a);
    const auto right = screening::normaliseName(b);
    const auto comparison = screening::compareNames(left, right);
    const bool match = comparison.score >= threshold;
    const std::string why = screening::explain(comparison, left, right);
    if (label) {
      labelled = true;
      if (match) (*label ? tally.truePositives : tally.falsePositives)++;
      else (*label ? tally.falseNegatives : tally.trueNegatives)++;
    }
    char score[16];
    std::snprintf(score, sizeof score, "%.3f", comparison.score);
    if (json) {
      Json line{{"name1", a}, {"name2", b}, {"score", std::stod(score)}, {"match", match}, {"explanation", why}};
      if (label) line["label"] = *label;
      context.out << line.dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
    } else if (csv) {
      context.out << csvCell(a) << "," << csvCell(b) << "," << score << "," << (match ? "match" : "no match") << ","
                  << csvCell(why) << "\n";
    } else {
      context.out << score << "  " << (match ? "MATCH   " : "no match") << "  " << a << "  |  " << b << "\n    " << why
                  << "\n";
    }
  };
  const auto names = args.positionals("NAME1 NAME2");
  if (csv) context.out << "name1,name2,score,decision,explanation\n";
  if (!names.empty()) {
    if (names.size() != 2) throw UsageError{"give two names, or none to read name1,name2[,label] lines from standard input"};
    compare(names[0], names[1], std::nullopt);
    return kExitOk;
  }
  CsvReader reader(context.in != nullptr ? *context.in : std::cin, CsvLimits{limits::kPersonNameBytes, 3});
  std::vector<std::string> fields;
  for (;;) {
    auto more = reader.next(fields);
    if (!more) {
      context.err << "liaison: standard input: " << more.error().message << "\n";
      return kExitInvalid;
    }
    if (!*more) break;
    if (fields.size() == 1 && fields[0].empty()) continue;  // a blank line
    if (fields.size() < 2) {
      context.err << "liaison: standard input: line " << reader.recordLine() << ": expected name1,name2[,label]\n";
      return kExitInvalid;
    }
    if (reader.recordLine() == 1 && fields[0] == "name1") continue;  // a header
    std::optional<bool> label;
    if (fields.size() == 3 && !fields[2].empty()) {
      const std::string& l = fields[2];
      if (l == "1" || l == "match" || l == "true" || l == "yes") label = true;
      else if (l == "0" || l == "no match" || l == "false" || l == "no") label = false;
      else {
        context.err << "liaison: standard input: line " << reader.recordLine() << ": label '" << l
                    << "' is not 1/0, match/no match, true/false or yes/no\n";
        return kExitInvalid;
      }
    }
    compare(fields[0], fields[1], label);
  }
  if (labelled) {
    const double tp = static_cast<double>(tally.truePositives);
    const double precision = tp + tally.falsePositives > 0 ? tp / (tp + tally.falsePositives) : 1.0;
    const double recall = tp + tally.falseNegatives > 0 ? tp / (tp + tally.falseNegatives) : 1.0;
    char summary[256];
    std::snprintf(summary, sizeof summary,
                  "threshold %.3f: precision %.3f, recall %.3f (%zu true matches found, %zu missed, %zu false "
                  "alerts, %zu true non-matches)\n",
                  threshold, precision, recall, tally.truePositives, tally.falseNegatives, tally.falsePositives,
                  tally.trueNegatives);
    (json || csv ? context.err : context.out) << summary;
  }
  return kExitOk;
}

const std::vector<OptionSpec> kSendOptions = {
    {"as", "CLIENT.toml", "who signs: the officer's (or partner's) client configuration", true},
    {"node", "URL", "the node, https://HOST:PORT", true},
    {"purpose", "P", "the declared purpose (default: the configuration's)"},
    {"case", "REF", "the case reference"},
    {"json", "", "print the answer as JSON (with --partners: one object per part, JSON lines)"},
    {"csv", "", "print one CSV row per hit (person) or per traveller (manifest)"},
    {"partners", "all|ID,ID", "screen at these partners too, through the own node"},
    {"local", "", "with --partners: the own node screens too"},
};

std::vector<OptionSpec> withSendOptions(std::vector<OptionSpec> own) {
  own.insert(own.end(), kSendOptions.begin(), kSendOptions.end());
  return own;
}

}  // namespace

Command screenCommand() {
  return Command{
      .name = "screen",
      .summary = "screen a person or a passenger manifest against notices and watchlists; compare two names",
      .details = "Screening always needs a name (in any script) or a document number: never nationality, sex or "
                 "date of birth alone.\n",
      .subcommands =
          {
              Command{
                  .name = "person",
                  .summary = "screen one person: hits ranked by score, with why (officers under a details rule)",
                  .details = "Names may be in any script and in any order; a date of birth may be partial (YYYY or "
                             "YYYY-MM). Partners under a hit rule learn hit or no hit and references only.\n"
                             "exit status: 0 answered, 1 failed, 2 usage error, 3 refused, 4 invalid, 5 fork\n"
                             "example: liaison screen person --name 'Тарас Шевченко' --date-of-birth 1961 "
                             "--nationality UKR --node https://127.0.0.1:8443 --as officer.toml\n",
                  .options = withSendOptions({
                      {"name", "NAME", "a whole name, any script (repeat for aliases)", false, "", true},
                      {"family-name", "NAME", "the family name"},
                      {"given-names", "NAMES", "the given names"},
                      {"date-of-birth", "YYYY[-MM[-DD]]", "date of birth, full or partial"},
                      {"sex", "female|male", "sex"},
                      {"nationality", "ICAO,ICAO", "nationalities"},
                      {"document", "NUMBER", "a travel document number (checked against watchlisted documents)"},
                      {"document-state", "ICAO", "the document's issuing state"},
                  }),
                  .run = screenPerson,
                  .loadsSecretKeys = true,
              },
              Command{
                  .name = "manifest",
                  .summary = "screen every traveller of a PAXLST, JSON or CSV manifest in one request",
                  .details = "Prints one line per traveller: hit or no hit, the best score, the references. "
                             "PAXLST is read leniently (a warning per quirk on standard error); a traveller the "
                             "file does not let us read is reported as NOT SCREENED, never dropped silently, and "
                             "the exit status is then 4. --strict refuses such a file instead.\n"
                             "exit status: 0 answered, 1 failed, 2 usage error, 3 refused, 4 invalid or a traveller "
                             "not screened, 5 fork\n",
                  .positionals = {{"FILE", "the manifest: PAXLST, JSON or CSV (see README)", true}},
                  .options = withSendOptions({
                      {"format", "detect|paxlst|json|csv", "the file's format (default: detect)"},
                      {"strict", "", "refuse a PAXLST file at its first quirk"},
                  }),
                  .run = screenManifest,
                  .loadsSecretKeys = true,
              },
              Command{
                  .name = "compare",
                  .summary = "score two names as screening does, and say why",
                  .details = "With two names, compares them; without, reads CSV lines name1,name2[,label] from "
                             "standard input (label 1/0: then precision and recall at the threshold are printed "
                             "at the end, for calibrating on your own labelled pairs). No node is asked.\n",
                  .positionals = {{"NAME1 NAME2", "two names, any script", false, true}},
                  .options =
                      {
                          {"threshold", "T", "the match threshold, 0..1 (default: the engine's)"},
                          {"csv", "", "print CSV: name1,name2,score,decision,explanation"},
                          {"json", "", "print one JSON object per pair"},
                      },
                  .run = screenCompare,
              },
          },
  };
}

}  // namespace liaison::cli
