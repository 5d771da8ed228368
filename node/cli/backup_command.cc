// `liaison backup` and `liaison restore`: a node's databases (main, health, justice, each dumped on
// its own with pg_dump) and its files (configuration, keys, TLS identity, policy, directory, the
// state folder with partners' tree heads) into a new owner-only directory with a manifest of
// SHA-256 digests; and back, into empty databases, after every digest has been checked.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "adapters/database_dump.h"
#include "adapters/migrate.h"
#include "crypto/digest.h"
#include "node/cli/backup_files.h"
#include "node/cli/command_audit.h"
#include "node/cli/commands.h"
#include "node/cli/database_options.h"
#include "node/cli/exit_codes.h"
#include "node/config.h"

namespace liaison::cli {
namespace {

namespace fs = std::filesystem;
using backup::Directory;
using backup::Manifest;
using backup::NodeFilePart;

constexpr Database kDatabases[] = {Database::main, Database::health, Database::justice};
constexpr size_t kMaxManifestBytes = 16u << 20;
constexpr size_t kMaxStateFiles = 100'000;

int failed(const CommandContext& context, const std::string& message) {
  context.err << "liaison: " << message << "\n";
  return kExitFailure;
}

fs::path absolutePath(const fs::path& path) { return fs::absolute(path).lexically_normal(); }

// Every file the node reads or keeps, with its kind: what a node needs to start again elsewhere.
Result<std::vector<std::pair<std::string, fs::path>>> nodeFiles(const node::NodeConfig& config) {
  std::vector<std::pair<std::string, fs::path>> files{{"config", config.file},
                                                      {"signing-key", config.signingKey},
                                                      {"tls-certificate", config.tlsCertificate},
                                                      {"tls-key", config.tlsKey},
                                                      {"policy", config.policy}};
  if (!config.directory.empty()) files.emplace_back("directory", config.directory);
  for (const auto& anchor : config.directoryAnchors) files.emplace_back("directory-anchor", anchor);
  for (const auto& officer : config.officers) files.emplace_back("officer-key", officer.publicKey);
  for (const auto& peer : config.peers) {
    files.emplace_back("peer-key", peer.signingPublicKey);
    if (!peer.tlsCertificate.empty()) files.emplace_back("peer-certificate", peer.tlsCertificate);
  }
  if (!config.stateDir.empty() && fs::exists(config.stateDir)) {
    std::error_code ec;
    size_t count = 0;
    for (auto it = fs::recursive_directory_iterator(config.stateDir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->is_symlink()) return fail(ErrorKind::invalidInput, it->path().string() + ": a symlink in the state folder; a node writes none there");
      if (it->is_directory()) continue;
      if (++count > kMaxStateFiles) return fail(ErrorKind::invalidInput, config.stateDir.string() + ": more than 100000 files");
      files.emplace_back("state", it->path());
    }
    if (ec) return fail(ErrorKind::unavailable, config.stateDir.string() + ": " + ec.message());
  }
  std::set<fs::path> seen;
  std::vector<std::pair<std::string, fs::path>> unique;
  for (auto& [kind, path] : files) {
    if (seen.insert(absolutePath(path)).second) unique.emplace_back(kind, absolutePath(path));
  }
  return unique;
}

// The databases a backup reads: --db and friends, else the configuration's, else $LIAISON_DB.
store::DatabaseTarget backupTarget(const Arguments& args, const node::NodeConfig& config) {
  store::DatabaseTarget target = databaseTarget(args);
  if (!args.option("db")) {
    if (!config.database.empty()) target.conninfo = config.database;
    if (!args.option("health-db")) target.healthConninfo = config.healthDatabase;
    if (!args.option("justice-db")) target.justiceConninfo = config.justiceDatabase;
  }
  return target;
}

int runBackup(const Arguments& args, const CommandContext& context) {
  ::umask(077);
  auto config = node::loadNodeConfig(args.require("config"));
  if (!config) return failed(context, config.error().message);
  const store::DatabaseTarget target = backupTarget(args, *config);
  if (Status role = store::checkDumpRole(target, false); !role) return failed(context, role.error().message);
  auto files = nodeFiles(*config);
  if (!files) return failed(context, files.error().message);

  Manifest manifest;
  manifest.member = config->member;
  manifest.created = formatTimestamp(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  std::set<std::string> names;
  for (Database database : kDatabases) {
    auto facts = store::describeDatabase(target, database);
    if (!facts) return failed(context, facts.error().message);
    if (!names.insert(facts->name).second) {
      return failed(context, "the " + std::string(name(database)) + " database is " + facts->name +
                                 ", which is another compartment's too; the firewalled compartments need databases of their own");
    }
    manifest.databases.push_back({{}, *facts});
  }

  auto out = Directory::create(args.require("out"));
  if (!out) return failed(context, out.error().message);
  // A backup reads every record of every compartment: audited first, so the entry is in the backup.
  const CommandLineAccess access{config->member, Decision::permitted,
                                 "backup of the main, health and justice databases and the node's files into " +
                                     absolutePath(out->path()).string(), {}, {}};
  if (Status audited = auditCommandLine(target, context.origin, access); !audited) {
    ::rmdir(out->path().c_str());
    return failed(context, "the backup could not be audited, so nothing was read: " + audited.error().message);
  }
  const std::string incomplete = "; the incomplete backup in " + out->path().string() + " has no " +
                                 backup::kManifestName + " and restore refuses it: delete it";
  for (auto& db : manifest.databases) {
    const std::string file = std::string(name(db.facts.database)) + ".dump";
    auto fd = out->createFile(file);
    if (!fd) return failed(context, fd.error().message + incomplete);
    Status dumped = store::dumpDatabase(target, db.facts.database, *fd);
    if (dumped && ::fsync(*fd) != 0) dumped = fail(ErrorKind::unavailable, file + ": fsync failed");
    ::close(*fd);
    if (!dumped) return failed(context, "dumping the " + std::string(name(db.facts.database)) + " database " + db.facts.name +
                                            ": " + dumped.error().message + incomplete);
    auto part = out->measure(file);
    if (!part) return failed(context, part.error().message + incomplete);
    db.part = *part;
    context.out << "dumped the " << name(db.facts.database) << " database " << db.facts.name << " (schema version "
                << db.facts.schemaVersion << ") to " << file << ", " << part->bytes << " bytes\n";
  }
  size_t index = 0;
  for (const auto& [kind, path] : *files) {
    NodeFilePart part;
    part.kind = kind;
    const std::string file = "files/" + std::to_string(index++) + "-" + path.filename().string();
    if (Status copied = backup::copyIntoBackup(path, *out, file, part); !copied) {
      return failed(context, copied.error().message + incomplete);
    }
    manifest.files.push_back(std::move(part));
  }
  const std::string manifestText = backup::manifestJson(manifest);
  if (Status written = out->writeFile(backup::kManifestName, manifestText); !written) {
    return failed(context, written.error().message + incomplete);
  }
  const std::vector<uint8_t> bytes(manifestText.begin(), manifestText.end());
  context.out << "copied " << manifest.files.size() << " node files (configuration, keys, TLS identity, policy, "
              << "directory, state) to files/\n"
              << "backup of " << manifest.member << " complete in " << out->path().string() << " (mode 0700)\n"
              << "manifest sha256 " << crypto::hex(crypto::sha256(bytes))
              << " (keep it apart from the backup: `liaison restore --manifest-sha256` checks it)\n";
  return kExitOk;
}

// Checks every part of the backup against the manifest: present, regular, of its size and digest;
// and nothing else in the directory. Every problem is named.
Status checkBackup(Directory& backup, const Manifest& manifest) {
  std::set<std::string> listed;
  std::string problems;
  auto check = [&](const backup::Part& part) {
    listed.insert(part.file);
    auto found = backup.measure(part.file);
    if (!found) {
      problems += "\n  " + found.error().message;
    } else if (found->bytes != part.bytes || found->sha256 != part.sha256) {
      problems += "\n  " + (backup.path() / part.file).string() + ": SHA-256 " + found->sha256 + " (" +
                  std::to_string(found->bytes) + " bytes), but the manifest says " + part.sha256 + " (" +
                  std::to_string(part.bytes) + " bytes): corrupted or altered";
    }
  };
  for (const auto& db : manifest.databases) check(db.part);
  for (const auto& file : manifest.files) check(file.part);
  auto present = backup.listFiles();
  if (!present) return present.error();
  for (const std::string& file : *present) {
    if (file != backup::kManifestName && !listed.contains(file)) {
      problems += "\n  " + (backup.path() / file).string() + ": not in the manifest";
    }
  }
  std::set<Database> databases;
  for (const auto& db : manifest.databases) databases.insert(db.facts.database);
  if (databases.size() != manifest.databases.size() || databases.size() != std::size(kDatabases)) {
    problems += "\n  the manifest does not list the main, health and justice databases once each";
  }
  if (problems.empty()) return {};
  return fail(ErrorKind::conflict, "the backup in " + backup.path().string() + " is damaged; nothing was restored:" + problems);
}

int runRestore(const Arguments& args, const CommandContext& context) {
  ::umask(077);
  const bool replace = args.flag("replace");
  auto backupDir = Directory::open(args.require("from"));
  if (!backupDir) return failed(context, backupDir.error().message);
  auto text = backupDir->readFile(backup::kManifestName, kMaxManifestBytes);
  if (!text) {
    return failed(context, text.error().message + (text.error().kind == ErrorKind::notFound
                                                       ? " (a backup writes its manifest last: this one is incomplete)"
                                                       : ""));
  }
  if (auto expected = args.option("manifest-sha256")) {
    const std::string actual = crypto::hex(crypto::sha256(std::vector<uint8_t>(text->begin(), text->end())));
    if (!crypto::parseHexDigest(*expected) || crypto::parseHexDigest(*expected) != crypto::parseHexDigest(actual)) {
      return failed(context, (backupDir->path() / backup::kManifestName).string() + ": SHA-256 " + actual +
                                 ", not the " + *expected + " given; nothing was restored");
    }
  }
  auto manifest = backup::parseManifest(*text);
  if (!manifest) return failed(context, manifest.error().message);
  if (Status whole = checkBackup(*backupDir, *manifest); !whole) return failed(context, whole.error().message);

  // Where things go, checked before anything is written.
  const store::DatabaseTarget target = databaseTarget(args);
  const fs::path root = args.option("root") ? absolutePath(*args.option("root")) : fs::path();
  std::string refusals;
  for (const auto& db : manifest->databases) {
    const int newest = embeddedMigrations(db.facts.database).back().version;
    if (db.facts.schemaVersion > newest) {
      refusals += "\n  the " + std::string(name(db.facts.database)) + " database of the backup is at schema version " +
                  std::to_string(db.facts.schemaVersion) + ", newer than this binary's " + std::to_string(newest) +
                  ": restore with that version of liaison";
    }
    auto contents = store::inspectDatabase(target, db.facts.database);
    if (!contents) return failed(context, contents.error().message);
    if (!contents->empty() && !replace) {
      refusals += "\n  the " + std::string(name(db.facts.database)) + " database " +
                  store::databaseName(target, db.facts.database).value_or("") + " is not empty (" +
                  std::to_string(contents->tables) + " tables, " + std::to_string(contents->schemas) +
                  " schemas); restore refuses to overwrite it (drop it, name another with --db, or pass --replace)";
    }
  }
  std::vector<fs::path> destinations;
  for (const auto& file : manifest->files) {
    destinations.push_back(root.empty() ? file.path : root / file.path.relative_path());
    if (backup::sameFile(destinations.back(), file.part)) continue;  // already there, byte for byte
    std::error_code ec;
    if (fs::symlink_status(destinations.back(), ec).type() != fs::file_type::not_found && !replace) {
      refusals += "\n  " + destinations.back().string() + " already exists and differs from the backup's; restore "
                  "refuses to overwrite it (--replace does)";
    }
  }
  if (!refusals.empty()) return failed(context, "nothing was restored:" + refusals);
  if (Status role = store::checkDumpRole(target, true); !role) return failed(context, role.error().message);

  store::DatabaseTarget cluster = target;  // the main database may not exist yet
  cluster.conninfo += " dbname=postgres";
  if (Status roles = store::ensureRoles(cluster); !roles) return failed(context, roles.error().message);
  for (const auto& db : manifest->databases) {
    const std::string label = std::string(name(db.facts.database)) + " database " +
                              store::databaseName(target, db.facts.database).value_or("");
    if (Status ready = store::prepareDatabase(target, db.facts, replace); !ready) return failed(context, ready.error().message);
    if (Status restored = store::restoreDatabase(target, db.facts.database, backupDir->path() / db.part.file); !restored) {
      return failed(context, "restoring the " + label + " from " + db.part.file + ": " + restored.error().message);
    }
    context.out << "restored the " << label << " from " << db.part.file << "\n";
  }
  // Brings an older backup to this binary's schema, and closes the cluster's statistics again.
  auto migrated = store::migrate(target);
  if (!migrated) return failed(context, "after the restore: " + migrated.error().message);
  for (const std::string& note : migrated->notes) context.out << note << "\n";
  for (size_t i = 0; i < manifest->files.size(); ++i) {
    if (backup::sameFile(destinations[i], manifest->files[i].part)) continue;
    if (Status copied = backup::copyOutOfBackup(*backupDir, manifest->files[i], destinations[i], replace); !copied) {
      return failed(context, copied.error().message);
    }
  }
  const CommandLineAccess access{manifest->member, Decision::permitted,
                                 "restored the backup of " + manifest->created + " from " +
                                     absolutePath(backupDir->path()).string(), {}, {}};
  if (Status audited = auditCommandLine(target, context.origin, access); !audited) {
    return failed(context, "the restore could not be audited: " + audited.error().message);
  }
  context.out << "restored " << manifest->files.size() << " node files of " << manifest->member << " (backup of "
              << manifest->created << ")" << (root.empty() ? "" : " under " + root.string()) << "\n";
  if (Status firewall = store::checkDatabaseFirewall(target); !firewall) {
    return failed(context, firewall.error().message);
  }
  context.out << "the firewall holds: liaison_enforcement cannot connect to the health or justice database\n";
  return kExitOk;
}

}  // namespace

Command backupCommand() {
  std::vector<OptionSpec> options = {
      {"config", "NODE.toml", "the node configuration: its databases, keys, TLS identity, policy, directory and state_dir are backed up", true},
      {"out", "DIR", "a new directory for the backup (created with mode 0700; an existing path, even empty, is refused)", true},
  };
  for (auto& option : databaseOptions()) options.push_back(option);
  options.back().help = "role that runs pg_dump: a superuser or a role with BYPASSRLS (default: liaison_admin)";
  return Command{
      .name = "backup",
      .summary = "back up a node: pg_dump of its main, health and justice databases, and its files",
      .details = "Dumps each database on its own (pg_dump, custom format) and copies the configuration, the\n"
                 "signing key, the TLS identity, the policy, the directory and its anchors, the officers' and\n"
                 "partners' public keys and the state_dir, each file mode 0600, then writes MANIFEST.json with\n"
                 "every part's size and SHA-256. The databases default to the configuration's (else $LIAISON_DB).\n"
                 "The backup holds the node's secret keys: keep it offline (README, \"Backups and restore\").\n"
                 "exit status: 0 complete, 1 failed (an incomplete backup has no manifest), 2 usage error\n",
      .options = options,
      .run = runBackup,
      .loadsSecretKeys = true,
  };
}

Command restoreCommand() {
  std::vector<OptionSpec> options = {
      {"from", "DIR", "the backup directory (`liaison backup --out`)", true},
      {"root", "DIR", "restore the node's files under DIR (DIR/etc/liaison/...) instead of where they were", false},
      {"replace", "", "drop and recreate databases that are not empty and overwrite existing files (default: refuse, naming them)", false},
      {"manifest-sha256", "HEX", "refuse unless MANIFEST.json has this digest (as `backup` printed it)", false},
  };
  for (auto& option : databaseOptions()) options.push_back(option);
  options.back().help = "superuser role that runs pg_restore (default: liaison_admin)";
  return Command{
      .name = "restore",
      .summary = "restore a node's backup into empty databases and put its files back",
      .details = "Checks every part against MANIFEST.json first (size and SHA-256; a missing, altered or\n"
                 "unlisted file is named and nothing is restored), refuses databases that are not empty and\n"
                 "files that exist (unless --replace), then creates Liaison's roles where missing, restores\n"
                 "the main, health and justice databases each into its own database (--db, --health-db,\n"
                 "--justice-db as for `liaison migrate`), runs the migrations, and puts the files back.\n"
                 "exit status: 0 restored, 1 refused or failed, 2 usage error\n",
      .options = options,
      .run = runRestore,
      .loadsSecretKeys = true,
  };
}

}  // namespace liaison::cli
