#include "screening/index.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <type_traits>
#include <unordered_map>

namespace liaison::screening {
namespace {

constexpr uint32_t kNameSeparator = std::numeric_limits<uint32_t>::max();

// A posting list (of a token's text or one of its keys) with at most this many identities is rare:
// every identity on it is a candidate. Identities reached only through common lists (MHMD, ALI) must
// share at least two query tokens, unless the query has a single token.
constexpr size_t kRarePostings = 300;
// Mark bit of an identity reached through a rare list; bits 0..15 are the query tokens.
constexpr uint32_t kRareMark = 1u << 16;
// Posting entries read per search at most, rarest lists first: bounds the work of a query made of
// very common tokens.
constexpr size_t kMaxPostingsRead = 150'000;

// Candidates across scripts whose romanisations share no key with the query's tokens (crossScriptKey,
// "reginald" / 레지널드 "rejineold"): a name posts one key per pair of its first kCrossPairTokens
// tokens, the pair's two coarse keys, under its side (Latin or not); a query's name looks its pairs
// up on the other side. A coarse key alone is on thousands of identities, a pair of them on a few
// dozen at a million. An identity on a pair list is a candidate when it also shares a query token by
// that token's own keys (through a common list: alone it would need two), or when the pair list is
// short (at most kShortCrossPairs identities); it is scored after every candidate found without
// pairs. (Every identity on any pair list as a candidate found a few more variants at a million
// identities, at ten times the candidates added: README.md, Screening scale.)
constexpr size_t kCrossPairTokens = 4;
constexpr size_t kShortCrossPairs = 16;
// Mark bits of query tokens found through a pair (bits 17..30): only the first 14 query tokens.
constexpr uint32_t kCrossShift = 17;
constexpr size_t kCrossTokens = 31 - kCrossShift;
// Mark bit of an identity on a short pair list.
constexpr uint32_t kShortCrossMark = 1u << 31;

// A pair key of a name and the positions in the name of its two tokens.
struct CrossPair {
  std::string key;
  uint8_t first = 0;
  uint8_t second = 0;
};

// The cross-script pair keys of one name, as posted by a record (`lookup` false: under the side of its
// tokens) or as a query looks them up (`lookup` true: under the other side). Pairs of tokens of two
// sides, initials and tokens without a coarse key are skipped.
template <typename TokenAt>
void crossPairsOf(size_t count, TokenAt tokenAt, bool lookup, std::vector<CrossPair>& pairs) {
  struct Eligible {
    std::string key;
    bool latin;
    uint8_t position;
  };
  std::array<Eligible, kCrossPairTokens> eligible;
  size_t n = 0;
  for (size_t i = 0; i < count && i < kMaxNameTokens && n < kCrossPairTokens; ++i) {
    const Token& token = tokenAt(i);
    if (token.initial || token.text.size() < 2) continue;
    std::string key = crossScriptKey(token);
    if (!key.empty()) eligible[n++] = {std::move(key), token.script == Script::latin, static_cast<uint8_t>(i)};
  }
  for (size_t a = 0; a < n; ++a) {
    for (size_t b = a + 1; b < n; ++b) {
      if (eligible[a].latin != eligible[b].latin) continue;
      const bool aFirst = eligible[a].key <= eligible[b].key;
      std::string key(1, (eligible[a].latin != lookup) ? 'L' : 'N');
      key += aFirst ? eligible[a].key : eligible[b].key;
      key += '|';
      key += aFirst ? eligible[b].key : eligible[a].key;
      if (std::none_of(pairs.begin(), pairs.end(), [&](const CrossPair& p) { return p.key == key; }))
        pairs.push_back({std::move(key), eligible[a].position, eligible[b].position});
    }
  }
}

// Heap bytes of a string beyond the object itself (libstdc++ keeps up to 15 characters inline).
size_t heapBytes(const std::string& text) { return text.capacity() > 15 ? text.capacity() + 1 : 0; }

template <typename T>
size_t heapBytes(const std::vector<T>& items) {
  return items.capacity() * sizeof(T);
}

// An unordered_map's heap: buckets plus one node per element (key, value, next pointer, cached
// hash, allocator overhead) plus the heap of string keys.
template <typename Map>
size_t mapBytes(const Map& map) {
  size_t bytes = map.bucket_count() * sizeof(void*);
  bytes += map.size() * (sizeof(typename Map::value_type) + 2 * sizeof(void*) + 16);
  if constexpr (std::is_same_v<typename Map::key_type, std::string>) {
    for (const auto& [key, value] : map) bytes += heapBytes(key);
  }
  return bytes;
}

// A distinct token (text and spelling as written) with its candidate keys, stored once.
struct DictionaryToken {
  Token token;
  std::vector<uint32_t> keys;  // key ids: the text and the token's phonetic keys
  uint32_t uses = 0;           // identities holding it; freed at 0
};

// A distinct visibility: the owner and the members or groups listed, as principal ids.
struct Visibility {
  uint32_t owner = 0;
  std::vector<uint32_t> visibleTo;  // sorted
};

// The token ids of an identity's names, kNameSeparator between names: up to kInline inside the
// identity itself, so that a search reads a typical candidate from one cache line; longer lists on
// the heap (the pointer kept in the inline ids' bytes).
class TokenList {
 public:
  static constexpr size_t kInline = 9;

  TokenList() = default;
  explicit TokenList(std::span<const uint32_t> ids) : size_(static_cast<uint32_t>(ids.size())) {
    uint32_t* target = ids_.data();
    if (size_ > kInline) {
      target = new uint32_t[size_];
      std::memcpy(ids_.data(), &target, sizeof target);
    }
    std::copy(ids.begin(), ids.end(), target);
  }
  TokenList(TokenList&& other) noexcept : size_(other.size_), ids_(other.ids_) { other.size_ = 0; }
  TokenList& operator=(TokenList&& other) noexcept {
    if (this != &other) {
      release();
      size_ = other.size_;
      ids_ = other.ids_;
      other.size_ = 0;
    }
    return *this;
  }
  TokenList(const TokenList&) = delete;
  TokenList& operator=(const TokenList&) = delete;
  ~TokenList() { release(); }

  const uint32_t* data() const {
    if (size_ <= kInline) return ids_.data();
    const uint32_t* heap;
    std::memcpy(&heap, ids_.data(), sizeof heap);
    return heap;
  }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  uint32_t operator[](size_t i) const { return data()[i]; }
  const uint32_t* begin() const { return data(); }
  const uint32_t* end() const { return data() + size_; }
  // Bytes on the heap (none for an inline list).
  size_t heapBytes() const { return size_ > kInline ? size_ * sizeof(uint32_t) : 0; }

 private:
  void release() {
    if (size_ > kInline) delete[] data();
    size_ = 0;
  }

  uint32_t size_ = 0;
  std::array<uint32_t, kInline> ids_{};
};

// One identity, compact: one cache line holding its names as token ids (separated by
// kNameSeparator; a long list on the heap) and the rest interned.
struct alignas(64) Identity {
  const std::string* ref = nullptr;  // the key of its refSlots entry (node keys never move)
  uint32_t visibility = 0;
  uint32_t nationalities = 0;
  PartialDate dateOfBirth;
  Sex sex = Sex::unspecified;
  IdentityKind kind = IdentityKind::notice;
  bool alive = false;
  TokenList tokens;
};
static_assert(sizeof(Identity) == 64);

// The scratch of one searching thread: a mark per identity slot (one bit per query token) and the
// slots marked, so that resetting costs what marking did.
struct SearchScratch {
  std::vector<uint32_t> marks;
  std::vector<uint32_t> touched;

  // comparePair of every query token against a dictionary token, computed once per search on the
  // token's first use: candidates share their tokens (a common family name is on thousands of
  // them), and comparing tokens is most of the scoring. A row holds one entry per query token (all
  // query names, in order); per dictionary token, which search computed its row and where the row
  // is (one entry, so that one memory access finds both).
  struct RowOf {
    uint32_t search = 0;
    uint32_t index = 0;
  };
  std::vector<RowOf> rowOf;
  std::vector<PairSimilarity> rows;
  uint32_t search = 0;
  // One record name's tokens and its similarities to one query name, reused across candidates.
  std::vector<uint32_t> recordIds;
  std::vector<PairSimilarity> similarities;
};

SearchScratch& scratchOfThisThread() {
  thread_local SearchScratch scratch;
  return scratch;
}

}  // namespace

struct ScreeningIndex::State {
  mutable std::shared_mutex mutex;

  std::vector<DictionaryToken> tokens;
  // Token id -> its spelling signature, densely: a search rules out most of its comparisons here,
  // without reading the tokens.
  std::vector<SpellingSignature> signatures;
  std::vector<uint32_t> freeTokens;
  std::unordered_map<std::string, uint32_t> tokenIds;  // text '\x1f' original -> token id

  std::vector<std::vector<uint32_t>> postings;  // key id -> identity slots, sorted
  std::vector<const std::string*> keyNames;     // key id -> its keyIds entry, null when free
  std::vector<uint32_t> freeKeys;
  std::unordered_map<std::string, uint32_t> keyIds;

  std::vector<Identity> identities;
  std::vector<uint32_t> freeSlots;
  std::unordered_map<std::string, uint32_t> refSlots;

  std::unordered_map<std::string, uint32_t> principalIds;  // member or group -> principal id
  std::vector<Visibility> visibilities;
  std::unordered_map<std::string, uint32_t> visibilityIds;  // canonical form -> id
  std::vector<std::vector<std::string>> nationalitySets;
  std::unordered_map<std::string, uint32_t> nationalitySetIds;
  std::unordered_map<uint32_t, std::vector<uint32_t>> memberGroups;  // principal -> group principals

  uint32_t principalOf(const std::string& name) {
    auto [it, inserted] = principalIds.try_emplace(name, static_cast<uint32_t>(principalIds.size()));
    return it->second;
  }

  uint32_t visibilityOf(const std::string& owner, const std::vector<std::string>& visibleTo) {
    Visibility visibility{principalOf(owner), {}};
    for (const auto& principal : visibleTo) visibility.visibleTo.push_back(principalOf(principal));
    std::sort(visibility.visibleTo.begin(), visibility.visibleTo.end());
    visibility.visibleTo.erase(std::unique(visibility.visibleTo.begin(), visibility.visibleTo.end()),
                               visibility.visibleTo.end());
    std::string canonical = std::to_string(visibility.owner);
    for (uint32_t id : visibility.visibleTo) canonical += "," + std::to_string(id);
    auto [it, inserted] = visibilityIds.try_emplace(canonical, static_cast<uint32_t>(visibilities.size()));
    if (inserted) {
      visibility.visibleTo.shrink_to_fit();
      visibilities.push_back(std::move(visibility));
    }
    return it->second;
  }

  uint32_t nationalitiesOf(std::vector<std::string> codes) {
    std::sort(codes.begin(), codes.end());
    codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
    std::string canonical;
    for (const auto& code : codes) canonical += code + ",";
    auto [it, inserted] = nationalitySetIds.try_emplace(canonical, static_cast<uint32_t>(nationalitySets.size()));
    if (inserted) nationalitySets.push_back(std::move(codes));
    return it->second;
  }

  uint32_t keyOf(const std::string& key) {
    auto it = keyIds.find(key);
    if (it != keyIds.end()) return it->second;
    uint32_t id;
    if (!freeKeys.empty()) {
      id = freeKeys.back();
      freeKeys.pop_back();
    } else {
      id = static_cast<uint32_t>(postings.size());
      postings.emplace_back();
      keyNames.push_back(nullptr);
    }
    it = keyIds.emplace(key, id).first;
    keyNames[id] = &it->first;
    return id;
  }

  uint32_t tokenOf(const Token& token) {
    std::string identity = token.text + '\x1f' + token.original;
    auto it = tokenIds.find(identity);
    if (it != tokenIds.end()) {
      ++tokens[it->second].uses;
      return it->second;
    }
    DictionaryToken entry{token, {}, 1};
    entry.token.keys.shrink_to_fit();
    // Initials are compared when scoring but never looked up: a key "j" would match everyone.
    if (!token.text.empty() && !token.initial && token.text.size() > 1) {
      entry.keys.push_back(keyOf(token.text));
      for (const auto& key : token.keys) {
        if (!key.empty()) entry.keys.push_back(keyOf(key));
      }
      std::sort(entry.keys.begin(), entry.keys.end());
      entry.keys.erase(std::unique(entry.keys.begin(), entry.keys.end()), entry.keys.end());
      entry.keys.shrink_to_fit();
    }
    uint32_t id;
    if (!freeTokens.empty()) {
      id = freeTokens.back();
      freeTokens.pop_back();
      signatures[id] = spellingSignature(entry.token);
      tokens[id] = std::move(entry);
    } else {
      id = static_cast<uint32_t>(tokens.size());
      signatures.push_back(spellingSignature(entry.token));
      tokens.push_back(std::move(entry));
    }
    tokenIds.emplace(std::move(identity), id);
    return id;
  }

  void releaseToken(uint32_t id) {
    DictionaryToken& entry = tokens[id];
    if (--entry.uses > 0) return;
    tokenIds.erase(entry.token.text + '\x1f' + entry.token.original);
    entry = DictionaryToken{};
    signatures[id] = SpellingSignature{};
    freeTokens.push_back(id);
  }

  // The distinct key ids an identity is posted under: its tokens' keys and `crossPairs` (its names'
  // pair keys, crossPairsOf), made when `create`, else those that exist.
  std::vector<uint32_t> keysOf(const Identity& identity, const std::vector<CrossPair>& crossPairs, bool create) {
    std::vector<uint32_t> keys;
    for (uint32_t token : identity.tokens) {
      if (token == kNameSeparator) continue;
      keys.insert(keys.end(), tokens[token].keys.begin(), tokens[token].keys.end());
    }
    for (const CrossPair& pair : crossPairs) {
      if (create) {
        keys.push_back(keyOf(pair.key));
      } else if (auto it = keyIds.find(pair.key); it != keyIds.end()) {
        keys.push_back(it->second);
      }
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    return keys;
  }

  // The pair keys of an identity's names, from its dictionary tokens.
  std::vector<CrossPair> crossPairsOfIdentity(const Identity& identity) const {
    std::vector<CrossPair> pairs;
    for (size_t begin = 0; begin < identity.tokens.size();) {
      size_t end = begin;
      while (end < identity.tokens.size() && identity.tokens[end] != kNameSeparator) ++end;
      crossPairsOf(
          end - begin, [&](size_t i) -> const Token& { return tokens[identity.tokens[begin + i]].token; }, false,
          pairs);
      begin = end + 1;
    }
    return pairs;
  }

  void removeSlot(uint32_t slot) {
    Identity& identity = identities[slot];
    for (uint32_t key : keysOf(identity, crossPairsOfIdentity(identity), false)) {
      auto& list = postings[key];
      auto it = std::lower_bound(list.begin(), list.end(), slot);
      if (it != list.end() && *it == slot) list.erase(it);
      if (list.empty()) {
        list.shrink_to_fit();
        keyIds.erase(*keyNames[key]);
        keyNames[key] = nullptr;
        freeKeys.push_back(key);
      }
    }
    for (uint32_t token : identity.tokens) {
      if (token != kNameSeparator) releaseToken(token);
    }
    identity = Identity{};
    freeSlots.push_back(slot);
  }

  // The principals `member` acts as: itself and its groups, sorted; empty if it is unknown.
  std::vector<uint32_t> principalsOf(std::string_view member) const {
    std::vector<uint32_t> principals;
    auto it = principalIds.find(std::string(member));
    if (it == principalIds.end()) return principals;
    principals.push_back(it->second);
    if (auto groups = memberGroups.find(it->second); groups != memberGroups.end()) {
      principals.insert(principals.end(), groups->second.begin(), groups->second.end());
    }
    std::sort(principals.begin(), principals.end());
    return principals;
  }

  // Row-level security: owner, listed, or in a listed group.
  bool visibleTo(const Identity& identity, const std::vector<uint32_t>& principals) const {
    const Visibility& visibility = visibilities[identity.visibility];
    if (std::binary_search(principals.begin(), principals.end(), visibility.owner)) return true;
    for (uint32_t listed : visibility.visibleTo) {
      if (std::binary_search(principals.begin(), principals.end(), listed)) return true;
    }
    return false;
  }
};

ScreeningIndex::ScreeningIndex() : state_(std::make_unique<State>()) {}
ScreeningIndex::~ScreeningIndex() = default;

PersonRecord personRecordOf(const IndexedRecord& record) {
  PersonRecord person;
  person.names.reserve(record.names.size());
  for (const auto& written : record.names) {
    Name name = normaliseName(written);
    if (!name.tokens.empty()) person.names.push_back(std::move(name));
  }
  person.dateOfBirth = record.dateOfBirth;
  person.sex = record.sex;
  person.nationalities = record.nationalities;
  return person;
}

void ScreeningIndex::upsert(const IndexedRecord& record) {
  // Normalising is the expensive part and pure: done before the writer takes the lock.
  const std::vector<Name> names = personRecordOf(record).names;
  std::vector<CrossPair> crossPairs;
  for (const Name& name : names) {
    crossPairsOf(name.tokens.size(), [&name](size_t i) -> const Token& { return name.tokens[i]; }, false, crossPairs);
  }

  std::unique_lock lock(state_->mutex);
  State& state = *state_;
  if (auto it = state.refSlots.find(record.ref); it != state.refSlots.end()) {
    const uint32_t old = it->second;
    state.refSlots.erase(it);
    state.removeSlot(old);
  }
  uint32_t slot;
  if (!state.freeSlots.empty()) {
    slot = state.freeSlots.back();
    state.freeSlots.pop_back();
  } else {
    slot = static_cast<uint32_t>(state.identities.size());
    state.identities.emplace_back();
  }
  Identity identity;
  identity.ref = &state.refSlots.emplace(record.ref, slot).first->first;
  std::vector<uint32_t> tokenIds;
  for (const auto& name : names) {
    if (!tokenIds.empty()) tokenIds.push_back(kNameSeparator);
    for (const auto& token : name.tokens) tokenIds.push_back(state.tokenOf(token));
  }
  identity.tokens = TokenList(tokenIds);
  identity.visibility = state.visibilityOf(record.owner, record.visibleTo);
  identity.nationalities = state.nationalitiesOf(record.nationalities);
  identity.dateOfBirth = record.dateOfBirth;
  identity.sex = record.sex;
  identity.kind = record.kind;
  identity.alive = true;
  for (uint32_t key : state.keysOf(identity, crossPairs, true)) {
    auto& list = state.postings[key];
    list.insert(std::lower_bound(list.begin(), list.end(), slot), slot);
  }
  state.identities[slot] = std::move(identity);
}

bool ScreeningIndex::remove(std::string_view ref) {
  std::unique_lock lock(state_->mutex);
  auto it = state_->refSlots.find(std::string(ref));
  if (it == state_->refSlots.end()) return false;
  const uint32_t slot = it->second;
  state_->removeSlot(slot);
  state_->refSlots.erase(it);
  return true;
}

void ScreeningIndex::setGroups(const std::map<std::string, std::vector<std::string>>& memberGroups) {
  std::unique_lock lock(state_->mutex);
  state_->memberGroups.clear();
  for (const auto& [member, groups] : memberGroups) {
    auto& ids = state_->memberGroups[state_->principalOf(member)];
    for (const auto& group : groups) ids.push_back(state_->principalOf(group));
  }
}

size_t ScreeningIndex::size() const {
  std::shared_lock lock(state_->mutex);
  return state_->refSlots.size();
}

size_t ScreeningIndex::memoryBytes() const {
  std::shared_lock lock(state_->mutex);
  const State& state = *state_;
  size_t bytes = sizeof(State);
  bytes += heapBytes(state.tokens) + heapBytes(state.signatures) + heapBytes(state.freeTokens) + mapBytes(state.tokenIds);
  for (const auto& entry : state.tokens) {
    bytes += heapBytes(entry.token.text) + heapBytes(entry.token.original) + heapBytes(entry.token.keys) +
             heapBytes(entry.keys);
    for (const auto& key : entry.token.keys) bytes += heapBytes(key);
  }
  bytes += heapBytes(state.postings) + heapBytes(state.keyNames) + heapBytes(state.freeKeys) + mapBytes(state.keyIds);
  for (const auto& list : state.postings) bytes += heapBytes(list);
  bytes += heapBytes(state.identities) + heapBytes(state.freeSlots) + mapBytes(state.refSlots);
  for (const auto& identity : state.identities) bytes += identity.tokens.heapBytes();
  bytes += mapBytes(state.principalIds) + heapBytes(state.visibilities) + mapBytes(state.visibilityIds);
  for (const auto& visibility : state.visibilities) bytes += heapBytes(visibility.visibleTo);
  bytes += heapBytes(state.nationalitySets) + mapBytes(state.nationalitySetIds);
  for (const auto& codes : state.nationalitySets) {
    bytes += heapBytes(codes);
    for (const auto& code : codes) bytes += heapBytes(code);
  }
  bytes += mapBytes(state.memberGroups);
  for (const auto& [member, groups] : state.memberGroups) bytes += heapBytes(groups);
  return bytes;
}

namespace {

// One scored candidate, before its explanation is written.
struct Scored {
  uint32_t slot;
  PersonScore score;
};

}  // namespace

std::vector<ScreeningHit> ScreeningIndex::search(const PersonQuery& query, std::string_view member, size_t limit,
                                                 double threshold) const {
  limit = std::min(limit, kMaxSearchLimit);
  std::vector<ScreeningHit> hits;
  if (limit == 0) return hits;

  // The query's tokens (at most 16 distinct, one mark bit each) and their names as sequences.
  std::vector<std::vector<const Token*>> queryNames;
  std::vector<const Token*> distinct;
  for (const auto& name : std::span(query.names).first(std::min(query.names.size(), kMaxQueryNames))) {
    std::vector<const Token*> sequence;
    for (const auto& token : name.tokens) {
      sequence.push_back(&token);
      const bool seen = std::any_of(distinct.begin(), distinct.end(),
                                    [&token](const Token* other) { return other->text == token.text; });
      if (!seen && !token.initial && token.text.size() > 1 && distinct.size() < 16) distinct.push_back(&token);
    }
    if (!sequence.empty()) queryNames.push_back(std::move(sequence));
  }
  if (queryNames.empty()) return hits;

  std::shared_lock lock(state_->mutex);
  const State& state = *state_;
  const std::vector<uint32_t> principals = state.principalsOf(member);
  if (principals.empty()) return hits;

  // The posting lists of every query token, rarest first.
  struct List {
    const std::vector<uint32_t>* slots;
    uint32_t bit;
  };
  std::vector<List> lists;
  for (size_t t = 0; t < distinct.size(); ++t) {
    std::vector<std::string_view> keys{distinct[t]->text};
    for (const auto& key : distinct[t]->keys) keys.push_back(key);
    for (std::string_view key : keys) {
      auto it = state.keyIds.find(std::string(key));
      if (it == state.keyIds.end()) continue;
      const auto& slots = state.postings[it->second];
      const uint32_t bit = 1u << t;
      if (std::none_of(lists.begin(), lists.end(), [&](const List& l) { return l.slots == &slots && l.bit == bit; })) {
        lists.push_back({&slots, bit});
      }
    }
  }
  auto bySize = [](const List& a, const List& b) { return a.slots->size() < b.slots->size(); };
  std::sort(lists.begin(), lists.end(), bySize);

  // The lists of the query names' pairs across scripts (crossPairsOf), marking both tokens' cross bits.
  const bool singleToken = distinct.size() <= 1;
  std::vector<List> crossLists;
  if (!singleToken) {
    auto crossBitOf = [&distinct](const Token* token) -> uint32_t {
      for (size_t t = 0; t < distinct.size() && t < kCrossTokens; ++t) {
        if (distinct[t]->text == token->text) return 1u << (kCrossShift + t);
      }
      return 0;
    };
    std::vector<CrossPair> pairs;
    for (const auto& name : queryNames) {
      pairs.clear();
      crossPairsOf(name.size(), [&name](size_t i) -> const Token& { return *name[i]; }, true, pairs);
      for (const CrossPair& pair : pairs) {
        const uint32_t first = crossBitOf(name[pair.first]);
        const uint32_t second = crossBitOf(name[pair.second]);
        if (first == 0 || second == 0 || first == second) continue;
        auto it = state.keyIds.find(pair.key);
        if (it == state.keyIds.end()) continue;
        const auto& slots = state.postings[it->second];
        if (std::none_of(crossLists.begin(), crossLists.end(), [&](const List& l) { return l.slots == &slots; })) {
          crossLists.push_back({&slots, first | second});
        }
      }
    }
    std::sort(crossLists.begin(), crossLists.end(), bySize);
  }

  SearchScratch& scratch = scratchOfThisThread();
  if (scratch.marks.size() < state.identities.size()) scratch.marks.resize(state.identities.size(), 0);
  size_t read = 0;
  for (const List& list : lists) {
    if (read + list.slots->size() > kMaxPostingsRead && read > 0) break;
    read += list.slots->size();
    const uint32_t mark = list.bit | (list.slots->size() <= kRarePostings ? kRareMark : 0);
    const std::vector<uint32_t>& slots = *list.slots;
    for (size_t n = 0; n < slots.size(); ++n) {
      // The marks are scattered over megabytes: ask for those a few entries ahead.
      if (n + 16 < slots.size()) __builtin_prefetch(&scratch.marks[slots[n + 16]]);
      const uint32_t slot = slots[n];
      if (scratch.marks[slot] == 0) scratch.touched.push_back(slot);
      scratch.marks[slot] |= mark;
    }
  }
  // Pair lists with what is left of the budget, and only while what they add fits in the scoring
  // budget: never rare, they add a second token to one found by its keys, or two on a short list.
  size_t crossRead = 0;
  for (const List& list : crossLists) {
    if (read + list.slots->size() > kMaxPostingsRead || crossRead + list.slots->size() > kMaxCandidatesScored) break;
    read += list.slots->size();
    crossRead += list.slots->size();
    for (uint32_t slot : *list.slots) {
      if (scratch.marks[slot] == 0) scratch.touched.push_back(slot);
      scratch.marks[slot] |= list.bit | (list.slots->size() <= kShortCrossPairs ? kShortCrossMark : 0);
    }
  }

  // Candidates: visible first (an invisible identity is never scored nor counted), then on a rare
  // list or sharing at least two query tokens; those sharing more tokens are scored first, and among
  // them those on a rare list. Tokens shared through a pair across scripts make a candidate (one
  // sharing a token by its keys, or on a short pair list) but do not count in that order: such a
  // candidate shares at most one token by its keys, so it comes after every candidate found without
  // pairs (buckets 0 and 2, empty for a query of several tokens without them).
  std::array<std::vector<uint32_t>, 34> byShared;
  auto atLeastTwoBits = [](uint32_t bits) { return (bits & (bits - 1)) != 0; };
  auto isCandidate = [singleToken, atLeastTwoBits](uint32_t mark) {
    const uint32_t tokens = mark & (kRareMark - 1);
    return singleToken || atLeastTwoBits(tokens) || (mark & kRareMark) != 0 ||
           ((tokens != 0 || (mark & kShortCrossMark) != 0) &&
            atLeastTwoBits(tokens | ((mark & ~kShortCrossMark) >> kCrossShift)));
  };
  const std::vector<uint32_t>& touched = scratch.touched;
  for (size_t n = 0; n < touched.size(); ++n) {
    // The identity of a candidate a few places ahead, for its visibility.
    if (n + 16 < touched.size()) __builtin_prefetch(&scratch.marks[touched[n + 16]]);
    if (n + 8 < touched.size() && isCandidate(scratch.marks[touched[n + 8]])) {
      __builtin_prefetch(&state.identities[touched[n + 8]]);
    }
    const uint32_t slot = touched[n];
    const uint32_t mark = scratch.marks[slot];
    scratch.marks[slot] = 0;
    if (!isCandidate(mark)) continue;
    const int shared = std::popcount(mark & (kRareMark - 1));
    const bool rare = (mark & kRareMark) != 0;
    if (!state.visibleTo(state.identities[slot], principals)) continue;
    byShared[static_cast<size_t>(shared * 2 + (rare ? 1 : 0))].push_back(slot);
  }
  scratch.touched.clear();

  // The query's tokens flattened (queryNames[q] starts at first[q]) for the rows of token similarities.
  std::vector<const Token*> flat;
  std::vector<size_t> first;
  for (const auto& name : queryNames) {
    first.push_back(flat.size());
    flat.insert(flat.end(), name.begin(), name.end());
  }
  if (++scratch.search == 0) {
    std::fill(scratch.rowOf.begin(), scratch.rowOf.end(), SearchScratch::RowOf{});
    scratch.search = 1;
  }
  if (scratch.rowOf.size() < state.tokens.size()) scratch.rowOf.resize(state.tokens.size());
  scratch.rows.clear();
  // Per flat query token: its signature, and the next token of its name (null for the last).
  std::vector<SpellingSignature> flatSignatures;
  std::vector<const Token*> nextInName(flat.size(), nullptr);
  for (const Token* queryToken : flat) flatSignatures.push_back(spellingSignature(*queryToken));
  for (size_t q = 0; q < queryNames.size(); ++q) {
    for (size_t i = 0; i + 1 < queryNames[q].size(); ++i) nextInName[first[q] + i] = queryNames[q][i + 1];
  }
  auto computeRow = [&](uint32_t token) {
    SearchScratch::RowOf& row = scratch.rowOf[token];
    if (row.search == scratch.search) return;
    row = {scratch.search, static_cast<uint32_t>(scratch.rows.size() / flat.size())};
    const SpellingSignature& signature = state.signatures[token];
    for (size_t i = 0; i < flat.size(); ++i) {
      scratch.rows.push_back(comparePair(*flat[i], nextInName[i], state.tokens[token].token, flatSignatures[i], signature));
    }
  };

  std::vector<Scored> scored;
  std::vector<const Token*> recordName;
  std::vector<uint32_t>& recordIds = scratch.recordIds;
  std::vector<PairSimilarity>& similarities = scratch.similarities;
  // The best name pair of a candidate so far and the pair being compared, their storage reused.
  NameComparison best;
  NameComparison comparison;
  size_t budget = kMaxCandidatesScored;
  for (size_t shared = byShared.size(); shared-- > 0 && budget > 0;) {
    auto& slots = byShared[shared];
    std::sort(slots.begin(), slots.end());
    for (size_t n = 0; n < slots.size(); ++n) {
      if (budget == 0) break;
      --budget;
      // Candidates are scattered over the index: ask for the next ones' identities (token ids inline)
      // ahead, so that their memory arrives while this one is scored,
      if (n + 6 < slots.size()) __builtin_prefetch(&state.identities[slots[n + 6]]);
      // and, for the one after next, what its tokens' rows read: where the row is, the signature, the text.
      if (n + 2 < slots.size()) {
        for (uint32_t token : state.identities[slots[n + 2]].tokens) {
          if (token == kNameSeparator) continue;
          __builtin_prefetch(&scratch.rowOf[token]);
          __builtin_prefetch(&state.signatures[token]);
          __builtin_prefetch(&state.tokens[token]);
        }
      }
      const uint32_t slot = slots[n];
      const Identity& identity = state.identities[slot];
      best.score = 0;
      size_t bestQuery = 0;
      size_t bestRecord = 0;
      size_t recordIndex = 0;
      for (size_t k = 0; k <= identity.tokens.size(); ++k) {
        if (k < identity.tokens.size() && identity.tokens[k] != kNameSeparator) {
          recordName.push_back(&state.tokens[identity.tokens[k]].token);
          recordIds.push_back(identity.tokens[k]);
          computeRow(identity.tokens[k]);
          continue;
        }
        for (size_t q = 0; q < queryNames.size(); ++q) {
          // comparePair(queryNames[q][i], its next, recordName[j]) at [i * recordName.size() + j], from the rows.
          similarities.clear();
          for (size_t i = 0; i < queryNames[q].size(); ++i) {
            for (uint32_t id : recordIds) {
              similarities.push_back(scratch.rows[scratch.rowOf[id].index * flat.size() + first[q] + i]);
            }
          }
          compareNames(queryNames[q], recordName, similarities, comparison);
          if (comparison.score > best.score) {
            std::swap(best, comparison);
            bestQuery = q;
            bestRecord = recordIndex;
          }
        }
        recordName.clear();
        recordIds.clear();
        ++recordIndex;
      }
      // No name matched: combineEvidence would score 0, so the other evidence is not compared.
      if (best.score <= 0) continue;
      // Scored on the name's score alone; the alignment is copied for a hit only.
      PersonScore score = combineEvidence(NameComparison{best.score, {}, {}, {}}, bestQuery, bestRecord,
                                          compareDatesOfBirth(query.dateOfBirth, identity.dateOfBirth),
                                          compareSex(query.sex, identity.sex),
                                          compareNationalities(query.nationalities,
                                                               state.nationalitySets[identity.nationalities]));
      if (score.score >= threshold && score.score > 0) {
        score.name = best;
        scored.push_back({slot, std::move(score)});
      }
    }
  }

  auto better = [&state](const Scored& a, const Scored& b) {
    if (a.score.score != b.score.score) return a.score.score > b.score.score;
    return *state.identities[a.slot].ref < *state.identities[b.slot].ref;
  };
  const size_t kept = std::min(limit, scored.size());
  std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(kept), scored.end(), better);
  scored.resize(kept);

  for (auto& [slot, score] : scored) {
    const Identity& identity = state.identities[slot];
    // The record name that scored, as a token sequence, for the explanation.
    size_t recordIndex = 0;
    for (uint32_t token : identity.tokens) {
      if (token == kNameSeparator) {
        ++recordIndex;
      } else if (recordIndex == score.recordName) {
        recordName.push_back(&state.tokens[token].token);
      }
    }
    ScreeningHit hit;
    hit.ref = *identity.ref;
    hit.kind = identity.kind;
    hit.explanation = explainPerson(score, queryNames[score.queryName], recordName, identity.dateOfBirth,
                                    query.nationalities, state.nationalitySets[identity.nationalities]);
    hit.score = std::move(score);
    hits.push_back(std::move(hit));
    recordName.clear();
  }
  return hits;
}

}  // namespace liaison::screening
