#include "node/screening_service.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>

#include "adapters/screening_source.h"
#include "node/json_log.h"
#include "schema/limits.h"
#include "screening/name.h"

namespace liaison::node {
namespace {

screening::IndexedRecord indexedOf(store::ScreenedIdentity&& id) {
  screening::IndexedRecord record;
  record.ref = std::move(id.ref);
  record.kind = id.kind == RecordKind::notice ? screening::IdentityKind::notice : screening::IdentityKind::watchlistPerson;
  record.names = std::move(id.names);
  record.dateOfBirth = id.dateOfBirth;
  record.sex = id.sex;
  record.nationalities = std::move(id.nationalities);
  record.owner = std::move(id.owner);
  record.visibleTo = std::move(id.visibleTo);
  return record;
}

uint16_t perMille(double value) { return static_cast<uint16_t>(std::lround(std::clamp(value, 0.0, 1.0) * 1000)); }

Evidence evidenceOf(screening::DateEvidence date) {
  switch (date) {
    case screening::DateEvidence::unknown: return Evidence::unknown;
    case screening::DateEvidence::exact: return Evidence::agrees;
    case screening::DateEvidence::partial: return Evidence::partial;
    case screening::DateEvidence::near: return Evidence::near;
    case screening::DateEvidence::mismatch: return Evidence::differs;
  }
  return Evidence::unknown;
}

Evidence evidenceOf(screening::Agreement agreement) {
  switch (agreement) {
    case screening::Agreement::unknown: return Evidence::unknown;
    case screening::Agreement::agrees: return Evidence::agrees;
    case screening::Agreement::disagrees: return Evidence::differs;
  }
  return Evidence::unknown;
}

// At most `bytes` bytes of `text`, cut at a character boundary.
std::string bounded(std::string text, size_t bytes) {
  if (text.size() <= bytes) return text;
  size_t end = bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  return text;
}

}  // namespace

RecordKind recordKindOf(screening::IdentityKind kind) {
  return kind == screening::IdentityKind::notice ? RecordKind::notice : RecordKind::watchlistPerson;
}

screening::PersonQuery personQueryOf(const ScreenPersonQuery& query) {
  screening::PersonQuery person;
  auto add = [&person](std::string_view name) {
    auto normalised = screening::normaliseName(name);
    if (!normalised.tokens.empty()) person.names.push_back(std::move(normalised));
  };
  std::string full = query.person.givenNames;
  if (!query.person.familyName.empty()) full += (full.empty() ? "" : " ") + query.person.familyName;
  add(full);
  for (const auto& other : query.otherNames) add(other);
  person.dateOfBirth = query.person.dateOfBirth;
  person.sex = query.person.sex;
  if (!query.person.nationality.empty()) person.nationalities.push_back(query.person.nationality);
  for (const auto& n : query.otherNationalities) person.nationalities.push_back(n);
  return person;
}

ScreeningMatch matchOf(const screening::ScreeningHit& hit) {
  ScreeningMatch match;
  match.score = perMille(hit.score.score);
  const auto& why = hit.explanation;
  for (const auto& pair : why.pairs) {
    if (match.tokens.size() >= limits::kMaxMatchTokens) break;
    match.tokens.push_back(NameTokenMatch{bounded(pair.query, limits::kMatchTokenBytes),
                                          bounded(pair.record, limits::kMatchTokenBytes),
                                          std::string(screening::matchKindName(pair.kind)), perMille(pair.similarity)});
    match.queryName += (match.queryName.empty() ? "" : " ") + pair.query;
    match.recordName += (match.recordName.empty() ? "" : " ") + pair.record;
  }
  for (const auto& t : why.unmatchedQuery) match.queryName += (match.queryName.empty() ? "" : " ") + t;
  for (const auto& t : why.unmatchedRecord) match.recordName += (match.recordName.empty() ? "" : " ") + t;
  match.queryName = bounded(std::move(match.queryName), limits::kOriginalScriptNameBytes);
  match.recordName = bounded(std::move(match.recordName), limits::kOriginalScriptNameBytes);
  match.dateOfBirth = evidenceOf(why.dateOfBirth);
  match.sex = evidenceOf(why.sex);
  match.nationality = evidenceOf(why.nationality);
  match.explanation = bounded(why.text, limits::kExplanationBytes);
  return match;
}

struct ScreeningService::Impl {
  store::DatabaseTarget target;
  JsonLog& log;
  ScreeningOptions options;

  mutable std::mutex indexMutex;                     // guards the pointer, not the index
  std::shared_ptr<screening::ScreeningIndex> index;  // swapped whole on a rebuild

  std::mutex sourceMutex;  // one user of the source at a time: the sync thread or catchUp()
  store::ScreeningSource source{target};

  std::mutex stopMutex;
  std::condition_variable stopped;
  bool stopping = false;
  std::thread thread;

  Impl(store::DatabaseTarget t, JsonLog& l, ScreeningOptions o) : target(std::move(t)), log(l), options(o) {}

  std::shared_ptr<screening::ScreeningIndex> current() const {
    std::lock_guard lock(indexMutex);
    return index;
  }

  // A new index from everything in the database; the old one serves until it is ready.
  Status rebuild() {
    auto fresh = std::make_shared<screening::ScreeningIndex>();
    store::MemberGroups groups;
    if (Status ok = source.loadAll([&](store::ScreenedIdentity&& id) { fresh->upsert(indexedOf(std::move(id))); }, groups);
        !ok) {
      return ok;
    }
    fresh->setGroups(groups);
    std::lock_guard lock(indexMutex);
    index = std::move(fresh);
    return {};
  }

  Status apply() {
    auto changes = source.poll();
    if (!changes) return changes.error();
    if (changes->rebuild) return rebuild();
    auto target = current();
    for (const auto& ref : changes->removed) target->remove(ref);
    for (auto& id : changes->upserts) target->upsert(indexedOf(std::move(id)));
    if (changes->groups) target->setGroups(*changes->groups);
    return {};
  }

  bool waitStopping(std::chrono::milliseconds delay) {
    std::unique_lock lock(stopMutex);
    return stopped.wait_for(lock, delay, [&] { return stopping; });
  }

  void run() {
    auto lastPrune = std::chrono::steady_clock::now();
    auto lastPoll = lastPrune;
    bool broken = false;
    for (;;) {
      {
        std::lock_guard lock(stopMutex);
        if (stopping) return;
      }
      if (broken) {
        if (waitStopping(std::chrono::seconds(2))) return;
        std::lock_guard lock(sourceMutex);
        if (Status ok = rebuild(); !ok) {
          log.write("error", "screening-index-rebuild-failed", {{"error", ok.error().message}});
          continue;
        }
        log.write("info", "screening-index-rebuilt", {{"identities", static_cast<int64_t>(current()->size())}});
        broken = false;
      }
      // Wait for a notification, then read the changes; read them every pollInterval anyway, so
      // a lost notification costs little. catchUp() waits at most one short wait for the source.
      std::lock_guard lock(sourceMutex);
      auto heard = source.waitForChange(std::min(options.pollInterval, std::chrono::milliseconds(250)));
      if (!heard) {
        log.write("error", "screening-index-feed-lost", {{"error", heard.error().message}});
        broken = true;
        continue;
      }
      if (!*heard && std::chrono::steady_clock::now() - lastPoll < options.pollInterval) continue;
      lastPoll = std::chrono::steady_clock::now();
      if (Status ok = apply(); !ok) {
        log.write("error", "screening-index-update-failed", {{"error", ok.error().message}});
        broken = true;
        continue;
      }
      if (std::chrono::steady_clock::now() - lastPrune > std::chrono::hours(1)) {
        lastPrune = std::chrono::steady_clock::now();
        if (Status ok = source.pruneChanges(options.changeRetention); !ok) {
          log.write("warning", "screening-changes-prune-failed", {{"error", ok.error().message}});
        }
      }
    }
  }
};

ScreeningService::ScreeningService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ScreeningService::~ScreeningService() {
  {
    std::lock_guard lock(impl_->stopMutex);
    impl_->stopping = true;
  }
  impl_->stopped.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

Result<std::unique_ptr<ScreeningService>> ScreeningService::start(const store::DatabaseTarget& target, JsonLog& log,
                                                                  ScreeningOptions options) {
  auto impl = std::make_unique<Impl>(target, log, options);
  const auto began = std::chrono::steady_clock::now();
  if (Status ok = impl->rebuild(); !ok) return ok.error();
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);
  log.write("info", "screening-index-built",
            {{"identities", static_cast<int64_t>(impl->current()->size())},
             {"bytes", static_cast<int64_t>(impl->current()->memoryBytes())},
             {"ms", static_cast<int64_t>(took.count())}});
  std::unique_ptr<ScreeningService> service(new ScreeningService(std::move(impl)));
  service->impl_->thread = std::thread([raw = service->impl_.get()] { raw->run(); });
  return service;
}

std::vector<screening::ScreeningHit> ScreeningService::search(const screening::PersonQuery& query,
                                                              std::string_view member) const {
  // Names alone carry less evidence than names with a date of birth or a nationality: a higher bar.
  const bool evidence = query.dateOfBirth.known() || !query.nationalities.empty();
  return impl_->current()->search(query, member, impl_->options.hitsPerPerson,
                                  evidence ? screening::kMatchThreshold : screening::kNameMatchThreshold);
}

Status ScreeningService::catchUp() {
  std::lock_guard lock(impl_->sourceMutex);
  return impl_->apply();
}

size_t ScreeningService::size() const { return impl_->current()->size(); }
size_t ScreeningService::memoryBytes() const { return impl_->current()->memoryBytes(); }
const ScreeningOptions& ScreeningService::options() const { return impl_->options; }

}  // namespace liaison::node
