// Small functions the policy's own .cc files share for looking up lists and writing messages; not part
// of the policy's interface (include it from policy/*.cc only).
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace liaison::policy::words {

/// Whether `list` holds `value`.
template <typename T>
bool contains(const std::vector<T>& list, const T& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

/// `text` in double quotes, as messages name ids, names and values.
inline std::string inQuotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

/// The items separated by ", ".
inline std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

}  // namespace liaison::policy::words
