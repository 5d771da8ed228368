// RFC 4180 CSV, read one record at a time from untrusted input.
#pragma once

#include <cstddef>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "schema/status.h"

namespace liaison {

/// Limits on what one CSV record may hold; past them the reader stops with an error.
struct CsvLimits {
  size_t maxFieldBytes = 4096;
  size_t maxFields = 64;
};

/// Reads comma-separated records with RFC 4180 quoting ("" inside quotes is a quote; quoted
/// fields may span lines). Accepts LF and CRLF line ends and a UTF-8 byte order mark at the start.
class CsvReader {
 public:
  explicit CsvReader(std::istream& in, CsvLimits limits = {}) : in_(in), limits_(limits) {}

  /// Reads the next record into `fields`. Returns false at the end of input. Errors name the
  /// line and the problem.
  Result<bool> next(std::vector<std::string>& fields);

  /// The line on which the most recently returned record started (1-based).
  size_t recordLine() const { return recordLine_; }

 private:
  std::istream& in_;
  CsvLimits limits_;
  size_t line_ = 1;
  size_t recordLine_ = 0;
  bool started_ = false;
};

/// One CSV cell for writing: quoted per RFC 4180 when it holds a comma, quote, CR or LF, and also
/// `;`, which spreadsheets in many locales split on. A leading = + - @ (or tab, CR) would make a
/// spreadsheet evaluate the cell as a formula (OWASP "CSV injection"), so such a cell starts with `'`.
std::string csvCell(std::string_view text);

}  // namespace liaison
