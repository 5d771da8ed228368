#include "node/cli/command.h"

#include <chrono>
#include <utility>

namespace liaison::cli {

std::optional<std::string> Arguments::option(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.front();
}

std::string Arguments::require(const std::string& name) const {
  auto value = option(name);
  if (!value || value->empty()) throw UsageError{"missing --" + name};
  return *value;
}

bool Arguments::flag(const std::string& name) const { return values_.count(name) != 0; }

unsigned long Arguments::number(const std::string& name, unsigned long fallback, unsigned long max) const {
  auto value = option(name);
  if (!value) return fallback;
  try {
    size_t used = 0;
    unsigned long n = std::stoul(*value, &used);
    if (used == value->size() && n <= max) return n;  // "-1" reads as the largest number: refused too
  } catch (const std::exception&) {
  }
  throw UsageError{"--" + name + " must be a whole number from 0 to " + std::to_string(max)};
}

std::string Arguments::positional(const std::string& name) const { return option(name).value_or(""); }

std::vector<std::string> Arguments::positionals(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
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
