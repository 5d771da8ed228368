// Fuzz target: parseInterpolNotices on arbitrary bytes, with and without a colour. It must never
// crash, and whatever it accepts must be a notice the store can hold.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "adapters/interpol_notices.h"

namespace {

void checkAccepted(const liaison::Notice& notice) {
  using liaison::isIcaoStateCode;
  bool ok = notice.noticeId.size() >= 6 && notice.noticeId[4] == '/' && !notice.person.familyName.empty() &&
            (notice.person.nationality.empty() || isIcaoStateCode(notice.person.nationality)) &&
            notice.meta.owner == "FR-POLICE";
  for (const auto& code : notice.otherNationalities) ok = ok && isIcaoStateCode(code);
  for (const auto& code : notice.warrantIssuingStates) ok = ok && isIcaoStateCode(code);
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  liaison::importers::ImportOptions options;
  options.owner = "FR-POLICE";
  for (auto colour : {std::optional<liaison::NoticeColour>(), std::optional(liaison::NoticeColour::red)}) {
    auto notices = liaison::importers::parseInterpolNotices(bytes, "fuzz.json", colour, options);
    if (notices.ok()) {
      for (const auto& notice : *notices) checkAccepted(notice);
    } else if (notices.error().kind != liaison::ErrorKind::invalidInput) {
      std::abort();
    }
  }
  return 0;
}
