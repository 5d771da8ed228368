#include "adapters/csv.h"

namespace liaison {

Result<bool> CsvReader::next(std::vector<std::string>& fields) {
  fields.clear();
  if (!started_) {
    started_ = true;
    // Skip a UTF-8 byte order mark, as spreadsheet exports often write one.
    if (in_.peek() == 0xEF) {
      char bom[3];
      in_.read(bom, 3);
      if (in_.gcount() != 3 || bom[1] != '\xBB' || bom[2] != '\xBF') {
        return fail(ErrorKind::invalidInput, "line 1: invalid byte at the start of the file");
      }
    }
  }
  int c = in_.get();
  if (c == std::char_traits<char>::eof()) return false;
  recordLine_ = line_;

  auto error = [&](const std::string& what) {
    return fail(ErrorKind::invalidInput, "line " + std::to_string(line_) + ": " + what);
  };
  std::string field;
  bool quoted = false;      // inside a quoted field
  bool wasQuoted = false;   // the current field started with a quote
  for (;; c = in_.get()) {
    if (c == std::char_traits<char>::eof()) {
      if (quoted) return error("quoted field is not closed before the end of the file");
      break;
    }
    char ch = static_cast<char>(c);
    if (quoted) {
      if (ch == '"') {
        if (in_.peek() == '"') {
          in_.get();
          field += '"';
        } else {
          quoted = false;
        }
      } else {
        if (ch == '\n') ++line_;
        field += ch;
      }
    } else if (ch == ',') {
      fields.push_back(std::move(field));
      field.clear();
      wasQuoted = false;
    } else if (ch == '\r' && in_.peek() == '\n') {
      continue;  // CRLF: the LF ends the record
    } else if (ch == '\n') {
      ++line_;
      break;
    } else if (ch == '"') {
      if (!field.empty() || wasQuoted) return error("quote inside an unquoted field (field " + std::to_string(fields.size() + 1) + ")");
      quoted = wasQuoted = true;
    } else {
      if (wasQuoted) return error("text after the closing quote of field " + std::to_string(fields.size() + 1));
      field += ch;
    }
    if (field.size() > limits_.maxFieldBytes) {
      return error("field " + std::to_string(fields.size() + 1) + " is longer than " +
                   std::to_string(limits_.maxFieldBytes) + " bytes");
    }
    if (fields.size() >= limits_.maxFields) {
      return error("more than " + std::to_string(limits_.maxFields) + " fields");
    }
  }
  fields.push_back(std::move(field));
  return true;
}

std::string csvCell(std::string_view text) {
  std::string cell;
  if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos) cell = "'";
  cell += text;
  if (cell.find_first_of(",\"\r\n;") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace liaison
