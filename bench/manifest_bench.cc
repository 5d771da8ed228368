// A passenger manifest end to end through the node: a PAXLST interchange of T travellers (default
// 500) screened against N identities (default 1,000,000 notices and watchlist persons) and M lost or
// stolen travel documents (default 1,000,000), as `liaison screen manifest` does it: read the file,
// build the screen-manifest query, sign it, send it over pinned TLS to a node running in this
// process, which screens every traveller in its in-memory index, looks up every document, appends
// one audit entry and signs the answer, which the client verifies.
//
//   build/bin/liaison_bench_manifest [--identities N] [--documents M] [--travellers T] [--repeats R]
//                                    [--data DIR]
//
// Prints how long loading (COPY) and the node's start (the screening index build) took, p50/p99 of
// one manifest end to end over R repeats after a warm-up (goal < 1 s), the hits found, and the bound
// measured in the same run: one signed check-document through the same node.
// The identities are bench/synthetic_watchlist.h's (names in several scripts from ../shared/data);
// every one is visible to XA-POLICE, whose officer sends the manifest. The manifest's travellers
// are Latin (as machine-readable zones give them): about 5% variants of listed identities
// (misspelled, family name first, or as listed), about 2% carrying a listed document number, the
// rest names composed from the same pools with unlisted documents.
// Run through scripts/bench, which starts PostgreSQL.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <pqxx/pqxx>
#include <pqxx/tablewriter>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "adapters/manifest_file.h"
#include "bench/bench_support.h"
#include "bench/synthetic_watchlist.h"
#include "crypto/digest.h"
#include "crypto/keys.h"
#include "node/client/query_client.h"
#include "node/net/tls_identity.h"
#include "node/node.h"
#include "schema/limits.h"

namespace liaison::bench {
namespace {

constexpr const char* kPolicy = R"(self = "XA-POLICE"
purposes = ["border-check"]
[[member]]
id = "XB-BORDER"
[[firewall]]
name = "health-firewall"
compartment = "health"
roles = ["enforcement", "border", "immigration", "liaison"]
[[firewall]]
name = "justice-firewall"
compartment = "justice"
roles = ["enforcement", "border", "immigration", "liaison"]
[[rule]]
name = "own-frontline-screening"
members = ["XA-POLICE"]
roles = ["border"]
purposes = ["border-check"]
queries = ["check-document", "screen-person", "screen-manifest"]
compartments = ["documents", "notices", "watchlist"]
mode = "details"
)";

struct Options {
  size_t identities = 1'000'000;
  size_t documents = 1'000'000;
  size_t travellers = 500;
  size_t repeats = 20;
  std::string dataDir = std::string(LIAISON_SOURCE_DIR) + "/../shared/data";
};

Options parseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const std::string value = argv[i + 1];
    if (key == "--identities") o.identities = std::stoul(value);
    else if (key == "--documents") o.documents = std::stoul(value);
    else if (key == "--travellers") o.travellers = std::stoul(value);
    else if (key == "--repeats") o.repeats = std::stoul(value);
    else if (key == "--data") o.dataDir = value;
    else {
      std::fprintf(stderr, "unknown option %s\n", key.c_str());
      std::exit(2);
    }
  }
  if (o.identities == 0 || o.documents == 0 || o.travellers == 0 || o.repeats == 0) {
    std::fprintf(stderr, "identities, documents, travellers and repeats must be positive\n");
    std::exit(2);
  }
  return o;
}

const char* kStates[] = {"UKR", "RUS", "AFG", "IRQ", "SYR", "CHN", "KOR", "ISR", "DEU", "FRA"};

std::string documentNumber(size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "B%08zu", i);
  return buf;
}
const char* documentState(size_t i) { return kStates[i % std::size(kStates)]; }

// A text[] literal in COPY text format, each element quoted (quotes and backslashes dropped).
std::string copyArray(const std::vector<std::string>& values) {
  std::string array = "{";
  for (const auto& value : values) {
    if (array.size() > 1) array += ',';
    array += '"';
    for (char c : copyField(value)) {
      if (c != '"') array += c;
    }
    array += '"';
  }
  return array + "}";
}

// Family name (the last token) and given names of a whole synthetic name.
std::pair<std::string, std::string> splitName(const std::string& name) {
  const size_t space = name.rfind(' ');
  if (space == std::string::npos) return {name, ""};
  return {name.substr(space + 1), name.substr(0, space)};
}

// Loads the identities (one in three a watchlist person, the rest notices, as generated; every one
// visible to XA-POLICE) and the documents with COPY as the database owner; the statement triggers
// note the rows for the screening index as an import would.
double load(const store::DatabaseTarget& target, const std::vector<Synthetic>& identities, size_t documents) {
  pqxx::connection admin(store::conninfoFor(target, store::DbRole::admin));
  const auto started = Clock::now();
  pqxx::work tx(admin);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  {
    const std::vector<std::string> columns{"owner_member", "visible_to", "handling_code", "retention_until",
                                                       "colour", "notice_id", "family_name", "given_names",
                                                       "date_of_birth", "sex", "nationality", "aliases"};
    pqxx::tablewriter notices(tx, "notices.notices", columns.begin(), columns.end());
    for (size_t i = 0; i < identities.size(); ++i) {
      const auto& r = identities[i].record;
      if (r.kind != screening::IdentityKind::notice) continue;
      std::vector<std::string> visible = r.visibleTo;
      if (r.owner != "XA-POLICE") visible.push_back("XA-POLICE");
      const auto [family, given] = splitName(r.names[0]);
      notices.write_raw_line(copyField(r.owner) + '\t' + copyArray(visible) + "\th1\t2036-01-01\tred\tN" +
                             std::to_string(i) + '\t' + copyField(family) + '\t' + copyField(given) + '\t' +
                             formatPartialDate(r.dateOfBirth) + '\t' + (r.sex == Sex::female ? "female" : "male") +
                             '\t' + r.nationalities.front() + '\t' +
                             copyArray(std::vector<std::string>(r.names.begin() + 1, r.names.end())));
    }
    notices.complete();
  }
  {
    const std::vector<std::string> columns{"owner_member", "visible_to", "handling_code", "retention_until",
                                                       "family_name", "given_names", "date_of_birth", "sex",
                                                       "nationality", "aliases", "reason_code"};
    pqxx::tablewriter persons(tx, "watchlist.persons", columns.begin(), columns.end());
    for (const auto& identity : identities) {
      const auto& r = identity.record;
      if (r.kind != screening::IdentityKind::watchlistPerson) continue;
      std::vector<std::string> visible = r.visibleTo;
      if (r.owner != "XA-POLICE") visible.push_back("XA-POLICE");
      const auto [family, given] = splitName(r.names[0]);
      persons.write_raw_line(copyField(r.owner) + '\t' + copyArray(visible) + "\th1\t2036-01-01\t" + copyField(family) +
                             '\t' + copyField(given) + '\t' + formatPartialDate(r.dateOfBirth) + '\t' +
                             (r.sex == Sex::female ? "female" : "male") + '\t' + r.nationalities.front() + '\t' +
                             copyArray(std::vector<std::string>(r.names.begin() + 1, r.names.end())) + "\tbench");
    }
    persons.complete();
  }
  {
    const std::vector<std::string> columns{"owner_member", "visible_to", "handling_code", "retention_until",
                                                    "number", "issuing_state", "document_type", "fraud_type",
                                                    "report_date"};
    pqxx::tablewriter docs(tx, "documents.travel_documents", columns.begin(), columns.end());
    for (size_t i = 0; i < documents; ++i) {
      docs.write_raw_line(std::string("XA-POLICE\t{}\th1\t2036-01-01\t") + documentNumber(i) + '\t' +
                          documentState(i) + "\tpassport\tstolen-blank\t2025-01-01");
    }
    docs.complete();
  }
#pragma GCC diagnostic pop
  tx.commit();
  const double seconds = secondsSince(started);
  pqxx::nontransaction vacuum(admin);
  vacuum.exec("VACUUM ANALYZE notices.notices");
  vacuum.exec("VACUUM ANALYZE watchlist.persons");
  vacuum.exec("VACUUM ANALYZE documents.travel_documents");
  return seconds;
}

// A name as a machine-readable zone gives it: ASCII capitals, or empty if the name has other letters.
std::string mrzForm(const std::string& name) {
  std::string out;
  for (unsigned char c : name) {
    if (std::isalpha(c)) out += static_cast<char>(std::toupper(c));
    else if (c == ' ' || c == '-') out += static_cast<char>(c);
    else if (c != '\'') return "";
  }
  return out;
}

// One traveller of the manifest and what the node should find for it.
struct Traveller {
  std::string family, given;
  PartialDate dateOfBirth;
  std::string nationality;
  std::string document, documentState;
  bool listedIdentity = false;
  bool listedDocument = false;
};

std::vector<Traveller> generateTravellers(const std::vector<NamePool>& pools, const std::vector<Synthetic>& identities,
                                          size_t count, size_t documents) {
  std::mt19937_64 random(500);
  std::vector<Traveller> travellers;
  size_t unlisted = 0;
  while (travellers.size() < count) {
    Traveller t;
    const size_t roll = random() % 100;
    std::string name;
    if (roll < 5) {
      const Synthetic& identity = identities[random() % identities.size()];
      const std::string latin = mrzForm(joinForms(identity.tokens, false));
      if (latin.empty()) continue;
      switch (random() % 3) {
        case 0: name = mrzForm(misspelled(joinForms(identity.tokens, false), random)); break;
        case 1: {
          // The family name first: the reader takes the last token as the family name.
          std::vector<const TokenForms*> reordered(identity.tokens.rbegin(), identity.tokens.rend());
          name = mrzForm(joinForms(reordered, false));
          break;
        }
        default: name = latin;
      }
      if (name.empty()) continue;
      t.dateOfBirth = identity.record.dateOfBirth;
      t.nationality = identity.record.nationalities.front();
      t.listedIdentity = true;
    } else {
      const NamePool& pool = pools[random() % pools.size()];
      name = mrzForm(pool.given[random() % pool.given.size()].latin + " " +
                     pool.family[random() % pool.family.size()].latin);
      if (name.empty() || name.find(' ') == std::string::npos) continue;
      t.dateOfBirth = randomDate(random);
      t.nationality = kStates[random() % std::size(kStates)];
    }
    if (t.dateOfBirth.month == 0) t.dateOfBirth = PartialDate{t.dateOfBirth.year, 6, 15};
    std::tie(t.family, t.given) = splitName(name);
    if (random() % 100 < 2) {
      const size_t listed = random() % documents;
      t.document = documentNumber(listed);
      t.documentState = documentState(listed);
      t.listedDocument = true;
    } else {
      char buf[32];
      std::snprintf(buf, sizeof buf, "C%08zu", unlisted++);
      t.document = buf;
      t.documentState = t.nationality;
    }
    travellers.push_back(std::move(t));
  }
  return travellers;
}

// A PAXLST interchange of one message (UNA, UNB, UNH, BGM, the flight, each traveller's NAD, ATT,
// DTM, NAT, DOC, DTM, LOC, then CNT, UNT, UNZ) in UNOA: ASCII capitals.
std::string paxlstOf(const std::vector<Traveller>& travellers) {
  std::vector<std::string> message = {"UNH+PAX001+PAXLST:D:05B:UN:IATA", "BGM+745", "NAD+MS+++ZZ AIRLINE API DESK",
                                      "TDT+20+ZZ1234+++ZZ",         "LOC+125+AMS",  "DTM+189:2612051030:201",
                                      "LOC+87+JFK",                 "DTM+232:2612051430:201"};
  for (const Traveller& t : travellers) {
    char dob[16];
    std::snprintf(dob, sizeof dob, "%04u%02u%02u", t.dateOfBirth.year, t.dateOfBirth.month, t.dateOfBirth.day);
    std::string given = t.given;
    std::replace(given.begin(), given.end(), ' ', ':');
    message.push_back("NAD+FL+++" + t.family + (given.empty() ? "" : ":" + given));
    message.push_back(std::string("ATT+2++") + (t.listedIdentity ? "M" : "F"));
    message.push_back(std::string("DTM+329:") + dob + ":102");
    message.push_back("NAT+2+" + t.nationality);
    message.push_back("DOC+P+" + t.document);
    message.push_back("DTM+36:310101");
    message.push_back("LOC+91+" + t.documentState);
  }
  message.push_back("CNT+42:" + std::to_string(travellers.size()));
  message.push_back("UNT+" + std::to_string(message.size() + 1) + "+PAX001");
  std::string text = "UNA:+.? 'UNB+UNOA:4+ZZAIRLINE:ZZ+UTOBORDER:ZZ+261205:0800+000000042++APIS'\n";
  for (const auto& segment : message) text += segment + "'\n";
  return text + "UNZ+1+000000042'\n";
}

// What `liaison screen manifest` sends for a manifest file (node/cli/screen_command.cc).
ScreenManifestQuery queryOf(const std::string& bytes) {
  const manifest::Manifest read = must(manifest::readManifest(bytes), "read the manifest");
  if (!read.unreadable.empty()) die("the generated manifest has an unreadable traveller: " + read.unreadable[0].reason);
  ScreenManifestQuery query;
  query.manifestDigest = crypto::sha256(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  for (const auto& t : read.travellers) query.travellers.push_back(manifest::screeningOf(t));
  return query;
}

int run(const Options& options) {
  const std::vector<NamePool> pools = loadNamePools(options.dataDir);
  const auto generating = Clock::now();
  const std::vector<Synthetic> identities = generateWatchlist(pools, options.identities);
  std::printf("generated %zu identities in %.1f s\n", identities.size(), secondsSince(generating));
  std::fflush(stdout);

  const store::DatabaseTarget target = freshDatabase("liaison_bench_manifest");
  const double loadSeconds = load(target, identities, options.documents);
  std::printf("loaded %zu identities and %zu documents with COPY in %.1f s (VACUUM ANALYZE not counted)\n",
              identities.size(), options.documents, loadSeconds);
  std::fflush(stdout);

  const std::filesystem::path dir = scratchFolder("bench-manifest");
  must(crypto::writeKeyFiles(dir / "officer", crypto::generateKeyPair()), "officer key");
  node::NodeConfig config = writeNodeFiles(dir, "XA-POLICE", kPolicy, target);
  config.officers.push_back(node::OfficerConfig{"officer-1", dir / "officer.pub", Role::border, {"border-check"}});
  // The officer's request rate and manifest budget (10/s, 20,000 travellers an hour by default)
  // guard against probing; they must not be what is measured.
  config.admission.officer = node::RateLimit{1e9, 1e9};
  config.admission.officerManifestTravellers = node::RateLimit{1e9, 1e9};
  std::ofstream nodeLog(dir / "node.log");
  const auto starting = Clock::now();
  auto running = must(node::Node::start(config, node::NodeOptions{{}, &nodeLog}), "start node");
  const double startSeconds = secondsSince(starting);
  std::printf("node started (screening index built from PostgreSQL) in %.1f s\n", startSeconds);
  std::fflush(stdout);

  client::ClientConfig officer;
  officer.member = "XA-POLICE";
  officer.pseudonym = "officer-1";
  officer.role = Role::border;
  officer.purpose = "border-check";
  officer.signingKey = dir / "officer.key";
  officer.nodePin = must(net::spkiPinOfCertificateFile(config.tlsCertificate), "pin");
  officer.nodePublicKey = dir / "node.pub";
  auto client = must(client::QueryClient::create(officer, "https://127.0.0.1:" + std::to_string(running->port())),
                     "client");

  const std::vector<Traveller> travellers =
      generateTravellers(pools, identities, options.travellers, options.documents);
  const std::string paxlst = paxlstOf(travellers);
  size_t listedIdentities = 0, listedDocuments = 0;
  for (const auto& t : travellers) {
    listedIdentities += t.listedIdentity ? 1 : 0;
    listedDocuments += t.listedDocument ? 1 : 0;
  }
  std::printf("manifest: PAXLST of %zu travellers, %zu bytes; %zu variants of listed identities, %zu listed documents\n",
              travellers.size(), paxlst.size(), listedIdentities, listedDocuments);

  // One manifest end to end: read, build, sign, send, screen, audit, sign, verify.
  size_t identityHits = 0, documentHits = 0, travellersWithHits = 0, foundIdentities = 0, foundDocuments = 0;
  auto screenOnce = [&] {
    const ScreenManifestQuery query = queryOf(paxlst);
    const auto answer = must(client->send(query, {}), "screen-manifest");
    if (answer.response.status != ResponseStatus::ok) die("screen-manifest refused: " + answer.response.reason);
    identityHits = documentHits = 0;
    std::set<uint32_t> withHits, identityFound, documentFound;
    for (const Hit& hit : answer.response.hits) {
      withHits.insert(hit.traveller);
      if (hit.kind == RecordKind::travelDocument) {
        ++documentHits;
        documentFound.insert(hit.traveller);
      } else {
        ++identityHits;
        identityFound.insert(hit.traveller);
      }
    }
    travellersWithHits = withHits.size();
    foundIdentities = foundDocuments = 0;
    for (uint32_t i : identityFound) foundIdentities += i < travellers.size() && travellers[i].listedIdentity ? 1 : 0;
    for (uint32_t i : documentFound) foundDocuments += i < travellers.size() && travellers[i].listedDocument ? 1 : 0;
  };
  // Warm-up: ICU's transliterators, the connection, PostgreSQL's caches.
  screenOnce();
  screenOnce();
  std::vector<double> manifestMs;
  for (size_t r = 0; r < options.repeats; ++r) {
    const auto started = Clock::now();
    screenOnce();
    manifestMs.push_back(microsSince(started) / 1000);
  }

  // Where the time goes: reading the file and building the query alone; the same query sent with
  // the names only (no document lookups) and with the documents only (no name screening).
  std::vector<double> parseMs, namesMs, documentsMs;
  {
    ScreenManifestQuery namesOnly = queryOf(paxlst), documentsOnly = namesOnly;
    for (auto& t : namesOnly.travellers) {
      t.documentNumber.reset();
      t.documentState.clear();
    }
    for (auto& t : documentsOnly.travellers) t.person = PersonIdentity{};
    for (size_t r = 0; r < options.repeats; ++r) {
      auto started = Clock::now();
      const ScreenManifestQuery parsed = queryOf(paxlst);
      parseMs.push_back(microsSince(started) / 1000);
      for (auto [query, timings] : {std::pair{&namesOnly, &namesMs}, std::pair{&documentsOnly, &documentsMs}}) {
        started = Clock::now();
        const auto answer = must(client->send(*query, {}), "screen-manifest");
        timings->push_back(microsSince(started) / 1000);
        if (answer.response.status != ResponseStatus::ok) die("screen-manifest refused: " + answer.response.reason);
      }
    }
  }

  // The bound: one signed check-document of a listed document through the same node and client.
  std::vector<double> checkMs;
  std::mt19937_64 random(1);
  for (size_t r = 0; r < std::max<size_t>(200, options.repeats); ++r) {
    const size_t listed = random() % options.documents;
    Query check = CheckDocumentQuery{DocumentNumber::parse(documentNumber(listed)).value(), documentState(listed),
                                     DocumentType::passport};
    const auto started = Clock::now();
    const auto answer = must(client->send(check, {}), "check-document");
    checkMs.push_back(microsSince(started) / 1000);
    if (answer.response.status != ResponseStatus::ok || answer.response.hits.empty()) die("check-document did not find a listed document: " + std::string(name(answer.response.status)) + " " + answer.response.reason);
  }
  running->stop();

  const Timings manifest = summarise(manifestMs);
  const Timings check = summarise(checkMs);
  std::printf("\nscreen-manifest end to end (read PAXLST, sign, send, screen %zu travellers against %zu identities "
              "and %zu documents, audit, verify), %zu repeats after a warm-up:\n",
              travellers.size(), identities.size(), options.documents, options.repeats);
  std::printf("  p50 %.0f ms, p99 %.0f ms, mean %.0f ms (goal < 1000 ms)\n", manifest.p50, manifest.p99, manifest.mean);
  std::printf("  hits: %zu travellers with hits; %zu identity hits (%zu of %zu listed variants found), %zu document "
              "hits (%zu of %zu listed documents found)\n",
              travellersWithHits, identityHits, foundIdentities, listedIdentities, documentHits, foundDocuments,
              listedDocuments);
  std::printf("  bound: one signed check-document through the same node p50 %.2f ms, p99 %.2f ms; a manifest is "
              "%.1f x that at p50 (%.2f ms per traveller, %.3f x the bound per traveller)\n",
              check.p50, check.p99, manifest.p50 / check.p50, manifest.p50 / static_cast<double>(travellers.size()),
              manifest.p50 / static_cast<double>(travellers.size()) / check.p50);
  std::printf("  where the time goes (p50): reading the PAXLST and building the query %.1f ms; the same query "
              "through the node with names only %.0f ms, with documents only %.0f ms\n",
              summarise(parseMs).p50, summarise(namesMs).p50, summarise(documentsMs).p50);
  std::printf("  setup: load %.1f s, node start with index build %.1f s\n", loadSeconds, startSeconds);
  std::filesystem::remove_all(dir);
  dropDatabase("liaison_bench_manifest");
  return 0;
}

}  // namespace
}  // namespace liaison::bench

int main(int argc, char** argv) { return liaison::bench::run(liaison::bench::parseOptions(argc, argv)); }
