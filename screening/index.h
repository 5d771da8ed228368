// The in-memory candidate index of screening: every notice and watchlist person the node holds, with
// its visibility, searchable by name in any script. Pure (no I/O): the node fills it from PostgreSQL
// and keeps it current. Thread-safe: any number of concurrent searches and one writer at a time; a
// search sees one consistent state.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "schema/model.h"
#include "screening/match.h"

namespace liaison::screening {

/// What kind of record an identity comes from.
enum class IdentityKind : uint8_t { notice, watchlistPerson };

/// One identity as the node gives it to the index.
struct IndexedRecord {
  std::string ref;  ///< the record reference, unique in the index
  IdentityKind kind = IdentityKind::notice;
  std::vector<std::string> names;  ///< UTF-8 as recorded: "given family", aliases, original-script name
  PartialDate dateOfBirth;
  Sex sex = Sex::unspecified;
  std::vector<std::string> nationalities;  ///< ICAO codes
  std::string owner;                       ///< owning member
  std::vector<std::string> visibleTo;      ///< members or groups that may see the record
};

/// The identity as scorePerson compares it (each name normalised, names that normalise to nothing
/// left out), which is how the index holds it: a hit scores exactly as this record alone.
PersonRecord personRecordOf(const IndexedRecord& record);

/// One hit of a search: a visible identity scoring at or above the threshold.
struct ScreeningHit {
  std::string ref;
  IdentityKind kind = IdentityKind::notice;
  PersonScore score;
  Explanation explanation;
};

/// Bounds of a search, so that one query cannot take the node's time.
inline constexpr size_t kMaxSearchLimit = 100;
/// Names of one query used at most (name, aliases, original script); the rest are ignored, so a
/// query cannot multiply the work of a search.
inline constexpr size_t kMaxQueryNames = 8;
/// Candidates scored per search at most; the rarest query keys are read first, so a true match
/// sharing a rare token is never cut.
inline constexpr size_t kMaxCandidatesScored = 1'000;

class ScreeningIndex {
 public:
  ScreeningIndex();
  ~ScreeningIndex();
  ScreeningIndex(const ScreeningIndex&) = delete;
  ScreeningIndex& operator=(const ScreeningIndex&) = delete;

  /// Adds `record`, or replaces the identity with the same ref.
  void upsert(const IndexedRecord& record);
  /// Removes the identity `ref`; false when there was none.
  bool remove(std::string_view ref);
  /// Replaces the group memberships: member -> the groups it belongs to. Visibility follows at once.
  void setGroups(const std::map<std::string, std::vector<std::string>>& memberGroups);

  /// The identities visible to `member` scoring at least `threshold` against `query`, best first
  /// (ties by ref), at most `limit` (capped at kMaxSearchLimit), with the first kMaxQueryNames names. Visibility is that of PostgreSQL's
  /// row-level security: member is the owner, is listed in visibleTo, or belongs to a group listed
  /// there. Invisible identities are skipped before any scoring.
  std::vector<ScreeningHit> search(const PersonQuery& query, std::string_view member, size_t limit,
                                   double threshold = kMatchThreshold) const;

  /// Identities held.
  size_t size() const;
  /// Bytes the index holds on the heap (capacities, not sizes), approximately but not under-counted.
  size_t memoryBytes() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace liaison::screening
