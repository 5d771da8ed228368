#include "bench/screening_eval.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string_view>
#include <thread>
#include <utility>

#include "adapters/csv.h"

namespace liaison::bench::quality {
namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "screening quality: %s\n", what.c_str());
  std::exit(1);
}

struct Country {
  std::string_view name;
  std::string_view code;
};
// The country names of negatives_global.csv, as ISO 3166-1 alpha-2 codes (the UN rows' form).
constexpr Country kCountries[] = {{"afghanistan", "af"},
                                  {"algeria", "dz"},
                                  {"argentina", "ar"},
                                  {"australia", "au"},
                                  {"austria", "at"},
                                  {"azerbaijan", "az"},
                                  {"bangladesh", "bd"},
                                  {"belarus", "by"},
                                  {"belgium", "be"},
                                  {"bhutan", "bt"},
                                  {"bolivia", "bo"},
                                  {"bosnia and herzegovina", "ba"},
                                  {"botswana", "bw"},
                                  {"brazil", "br"},
                                  {"brunei", "bn"},
                                  {"bulgaria", "bg"},
                                  {"burkina faso", "bf"},
                                  {"cambodia", "kh"},
                                  {"cameroon", "cm"},
                                  {"canada", "ca"},
                                  {"chile", "cl"},
                                  {"china", "cn"},
                                  {"colombia", "co"},
                                  {"costa rica", "cr"},
                                  {"croatia", "hr"},
                                  {"cuba", "cu"},
                                  {"czech republic", "cz"},
                                  {"democratic republic of the congo", "cd"},
                                  {"denmark", "dk"},
                                  {"dominican republic", "do"},
                                  {"east timor", "tl"},
                                  {"ecuador", "ec"},
                                  {"egypt", "eg"},
                                  {"el salvador", "sv"},
                                  {"ethiopia", "et"},
                                  {"finland", "fi"},
                                  {"france", "fr"},
                                  {"germany", "de"},
                                  {"ghana", "gh"},
                                  {"guatemala", "gt"},
                                  {"honduras", "hn"},
                                  {"hong kong", "hk"},
                                  {"india", "in"},
                                  {"indonesia", "id"},
                                  {"iran", "ir"},
                                  {"iraq", "iq"},
                                  {"ireland", "ie"},
                                  {"israel", "il"},
                                  {"italy", "it"},
                                  {"ivory coast", "ci"},
                                  {"japan", "jp"},
                                  {"jordan", "jo"},
                                  {"kazakhstan", "kz"},
                                  {"kenya", "ke"},
                                  {"kuwait", "kw"},
                                  {"kyrgyzstan", "kg"},
                                  {"laos", "la"},
                                  {"lebanon", "lb"},
                                  {"malaysia", "my"},
                                  {"mali", "ml"},
                                  {"mexico", "mx"},
                                  {"mongolia", "mn"},
                                  {"montenegro", "me"},
                                  {"morocco", "ma"},
                                  {"myanmar", "mm"},
                                  {"nepal", "np"},
                                  {"netherlands", "nl"},
                                  {"new zealand", "nz"},
                                  {"nicaragua", "ni"},
                                  {"nigeria", "ng"},
                                  {"north macedonia", "mk"},
                                  {"norway", "no"},
                                  {"pakistan", "pk"},
                                  {"panama", "pa"},
                                  {"paraguay", "py"},
                                  {"peru", "pe"},
                                  {"philippines", "ph"},
                                  {"poland", "pl"},
                                  {"portugal", "pt"},
                                  {"puerto rico", "pr"},
                                  {"qatar", "qa"},
                                  {"russia", "ru"},
                                  {"rwanda", "rw"},
                                  {"saudi arabia", "sa"},
                                  {"senegal", "sn"},
                                  {"serbia", "rs"},
                                  {"singapore", "sg"},
                                  {"slovakia", "sk"},
                                  {"slovenia", "si"},
                                  {"south africa", "za"},
                                  {"south korea", "kr"},
                                  {"spain", "es"},
                                  {"sri lanka", "lk"},
                                  {"sweden", "se"},
                                  {"switzerland", "ch"},
                                  {"syria", "sy"},
                                  {"taiwan", "tw"},
                                  {"tajikistan", "tj"},
                                  {"tanzania", "tz"},
                                  {"thailand", "th"},
                                  {"tunisia", "tn"},
                                  {"turkey", "tr"},
                                  {"turkmenistan", "tm"},
                                  {"uganda", "ug"},
                                  {"ukraine", "ua"},
                                  {"united arab emirates", "ae"},
                                  {"united kingdom", "gb"},
                                  {"united states", "us"},
                                  {"uruguay", "uy"},
                                  {"uzbekistan", "uz"},
                                  {"venezuela", "ve"},
                                  {"vietnam", "vn"},
                                  {"zimbabwe", "zw"}};

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string nationalityCode(std::string_view written, const std::filesystem::path& file, size_t line) {
  const std::string text = lower(written);
  if (text.size() == 2) return text;
  for (const Country& country : kCountries) {
    if (country.name == text) return std::string(country.code);
  }
  fail(file.string() + ":" + std::to_string(line) + ": nationality \"" + std::string(written) +
       "\" is neither a two-letter code nor a known country name");
}

Sex sexOf(std::string_view text) {
  if (text == "male") return Sex::male;
  if (text == "female") return Sex::female;
  return Sex::unspecified;
}

}  // namespace

std::vector<LabelledPerson> readPersons(const std::filesystem::path& file, size_t limit) {
  std::ifstream in(file);
  if (!in) fail("cannot read " + file.string() + " (--data names the folder of ../shared/data)");
  CsvReader reader(in);
  std::vector<std::string> fields;
  std::vector<std::string> header;
  auto next = [&] {
    auto more = reader.next(fields);
    if (!more) fail(file.string() + ": " + more.error().message);
    return *more;
  };
  if (!next()) fail(file.string() + ": empty");
  header = fields;
  const std::vector<std::string> expected = {"full_name", "first_name",    "middle_name",    "last_name",
                                             "gender",    "date_of_birth", "place_of_birth", "nationality"};
  if (header != expected) fail(file.string() + ":1: the header is not " + "full_name,...,nationality");
  std::vector<LabelledPerson> persons;
  while (persons.size() < limit && next()) {
    if (fields.size() != expected.size()) {
      fail(file.string() + ":" + std::to_string(reader.recordLine()) + ": " + std::to_string(fields.size()) +
           " fields, expected " + std::to_string(expected.size()));
    }
    LabelledPerson person;
    person.fullName = fields[0];
    person.evidence.names.push_back(screening::normaliseName(fields[0]));
    person.evidence.sex = sexOf(fields[4]);
    // Malformed dates (the treated rows hold a few, "1969-7-16") count as unknown, as a screening
    // request would have to treat them.
    if (!fields[5].empty()) {
      if (auto date = parsePartialDate(fields[5])) person.evidence.dateOfBirth = *date;
    }
    if (!fields[7].empty()) {
      person.evidence.nationalities.push_back(nationalityCode(fields[7], file, reader.recordLine()));
    }
    persons.push_back(std::move(person));
  }
  return persons;
}

std::vector<TransliterationRow> readTransliterations(const std::filesystem::path& file, size_t limit) {
  std::ifstream in(file);
  if (!in) fail("cannot read " + file.string() + " (--data names the folder of ../shared/data)");
  std::vector<TransliterationRow> rows;
  std::string line;
  size_t number = 0;
  while (rows.size() < limit && std::getline(in, line)) {
    ++number;
    const size_t tab1 = line.find('\t');
    const size_t tab2 = tab1 == std::string::npos ? std::string::npos : line.find('\t', tab1 + 1);
    if (tab2 == std::string::npos)
      fail(file.string() + ":" + std::to_string(number) + ": expected three columns");
    TransliterationRow row;
    row.latin = line.substr(0, tab1);
    for (char c : std::string_view(line).substr(tab1 + 1, tab2 - tab1 - 1)) {
      if (c != ' ') row.native.push_back(c);
    }
    row.count = static_cast<uint32_t>(std::strtoul(line.c_str() + tab2 + 1, nullptr, 10));
    rows.push_back(std::move(row));
  }
  return rows;
}

size_t binOf(double score) {
  if (!(score > 0)) return 0;
  if (score >= 1) return kBins;
  return static_cast<size_t>(std::floor(score * kBins + 1e-9));
}

void Counts::addOwn(double score) {
  ++own[binOf(score)];
  ++positives;
}

void Counts::addOther(double score) { ++other[binOf(score)]; }

void Counts::add(const Counts& more) {
  for (size_t i = 0; i <= kBins; ++i) {
    own[i] += more.own[i];
    other[i] += more.other[i];
  }
  positives += more.positives;
}

Point Counts::at(double threshold) const {
  Point point;
  point.threshold = threshold;
  const size_t from = static_cast<size_t>(std::lround(threshold * kBins));
  for (size_t i = from; i <= kBins; ++i) {
    point.truePositives += own[i];
    point.falsePositives += other[i];
  }
  point.falseNegatives = positives - point.truePositives;
  const uint64_t alerts = point.truePositives + point.falsePositives;
  point.precision =
      alerts == 0 ? 1.0 : static_cast<double>(point.truePositives) / static_cast<double>(alerts);
  point.recall =
      positives == 0 ? 0.0 : static_cast<double>(point.truePositives) / static_cast<double>(positives);
  const double sum = point.precision + point.recall;
  point.f1 = sum == 0 ? 0 : 2 * point.precision * point.recall / sum;
  return point;
}

std::vector<Point> Counts::curve() const {
  std::vector<Point> points;
  for (size_t i = 0; i <= kBins; ++i) points.push_back(at(static_cast<double>(i) / kBins));
  return points;
}

Point Counts::bestF1() const {
  Point best;
  for (const Point& point : curve()) {
    if (point.f1 > best.f1) best = point;
  }
  return best;
}

Point Counts::recallAtPrecision(double precision) const {
  Point best;
  best.precision = 0;
  for (const Point& point : curve()) {
    if (point.precision >= precision && point.recall > best.recall) best = point;
  }
  return best;
}

Counts scoreScreening(const std::vector<LabelledPerson>& positives,
                      const std::vector<LabelledPerson>& negatives,
                      const std::vector<LabelledPerson>& watchlist, bool withEvidence, unsigned threads) {
  const size_t queries = positives.size() + negatives.size();
  std::atomic<size_t> nextQuery{0};
  std::vector<Counts> perThread(std::max(1u, threads));
  auto work = [&](Counts& counts) {
    for (size_t q = nextQuery++; q < queries; q = nextQuery++) {
      const bool positive = q < positives.size();
      const LabelledPerson& query = positive ? positives[q] : negatives[q - positives.size()];
      for (size_t w = 0; w < watchlist.size(); ++w) {
        const double score =
            withEvidence
                ? screening::scorePerson(query.evidence, watchlist[w].evidence).score
                : screening::compareNames(query.evidence.names.front(), watchlist[w].evidence.names.front())
                      .score;
        if (positive && w == q) {
          counts.addOwn(score);
        } else {
          counts.addOther(score);
        }
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < perThread.size(); ++t) pool.emplace_back(work, std::ref(perThread[t]));
  work(perThread[0]);
  for (std::thread& thread : pool) thread.join();
  Counts total;
  for (const Counts& counts : perThread) total.add(counts);
  return total;
}

std::vector<LabelledPair> transliterationPairs(const std::vector<TransliterationRow>& rows, uint64_t seed) {
  std::vector<LabelledPair> pairs;
  if (rows.size() < 2) return pairs;
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<size_t> pick(0, rows.size() - 1);
  for (size_t i = 0; i < rows.size(); ++i) pairs.push_back({rows[i].native, rows[i].latin, true});
  for (size_t i = 0; i < rows.size(); ++i) {
    size_t other = pick(random);
    for (int attempt = 0; attempt < 16 && rows[other].latin == rows[i].latin; ++attempt) other = pick(random);
    if (rows[other].latin == rows[i].latin) continue;
    pairs.push_back({rows[i].native, rows[other].latin, false});
  }
  return pairs;
}

Counts scorePairs(const std::vector<LabelledPair>& pairs) {
  Counts counts;
  for (const LabelledPair& pair : pairs) {
    const double score =
        screening::compareNames(screening::normaliseName(pair.a), screening::normaliseName(pair.b)).score;
    if (pair.same) {
      counts.addOwn(score);
    } else {
      counts.addOther(score);
    }
  }
  return counts;
}

}  // namespace liaison::bench::quality
