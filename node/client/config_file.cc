#include "node/client/config_file.h"

#include <fstream>

#include "node/net/tls_identity.h"

namespace liaison::client {
namespace {

constexpr size_t kMaxConfigBytes = 1 << 20;

}  // namespace

std::filesystem::path relativeTo(const std::filesystem::path& file, const std::string& path) {
  std::filesystem::path p(path);
  return p.is_absolute() ? p : file.parent_path() / p;
}

Result<toml::table> parseConfigFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(ErrorKind::invalidInput, file.string() + ": cannot open the file");
  std::string text(kMaxConfigBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxConfigBytes) return fail(ErrorKind::invalidInput, file.string() + ": larger than 1 MiB");
  try {
    return toml::parse(text, file.string());
  } catch (const toml::parse_error& e) {
    return fail(ErrorKind::invalidInput, file.string() + ":" + std::to_string(e.source().begin.line) + ":" +
                                             std::to_string(e.source().begin.column) + ": " +
                                             std::string(e.description()));
  }
}

Error configErrors(const std::vector<std::string>& errors) {
  std::string message;
  for (const auto& e : errors) message += (message.empty() ? "" : "\n") + e;
  return fail(ErrorKind::invalidInput, message);
}

std::string TableReader::where(const toml::node* node) const {
  const auto line = node != nullptr ? node->source().begin.line : table_.source().begin.line;
  return file_ + ":" + std::to_string(line);
}

void TableReader::error(const toml::node* node, const std::string& message) { errors_.push_back(where(node) + ": " + message); }

std::optional<std::string> TableReader::text(const char* key, bool required) {
  used_.insert(key);
  const toml::node* node = table_.get(key);
  if (node == nullptr) {
    if (required) error(nullptr, "missing key '" + std::string(key) + "'");
    return std::nullopt;
  }
  if (!node->is_string()) {
    error(node, "'" + std::string(key) + "' must be a string");
    return std::nullopt;
  }
  return node->value<std::string>();
}

std::optional<int64_t> TableReader::integer(const char* key, int64_t min, int64_t max) {
  used_.insert(key);
  const toml::node* node = table_.get(key);
  if (node == nullptr) return std::nullopt;
  auto value = node->value<int64_t>();
  if (!node->is_integer() || !value || *value < min || *value > max) {
    error(node, "'" + std::string(key) + "' must be a whole number from " + std::to_string(min) + " to " +
                    std::to_string(max));
    return std::nullopt;
  }
  return value;
}

std::optional<bool> TableReader::boolean(const char* key) {
  used_.insert(key);
  const toml::node* node = table_.get(key);
  if (node == nullptr) return std::nullopt;
  if (!node->is_boolean()) {
    error(node, "'" + std::string(key) + "' must be true or false");
    return std::nullopt;
  }
  return node->value<bool>();
}

void TableReader::notAbove(const char* smaller, int64_t smallValue, const char* larger, int64_t largeValue) {
  if (smallValue <= largeValue) return;
  const toml::node* small = table_.get(smaller);
  const toml::node* large = table_.get(larger);
  error(small, "'" + std::string(smaller) + "' (" + std::to_string(smallValue) + ") exceeds '" + larger + "' (" +
                   std::to_string(largeValue) + (large != nullptr ? ", " + where(large) : ", its default") + ")");
}

std::vector<std::string> TableReader::texts(const char* key, bool required) {
  used_.insert(key);
  std::vector<std::string> out;
  const toml::node* node = table_.get(key);
  if (node == nullptr) {
    if (required) error(nullptr, "missing key '" + std::string(key) + "'");
    return out;
  }
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    error(node, "'" + std::string(key) + "' must be an array of strings");
    return out;
  }
  for (const auto& item : *array) {
    if (!item.is_string()) {
      error(&item, "'" + std::string(key) + "' must contain only strings");
      continue;
    }
    out.push_back(*item.value<std::string>());
  }
  return out;
}

std::vector<Role> TableReader::roles(const char* key) {
  std::vector<Role> out;
  for (const std::string& roleName : texts(key, false)) {
    if (auto parsed = parseRole(roleName)) out.push_back(*parsed);
    else error(table_.get(key), "unknown role '" + roleName + "'");
  }
  return out;
}

std::optional<Role> TableReader::role(const char* key) {
  auto name = text(key, true);
  if (!name) return std::nullopt;
  auto role = parseRole(*name);
  if (!role) error(table_.get(key), "unknown role '" + *name + "'");
  return role;
}

const toml::array* TableReader::tables(const char* key) {
  used_.insert(key);
  const toml::node* node = table_.get(key);
  if (node == nullptr) return nullptr;
  const toml::array* array = node->as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    error(node, "'" + std::string(key) + "' must be written as [[" + std::string(key) + "]] tables");
    return nullptr;
  }
  return array;
}

std::string TableReader::pin(const char* pinKey, const char* certKey, const std::filesystem::path& file) {
  auto pin = text(pinKey, false);
  auto certificate = text(certKey, false);
  if (pin.has_value() == certificate.has_value()) {
    error(nullptr, "give exactly one of '" + std::string(pinKey) + "' and '" + std::string(certKey) + "'");
    return {};
  }
  if (certificate) {
    auto computed = net::spkiPinOfCertificateFile(relativeTo(file, *certificate));
    if (!computed) error(table_.get(certKey), computed.error().message);
    return computed ? *computed : std::string();
  }
  if (pin->size() != net::kPinLength || pin->rfind(net::kPinPrefix, 0) != 0) {
    error(table_.get(pinKey), "'" + std::string(pinKey) + "' must look like sha256:<44 characters of base64>");
  }
  return *pin;
}

void TableReader::refuseUnknownKeys() {
  for (const auto& [key, node] : table_) {
    if (used_.count(std::string(key.str())) == 0) error(&node, "unknown key '" + std::string(key.str()) + "'");
  }
}

}  // namespace liaison::client
