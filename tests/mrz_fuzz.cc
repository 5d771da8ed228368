// Fuzz target for the MRZ parser: the input split on '\n' into lines, decoded against a fixed date.
// Any input must end in a document or an error, never a crash or a sanitizer report; a document
// must keep the promises of adapters/mrz.h.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "adapters/mrz.h"

namespace {

// A date of birth as adapters/mrz.h promises it: nothing, a year, a year and month, or a valid
// date; never a period that starts after `today`.
bool birthNotAfter(const liaison::PartialDate& birth, liaison::Date today) {
  if (!birth.known()) return birth.month == 0 && birth.day == 0;
  if (birth.month > 12 || (birth.month == 0 && birth.day != 0)) return false;
  const liaison::Date earliest{std::chrono::year{birth.year}, std::chrono::month{birth.month == 0 ? 1u : birth.month},
                               std::chrono::day{birth.day == 0 ? 1u : birth.day}};
  return earliest.ok() && earliest <= today;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace std::chrono_literals;
  constexpr liaison::Date kToday = 2026y / 11 / 25;
  std::vector<std::string> lines(1);
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == '\n') {
      lines.emplace_back();
    } else {
      lines.back().push_back(static_cast<char>(data[i]));
    }
  }
  auto parsed = liaison::mrz::parseMrz(lines, kToday);
  if (parsed) {
    const liaison::mrz::MrzDocument& document = *parsed;
    bool keptPromises =
        birthNotAfter(document.dateOfBirth, kToday) &&
        (!document.expiryDate || document.expiryDate->ok()) && !document.primaryIdentifier.empty() &&
        liaison::isIcaoStateCode(document.issuingState) && liaison::isIcaoStateCode(document.nationality);
    if (!keptPromises) std::abort();
  }
  return 0;
}
