// Screening at scale: a synthetic watchlist of N identities (default 1,000,000) with realistic names in
// several scripts, in the in-memory ScreeningIndex and, side by side, in PostgreSQL with pg_trgm.
// Prints the index build time, memory per identity, p50/p99 of one screen-person on one thread,
// searches per second on two threads, pg_trgm's screenings per second and the ratio (also interleaved:
// the engine and pg_trgm timed in alternating rounds, the steadiest figure on a shared machine). Quality
// (precision, recall, the threshold) is bench/screening_quality.cc's.
//
//   build/bin/liaison_bench_screening [--identities N] [--pg-identities M] [--queries Q] [--no-pg]
//                                     [--hits FILE] [--misses FILE] [--engine-rounds R]
//
// --hits FILE writes every query's hits (query number, ref, score to 17 digits, the explanation) to
// FILE: two builds' files compare with `cmp`, so a change meant only to make the search faster can be
// shown to leave every decision and score as it was. The listed variants a search missed are counted
// apart by cause: no candidate of the index although the matcher alone scores the listed identity at
// the threshold, or scored below it; --misses FILE lists them (cause, query, listed name).
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
#include <functional>
#include <iterator>
#include <map>
#include <pqxx/pqxx>
#include <pqxx/tablewriter>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <time.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>

#include "bench/bench_support.h"
#include "bench/synthetic_watchlist.h"
#include "screening/index.h"

using namespace liaison;
using namespace liaison::bench;
using namespace liaison::screening;

namespace {

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

// One line per hit: the query's number, the ref, the score to 17 significant digits, the explanation.
void writeHits(std::ofstream& out, size_t query, const std::vector<ScreeningHit>& hits) {
  char score[32];
  for (const ScreeningHit& hit : hits) {
    std::snprintf(score, sizeof score, "%.17g", hit.score.score);
    out << query << '\t' << hit.ref << '\t' << score << '\t' << hit.explanation.text << '\n';
  }
}

struct PgFigures {
  size_t rows = 0;
  double loadSeconds = 0;
  double perSecond = 0;
  double cpuMicrosPerQuery = 0;  // the backend's own CPU time (user + system) per screening
  bool parallel = false;         // the plan uses parallel workers (their CPU is not the backend's)
  size_t queries = 0;
  size_t found = 0;
  size_t expected = 0;
  // Interleaved with the engine (see runPgTrgm): the engine's passes over every query and pg_trgm's
  // slices, timed in alternation so that both meet the same moments of a shared machine.
  double engineSeconds = 0;
  size_t engineQueries = 0;
  double sliceSeconds = 0;  // pg_trgm's, over the `queries` above
  std::vector<double> roundRatios;
};

// CPU seconds (user + system) a process of this machine has used: the PostgreSQL backend of the
// benchmark's connection, whose CPU time counts as the engine thread's does.
double processCpuSeconds(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const size_t end = text.rfind(')');
  if (end == std::string::npos) return 0;
  std::istringstream fields(text.substr(end + 2));
  std::string field;
  double ticks = 0;
  // Fields 3.. follow the command name; utime and stime are fields 14 and 15.
  for (int k = 3; k <= 15 && fields >> field; ++k) {
    if (k >= 14) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// pg_trgm over the first `identities` of the watchlist, one row per name, the same queries.
// Before each slice of kSliceQueries pg_trgm queries, `enginePass` runs the engine once over every
// query (one thread) and returns its seconds: a machine whose speed drifts (other work on the shared
// cores) then slows both sides of the ratio alike, where two long runs one after the other need not.
constexpr size_t kSliceQueries = 300;
PgFigures runPgTrgm(const std::vector<Synthetic>& identities, size_t count, const std::vector<TravellerQuery>& queries,
                    double maxSeconds, const std::function<double()>& enginePass) {
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
  const std::string example = tx.quote(queries.front().name);
  for (const auto& row : tx.exec("EXPLAIN SELECT ref, similarity(name, " + example + ") FROM screening_names WHERE name % " +
                                 example + " ORDER BY similarity(name, " + example + ") DESC LIMIT 10")) {
    const std::string line = row[0].as<std::string>();
    if (line.find("Gather") != std::string::npos) figures.parallel = true;
  }
  const int backend = tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
  const double backendCpu = processCpuSeconds(backend);
  const auto timed = Clock::now();
  auto slice = Clock::now();
  double engineRound = 0;
  size_t inSlice = 0;
  auto closeRound = [&] {
    const double pgRound = secondsSince(slice);
    figures.sliceSeconds += pgRound;
    figures.roundRatios.push_back((pgRound / static_cast<double>(inSlice)) /
                                  (engineRound / static_cast<double>(queries.size())));
    inSlice = 0;
  };
  for (size_t q = 0; q < queries.size(); ++q) {
    if (q % kSliceQueries == 0) {
      if (q > 0) closeRound();
      if (secondsSince(timed) > maxSeconds) break;
      engineRound = enginePass();
      figures.engineSeconds += engineRound;
      figures.engineQueries += queries.size();
      slice = Clock::now();
    }
    const TravellerQuery& query = queries[q];
    const pqxx::result rows = tx.exec_prepared("screen", query.name);
    ++figures.queries;
    ++inSlice;
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
  if (inSlice > 0) closeRound();  // the last slice, which the loop ends in
  figures.perSecond = static_cast<double>(figures.queries) / figures.sliceSeconds;
  figures.cpuMicrosPerQuery = (processCpuSeconds(backend) - backendCpu) * 1e6 / static_cast<double>(figures.queries);
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

  const std::vector<NamePool> pools = loadNamePools(dataDir);

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
  std::vector<double> normaliseCpu;  // of which normalising the query
  timings.reserve(queries.size());
  cpuTimings.reserve(queries.size());
  size_t expected = 0;
  size_t found = 0;
  size_t falseHits = 0;
  const std::string hitsPath = stringArgument(argc, argv, "--hits", "");
  std::ofstream hitsFile;
  if (!hitsPath.empty()) hitsFile.open(hitsPath);
  const std::string missesPath = stringArgument(argc, argv, "--misses", "");
  std::ofstream missesFile;
  if (!missesPath.empty()) missesFile.open(missesPath);
  std::unordered_map<std::string, const Synthetic*> byRef;
  for (const auto& identity : identities) byRef.emplace(identity.record.ref, &identity);
  size_t missedByIndex = 0;
  for (size_t q = 0; q < queries.size(); ++q) {
    const TravellerQuery& query = queries[q];
    const auto started = Clock::now();
    const double cpuStarted = threadCpuMicros();
    const PersonQuery person = personQueryOf(query);
    normaliseCpu.push_back(threadCpuMicros() - cpuStarted);
    const auto hits = index.search(person, kMember, kLimit, kMatchThreshold);
    cpuTimings.push_back(threadCpuMicros() - cpuStarted);
    timings.push_back(microsSince(started));
    if (hitsFile.is_open()) writeHits(hitsFile, q, hits);
    if (query.expected.empty()) {
      falseHits += hits.empty() ? 0 : 1;
      continue;
    }
    ++expected;
    if (std::any_of(hits.begin(), hits.end(), [&](const ScreeningHit& hit) { return hit.ref == query.expected; })) {
      ++found;
    } else if (const auto listed = byRef.find(query.expected); listed != byRef.end()) {
      // Missed: by the index (the matcher alone scores the listed identity at the threshold, so it
      // was no candidate or lost to the candidate budget), or by the matcher.
      const double alone = scorePerson(person, personRecordOf(listed->second->record)).score;
      if (alone >= kMatchThreshold) {
        ++missedByIndex;
        if (!missesPath.empty()) missesFile << "index\t" << query.name << '\t' << listed->second->record.names[0] << '\n';
      } else if (!missesPath.empty()) {
        missesFile << "matcher\t" << query.name << '\t' << listed->second->record.names[0] << '\n';
      }
    }
  }
  const Timings single = summarise(timings);
  const Timings singleCpu = summarise(cpuTimings);
  std::printf("screen-person, one thread (%zu queries, normalisation included): wall p50 %.0f us, p99 %.0f us; "
              "CPU p50 %.0f us, p99 %.0f us (goal p99 <= 5000); %.0f/s\n",
              queries.size(), single.p50, single.p99, singleCpu.p50, singleCpu.p99, 1e6 / single.mean);
  const Timings normalising = summarise(normaliseCpu);
  std::printf("  of which normalising the query name: CPU p50 %.0f us, p99 %.0f us, mean %.0f us of %.0f us\n",
              normalising.p50, normalising.p99, normalising.mean, singleCpu.mean);
  std::printf("  variants of listed identities found: %zu of %zu (%.1f%%); names not listed with a hit: %zu of %zu\n",
              found, expected, 100.0 * static_cast<double>(found) / static_cast<double>(expected), falseHits,
              queries.size() - expected);
  std::printf("  of the variants missed, %zu were no candidate of the index though the matcher alone scores them "
              "at the threshold, %zu the matcher scores below it\n",
              missedByIndex, expected - found - missedByIndex);

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

  auto enginePass = [&] {
    const auto started = Clock::now();
    for (const TravellerQuery& query : queries) (void)index.search(personQueryOf(query), kMember, kLimit, kMatchThreshold);
    return secondsSince(started);
  };
  // --engine-rounds N: the one-thread pass over every query N times more, for comparing two builds on
  // a machine whose speed drifts (the best round is the least disturbed).
  if (const size_t rounds = argument(argc, argv, "--engine-rounds", 0); rounds > 0) {
    std::vector<double> rates;
    for (size_t r = 0; r < rounds; ++r) rates.push_back(static_cast<double>(queries.size()) / enginePass());
    std::sort(rates.begin(), rates.end());
    std::printf("screen-person, one thread, %zu more rounds: best %.0f/s, median %.0f/s, worst %.0f/s\n", rounds,
                rates.back(), rates[rates.size() / 2], rates.front());
  }

  if (!flag(argc, argv, "--no-pg")) {
    const PgFigures pg = runPgTrgm(identities, pgCount, queries, 60, enginePass);
    const double liaisonPerSecond = 1e6 / single.mean;
    std::printf("pg_trgm (GIN trigram index, similarity_threshold 0.5, LIMIT 10) over %zu identities (%zu rows, "
                "loaded and indexed in %.1f s)%s: %.1f screenings/s on one connection, %zu queries; found %zu of "
                "%zu listed variants\n",
                pgCount, pg.rows, pg.loadSeconds, pgCount < count ? " [fewer rows than the index]" : "",
                pg.perSecond, pg.queries, pg.found, pg.expected);
    std::printf("  pg_trgm backend CPU per screening %.0f us (%s)\n", pg.cpuMicrosPerQuery,
                pg.parallel ? "the plan uses parallel workers, whose CPU this does not count"
                            : "one process, no parallel workers in the plan");
    std::printf("ratio Liaison/pg_trgm, one thread each: %.1fx in wall-clock screenings/s (goal >= 20x)%s\n",
                liaisonPerSecond / pg.perSecond,
                pgCount < count ? ", pg_trgm on fewer rows: the true ratio is higher" : "");
    std::printf("ratio Liaison/pg_trgm in CPU time per screening (robust to a busy machine): %.1fx\n",
                pg.cpuMicrosPerQuery / singleCpu.mean);
    std::vector<double> rounds = pg.roundRatios;
    std::sort(rounds.begin(), rounds.end());
    std::printf("ratio interleaved (%zu rounds: the engine over all %zu queries, then %zu pg_trgm queries; the "
                "steadiest figure on a shared machine): %.1fx in screenings/s (engine %.0f/s, pg_trgm %.1f/s); "
                "per round min %.1fx, median %.1fx, max %.1fx (goal >= 20x)\n",
                rounds.size(), queries.size(), kSliceQueries,
                (pg.sliceSeconds / static_cast<double>(pg.queries)) /
                    (pg.engineSeconds / static_cast<double>(pg.engineQueries)),
                static_cast<double>(pg.engineQueries) / pg.engineSeconds, pg.perSecond,
                rounds.empty() ? 0 : rounds.front(), rounds.empty() ? 0 : rounds[rounds.size() / 2],
                rounds.empty() ? 0 : rounds.back());
    dropDatabase("liaison_bench_screening");
  }
  return 0;
}
