// Fuzz target for a screening request as the node meets it: the request decoded from any bytes
// (schema/codec.h), and when it is a screening, every screened person made into the engine's query
// (node/screening_service.h: the names normalised) and compared with itself. Whatever the bytes,
// no crash, no sanitizer report, and a decoded screening always names a person.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <variant>

#include "node/screening_service.h"
#include "schema/codec.h"
#include "screening/match.h"

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

void screen(const liaison::ScreenPersonQuery& person) {
  require(liaison::namesPerson(person));
  const auto query = liaison::node::personQueryOf(person);
  require(query.names.size() <= 1 + person.otherNames.size());
  const auto self = liaison::screening::scorePerson(query, query);
  require(self.score >= 0 && self.score <= 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto request = liaison::decodeRequest(std::span<const uint8_t>(data, size));
  if (!request) return 0;
  if (const auto* person = std::get_if<liaison::ScreenPersonQuery>(&request->query)) screen(*person);
  if (const auto* manifest = std::get_if<liaison::ScreenManifestQuery>(&request->query)) {
    for (const auto& traveller : manifest->travellers) screen(traveller);
  }
  return 0;
}
