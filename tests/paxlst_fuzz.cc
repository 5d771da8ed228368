// Fuzz target: parsePaxlst on arbitrary bytes must return a value or an error, never crash, hang
// or read out of bounds. The tokenizer is walked on its own as well, as it is public API.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "adapters/paxlst.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto interchange = liaison::paxlst::parsePaxlst(text);
  // Every error must say what went wrong; an empty message is a bug worth a crash report.
  if (!interchange && interchange.error().message.empty()) __builtin_trap();

  auto reader = liaison::paxlst::EdifactReader::open(text);
  if (!reader) return 0;
  liaison::paxlst::Segment segment;
  for (auto more = reader->next(segment); more && *more; more = reader->next(segment)) {
  }
  return 0;
}
