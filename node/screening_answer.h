// Answers screen-person and screen-manifest once the policy has decided which compartments the
// requester may read and how: persons from the screening index (ranked, with the score and why
// for a details rule; references only for a hit rule), documents from the store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "adapters/store.h"
#include "node/screening_service.h"
#include "policy/decide.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::node {

/// The policy's decisions for the compartments a screening reads; nullopt where it refused.
struct ScreeningPermits {
  std::optional<policy::Decision> notices;
  std::optional<policy::Decision> watchlist;
  std::optional<policy::Decision> documents;
};

struct ScreeningAnswer {
  std::vector<Hit> hits;
  std::vector<std::string> withheld;
};

/// Screens `query` (a ScreenPersonQuery or ScreenManifestQuery) for `member`. A screened person
/// whose names normalise to nothing and who gives no document number is invalid input (screening
/// is never by nationality or sex alone). Store failures are returned as they are.
Result<ScreeningAnswer> answerScreening(const Query& query, const std::string& member, const ScreeningPermits& permits,
                                        const ScreeningService& screening, store::RecordStore& store);

}  // namespace liaison::node
