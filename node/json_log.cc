#include "node/json_log.h"

#include <chrono>
#include <cstdio>

#include "schema/model.h"

namespace liaison::node {

std::string jsonString(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

void JsonLog::write(std::string_view level, std::string_view event, std::initializer_list<LogField> fields) {
  std::string line = "{\"ts\":" +
                     jsonString(formatTimestamp(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()))) +
                     ",\"level\":" + jsonString(level) + ",\"event\":" + jsonString(event);
  for (const auto& field : fields) {
    line += "," + jsonString(field.key) + ":";
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string_view>) {
            line += jsonString(v);
          } else if constexpr (std::is_same_v<T, bool>) {
            line += v ? "true" : "false";
          } else if constexpr (std::is_same_v<T, double>) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.3f", v);
            line += buf;
          } else {
            line += std::to_string(v);
          }
        },
        field.value);
  }
  line += "}\n";
  std::lock_guard lock(mutex_);
  out_ << line << std::flush;
}

}  // namespace liaison::node
