// The `liaison` command: wires the modules together and nothing else.
#include <iostream>
#include <string>
#include <vector>

#include "crypto/secret_memory.h"
#include "node/cli/audit_command.h"
#include "node/cli/cli_args.h"
#include "node/cli/command_audit.h"
#include "node/cli/groups_command.h"
#include "node/cli/import_command.h"
#include "node/cli/keygen_command.h"
#include "node/cli/migrate_command.h"
#include "node/cli/mrz_command.h"
#include "node/cli/node_command.h"
#include "node/cli/notices_command.h"
#include "node/cli/paxlst_command.h"
#include "node/cli/policy_command.h"
#include "node/cli/purge_command.h"
#include "node/cli/query_command.h"
#include "node/cli/records_command.h"
#include "node/cli/tls_command.h"
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
  import KIND FILE --owner MEMBER [--visible-to M1,G2] [--handling h0|h1|h2|h3]
                                 [--retention-years N] [--rejects FILE]
                                 load a CSV file of KIND (documents, movements, refusals, overstays,
                                 visa-decisions, watchlist-persons, watchlist-documents, health-records,
                                 justice-records; layouts in docs/formats.md) in one transaction;
                                 with --rejects the good rows land and bad ones go to FILE
  import notices FILE.json... --owner MEMBER [--visible-to M1,G2] [--handling h0..h3]
                                 [--retention-years N] [--colour red|yellow|un-special]
                                 load INTERPOL public-notice API responses (list or detail JSON)
  purge --member MEMBER          delete records past their retention date, audited
  groups sync --policy FILE [--dry-run]
                                 make the database's visibility groups (who sees records shared with a
                                 group) the policy's [[group]] tables; prints + and - memberships, audited
  paxlst parse [--json] FILE     print the flight and travellers of a UN/EDIFACT PAXLST (API) interchange
  mrz parse [--json] LINE...     check and decode an ICAO 9303 machine-readable zone (TD1, TD2, TD3,
                                 MRV-A, MRV-B); exit 1 naming the field, position and expected check digit
  records list KIND --member MEMBER [--role enforcement|health|justice] [--limit N] [--offset N]
                                 show records of KIND that MEMBER may see, read as that database role;
                                 health and justice records need --role health / --role justice; audited
  records count KIND --member MEMBER [--role ...]
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
                                 exit 0 answered, 3 refused, 4 invalid, 5 fork in the node's audit log, 1 failed
  audit verify --node URL --as AUDITOR.toml [--heads DIR,DIR] [--state DIR]
                                 download the node's audit log, rehash every entry, check the signed root and
                                 every tree head seen (kept in the state folder, or collected in DIRs);
                                 exit 0 verified, 1 naming the first bad index, 5 fork
  audit prove RECEIPT --node URL --as AUDITOR.toml
                                 check that a receipt (LOG:INDEX:LEAFHASH) is included under the latest
                                 signed head; exit 0 included, 1 not included, 3 not yet under a head
  audit sth --node URL --as AUDITOR.toml        print the latest signed tree head
  audit search [QUERY] --node URL --as AUDITOR.toml
                                 search the log, e.g. 'member=XB-BORDER&decision=refused&format=csv'
  policy check FILE              check a policy file: every problem with its line, or a summary
  policy explain FILE --member M --role R --purpose P --query Q [--compartment C] [--case REF]
                                 the decision for one question and the rules or firewalls behind it
  version                        print the version and the schema version this binary expects

database options (migrate, import, records, purge, groups):
  --db CONNINFO                  libpq connection string without user (default: $LIAISON_DB,
                                 else libpq's PGHOST/PGDATABASE environment) of the main database
  --health-db CONNINFO, --justice-db CONNINFO
                                 the firewalled compartments' databases (default: the main one's
                                 name with _health / _justice appended, in the same cluster)
  --db-admin ROLE                owner role that runs migrations (default: liaison_admin)

record kinds: notice, travel-document, movement, refusal, overstay, visa-decision,
              watchlist-person, watchlist-document, health-record, justice-record
)";

using cli::Arguments;
using cli::UsageError;

int report(const Error& error) {
  std::cerr << "liaison: " << error.message << "\n";
  return kExitFailure;
}

// The commands that load or make a secret key (the node's, an officer's, a TLS private key).
bool handlesSecretKeys(const std::string& command) {
  return command == "node" || command == "query" || command == "audit" || command == "keygen" ||
         command == "tls-cert";
}

int run(int argc, char** argv) {
  const std::vector<std::string> words(argv + 1, argv + argc);
  if (words.empty()) throw UsageError{"no command given"};
  // Before any key is loaded: no core dump of this process, no reading its memory from another.
  if (handlesSecretKeys(words[0])) {
    if (Status protectedProcess = crypto::protectProcessSecrets(); !protectedProcess) {
      return report(protectedProcess.error());
    }
  }
  // Commands that read or write records audit who ran them and how.
  const store::CommandLineOrigin origin = cli::commandLineOrigin({argv, argv + argc});
  const std::string& command = words[0];
  const std::vector<std::string> rest(words.begin() + 1, words.end());
  // Commands that parse their own arguments.
  if (command == "policy") return cli::runPolicyCommand(rest, std::cout, std::cerr);
  if (command == "tls-cert" || command == "tls-pin") return cli::runTlsCommand(words, std::cout, std::cerr);
  if (command == "node") return cli::runNodeCommand(rest, std::cout, std::cerr);
  if (command == "query") return cli::runQueryCommand(rest, std::cout, std::cerr);
  if (command == "audit") return cli::runAuditCommand(rest, std::cout, std::cerr);
  if (command == "mrz") return cli::runMrzCommand(rest, std::cout, std::cerr);
  if (command == "paxlst") return cli::runPaxlstCommand(rest, std::cout, std::cerr);
  if (command == "groups")
    return cli::runGroupsCommand(Arguments::parse(words, {"dry-run"}), origin, std::cout, std::cerr);
  Arguments args = Arguments::parse(words);
  if (command == "keygen") return cli::runKeygenCommand(args, std::cout, std::cerr);
  if (command == "migrate") return cli::runMigrateCommand(args, std::cout, std::cerr);
  if (command == "import" && args.positional.size() >= 2 && args.positional[1] == "notices") {
    return cli::runImportNoticesCommand({args.positional.begin() + 2, args.positional.end()}, args.options, origin,
                                         std::cout, std::cerr);
  }
  if (command == "import") return cli::runImportCommand(args, origin, std::cout, std::cerr);
  if (command == "purge") return cli::runPurgeCommand(args, origin, std::cout, std::cerr);
  if (command == "records") return cli::runRecordsCommand(args, origin, std::cout, std::cerr);
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
  } catch (const liaison::cli::UsageError& e) {
    std::cerr << "liaison: " << e.message << "\n\n" << liaison::kUsage;
    return liaison::kExitUsage;
  }
}
