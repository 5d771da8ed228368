#include "node/cli/command_line.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <map>
#include <sstream>

#include "node/cli/commands.h"
#include "node/cli/exit_codes.h"

namespace liaison::cli {
namespace {

constexpr const char* kRootDetails =
    "`liaison COMMAND --help` (or `liaison COMMAND help` for a command with subcommands) prints a command's "
    "own usage: its arguments, options and exit status.\n";

// Every command, in the order `liaison --help` lists them.
Command liaisonCommand() {
  Command root{"liaison", "Liaison: a federated intelligence-sharing node for immigration, border and police agencies",
               kRootDetails};
  root.subcommands = {keygenCommand(),  migrateCommand(), importCommand(), purgeCommand(),   groupsCommand(),
                      paxlstCommand(),  mrzCommand(),     recordsCommand(), tlsCertCommand(), tlsPinCommand(),
                      directoryCommand(), nodeCommand(),  queryCommand(),   screenCommand(),   auditCommand(),  policyCommand(),
                      backupCommand(), restoreCommand(), versionCommand()};
  return root;
}

// --- usage -------------------------------------------------------------------------------------

// Usage lines are broken to fit this width; explanations of options and arguments start at the
// column.
constexpr size_t kWidth = 100;
constexpr size_t kHelpColumn = 33;

// The lines of `text`, each longer than `width` broken at spaces, its pieces keeping its indent.
std::vector<std::string> wrapped(const std::string& text, size_t width) {
  std::vector<std::string> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const size_t indent = std::min(line.find_first_not_of(' '), line.size());
    while (line.size() > width) {
      const size_t cut = line.rfind(' ', width);
      if (cut == std::string::npos || cut <= indent) break;
      out.push_back(line.substr(0, cut));
      line = std::string(indent, ' ') + line.substr(cut + 1);
    }
    out.push_back(line);
  }
  return out;
}

void paragraph(std::ostream& out, const std::string& text) {
  for (const std::string& line : wrapped(text, kWidth)) out << line << "\n";
}

// "  LABEL" and the help's lines, the first beside the label (or under it when the label is long),
// every further line indented to the same column.
void listItem(std::ostream& out, const std::string& label, const std::string& help) {
  std::string first = "  " + label;
  first += first.size() < kHelpColumn - 1 ? std::string(kHelpColumn - first.size(), ' ')
                                          : "\n" + std::string(kHelpColumn, ' ');
  const std::vector<std::string> lines = wrapped(help, kWidth - kHelpColumn);
  for (size_t i = 0; i < lines.size(); ++i) out << (i == 0 ? first : std::string(kHelpColumn, ' ')) << lines[i] << "\n";
  if (lines.empty()) out << first << "\n";
}

std::string optionLabel(const OptionSpec& option) {
  return "--" + option.name + (option.value.empty() ? "" : " " + option.value);
}

std::string positionalLabel(const PositionalSpec& positional) {
  const std::string shown = positional.name + (positional.many ? "..." : "");
  return positional.required ? shown : "[" + shown + "]";
}

// The words of one usage line: flags, positionals, value options, then each further group of
// options as one word, e.g. `KIND`, `--member MEMBER`, `[--role ROLE]`, `[database options]`.
std::vector<std::string> synopsis(const Command& command) {
  std::vector<std::string> words;
  std::vector<std::string> groups;
  for (const OptionSpec& option : command.options) {
    if (option.group.empty() && option.value.empty()) words.push_back("[" + optionLabel(option) + "]");
  }
  for (const PositionalSpec& positional : command.positionals) words.push_back(positionalLabel(positional));
  for (const OptionSpec& option : command.options) {
    if (!option.group.empty()) {
      if (std::find(groups.begin(), groups.end(), option.group) == groups.end()) groups.push_back(option.group);
    } else if (!option.value.empty()) {
      words.push_back(option.required ? optionLabel(option) : "[" + optionLabel(option) + "]");
    }
  }
  for (const std::string& group : groups) words.push_back("[" + group + "]");
  return words;
}

// The usage of `command` and of every subcommand under it that runs, one per line, each broken
// between words to fit and continued under its first word.
void synopses(const Command& command, const std::string& path, std::ostream& out, bool& first) {
  if (command.run) {
    const std::string start = first ? "usage: " + path : "       " + path;
    const std::string indent(start.size() + 1, ' ');
    std::string line = start;
    for (const std::string& word : synopsis(command)) {
      if (line.size() + 1 + word.size() > kWidth && line.size() > indent.size()) {
        out << line << "\n";
        line = indent + word;
      } else {
        line += " " + word;
      }
    }
    out << line << "\n";
    first = false;
  }
  for (const Command& sub : command.subcommands) synopses(sub, path + " " + sub.name, out, first);
}

// What `liaison PATH --help` prints. `path` is the command as typed, e.g. "liaison audit verify".
std::string usageText(const Command& command, const std::string& path, bool root) {
  std::ostringstream out;
  if (root) {
    out << "usage: " << path << " COMMAND [ARGUMENTS] [OPTIONS]\n";
  } else {
    bool first = true;
    synopses(command, path, out, first);
  }
  out << "\n";
  paragraph(out, command.summary);
  if (!command.positionals.empty()) {
    out << "\narguments:\n";
    for (const PositionalSpec& positional : command.positionals) {
      listItem(out, positional.name, positional.help + (positional.required ? "" : " (optional)"));
    }
  }
  std::vector<std::string> groups{""};
  for (const OptionSpec& option : command.options) {
    if (std::find(groups.begin(), groups.end(), option.group) == groups.end()) groups.push_back(option.group);
  }
  for (const std::string& group : groups) {
    out << "\n" << (group.empty() ? "options" : group) << ":\n";
    for (const OptionSpec& option : command.options) {
      if (option.group == group) listItem(out, optionLabel(option), option.help + (option.required ? " (required)" : ""));
    }
    if (group.empty()) listItem(out, "-h, --help", "print this usage and exit");
  }
  if (!command.subcommands.empty()) {
    out << "\ncommands:\n";
    for (const Command& sub : command.subcommands) listItem(out, sub.name, sub.summary);
  }
  if (!command.details.empty()) {
    out << "\n";
    paragraph(out, command.details);
  }
  return out.str();
}

// --- parsing -----------------------------------------------------------------------------------

// The CLI11 apps that mirror the command tree, each knowing its command.
class CommandTree {
 public:
  explicit CommandTree(const Command& root) : app_("", root.name), rootCommand_(&root) { add(app_, root, root.name); }

  CLI::App& app() { return app_; }

  // What one app stands for.
  struct Node {
    const Command* command = nullptr;  // for a `help` subcommand: the command whose usage it prints
    std::string path;                  // as typed: "liaison audit verify"
    bool help = false;                 // the `help` subcommand of `command`
    std::vector<CLI::Option*> options{};      // in the order of command->options
    std::vector<CLI::Option*> positionals{};  // in the order of command->positionals
  };

  const Node& node(const CLI::App* app) const { return nodes_.at(app); }

  // The apps the words selected, from `liaison` down to the deepest subcommand.
  std::vector<CLI::App*> chain() {
    std::vector<CLI::App*> apps{&app_};
    for (auto subs = app_.get_subcommands(); !subs.empty(); subs = subs.front()->get_subcommands()) {
      apps.push_back(subs.front());
    }
    return apps;
  }

  std::string usage(const CLI::App* app) const {
    const Node& n = node(app);
    return usageText(*n.command, n.path, n.command == rootCommand_);
  }

 private:
  void add(CLI::App& app, const Command& command, const std::string& path) {
    Node node{&command, path};
    for (const OptionSpec& option : command.options) {
      // Every value is kept, so that an option given twice is refused here rather than one of
      // them silently winning.
      node.options.push_back(option.value.empty()
                                 ? app.add_flag("--" + option.name)
                                 : app.add_option("--" + option.name)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll));
    }
    for (size_t i = 0; i < command.positionals.size(); ++i) {
      node.positionals.push_back(app.add_option("argument" + std::to_string(i))
                                     ->expected(command.positionals[i].many ? -1 : 1)
                                     ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll));
    }
    if (!command.subcommands.empty()) {
      // At most one subcommand: once one is chosen, a later word that happens to be a command's
      // name is an argument like any other.
      app.require_subcommand(0, 1);
      for (const Command& sub : command.subcommands) {
        add(*app.add_subcommand(sub.name, sub.summary), sub, path + " " + sub.name);
      }
      CLI::App* help = app.add_subcommand("help", "print this usage")->group("");
      nodes_.emplace(help, Node{&command, path, true});
    }
    nodes_.emplace(&app, std::move(node));
  }

  CLI::App app_;
  const Command* rootCommand_;
  std::map<const CLI::App*, Node> nodes_;
};

// A usage mistake and the app it was made in, whose usage goes with the message.
struct Mistake {
  std::string message;
  CLI::App* app;
};

// What went wrong, in the words of the command line rather than CLI11's. Decided on the error's
// type and on the parser's state, never on CLI11's message text.
Mistake explain(const CLI::ParseError& error, CommandTree& tree, const std::vector<std::string>& args) {
  std::vector<CLI::App*> chain = tree.chain();
  if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr) {
    for (CLI::App* app : chain) {
      std::vector<std::string> extra = app->remaining();
      if (extra.empty()) continue;
      const std::string& word = extra.front();
      if (word.size() > 1 && word[0] == '-') return {"unknown option " + word.substr(0, word.find('=')), app};
      const CommandTree::Node& node = tree.node(app);
      if (!node.command->subcommands.empty() && node.command->positionals.empty()) {
        if (app == chain.front()) return {"unknown command '" + word + "'", app};
        return {"unknown " + node.path.substr(node.path.find(' ') + 1) + " subcommand '" + word + "'", app};
      }
      return {"unexpected argument '" + word + "'", app};
    }
  }
  // An option with no value: only the last word can be one (an option takes the next word,
  // whatever it looks like).
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&error) != nullptr && !args.empty()) {
    return {"option " + args.back().substr(0, args.back().find('=')) + " needs a value", chain.back()};
  }
  return {error.what(), chain.back()};
}

// The values the command of `node` was given, after the checks CLI11 leaves to us: a value given
// twice, a flag given a value, a required option or argument missing. Throws UsageError.
Arguments argumentsOf(const CommandTree::Node& node) {
  const Command& command = *node.command;
  std::map<std::string, std::vector<std::string>> values;
  for (size_t i = 0; i < command.options.size(); ++i) {
    const OptionSpec& spec = command.options[i];
    const CLI::Option& option = *node.options[i];
    if (!spec.value.empty() && !spec.repeatable && option.count() > 1) throw UsageError{"option --" + spec.name + " given twice"};
    for (const std::string& given : option.results()) {
      // CLI11 records a flag as "true", and `--json=VALUE` as VALUE.
      if (spec.value.empty() && given != "true") throw UsageError{"option --" + spec.name + " takes no value"};
    }
    if (spec.required && (option.count() == 0 || option.results().front().empty())) {
      throw UsageError{"missing --" + spec.name};
    }
    if (option.count() > 0) values[spec.name] = spec.value.empty() ? std::vector<std::string>{""} : option.results();
  }
  for (size_t i = 0; i < command.positionals.size(); ++i) {
    const PositionalSpec& spec = command.positionals[i];
    const CLI::Option& positional = *node.positionals[i];
    if (spec.required && positional.count() == 0) throw UsageError{"missing " + spec.name};
    if (positional.count() > 0) values[spec.name] = positional.results();
  }
  return Arguments(std::move(values));
}

// Options or arguments given before a subcommand belong to a command that does not run.
void refuseWordsBeforeSubcommand(CommandTree& tree, const std::vector<CLI::App*>& chain) {
  for (size_t i = 1; i + 1 < chain.size(); ++i) {
    const CommandTree::Node& node = tree.node(chain[i]);
    const std::string next = chain[i + 1]->get_name();
    for (size_t o = 0; o < node.options.size(); ++o) {
      if (node.options[o]->count() > 0) {
        throw UsageError{"option --" + node.command->options[o].name + " goes after '" + next + "'"};
      }
    }
    for (const CLI::Option* positional : node.positionals) {
      if (positional->count() > 0) throw UsageError{"unexpected argument '" + positional->results().front() + "'"};
    }
  }
}

int usageMistake(const std::string& message, const std::string& usage, const CommandContext& context) {
  context.err << "liaison: " << message << "\n\n" << usage;
  return kExitUsage;
}

}  // namespace

int runCommandLine(const std::vector<std::string>& args, const CommandContext& context) {
  const Command root = liaisonCommand();
  CommandTree tree(root);
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // as CLI11 takes them
    tree.app().parse(reversed);
  } catch (const CLI::CallForHelp&) {
    context.out << tree.usage(tree.chain().back());
    return kExitOk;
  } catch (const CLI::ParseError& error) {
    const Mistake mistake = explain(error, tree, args);
    return usageMistake(mistake.message, tree.usage(mistake.app), context);
  }
  const std::vector<CLI::App*> chain = tree.chain();
  const CommandTree::Node& leaf = tree.node(chain.back());
  const std::string usage = tree.usage(chain.back());
  if (leaf.help) {
    context.out << usage;
    return kExitOk;
  }
  Arguments arguments;
  try {
    refuseWordsBeforeSubcommand(tree, chain);
    if (!leaf.command->run) {
      if (chain.size() == 1) throw UsageError{"no command given"};
      std::string names;
      for (const Command& sub : leaf.command->subcommands) names += (names.empty() ? "" : ", ") + sub.name;
      throw UsageError{leaf.command->name + " needs a subcommand: " + names};
    }
    arguments = argumentsOf(leaf);
  } catch (const UsageError& mistake) {
    return usageMistake(mistake.message, usage, context);
  }
  // Before any key is loaded: no core dump of this process, no reading its memory from another.
  if (leaf.command->loadsSecretKeys && context.protectSecrets) {
    if (Status protectedProcess = context.protectSecrets(); !protectedProcess) {
      context.err << "liaison: " << protectedProcess.error().message << "\n";
      return kExitFailure;
    }
  }
  try {
    return leaf.command->run(arguments, context);
  } catch (const UsageError& mistake) {
    return usageMistake(mistake.message, usage, context);
  }
}

}  // namespace liaison::cli
