// Screening at scale: a synthetic watchlist of N identities (default 1,000,000) with realistic names in
// several scripts, in the in-memory ScreeningIndex and, side by side, in PostgreSQL with pg_trgm.
// Prints the index build time, memory per identity, p50/p99 of one screen-person on one thread,
// searches per second on two threads, pg_trgm's screenings per second and the ratio. Quality
// (precision, recall, the threshold) is bench/screening_quality.cc's.
//
//   build/bin/liaison_bench_screening [--identities N] [--pg-identities M] [--queries Q] [--no-pg]
//
// The names come from ../shared/data (the repository's sibling folder, or --data DIR):
// transliteration/*.tsv (Latin and native forms of name tokens, five scripts) and the given and
// family names of screening/negatives_global.csv (many scripts). Fixed seed: every run builds the
// same watchlist and the same queries.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <pqxx/pqxx>
#include <pqxx/tablewriter>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <time.h>
#include <vector>

#include "bench/bench_support.h"
#include "screening/index.h"

using namespace liaison;
using namespace liaison::bench;
using namespace liaison::screening;

namespace {

// A name token in Latin and, when known, in its native script.
struct TokenForms {
  std::string latin;
  std::string native;  // empty for Latin-only tokens
};

// Where the synthetic names come from: given and family tokens per source.
struct NamePool {
  std::string label;
  std::vector<TokenForms> given;
  std::vector<TokenForms> family;
};

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

// One synthetic identity, remembered so that queries can be made from it.
struct Synthetic {
  IndexedRecord record;
  std::vector<const TokenForms*> tokens;  // given..., family
};

const char* kNationalities[] = {"UKR", "RUS", "AFG", "IRQ", "SYR", "CHN", "KOR", "ISR", "DEU", "FRA",
                                "NGA", "BRA", "IND", "PAK", "EGY", "TUR", "USA", "GBR", "MEX", "IRN"};
const char* kMembers[] = {"XA-POLICE", "XB-BORDER", "XC-CUSTOMS", "XD-POLICE"};

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
    IndexedRecord& record = identity.record;
    record.ref = "id-" + std::to_string(i);
    record.kind = random() % 3 == 0 ? IdentityKind::watchlistPerson : IdentityKind::notice;
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

// A screening query: the name as a traveller's data gives it, and the identity it should find (or none).
struct TravellerQuery {
  std::string name;
  PartialDate dateOfBirth;
  std::string expected;  // empty for a name not in the watchlist
};

// Half variants of listed identities (misspelled, reordered, in the other script, with the date of
// birth reduced to the year), half names composed from the pools that are in no identity.
std::vector<TravellerQuery> generateQueries(const std::vector<NamePool>& pools, const std::vector<Synthetic>& identities,
                                   size_t count) {
  std::mt19937_64 random(7);
  std::set<std::string> listed;
  for (const auto& identity : identities) listed.insert(identity.record.names[0]);
  std::vector<TravellerQuery> queries;
  while (queries.size() < count) {
    if (queries.size() % 2 == 0) {
      const Synthetic& identity = identities[random() % identities.size()];
      // Visible to the searching member (XA-POLICE), so that the expected hit may be shown.
      if (identity.record.owner != "XA-POLICE") continue;
      TravellerQuery query;
      query.expected = identity.record.ref;
      switch (random() % 4) {
        case 0: query.name = misspelled(joinForms(identity.tokens, false), random); break;
        case 1: {
          std::vector<const TokenForms*> reordered(identity.tokens.rbegin(), identity.tokens.rend());
          query.name = joinForms(reordered, false);
          break;
        }
        case 2: query.name = joinForms(identity.tokens, true); break;
        default: query.name = joinForms(identity.tokens, false);
      }
      query.dateOfBirth = identity.record.dateOfBirth;
      if (random() % 2 == 0) query.dateOfBirth = PartialDate{query.dateOfBirth.year, 0, 0};
      queries.push_back(std::move(query));
    } else {
      const NamePool& pool = pools[random() % pools.size()];
      std::vector<const TokenForms*> tokens{&pool.given[random() % pool.given.size()],
                                            &pool.family[random() % pool.family.size()]};
      TravellerQuery query;
      query.name = joinForms(tokens, false);
      if (listed.count(query.name) != 0) continue;
      query.dateOfBirth = randomDate(random);
      queries.push_back(std::move(query));
    }
  }
  return queries;
}

PersonQuery personQueryOf(const TravellerQuery& query) {
  PersonQuery person;
  person.names.push_back(normaliseName(query.name));
  person.dateOfBirth = query.dateOfBirth;
  return person;
}

constexpr const char* kMember = "XA-POLICE";

// CPU time of this thread in microseconds: on a shared machine, wall time also counts the time the
// thread waited for a core.
double threadCpuMicros() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e6 + static_cast<double>(now.tv_nsec) / 1e3;
}
constexpr size_t kLimit = 10;

// COPY text format: a backslash, tab or line break in a value would end the field.
std::string copyField(const std::string& value) {
  std::string field;
  for (char c : value) {
    if (c == '\\' || c == '\t' || c == '\n' || c == '\r') continue;
    field += c;
  }
  return field;
}

struct PgFigures {
  size_t rows = 0;
  double loadSeconds = 0;
  double perSecond = 0;
  size_t queries = 0;
  size_t found = 0;
  size_t expected = 0;
};

// pg_trgm over the first `identities` of the watchlist, one row per name, the same queries.
PgFigures runPgTrgm(const std::vector<Synthetic>& identities, size_t count, const std::vector<TravellerQuery>& queries,
                    double maxSeconds) {
  PgFigures figures;
  const store::DatabaseTarget target = freshDatabase("liaison_bench_screening");
  pqxx::connection admin(store::conninfoFor(target, store::DbRole::admin));
  const auto started = Clock::now();
  {
    pqxx::work tx(admin);
    tx.exec("CREATE EXTENSION IF NOT EXISTS pg_trgm");
    tx.exec("CREATE TABLE screening_names (ref text NOT NULL, name text NOT NULL)");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    {
      pqxx::tablewriter writer(tx, "screening_names");
      for (size_t i = 0; i < count; ++i) {
        for (const auto& name : identities[i].record.names) {
          writer.write_raw_line(copyField(identities[i].record.ref) + '\t' + copyField(name));
          ++figures.rows;
        }
      }
      writer.complete();
    }
#pragma GCC diagnostic pop
    tx.exec("CREATE INDEX screening_names_trgm ON screening_names USING gin (name gin_trgm_ops)");
    tx.exec("ANALYZE screening_names");
    tx.commit();
  }
  figures.loadSeconds = secondsSince(started);

  admin.prepare("screen", "SELECT ref, similarity(name, $1) FROM screening_names WHERE name % $1 "
                          "ORDER BY similarity(name, $1) DESC LIMIT 10");
  pqxx::nontransaction tx(admin);
  // 0.5: pg_trgm's best F1 on name pairs lies near it; lower thresholds make the GIN scan read most
  // of the table for common trigrams.
  tx.exec("SET pg_trgm.similarity_threshold = 0.5");
  const auto timed = Clock::now();
  for (const TravellerQuery& query : queries) {
    if (secondsSince(timed) > maxSeconds) break;
    const pqxx::result rows = tx.exec_prepared("screen", query.name);
    ++figures.queries;
    if (query.expected.empty()) continue;
    // Recall only among queries whose identity was loaded.
    const size_t id = std::stoul(query.expected.substr(3));
    if (id >= count) continue;
    ++figures.expected;
    for (const auto& row : rows) {
      if (row[0].as<std::string>() == query.expected) {
        ++figures.found;
        break;
      }
    }
  }
  figures.perSecond = static_cast<double>(figures.queries) / secondsSince(timed);
  return figures;
}

size_t argument(int argc, char** argv, const std::string& name, size_t fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return std::stoul(argv[i + 1]);
  }
  return fallback;
}

bool flag(int argc, char** argv, const std::string& name) {
  for (int i = 1; i < argc; ++i) {
    if (argv[i] == name) return true;
  }
  return false;
}

std::string stringArgument(int argc, char** argv, const std::string& name, std::string fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t count = argument(argc, argv, "--identities", 1'000'000);
  const size_t pgCount = std::min(count, argument(argc, argv, "--pg-identities", 200'000));
  const size_t queryCount = argument(argc, argv, "--queries", 2'000);
  const std::string dataDir =
      stringArgument(argc, argv, "--data", std::string(LIAISON_SOURCE_DIR) + "/../shared/data");

  std::vector<NamePool> pools;
  for (const char* script : {"arabic", "russian", "chinese", "hebrew", "korean"}) {
    pools.push_back(loadTransliterations(dataDir + "/transliteration/wd_" + script + "_80.tsv", script));
  }
  pools.push_back(loadNegativeNames(dataDir + "/screening/negatives_global.csv"));

  const auto generated = Clock::now();
  const std::vector<Synthetic> identities = generateWatchlist(pools, count);
  size_t names = 0;
  for (const auto& identity : identities) names += identity.record.names.size();
  std::printf("watchlist: %zu identities, %zu names (generated in %.1f s)\n", count, names, secondsSince(generated));

  ScreeningIndex index;
  index.setGroups({{"XA-POLICE", {"schengen"}}, {"XC-CUSTOMS", {"schengen"}}});
  const auto building = Clock::now();
  for (const auto& identity : identities) index.upsert(identity.record);
  const double buildSeconds = secondsSince(building);
  const size_t bytes = index.memoryBytes();
  std::printf("index build: %.1f s (%.0f identities/s, normalisation included)\n", buildSeconds,
              static_cast<double>(count) / buildSeconds);
  std::printf("index memory: %.1f MB, %.0f bytes per identity (goal <= 1024)\n", static_cast<double>(bytes) / 1e6,
              static_cast<double>(bytes) / static_cast<double>(count));

  const std::vector<TravellerQuery> queries = generateQueries(pools, identities, queryCount);
  // Steady state: ICU creates each script's transliterator on a thread's first name in that script
  // (tens of milliseconds, once), as a serving node does on its first requests.
  for (const char* name : {"Taras Shevchenko", "Тарас Шевченко", "محمد عبدالله", "דוד לוי", "김민준", "王伟", "Γιώργος",
                           "रजनीकांत"}) {
    (void)index.search(personQueryOf(TravellerQuery{name, {}, {}}), kMember, kLimit, kMatchThreshold);
  }
  std::vector<double> timings;
  std::vector<double> cpuTimings;
  timings.reserve(queries.size());
  cpuTimings.reserve(queries.size());
  size_t expected = 0;
  size_t found = 0;
  size_t falseHits = 0;
  for (const TravellerQuery& query : queries) {
    const auto started = Clock::now();
    const double cpuStarted = threadCpuMicros();
    const auto hits = index.search(personQueryOf(query), kMember, kLimit, kMatchThreshold);
    cpuTimings.push_back(threadCpuMicros() - cpuStarted);
    timings.push_back(microsSince(started));
    if (query.expected.empty()) {
      falseHits += hits.empty() ? 0 : 1;
      continue;
    }
    ++expected;
    if (std::any_of(hits.begin(), hits.end(), [&](const ScreeningHit& hit) { return hit.ref == query.expected; })) {
      ++found;
    }
  }
  const Timings single = summarise(timings);
  const Timings singleCpu = summarise(cpuTimings);
  std::printf("screen-person, one thread (%zu queries, normalisation included): wall p50 %.0f us, p99 %.0f us; "
              "CPU p50 %.0f us, p99 %.0f us (goal p99 <= 5000); %.0f/s\n",
              queries.size(), single.p50, single.p99, singleCpu.p50, singleCpu.p99, 1e6 / single.mean);
  std::printf("  variants of listed identities found: %zu of %zu (%.1f%%); names not listed with a hit: %zu of %zu\n",
              found, expected, 100.0 * static_cast<double>(found) / static_cast<double>(expected), falseHits,
              queries.size() - expected);

  std::atomic<size_t> done{0};
  const auto parallel = Clock::now();
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        for (const char* name : {"Тарас Шевченко", "محمد عبدالله", "דוד לוי", "김민준", "王伟"}) (void)normaliseName(name);
        for (size_t k = 0; k < queries.size(); ++k) {
          const TravellerQuery& query = queries[(k + static_cast<size_t>(t) * queries.size() / 2) % queries.size()];
          (void)index.search(personQueryOf(query), kMember, kLimit, kMatchThreshold);
          done.fetch_add(1, std::memory_order_relaxed);
        }
      });
    }
    for (auto& thread : threads) thread.join();
  }
  const double twoThreads = static_cast<double>(done.load()) / secondsSince(parallel);
  std::printf("screen-person, two threads: %.0f/s\n", twoThreads);

  if (!flag(argc, argv, "--no-pg")) {
    const PgFigures pg = runPgTrgm(identities, pgCount, queries, 60);
    const double liaisonPerSecond = 1e6 / single.mean;
    std::printf("pg_trgm (GIN trigram index, similarity_threshold 0.5, LIMIT 10) over %zu identities (%zu rows, "
                "loaded and indexed in %.1f s)%s: %.1f screenings/s on one connection, %zu queries; found %zu of "
                "%zu listed variants\n",
                pgCount, pg.rows, pg.loadSeconds, pgCount < count ? " [fewer rows than the index]" : "",
                pg.perSecond, pg.queries, pg.found, pg.expected);
    std::printf("ratio Liaison/pg_trgm, one thread each: %.0fx (goal >= 20x)%s\n", liaisonPerSecond / pg.perSecond,
                pgCount < count ? ", pg_trgm on fewer rows: the true ratio is higher" : "");
    dropDatabase("liaison_bench_screening");
  }
  return 0;
}
