// Fuzz target: parsePaxlst on arbitrary bytes, strict and lenient, must return a value or an error,
// never crash, hang or read out of bounds. The tokenizer is walked on its own as well (strict and
// lenient), as it is public API.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "adapters/paxlst.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto interchange = liaison::paxlst::parsePaxlst(text);
  // Every error must say what went wrong; an empty message is a bug worth a crash report.
  if (!interchange && interchange.error().message.empty()) __builtin_trap();

  // Lenient mode reads at least what strict reads: the same travellers, nothing unreadable.
  std::vector<liaison::paxlst::Warning> warnings;
  auto lenient = liaison::paxlst::parsePaxlst(text, liaison::paxlst::ParseOptions{}, &warnings);
  if (!lenient && lenient.error().message.empty()) __builtin_trap();
  if (warnings.size() > liaison::paxlst::kMaxWarnings + 1) __builtin_trap();
  if (interchange) {
    if (!lenient || lenient->messages.size() != interchange->messages.size()) __builtin_trap();
    for (size_t i = 0; i < interchange->messages.size(); ++i) {
      if (lenient->messages[i].travellers.size() != interchange->messages[i].travellers.size() ||
          !lenient->messages[i].unreadable.empty()) {
        __builtin_trap();
      }
    }
  }

  for (bool strict : {true, false}) {
    auto reader = liaison::paxlst::EdifactReader::open(text, liaison::paxlst::ParseOptions{.strict = strict});
    if (!reader) continue;
    liaison::paxlst::Segment segment;
    for (auto more = reader->next(segment); more && *more; more = reader->next(segment)) {
    }
  }
  return 0;
}
