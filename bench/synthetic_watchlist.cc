#include "bench/synthetic_watchlist.h"

#include <cctype>
#include <fstream>
#include <set>

#include "bench/bench_support.h"

namespace liaison::bench {
namespace {

std::vector<std::string> splitLine(const std::string& line, char separator) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (separator == ',' && c == '"') {
      if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == separator && !quoted) {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c != '\r') {
      field += c;
    }
  }
  fields.push_back(std::move(field));
  return fields;
}

std::string capitalised(std::string text) {
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 'a' + 'A');
  return text;
}

// transliteration/wd_<script>_80.tsv: latin, native characters separated by spaces, count. The
// tokens are not marked given or family: each serves as both.
NamePool loadTransliterations(const std::string& path, const std::string& label) {
  std::ifstream in(path);
  if (!in) die("cannot read " + path);
  NamePool pool{label, {}, {}};
  std::string line;
  while (std::getline(in, line)) {
    const auto fields = splitLine(line, '\t');
    if (fields.size() < 2 || fields[0].empty()) continue;
    std::string native;
    for (char c : fields[1]) {
      if (c != ' ') native += c;
    }
    pool.given.push_back({capitalised(fields[0]), native});
  }
  pool.family = pool.given;
  return pool;
}

// screening/negatives_global.csv: first_name (1) and last_name (3) of 50,000 persons in many scripts.
NamePool loadNegativeNames(const std::string& path) {
  std::ifstream in(path);
  if (!in) die("cannot read " + path);
  NamePool pool{"negatives", {}, {}};
  std::set<std::string> given;
  std::set<std::string> family;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    const auto fields = splitLine(line, ',');
    if (fields.size() < 4) continue;
    if (!fields[1].empty()) given.insert(fields[1]);
    if (!fields[3].empty()) family.insert(fields[3]);
  }
  for (const auto& name : given) pool.given.push_back({name, ""});
  for (const auto& name : family) pool.family.push_back({name, ""});
  return pool;
}

const char* kNationalities[] = {"UKR", "RUS", "AFG", "IRQ", "SYR", "CHN", "KOR", "ISR", "DEU", "FRA",
                                "NGA", "BRA", "IND", "PAK", "EGY", "TUR", "USA", "GBR", "MEX", "IRN"};
const char* kMembers[] = {"XA-POLICE", "XB-BORDER", "XC-CUSTOMS", "XD-POLICE"};

}  // namespace

std::vector<NamePool> loadNamePools(const std::string& dataDir) {
  std::vector<NamePool> pools;
  for (const char* script : {"arabic", "russian", "chinese", "hebrew", "korean"}) {
    pools.push_back(loadTransliterations(dataDir + "/transliteration/wd_" + script + "_80.tsv", script));
  }
  pools.push_back(loadNegativeNames(dataDir + "/screening/negatives_global.csv"));
  return pools;
}

std::string joinForms(const std::vector<const TokenForms*>& tokens, bool native) {
  std::string name;
  for (const TokenForms* token : tokens) {
    if (!name.empty()) name += ' ';
    name += native && !token->native.empty() ? token->native : token->latin;
  }
  return name;
}

// A typing error in an ASCII-letter name: one letter replaced, doubled, dropped or two swapped.
std::string misspelled(std::string name, std::mt19937_64& random) {
  std::vector<size_t> letters;
  for (size_t i = 1; i + 1 < name.size(); ++i) {
    if (std::isalpha(static_cast<unsigned char>(name[i])) && std::isalpha(static_cast<unsigned char>(name[i + 1]))) {
      letters.push_back(i);
    }
  }
  if (letters.empty()) return name;
  const size_t at = letters[random() % letters.size()];
  switch (random() % 4) {
    case 0: name[at] = static_cast<char>('a' + random() % 26); break;
    case 1: name.insert(at, 1, name[at]); break;
    case 2: name.erase(at, 1); break;
    default: std::swap(name[at], name[at + 1]); break;
  }
  return name;
}

PartialDate randomDate(std::mt19937_64& random) {
  PartialDate date;
  date.year = static_cast<uint16_t>(1940 + random() % 66);
  if (random() % 5 != 0) {
    date.month = static_cast<uint8_t>(1 + random() % 12);
    date.day = static_cast<uint8_t>(1 + random() % 28);
  }
  return date;
}

// The watchlist: 60% of identities from the five transliteration scripts (written in Latin or in the
// native script, two or three tokens), 40% from the negatives' given and family names; a third get
// one to three aliases (the other script's form, a misspelling, the family name first).
std::vector<Synthetic> generateWatchlist(const std::vector<NamePool>& pools, size_t count) {
  std::mt19937_64 random(20261205);
  std::vector<Synthetic> identities;
  identities.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const NamePool& pool = random() % 10 < 6 ? pools[random() % (pools.size() - 1)] : pools.back();
    Synthetic identity;
    const size_t givens = random() % 4 == 0 ? 2 : 1;
    for (size_t g = 0; g < givens; ++g) identity.tokens.push_back(&pool.given[random() % pool.given.size()]);
    identity.tokens.push_back(&pool.family[random() % pool.family.size()]);
    const bool native = !identity.tokens[0]->native.empty() && random() % 2 == 0;
    screening::IndexedRecord& record = identity.record;
    record.ref = "id-" + std::to_string(i);
    record.kind = random() % 3 == 0 ? screening::IdentityKind::watchlistPerson : screening::IdentityKind::notice;
    record.names.push_back(joinForms(identity.tokens, native));
    if (random() % 3 == 0) {
      const size_t aliases = 1 + random() % 3;
      for (size_t a = 0; a < aliases; ++a) {
        switch ((a + random()) % 3) {
          case 0: record.names.push_back(joinForms(identity.tokens, !native)); break;
          case 1: record.names.push_back(misspelled(joinForms(identity.tokens, false), random)); break;
          default: {
            std::vector<const TokenForms*> reordered(identity.tokens.rbegin(), identity.tokens.rend());
            record.names.push_back(joinForms(reordered, false));
          }
        }
      }
    }
    record.dateOfBirth = randomDate(random);
    record.sex = random() % 2 == 0 ? Sex::female : Sex::male;
    record.nationalities = {kNationalities[random() % std::size(kNationalities)]};
    record.owner = kMembers[random() % 4 == 0 ? 1 + random() % 3 : 0];
    if (random() % 2 == 0) record.visibleTo = {random() % 2 == 0 ? "schengen" : "XB-BORDER"};
    identities.push_back(std::move(identity));
  }
  return identities;
}

}  // namespace liaison::bench
