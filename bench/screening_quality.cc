// Screening quality on the shared evaluation sets (../shared/data/README.md), beside PostgreSQL's
// pg_trgm on the same pairs. Prints precision, recall and F1 at the engine's thresholds per set and
// script (names alone at kNameMatchThreshold, persons at kMatchThreshold), writes the precision-recall
// curves as CSV and a PNG plot (gnuplot).
//
//   liaison_bench_screening_quality [--data DIR] [--out DIR] [--negatives N] [--threads N] [--no-pg-trgm]
//
// --data: the folder holding screening/ and transliteration/ (default $LIAISON_ROOT/../shared/data,
// else /work/shared/data); --out: where the curves go (default build/bench-out); --negatives: use
// only the first N negatives (default all 50,000). pg_trgm runs in a scratch database of the cluster
// at $LIAISON_TEST_PGHOST (scripts/bench sets it).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "bench/bench_support.h"
#include "bench/screening_eval.h"
#include "screening/match.h"
#include "screening/name.h"

namespace liaison::bench {
namespace {

using quality::Counts;
using quality::LabelledPair;
using quality::LabelledPerson;
using quality::Point;

constexpr uint64_t kPairSeed = 20261205;
const char* const kScripts[] = {"arabic", "chinese", "hebrew", "korean", "russian"};
constexpr const char* kDatabase = "liaison_bench_screening_quality";

struct Options {
  std::filesystem::path data;
  std::filesystem::path out = "build/bench-out";
  size_t negatives = SIZE_MAX;
  unsigned threads = 2;
  bool pgTrgm = true;
};

Options parseOptions(int argc, char** argv) {
  Options options;
  if (const char* root = std::getenv("LIAISON_ROOT")) {
    options.data = std::filesystem::path(root) / ".." / "shared" / "data";
  } else {
    options.data = "/work/shared/data";
  }
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) die(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--data") {
      options.data = value();
    } else if (arg == "--out") {
      options.out = value();
    } else if (arg == "--negatives") {
      options.negatives = std::stoul(value());
    } else if (arg == "--threads") {
      options.threads = static_cast<unsigned>(std::stoul(value()));
    } else if (arg == "--no-pg-trgm") {
      options.pgTrgm = false;
    } else {
      die("unknown option " + arg + " (see the comment at the top of bench/screening_quality.cc)");
    }
  }
  return options;
}

// One curve of the output: which set, which scorer, its counts.
struct Series {
  std::string set;
  std::string scorer;
  Counts counts;
};

void printPoint(const std::string& label, const Point& p) {
  std::printf("  %-34s threshold %.3f  precision %.4f  recall %.4f  F1 %.4f  (TP %llu FP %llu FN %llu)\n",
              label.c_str(), p.threshold, p.precision, p.recall, p.f1,
              static_cast<unsigned long long>(p.truePositives),
              static_cast<unsigned long long>(p.falsePositives),
              static_cast<unsigned long long>(p.falseNegatives));
}

std::string romanisedName(const screening::Name& name) {
  std::string out;
  for (const screening::Token& token : name.tokens) {
    if (!out.empty()) out += ' ';
    out += token.text;
  }
  return out;
}

// pg_trgm's similarity() over the same pairs, counted like the engine's scores; in SQL, so only the
// histogram crosses the connection.
class Trigrams {
 public:
  Trigrams() : target_(freshDatabase(kDatabase)), connection_(target_.conninfo + " user=liaison_admin") {
    pqxx::nontransaction tx(connection_);
    tx.exec("CREATE EXTENSION IF NOT EXISTS pg_trgm");
  }
  ~Trigrams() {
    connection_.disconnect();
    dropDatabase(kDatabase);
  }

  // Queries (positives first, then negatives) against the watchlist: as written and romanised.
  std::pair<Counts, Counts> screening(const std::vector<LabelledPerson>& positives,
                                      const std::vector<LabelledPerson>& negatives,
                                      const std::vector<LabelledPerson>& watchlist) {
    pqxx::work tx(connection_);
    tx.exec("CREATE TEMP TABLE q (person int, positive bool, written text, romanised text)");
    tx.exec("CREATE TEMP TABLE w (person int, written text, romanised text)");
    {
      pqxx::stream_to stream(tx, "q");
      for (size_t i = 0; i < positives.size(); ++i) {
        stream << std::make_tuple(static_cast<int>(i), true, positives[i].fullName,
                                  romanisedName(positives[i].evidence.names.front()));
      }
      for (const LabelledPerson& negative : negatives) {
        stream << std::make_tuple(-1, false, negative.fullName,
                                  romanisedName(negative.evidence.names.front()));
      }
      stream.complete();
    }
    {
      pqxx::stream_to stream(tx, "w");
      for (size_t i = 0; i < watchlist.size(); ++i) {
        stream << std::make_tuple(static_cast<int>(i), watchlist[i].fullName,
                                  romanisedName(watchlist[i].evidence.names.front()));
      }
      stream.complete();
    }
    Counts written =
        histogram(tx,
                  "SELECT q.positive AND q.person = w.person, floor(similarity(q.written, w.written) * "
                  "1000)::int, count(*) FROM q CROSS JOIN w GROUP BY 1, 2");
    Counts romanised = histogram(tx,
                                 "SELECT q.positive AND q.person = w.person, floor(similarity(q.romanised, "
                                 "w.romanised) * 1000)::int, count(*) FROM q CROSS JOIN w GROUP BY 1, 2");
    tx.commit();
    return {written, romanised};
  }

  // Labelled pairs (first side native, second latin): as written and with the native side romanised.
  std::pair<Counts, Counts> pairs(const std::vector<LabelledPair>& pairs) {
    pqxx::work tx(connection_);
    tx.exec("CREATE TEMP TABLE p (same bool, a text, a_romanised text, b text)");
    {
      pqxx::stream_to stream(tx, "p");
      for (const LabelledPair& pair : pairs) {
        stream << std::make_tuple(pair.same, pair.a, romanisedName(screening::normaliseName(pair.a)), pair.b);
      }
      stream.complete();
    }
    Counts written =
        histogram(tx, "SELECT same, floor(similarity(a, b) * 1000)::int, count(*) FROM p GROUP BY 1, 2");
    Counts romanised = histogram(
        tx, "SELECT same, floor(similarity(a_romanised, b) * 1000)::int, count(*) FROM p GROUP BY 1, 2");
    tx.exec("DROP TABLE p");
    tx.commit();
    return {written, romanised};
  }

 private:
  static Counts histogram(pqxx::work& tx, const char* sql) {
    Counts counts;
    for (const auto& row : tx.exec(sql)) {
      const bool own = row[0].as<bool>();
      const size_t bin = std::min<size_t>(quality::kBins, row[1].as<size_t>());
      const auto n = row[2].as<uint64_t>();
      (own ? counts.own : counts.other)[bin] += n;
      if (own) counts.positives += n;
    }
    return counts;
  }

  store::DatabaseTarget target_;
  pqxx::connection connection_;
};

// pg_trgm's best point, and its recall where its precision is at least the engine's: at the
// engine's threshold and at the engine's best F1.
void compareWithTrigrams(const std::string& label, const Counts& engine, double threshold,
                         const Counts& trigrams) {
  printPoint(label + " best F1", trigrams.bestF1());
  for (const Point& reference : {engine.at(threshold), engine.bestF1()}) {
    const Point atPrecision = trigrams.recallAtPrecision(reference.precision);
    std::printf("  %-34s recall %.4f at precision >= %.4f (threshold %.3f; engine: recall %.4f at %.3f)\n",
                (label + " at engine precision").c_str(), atPrecision.recall, reference.precision,
                atPrecision.threshold, reference.recall, reference.threshold);
  }
}

void writeCurves(const std::filesystem::path& out, const std::vector<Series>& series) {
  std::filesystem::create_directories(out);
  std::ofstream csv(out / "screening_quality_curve.csv");
  csv << "set,scorer,threshold,precision,recall,f1\n";
  for (const Series& s : series) {
    std::ofstream dat(out / ("curve_" + s.set + "_" + s.scorer + ".dat"));
    for (const Point& p : s.counts.curve()) {
      csv << s.set << ',' << s.scorer << ',' << p.threshold << ',' << p.precision << ',' << p.recall << ','
          << p.f1 << '\n';
      // Points with no alert at all have no meaningful precision.
      if (p.truePositives + p.falsePositives > 0) dat << p.recall << ' ' << p.precision << '\n';
    }
  }
  std::printf("curves: %s\n", (out / "screening_quality_curve.csv").c_str());
}

void plotCurves(const std::filesystem::path& out, const std::vector<Series>& series, size_t negatives) {
  if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) {
    std::printf("plot: skipped: gnuplot is not installed (scripts/bench installs gnuplot-nox)\n");
    return;
  }
  const std::filesystem::path script = out / "screening_quality.gp";
  {
    std::ofstream gp(script);
    gp << "set terminal pngcairo size 1400,600 font ',10'\n"
       << "set output '" << (out / "screening_quality.png").string() << "'\n"
       << "set multiplot layout 1,2\n"
       << "set xlabel 'recall'\nset ylabel 'precision'\nset xrange [0:1]\nset yrange [0:1.02]\nset grid\n"
       << "set key bottom left\n";
    for (int panel = 0; panel < 2; ++panel) {
      if (panel == 0) {
        gp << "set title 'screening set: 683 UN persons, " << negatives << " negatives'\nplot ";
      } else {
        gp << "set title 'transliteration pairs (every row)'\nplot ";
      }
      bool first = true;
      for (const Series& s : series) {
        if ((s.set == "screening") != (panel == 0)) continue;
        if (panel == 1 && s.set.ends_with("-count2")) continue;  // the plot shows every row
        if (!first) gp << ", ";
        first = false;
        gp << "'" << (out / ("curve_" + s.set + "_" + s.scorer + ".dat")).string()
           << "' with lines lw 2 title '" << s.set << " " << s.scorer << "'";
      }
      gp << "\n";
    }
    gp << "unset multiplot\n";
  }
  if (std::system(("gnuplot " + script.string()).c_str()) != 0) die("gnuplot failed on " + script.string());
  std::printf("plot: %s\n", (out / "screening_quality.png").c_str());
}

int run(const Options& options) {
  // Names alone are judged at the names threshold, persons (name, date of birth, nationality) at the
  // person threshold, as the product does.
  const double nameThreshold = screening::kNameMatchThreshold;
  const double personThreshold = screening::kMatchThreshold;
  std::printf(
      "screening quality: data %s, thresholds %.2f for names alone (screening::kNameMatchThreshold), %.2f "
      "for persons (screening::kMatchThreshold)\n",
      options.data.c_str(), nameThreshold, personThreshold);
  std::vector<Series> series;
  std::optional<Trigrams> trigrams;
  if (options.pgTrgm) trigrams.emplace();

  // The screening set.
  const auto dir = options.data / "screening";
  const auto started = Clock::now();
  const auto treated = quality::readPersons(dir / "positives_un_treated.csv");
  const auto watchlist = quality::readPersons(dir / "positives_un_untreated.csv");
  const auto negatives = quality::readPersons(dir / "negatives_global.csv", options.negatives);
  if (treated.size() != watchlist.size()) die("the treated and untreated files differ in length");
  std::printf(
      "\nscreening/: %zu treated queries against %zu watchlist persons, %zu negative queries "
      "(normalised in %.1f s)\n",
      treated.size(), watchlist.size(), negatives.size(), secondsSince(started));
  for (bool withEvidence : {false, true}) {
    const auto scoring = Clock::now();
    Counts counts = quality::scoreScreening(treated, negatives, watchlist, withEvidence, options.threads);
    const std::string scorer = withEvidence ? "engine-person" : "engine-name";
    const double threshold = withEvidence ? personThreshold : nameThreshold;
    printPoint(scorer + (withEvidence ? " (name+dob+nat.)" : " (name only)"), counts.at(threshold));
    printPoint(scorer + " best F1", counts.bestF1());
    std::printf("    (%.0f pairs in %.1f s)\n",
                static_cast<double>((treated.size() + negatives.size()) * watchlist.size()),
                secondsSince(scoring));
    series.push_back({"screening", scorer, counts});
  }
  const Counts& engineName = series[0].counts;
  if (trigrams) {
    const auto scoring = Clock::now();
    auto [written, romanised] = trigrams->screening(treated, negatives, watchlist);
    compareWithTrigrams("pg_trgm as written", engineName, nameThreshold, written);
    compareWithTrigrams("pg_trgm romanised", engineName, nameThreshold, romanised);
    std::printf("    (pg_trgm in %.1f s)\n", secondsSince(scoring));
    series.push_back({"screening", "pg_trgm-written", written});
    series.push_back({"screening", "pg_trgm-romanised", romanised});
  }

  // The transliteration sets, per script: every row, and the rows Wikidata has at least twice.
  std::printf(
      "\ntransliteration/: native name (letters joined) against its latin form, and as many negatives "
      "(another row's latin form, seed %llu)\n",
      static_cast<unsigned long long>(kPairSeed));
  for (const char* script : kScripts) {
    const auto rows = quality::readTransliterations(options.data / "transliteration" /
                                                    ("wd_" + std::string(script) + "_80.tsv"));
    std::vector<quality::TransliterationRow> frequent;
    for (const auto& row : rows) {
      if (row.count >= 2) frequent.push_back(row);
    }
    const std::vector<std::pair<std::string, const std::vector<quality::TransliterationRow>*>> sets = {
        {script, &rows}, {std::string(script) + "-count2", &frequent}};
    for (const auto& [label, set] : sets) {
      const auto pairs = quality::transliterationPairs(*set, kPairSeed);
      const Counts counts = quality::scorePairs(pairs);
      std::printf(" %s: %zu pairs\n", label.c_str(), pairs.size());
      const Point at = counts.at(nameThreshold);
      printPoint("engine", at);
      printPoint("engine best F1", counts.bestF1());
      printPoint("engine, best recall at precision 0.90", counts.recallAtPrecision(0.90));
      // Positives in whose two spellings the engine finds nothing alike bound recall at any useful
      // threshold (many such rows pair a name with another name of the same person).
      std::printf("  %-34s %llu of %llu positives score below 0.001: recall at most %.4f at any threshold above\n",
                  "nothing alike", static_cast<unsigned long long>(counts.own[0]),
                  static_cast<unsigned long long>(counts.positives),
                  1.0 - static_cast<double>(counts.own[0]) / static_cast<double>(counts.positives));
      series.push_back({label, "engine", counts});
      if (trigrams) {
        auto [written, romanised] = trigrams->pairs(pairs);
        compareWithTrigrams("pg_trgm as written", counts, nameThreshold, written);
        compareWithTrigrams("pg_trgm romanised", counts, nameThreshold, romanised);
        series.push_back({label, "pg_trgm-romanised", romanised});
      }
    }
  }
  std::printf("\n");
  writeCurves(options.out, series);
  plotCurves(options.out, series, negatives.size());
  return 0;
}

}  // namespace
}  // namespace liaison::bench

int main(int argc, char** argv) { return liaison::bench::run(liaison::bench::parseOptions(argc, argv)); }
