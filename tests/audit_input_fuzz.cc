// Fuzz target for what the auditor API and its clients read from the other side: an auditor's
// search and overview query strings (the node parses them), the binary entry framing, receipts and signed tree
// head bodies (clients parse them). The first input byte picks the parser. Any input must end in
// a value or an error, never a crash or a sanitizer report; accepted values keep their promises.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "adapters/audit_overview.h"
#include "adapters/audit_search.h"
#include "node/client/audit_framing.h"
#include "node/client/audit_verify.h"
#include "schema/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::span<const uint8_t> rest(data + 1, size - 1);
  const std::string_view text(reinterpret_cast<const char*>(rest.data()), rest.size());
  switch (data[0] % 5) {
    case 0: {
      auto query = liaison::store::parseAuditSearchQuery(text);
      if (query && (query->filter.limit == 0 || query->filter.limit > liaison::store::kMaxAuditPageRows)) std::abort();
      break;
    }
    case 1: {
      auto framed = liaison::client::parseFramedEntries(rest);
      // What parses must frame back to the same bytes: the framing has one form.
      if (framed && liaison::client::frameEntries(*framed) != std::vector<uint8_t>(rest.begin(), rest.end())) std::abort();
      break;
    }
    case 2: {
      auto receipt = liaison::client::parseReceipt(text);
      if (receipt && liaison::client::formatReceipt(*receipt) != text) {
        // Only a leaf hash in upper case may differ from the printed form.
        auto again = liaison::client::parseReceipt(liaison::client::formatReceipt(*receipt));
        if (!again || !(*again == *receipt)) std::abort();
      }
      break;
    }
    case 3: {
      auto head = liaison::decodeTreeHead(rest);
      if (head && liaison::encodeTreeHead(*head) != std::vector<uint8_t>(rest.begin(), rest.end())) std::abort();
      break;
    }
    case 4: {
      // An accepted overview is a range forwards of at most its limit, with bounded thresholds.
      auto overview = liaison::store::parseAuditOverviewQuery(text);
      if (overview && (overview->to <= overview->from || overview->to - overview->from > liaison::store::kMaxAuditOverviewRange ||
                       overview->window.count() < 60 || overview->refusals == 0 || overview->screenings < 2)) {
        std::abort();
      }
      break;
    }
  }
  return 0;
}
