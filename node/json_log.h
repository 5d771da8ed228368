// Structured log lines: one JSON object per line. Callers pass only closed vocabularies, member
// ids, pseudonyms, digests and record references: never names, document numbers or secrets.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>

namespace liaison::node {

/// One field of a log line.
struct LogField {
  std::string_view key;
  std::variant<std::string_view, int64_t, double, bool> value;
};

/// Writes JSON lines to a stream; thread-safe, one write per line.
class JsonLog {
 public:
  explicit JsonLog(std::ostream& out) : out_(out) {}
  /// Writes {"ts": ..., "level": level, "event": event, fields...}.
  void write(std::string_view level, std::string_view event, std::initializer_list<LogField> fields = {});

 private:
  std::mutex mutex_;
  std::ostream& out_;
};

/// `text` as a JSON string literal, quotes included.
std::string jsonString(std::string_view text);

}  // namespace liaison::node
