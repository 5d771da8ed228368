// The `liaison` command: wires the modules together and nothing else.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "adapters/document_import.h"
#include "adapters/migrate.h"
#include "adapters/store.h"
#include "crypto/keys.h"
#include "node/cli_args.h"
#include "node/policy_command.h"
#include "node/query_command.h"
#include "node/tls_command.h"
#include "schema/migrations.h"

namespace liaison {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

constexpr const char* kUsage = R"(usage: liaison <command> [options]

commands:
  keygen --out DIR/NAME          write an Ed25519 key pair: NAME.key (mode 0600) and NAME.pub
  migrate                        create or upgrade the database schema (idempotent)
  import documents FILE.csv --owner MEMBER [--visible-to M1,G2] [--handling h0|h1|h2|h3]
                                 [--retention-years N]
                                 load lost/stolen travel documents in one transaction
  records list KIND --member MEMBER [--limit N] [--offset N]
                                 show records of KIND that MEMBER may see
  records count KIND --member MEMBER
  tls-cert --out DIR/NAME --name CN [--days N]
                                 write a self-signed Ed25519 TLS identity: NAME.crt and NAME.tlskey (0600)
  tls-pin FILE.crt               print the SPKI pin (sha256:...) of a certificate
  node --config NODE.toml        serve signed queries over TLS 1.3 until SIGTERM
  query --as CLIENT.toml --node URL [--purpose P] [--case REF] [--json] KIND ARGS...
                                 sign a query, send it, verify and print the answer; KIND ARGS is one of
                                   check-document NUMBER STATE [TYPE]
                                   get-record RECORD_KIND REF
                                   list-movements --document NUMBER | --family-name F --date-of-birth D
                                   health-record REF | justice-record REF
                                 exit 0 answered, 3 refused, 4 invalid, 1 failed
  policy check FILE              check a policy file: every problem with its line, or a summary
  policy explain FILE --member M --role R --purpose P --query Q [--compartment C] [--case REF]
                                 the decision for one question and the rules or firewalls behind it
  version                        print the version and the schema version this binary expects

database options (migrate, import, records):
  --db CONNINFO                  libpq connection string without user (default: $LIAISON_DB,
                                 else libpq's PGHOST/PGDATABASE environment)
  --db-admin ROLE                owner role that runs migrations (default: liaison_admin)

record kinds: notice, travel-document, movement, refusal, overstay, visa-decision,
              watchlist-person, watchlist-document, health-record, justice-record
)";

using node::Arguments;
using node::UsageError;

store::DatabaseTarget databaseTarget(const Arguments& args) {
  store::DatabaseTarget target;
  if (auto db = args.option("db")) {
    target.conninfo = *db;
  } else if (const char* env = std::getenv("LIAISON_DB")) {
    target.conninfo = env;
  }
  if (auto admin = args.option("db-admin")) target.adminUser = *admin;
  return target;
}

int report(const Error& error) {
  std::cerr << "liaison: " << error.message << "\n";
  return kExitFailure;
}

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) items.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return items;
}

Date today() { return Date{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())}; }

// --- commands ----------------------------------------------------------------------------------

int keygen(const Arguments& args) {
  args.allowOnly({"out"});
  std::string out = args.require("out");
  auto pair = crypto::generateKeyPair();
  if (auto status = crypto::writeKeyFiles(out, pair); !status) return report(status.error());
  std::cout << "wrote " << out << ".key (0600) and " << out << ".pub\n"
            << "key id " << pair.publicKey.id().hex() << "\n";
  return kExitOk;
}

int migrateCommand(const Arguments& args) {
  args.allowOnly({"db", "db-admin"});
  auto result = store::migrate(databaseTarget(args));
  if (!result) return report(result.error());
  if (result->applied.empty()) {
    std::cout << "schema is up to date at version " << result->versionAfter << "\n";
  } else {
    std::cout << "migrated schema from version " << result->versionBefore << " to " << result->versionAfter << ":";
    for (const auto& name : result->applied) std::cout << " " << name;
    std::cout << "\n";
  }
  return kExitOk;
}

int importCommand(const Arguments& args) {
  if (args.positional.size() != 3 || args.positional[1] != "documents") {
    throw UsageError{"usage: liaison import documents FILE.csv --owner MEMBER"};
  }
  args.allowOnly({"db", "db-admin", "owner", "visible-to", "handling", "retention-years"});
  importers::ImportOptions options;
  options.owner = args.require("owner");
  options.visibleTo = splitList(args.option("visible-to").value_or(""));
  if (auto handling = args.option("handling")) {
    auto code = parseHandlingCode(*handling);
    if (!code) throw UsageError{"--handling must be h0, h1, h2 or h3"};
    options.handling = *code;
  }
  auto years = args.number("retention-years", 10, 100);
  Date now = today();
  options.retentionUntil = now + std::chrono::years(static_cast<int>(years));
  if (!options.retentionUntil.ok()) options.retentionUntil = now.year() / now.month() / std::chrono::last;  // 29 Feb

  const std::string& path = args.positional[2];
  std::ifstream file(path, std::ios::binary);
  if (!file) return report(fail(ErrorKind::invalidInput, path + ": cannot open the file"));
  auto result = importers::importDocuments(databaseTarget(args), file, path, options);
  if (!result) return report(result.error());
  std::cout << path << ": " << result->rowsRead << " rows read, " << result->rowsInserted << " new, "
            << (result->rowsRead - result->rowsInserted) << " already present\n";
  return kExitOk;
}

void printRecord(const Record& record) {
  const RecordMeta& meta = metaOf(record);
  if (const auto* doc = std::get_if<TravelDocument>(&record)) {
    std::cout << meta.ref << "  " << doc->number.str() << "  " << doc->issuingState << "  " << name(doc->type)
              << "  " << name(doc->fraudType) << "  reported " << formatDate(doc->reportDate) << "  owner "
              << meta.owner << "\n";
    return;
  }
  std::cout << meta.ref << "  " << name(kindOf(record)) << "  owner " << meta.owner << "  handling "
            << name(meta.handling) << "  retained until " << formatDate(meta.retentionUntil) << "\n";
}

int recordsCommand(const Arguments& args) {
  if (args.positional.size() != 3 || (args.positional[1] != "list" && args.positional[1] != "count")) {
    throw UsageError{"usage: liaison records list|count KIND --member MEMBER"};
  }
  args.allowOnly({"db", "db-admin", "member", "limit", "offset"});
  auto kind = parseRecordKind(args.positional[2]);
  if (!kind) throw UsageError{"unknown record kind '" + args.positional[2] + "'"};
  std::string member = args.require("member");
  store::RecordStore store(databaseTarget(args));
  if (args.positional[1] == "count") {
    auto n = store.count(member, *kind);
    if (!n) return report(n.error());
    std::cout << *n << "\n";
    return kExitOk;
  }
  auto records = store.list(member, *kind, args.number("limit", 20, 10'000), args.number("offset", 0, 1u << 31));
  if (!records) return report(records.error());
  for (const auto& record : *records) printRecord(record);
  return kExitOk;
}

int run(int argc, char** argv) {
  const std::vector<std::string> words(argv + 1, argv + argc);
  if (words.empty()) throw UsageError{"no command given"};
  const std::string& command = words[0];
  const std::vector<std::string> rest(words.begin() + 1, words.end());
  // Commands that parse their own arguments.
  if (command == "policy") return runPolicyCommand(rest, std::cout, std::cerr);
  if (command == "tls-cert" || command == "tls-pin") return net::runTlsCommand(words, std::cout, std::cerr);
  if (command == "node") return node::runNodeCommand(rest, std::cout, std::cerr);
  if (command == "query") return node::runQueryCommand(rest, std::cout, std::cerr);
  Arguments args = Arguments::parse(words);
  if (command == "keygen") return keygen(args);
  if (command == "migrate") return migrateCommand(args);
  if (command == "import") return importCommand(args);
  if (command == "records") return recordsCommand(args);
  if (command == "version") {
    std::cout << "liaison 0.1.0, schema version " << embeddedMigrations().back().version << "\n";
    return kExitOk;
  }
  if (command == "help") {
    std::cout << kUsage;
    return kExitOk;
  }
  throw UsageError{"unknown command '" + command + "'"};
}

}  // namespace
}  // namespace liaison

int main(int argc, char** argv) {
  try {
    return liaison::run(argc, argv);
  } catch (const liaison::UsageError& e) {
    std::cerr << "liaison: " << e.message << "\n\n" << liaison::kUsage;
    return liaison::kExitUsage;
  }
}
