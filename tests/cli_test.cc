// The `liaison` binary itself, run as a child process: `keygen`, every command's usage, and the exit
// codes of usage errors. The commands that need a database or a node are in cli_pgtest.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>

#include "crypto/keys.h"
#include "crypto/signing.h"
#include "node/cli/exit_codes.h"
#include "tests/liaison_process.h"

namespace liaison::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

using cli::kExitFailure;
using cli::kExitOk;
using cli::kExitUsage;

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

unsigned modeOf(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/liaison-cli-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  fs::path dir_;
};

TEST_F(Cli, KeygenWritesAnOwnerOnlySecretKeyAndAPublicKeyThatVerifyItsSignatures) {
  // A careless operator's umask does not widen the secret key's mode.
  const mode_t previous = ::umask(0);
  const CommandResult result = runLiaison({"keygen", "--out", (dir_ / "officer").string()});
  ::umask(previous);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(modeOf(dir_ / "officer.key"), 0600u);
  EXPECT_EQ(modeOf(dir_ / "officer.pub"), 0644u);

  auto secretKey = crypto::loadSecretKey(dir_ / "officer.key");
  ASSERT_TRUE(secretKey.ok()) << secretKey.error().message;
  auto publicKey = crypto::loadPublicKey(dir_ / "officer.pub");
  ASSERT_TRUE(publicKey.ok()) << publicKey.error().message;
  EXPECT_EQ(secretKey->publicKey(), *publicKey);
  const std::vector<uint8_t> body{1, 2, 3};
  EXPECT_TRUE(crypto::verify(MessageType::request, body, crypto::sign(MessageType::request, body, *secretKey),
                             *publicKey));
  // It names the files and the key id partners will pin, and never prints the secret.
  EXPECT_THAT(result.out, HasSubstr("officer.key (0600)"));
  EXPECT_THAT(result.out, HasSubstr("key id " + publicKey->id().hex()));
  const std::string secretLine = readFile(dir_ / "officer.key");
  const std::string secretBase64 = secretLine.substr(secretLine.find(' ') + 1, 40);
  EXPECT_THAT(result.out + result.err, Not(HasSubstr(secretBase64)));
}

TEST_F(Cli, KeygenNeverOverwritesAKeyPair) {
  ASSERT_EQ(runLiaison({"keygen", "--out", (dir_ / "node").string()}).exitCode, 0);
  const std::string key = readFile(dir_ / "node.key");
  const std::string pub = readFile(dir_ / "node.pub");

  const CommandResult again = runLiaison({"keygen", "--out", (dir_ / "node").string()});
  EXPECT_EQ(again.exitCode, kExitFailure);
  EXPECT_THAT(again.err, HasSubstr("node.key"));
  EXPECT_EQ(readFile(dir_ / "node.key"), key);
  EXPECT_EQ(readFile(dir_ / "node.pub"), pub);

  // A public key left in place alone: refused too, and no secret key without its public half.
  fs::remove(dir_ / "node.key");
  const CommandResult besidePub = runLiaison({"keygen", "--out", (dir_ / "node").string()});
  EXPECT_EQ(besidePub.exitCode, kExitFailure);
  EXPECT_THAT(besidePub.err, HasSubstr("node.pub"));
  EXPECT_FALSE(fs::exists(dir_ / "node.key"));
  EXPECT_EQ(readFile(dir_ / "node.pub"), pub);
}

TEST_F(Cli, KeygenIntoAFolderThatDoesNotExistFailsNamingIt) {
  const CommandResult result = runLiaison({"keygen", "--out", (dir_ / "missing" / "node").string()});
  EXPECT_EQ(result.exitCode, kExitFailure);
  EXPECT_THAT(result.err, HasSubstr((dir_ / "missing").string()));
  EXPECT_FALSE(fs::exists(dir_ / "missing"));
}

TEST_F(Cli, UsageErrorsExitWithTwoAndSayWhatWasWrong) {
  struct Case {
    std::vector<std::string> args;
    const char* says;
  };
  const Case cases[] = {
      {{}, "no command given"},
      {{"frobnicate"}, "unknown command 'frobnicate'"},
      {{"keygen"}, "missing --out"},
      {{"keygen", "--out", (dir_ / "a").string(), "--force", "yes"}, "unknown option --force"},
      {{"keygen", "--out"}, "option --out needs a value"},
      {{"query"}, "missing --as"},
      {{"node"}, "missing --config"},
  };
  for (const Case& c : cases) {
    const CommandResult result = runLiaison(c.args);
    std::string line = "liaison";
    for (const auto& arg : c.args) line += " " + arg;
    EXPECT_EQ(result.exitCode, kExitUsage) << line << "\n" << result.err;
    EXPECT_THAT(result.err, HasSubstr(c.says)) << line;
    EXPECT_THAT(result.err, HasSubstr("usage: liaison")) << line;
  }
  // Nothing was written by the refused keygen.
  EXPECT_FALSE(fs::exists(dir_ / "a.key"));
}

// Every command and subcommand of `liaison`, with the options its usage must name: value options
// first, then flags. A command missing here fails CommandsListedInTheUsageAreExactlyTheseCommands.
struct CommandUsage {
  std::vector<std::string> command;
  std::vector<std::string> options;
  std::vector<std::string> flags = {};
};
const std::vector<std::string> kDatabaseOptions = {"--db", "--health-db", "--justice-db", "--db-admin"};
std::vector<std::string> withDatabaseOptions(std::vector<std::string> options) {
  options.insert(options.end(), kDatabaseOptions.begin(), kDatabaseOptions.end());
  return options;
}
const std::vector<std::string> kImportOptions = {"--owner", "--visible-to", "--handling", "--retention-years"};
std::vector<std::string> with(std::vector<std::string> options, const std::vector<std::string>& more) {
  options.insert(options.end(), more.begin(), more.end());
  return options;
}
const std::vector<std::string> kAuditorOptions = {"--node", "--as", "--state"};
const std::vector<CommandUsage> kCommands = {
    {{}, {}},
    {{"keygen"}, {"--out"}},
    {{"migrate"}, kDatabaseOptions},
    {{"import"}, withDatabaseOptions(with(kImportOptions, {"--rejects"}))},
    {{"import", "notices"}, withDatabaseOptions(with(kImportOptions, {"--colour"}))},
    {{"purge"}, withDatabaseOptions({"--member", "--today"})},
    {{"groups"}, {}},
    {{"groups", "sync"}, withDatabaseOptions({"--policy"}), {"--dry-run"}},
    {{"paxlst"}, {}},
    {{"paxlst", "parse"}, {}, {"--json"}},
    {{"mrz"}, {}},
    {{"mrz", "parse"}, {}, {"--json"}},
    {{"records"}, {}},
    {{"records", "list"}, withDatabaseOptions({"--member", "--role", "--limit", "--offset"})},
    {{"records", "count"}, withDatabaseOptions({"--member", "--role"})},
    {{"tls-cert"}, {"--out", "--name", "--days"}},
    {{"tls-pin"}, {}},
    {{"directory"}, {}},
    {{"directory", "sign"}, {"--in", "--key", "--out", "--valid-days"}},
    {{"directory", "verify"}, {"--anchor", "--at"}},
    {{"directory", "show"}, {}, {"--json"}},
    {{"node"}, {"--config"}},
    {{"query"}, {"--as", "--node", "--purpose", "--case", "--document", "--family-name", "--date-of-birth"}, {"--json"}},
    {{"screen"}, {}},
    {{"screen", "person"}, {"--as", "--node", "--name", "--family-name", "--date-of-birth", "--nationality", "--document"},
     {"--json", "--csv"}},
    {{"screen", "manifest"}, {"--as", "--node", "--format"}, {"--strict", "--json", "--csv"}},
    {{"screen", "compare"}, {"--threshold"}, {"--csv", "--json"}},
    {{"audit"}, {}},
    {{"audit", "verify"}, with(kAuditorOptions, {"--heads"})},
    {{"audit", "prove"}, kAuditorOptions},
    {{"audit", "sth"}, kAuditorOptions},
    {{"audit", "search"}, kAuditorOptions},
    {{"audit", "console"}, with(kAuditorOptions, {"--listen", "--heads"})},
    {{"policy"}, {}},
    {{"policy", "check"}, {}},
    {{"policy", "explain"}, {"--member", "--role", "--purpose", "--query", "--compartment", "--case"}},
    {{"policy", "explain-outbound"}, {"--role", "--purpose", "--query", "--partner", "--compartment"}},
    {{"version"}, {}},
    {{"backup"}, withDatabaseOptions({"--config", "--out"})},
    {{"restore"}, withDatabaseOptions({"--from", "--root", "--manifest-sha256"}), {"--replace"}},
};

std::vector<std::string> plus(std::vector<std::string> words, const std::vector<std::string>& more) {
  words.insert(words.end(), more.begin(), more.end());
  return words;
}

std::string joined(const std::vector<std::string>& words) {
  std::string text = "liaison";
  for (const auto& word : words) text += " " + word;
  return text;
}

// The names listed under "commands:" in a usage text.
std::set<std::string> listedCommands(const std::string& usage) {
  std::set<std::string> names;
  std::istringstream lines(usage);
  std::string line;
  bool inList = false;
  while (std::getline(lines, line)) {
    if (line == "commands:") {
      inList = true;
    } else if (line.empty()) {
      inList = false;
    } else if (inList && line.rfind("  ", 0) == 0 && line[2] != ' ') {
      names.insert(line.substr(2, line.find(' ', 2) - 2));
    }
  }
  return names;
}

TEST(CliUsage, EveryCommandAndSubcommandAnswersHelpWithItsOwnUsage) {
  for (const CommandUsage& c : kCommands) {
    for (const char* help : {"--help", "-h"}) {
      const CommandResult result = runLiaison(plus(c.command, {help}));
      const std::string line = joined(c.command) + " " + help;
      EXPECT_EQ(result.exitCode, kExitOk) << line << "\n" << result.err;
      EXPECT_EQ(result.err, "") << line;
      // The usage names the command (a command with subcommands: through the usage of each).
      const std::string usage = "usage: " + joined(c.command);
      EXPECT_EQ(result.out.rfind(usage, 0), 0u) << line << "\n" << result.out;
      EXPECT_TRUE(result.out.size() > usage.size() && (result.out[usage.size()] == ' ' || result.out[usage.size()] == '\n'))
          << line << "\n" << result.out;
      for (const std::string& option : plus(c.options, c.flags)) {
        EXPECT_THAT(result.out, HasSubstr(" " + option + " ")) << line << " does not name " << option;
      }
    }
  }
}

TEST(CliUsage, HelpAfterACommandWithSubcommandsPrintsItsUsage) {
  for (const CommandUsage& c : kCommands) {
    const CommandResult usage = runLiaison(plus(c.command, {"--help"}));
    if (listedCommands(usage.out).empty()) continue;
    const CommandResult help = runLiaison(plus(c.command, {"help"}));
    EXPECT_EQ(help.exitCode, kExitOk) << joined(c.command) << " help\n" << help.err;
    EXPECT_EQ(help.out, usage.out) << joined(c.command) << " help";
  }
}

TEST(CliUsage, CommandsListedInTheUsageAreExactlyTheseCommands) {
  for (const CommandUsage& c : kCommands) {
    std::set<std::string> expected;
    for (const CommandUsage& sub : kCommands) {
      if (sub.command.size() == c.command.size() + 1 && std::equal(c.command.begin(), c.command.end(), sub.command.begin())) {
        expected.insert(sub.command.back());
      }
    }
    EXPECT_EQ(listedCommands(runLiaison(plus(c.command, {"--help"})).out), expected) << joined(c.command) << " --help";
  }
}

TEST(CliUsage, AnUnknownOptionOrAMissingValueExitsTwoNamingTheOptionAndRunsNothing) {
  for (const CommandUsage& c : kCommands) {
    if (c.command.empty()) continue;
    const CommandResult unknown = runLiaison(plus(c.command, {"--frobnicate", "x"}));
    EXPECT_EQ(unknown.exitCode, kExitUsage) << joined(c.command) << " --frobnicate x\n" << unknown.err;
    EXPECT_THAT(unknown.err, HasSubstr("liaison: unknown option --frobnicate\n")) << joined(c.command);
    EXPECT_THAT(unknown.err, HasSubstr("usage: " + joined(c.command))) << joined(c.command);
    EXPECT_EQ(unknown.out, "") << joined(c.command);
    for (const std::string& option : c.options) {
      const CommandResult missing = runLiaison(plus(c.command, {option}));
      EXPECT_EQ(missing.exitCode, kExitUsage) << joined(c.command) << " " << option << "\n" << missing.err;
      EXPECT_THAT(missing.err, HasSubstr("liaison: option " + option + " needs a value\n")) << joined(c.command);
      EXPECT_EQ(missing.out, "") << joined(c.command);
    }
  }
}

TEST_F(Cli, AValueGivenTwiceIsRefusedRatherThanOneOfThemWinning) {
  const CommandResult result =
      runLiaison({"keygen", "--out", (dir_ / "a").string(), "--out", (dir_ / "b").string()});
  EXPECT_EQ(result.exitCode, kExitUsage) << result.err;
  EXPECT_THAT(result.err, HasSubstr("option --out given twice"));
  EXPECT_FALSE(fs::exists(dir_ / "a.key"));
  EXPECT_FALSE(fs::exists(dir_ / "b.key"));
}

TEST_F(Cli, AFlagGivenAValueIsRefusedRatherThanReadAsSet) {
  const CommandResult result = runLiaison({"mrz", "parse", "--json=no", "LINE"});
  EXPECT_EQ(result.exitCode, kExitUsage) << result.err;
  EXPECT_THAT(result.err, HasSubstr("option --json takes no value"));
}

TEST_F(Cli, AnOptionGivenBeforeASubcommandIsRefusedRatherThanIgnored) {
  const CommandResult result = runLiaison({"import", "--owner", "XA-POLICE", "notices", "notices.json"});
  EXPECT_EQ(result.exitCode, kExitUsage) << result.err;
  EXPECT_THAT(result.err, HasSubstr("option --owner goes after 'notices'"));
}

TEST_F(Cli, AWordThatIsACommandNameIsAnArgumentAfterTheCommand) {
  // A zone line that reads like a command stays a line of the zone, not a second command.
  const CommandResult result = runLiaison({"mrz", "parse", "keygen", "--json"});
  EXPECT_EQ(result.exitCode, kExitFailure) << result.err;
  EXPECT_THAT(result.err, HasSubstr("invalid MRZ"));
}

}  // namespace
}  // namespace liaison::testing
