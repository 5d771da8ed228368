#include "node/screening_answer.h"

#include <variant>

#include "policy/field_mask.h"
#include "schema/limits.h"

namespace liaison::node {
namespace {

class Screening {
 public:
  Screening(const std::string& member, const ScreeningPermits& permits, const ScreeningService& screening,
            store::RecordStore& store, bool manifest)
      : member_(member), permits_(permits), screening_(screening), store_(store), manifest_(manifest),
        cap_(manifest ? limits::kMaxManifestHits : limits::kMaxHits) {}

  // Screens one person (traveller `index` of a manifest); `at` names it in errors.
  Status person(const ScreenPersonQuery& query, uint32_t index, const std::string& at) {
    const screening::PersonQuery person = personQueryOf(query);
    if (person.names.empty() && !query.documentNumber) {
      return Error{ErrorKind::invalidInput,
                   at + "names no person: its names have no letters, and screening needs a name or a document number, "
                        "never nationality or sex alone"};
    }
    if (!person.names.empty() && (permits_.notices || permits_.watchlist)) {
      for (const auto& found : screening_.search(person, member_)) {
        const RecordKind kind = recordKindOf(found.kind);
        const auto& permit = permitFor(kind);
        if (!permit) continue;
        Hit hit;
        hit.recordRef = found.ref;
        hit.kind = kind;
        hit.traveller = index;
        if (permit->mode == policy::Mode::details) {
          hit.match = matchOf(found);
          if (!manifest_) {
            // Row-level security has the last word: a record gone since, or not visible, is no hit.
            auto record = store_.get(member_, kind, found.ref);
            if (!record) return record.error();
            if (!*record) continue;
            hit.withheldFields = policy::applyFieldMask(**record, permit->fields);
            hit.details = std::move(**record);
          }
        }
        if (!add(std::move(hit))) return {};
      }
    }
    if (!query.documentNumber) return {};
    if (query.documentState.empty()) {
      note("documents: a document number without its issuing state is not checked");
      return {};
    }
    if (manifest_ && permits_.documents) {
      auto listed = store_.findTravelDocuments(member_, *query.documentNumber, query.documentState);
      if (!listed) return listed.error();
      for (auto& document : *listed) {
        if (!addRecord(Record{std::move(document)}, index)) return {};
      }
    }
    if (permits_.watchlist) {
      auto listed = store_.findWatchlistDocuments(member_, *query.documentNumber, query.documentState);
      if (!listed) return listed.error();
      for (auto& document : *listed) {
        if (!addRecord(Record{std::move(document)}, index)) return {};
      }
    }
    return {};
  }

  ScreeningAnswer take() {
    for (const auto* permit : {&permits_.notices, &permits_.watchlist, &permits_.documents}) {
      if (!*permit) continue;
      if ((*permit)->mode == policy::Mode::hit) note("hits name references only: details need a separate get-record request");
      if ((*permit)->mode == policy::Mode::details && manifest_) {
        note("hits of a manifest carry no details: they need a separate get-record request");
      }
    }
    return std::move(answer_);
  }

 private:
  const std::optional<policy::Decision>& permitFor(RecordKind kind) const {
    switch (kind) {
      case RecordKind::notice: return permits_.notices;
      case RecordKind::travelDocument: return permits_.documents;
      default: return permits_.watchlist;  // watchlist persons and documents
    }
  }

  bool addRecord(Record record, uint32_t index) {
    Hit hit;
    hit.recordRef = metaOf(record).ref;
    hit.kind = kindOf(record);
    hit.traveller = index;
    const auto& permit = permitFor(hit.kind);
    if (!permit) return true;
    if (permit->mode == policy::Mode::details && !manifest_) {
      hit.withheldFields = policy::applyFieldMask(record, permit->fields);
      hit.details = std::move(record);
    }
    return add(std::move(hit));
  }

  // False once the answer is full: the rest is said to be withheld, never dropped unsaid.
  bool add(Hit hit) {
    if (answer_.hits.size() >= cap_) {
      if (!full_) note("more hits than one answer carries (" + std::to_string(cap_) + "): screen fewer at a time");
      full_ = true;
      return false;
    }
    answer_.hits.push_back(std::move(hit));
    return true;
  }

  void note(std::string text) {
    for (const auto& w : answer_.withheld) {
      if (w == text) return;
    }
    if (answer_.withheld.size() < limits::kMaxWithheld) answer_.withheld.push_back(std::move(text));
  }

  const std::string& member_;
  const ScreeningPermits& permits_;
  const ScreeningService& screening_;
  store::RecordStore& store_;
  const bool manifest_;
  const size_t cap_;
  bool full_ = false;
  ScreeningAnswer answer_;
};

}  // namespace

Result<ScreeningAnswer> answerScreening(const Query& query, const std::string& member, const ScreeningPermits& permits,
                                        const ScreeningService& screening, store::RecordStore& store) {
  if (const auto* one = std::get_if<ScreenPersonQuery>(&query)) {
    Screening run(member, permits, screening, store, false);
    if (Status ok = run.person(*one, 0, "the screened person "); !ok) return ok.error();
    return run.take();
  }
  const auto* manifest = std::get_if<ScreenManifestQuery>(&query);
  if (manifest == nullptr) return Error{ErrorKind::internal, "not a screening query"};
  Screening run(member, permits, screening, store, true);
  for (size_t i = 0; i < manifest->travellers.size(); ++i) {
    Status ok = run.person(manifest->travellers[i], static_cast<uint32_t>(i), "traveller " + std::to_string(i) + " ");
    if (!ok) return ok.error();
  }
  return run.take();
}

}  // namespace liaison::node
