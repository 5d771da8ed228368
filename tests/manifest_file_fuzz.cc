// Fuzz target: readManifest on arbitrary bytes, in every format and both modes, must return a
// manifest or an error, never crash, hang or read out of bounds; and what it returns must hold:
// every error says what went wrong, every traveller has a family name within its limit, no more
// than kMaxTravellers entries, and a file strict mode reads is read leniently with the same
// number of travellers and nothing unreadable (lenient only ever reads more).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "adapters/manifest_file.h"
#include "schema/limits.h"

namespace {

using liaison::manifest::Manifest;
using liaison::manifest::ManifestFormat;

void check(const liaison::Result<Manifest>& manifest) {
  if (!manifest) {
    if (manifest.error().message.empty()) __builtin_trap();
    return;
  }
  if (manifest->travellers.size() + manifest->unreadable.size() > liaison::limits::kMaxTravellers) __builtin_trap();
  for (const auto& traveller : manifest->travellers) {
    const auto& name = traveller.person.familyName;
    if (name.empty() || name.size() > liaison::limits::kPersonNameBytes) __builtin_trap();
  }
  for (const auto& entry : manifest->unreadable) {
    if (entry.reason.empty()) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (ManifestFormat format : {ManifestFormat::detect, ManifestFormat::paxlst, ManifestFormat::json,
                                ManifestFormat::csv}) {
    auto strict = liaison::manifest::readManifest(bytes, format, {.strict = true});
    auto lenient = liaison::manifest::readManifest(bytes, format, {});
    check(strict);
    check(lenient);
    if (strict && (!strict->warnings.empty() || !strict->unreadable.empty())) __builtin_trap();
    if (strict && (!lenient || lenient->travellers.size() != strict->travellers.size() ||
                   !lenient->unreadable.empty())) {
      __builtin_trap();
    }
  }
  return 0;
}
