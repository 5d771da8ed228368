// Fuzz target: the CSV reader and the row parser of every record kind, on arbitrary bytes.
#include <cstdint>
#include <sstream>
#include <string>

#include "adapters/csv.h"
#include "adapters/csv_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace liaison;
  if (size == 0) return 0;
  // The first byte picks the record kind whose layout the rows are parsed against.
  const auto kind = static_cast<RecordKind>(data[0] % std::variant_size_v<Record>);
  std::istringstream in(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  CsvReader reader(in, CsvLimits{256, 32});
  importers::ImportOptions options;
  options.owner = "XA-FUZZ";
  options.retentionUntil = parseDate("2030-01-01").value();
  std::vector<std::string> header;
  std::vector<std::string> fields;
  auto first = reader.next(header);
  if (!first || !*first) return 0;
  for (size_t rows = 0; rows < 64; ++rows) {
    auto more = reader.next(fields);
    if (!more || !*more) break;
    (void)importers::parseCsvRow(kind, header, fields, reader.recordLine(), options);
  }
  return 0;
}
