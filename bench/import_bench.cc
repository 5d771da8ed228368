// Import benchmark: lost/stolen documents from CSV through `importCsv` (validation, COPY into a
// staging table, the row-level-secured INSERT with its unique and lookup indexes), against the
// bound measured in the same run: PostgreSQL's own COPY of the same rows into a bare table with no
// index, constraint or security policy. Run through scripts/bench.
//
// usage: liaison_bench_import [--rows N]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include <pqxx/pqxx>

#include "adapters/csv_import.h"
#include "adapters/migrate.h"
#include "bench/bench_support.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <pqxx/tablewriter>
#pragma GCC diagnostic pop

namespace liaison::bench {
namespace {



int run(size_t rows) {
  const store::DatabaseTarget target = freshDatabase("liaison_bench_import");

  // The same synthetic rows for both runs.
  std::string csv = "number,issuing_state,type,fraud_type,report_date,issue_date,expiry_date,national_reference\n";
  csv.reserve(rows * 80);
  std::vector<std::string> copyLines;
  copyLines.reserve(rows);
  char line[160];
  for (size_t i = 0; i < rows; ++i) {
    const char* fraud = i % 3 == 0 ? "lost" : (i % 3 == 1 ? "stolen-from-bearer" : "stolen-blank");
    std::snprintf(line, sizeof line, "C%08zu,UTO,passport,%s,2025-%02zu-%02zu,2019-01-01,2029-01-01,REF-%zu", i, fraud,
                  i % 12 + 1, i % 28 + 1, i);
    csv += line;
    csv += '\n';
    std::string copy = line;
    for (char& c : copy) {
      if (c == ',') c = '\t';
    }
    copyLines.push_back(std::move(copy));
  }

  // The bound: PostgreSQL's COPY into a bare table, same rows, same server, one transaction.
  double boundSeconds = 0;
  {
    pqxx::connection admin(store::conninfoFor(target, store::DbRole::admin));
    pqxx::work tx(admin);
    tx.exec("CREATE TABLE bare_copy (number text, issuing_state text, document_type text, fraud_type text, "
            "report_date date, issue_date date, expiry_date date, national_reference text)");
    const auto started = Clock::now();
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    {
      pqxx::tablewriter writer(tx, "bare_copy");
      for (const auto& l : copyLines) writer.write_raw_line(l);
      writer.complete();
    }
#pragma GCC diagnostic pop
    tx.commit();
    boundSeconds = secondsSince(started);
  }

  importers::ImportOptions options;
  options.owner = "XA-POLICE";
  options.visibleTo = {"XB-BORDER"};
  options.retentionUntil = parseDate("2036-01-01").value();
  std::istringstream in(csv);
  const auto started = Clock::now();
  auto report = importers::importCsv(target, RecordKind::travelDocument, in, "bench.csv", options);
  const double importSeconds = secondsSince(started);
  if (!report) die(report.error().message);

  std::printf("import of %zu lost/stolen documents (validation, staging COPY, RLS-checked INSERT, 3 indexes)\n", rows);
  std::printf("  liaison import:        %6.1f s   %9.0f rows/s   (%lu new)\n", importSeconds,
              static_cast<double>(rows) / importSeconds, static_cast<unsigned long>(report->rowsInserted));
  std::printf("  bound, bare COPY:      %6.1f s   %9.0f rows/s\n", boundSeconds, static_cast<double>(rows) / boundSeconds);
  std::printf("  ratio (import rate / bare COPY rate): %.2f;  goal: all rows in under 30 s: %s\n",
              boundSeconds / importSeconds, importSeconds < 30 ? "met" : "NOT met");
  return 0;
}

}  // namespace
}  // namespace liaison::bench

int main(int argc, char** argv) {
  size_t rows = 1'000'000;
  if (argc == 3 && std::string(argv[1]) == "--rows") rows = static_cast<size_t>(std::atoll(argv[2]));
  else if (argc != 1) {
    std::fprintf(stderr, "usage: liaison_bench_import [--rows N]\n");
    return 2;
  }
  return liaison::bench::run(rows);
}
