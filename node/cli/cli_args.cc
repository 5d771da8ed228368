#include "node/cli/cli_args.h"

#include <chrono>
#include <cstdlib>

namespace liaison::cli {

Arguments Arguments::parse(const std::vector<std::string>& args, const std::set<std::string>& flagNames) {
  Arguments parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0 || arg.size() <= 2) {
      parsed.positional.push_back(arg);
      continue;
    }
    std::string key = arg.substr(2);
    if (flagNames.count(key) != 0) {
      parsed.flags.insert(key);
      continue;
    }
    if (i + 1 >= args.size()) throw UsageError{"option " + arg + " needs a value"};
    if (!parsed.options.emplace(key, args[++i]).second) throw UsageError{"option " + arg + " given twice"};
  }
  return parsed;
}

std::optional<std::string> Arguments::option(const std::string& key) const {
  auto it = options.find(key);
  return it == options.end() ? std::nullopt : std::optional(it->second);
}

std::string Arguments::require(const std::string& key) const {
  auto value = option(key);
  if (!value || value->empty()) throw UsageError{"missing --" + key};
  return *value;
}

void Arguments::allowOnly(const std::set<std::string>& allowed) const {
  for (const auto& [key, value] : options) {
    if (allowed.count(key) == 0) throw UsageError{"unknown option --" + key};
  }
  for (const auto& key : flags) {
    if (allowed.count(key) == 0) throw UsageError{"unknown option --" + key};
  }
}

unsigned long Arguments::number(const std::string& key, unsigned long fallback, unsigned long max) const {
  auto value = option(key);
  if (!value) return fallback;
  try {
    size_t used = 0;
    unsigned long n = std::stoul(*value, &used);
    if (used == value->size() && n <= max) return n;
  } catch (const std::exception&) {
  }
  throw UsageError{"--" + key + " must be a whole number from 0 to " + std::to_string(max)};
}

store::DatabaseTarget databaseTarget(const Arguments& args) {
  store::DatabaseTarget target;
  if (auto db = args.option("db")) {
    target.conninfo = *db;
  } else if (const char* env = std::getenv("LIAISON_DB")) {
    target.conninfo = env;
  }
  if (auto admin = args.option("db-admin")) target.adminUser = *admin;
  if (auto health = args.option("health-db")) target.healthConninfo = *health;
  if (auto justice = args.option("justice-db")) target.justiceConninfo = *justice;
  return target;
}

std::vector<std::string> splitCommaList(const std::string& text) {
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

}  // namespace liaison::cli
