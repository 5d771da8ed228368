// A synthetic watchlist with realistic names in several scripts, shared by the screening benchmark
// (the in-memory index alone) and the manifest benchmark (end to end through the node).
//
// The names come from ../shared/data: transliteration/*.tsv (Latin and native forms of name tokens,
// five scripts) and the given and family names of screening/negatives_global.csv (many scripts).
// Fixed seed: every run generates the same identities.
#pragma once

#include <cstddef>
#include <random>
#include <string>
#include <vector>

#include "screening/index.h"

namespace liaison::bench {

// A name token in Latin and, when known, in its native script.
struct TokenForms {
  std::string latin;
  std::string native;  // empty for Latin-only tokens
};

// Where the synthetic names come from: given and family tokens per source.
struct NamePool {
  std::string label;
  std::vector<TokenForms> given;
  std::vector<TokenForms> family;
};

// The five transliteration scripts (arabic, russian, chinese, hebrew, korean) and, last, the
// negatives' names, read from `dataDir` (the shared data folder).
std::vector<NamePool> loadNamePools(const std::string& dataDir);

// One synthetic identity, remembered so that queries can be made from it.
struct Synthetic {
  screening::IndexedRecord record;
  std::vector<const TokenForms*> tokens;  // given..., family
};

// The tokens' Latin forms, or their native forms where known, joined by spaces.
std::string joinForms(const std::vector<const TokenForms*>& tokens, bool native);

// A typing error in an ASCII-letter name: one letter replaced, doubled, dropped or two swapped.
std::string misspelled(std::string name, std::mt19937_64& random);

// A date of birth from 1940 to 2005; one in five is the year alone.
PartialDate randomDate(std::mt19937_64& random);

// The watchlist: 60% of identities from the five transliteration scripts (written in Latin or in the
// native script, two or three tokens), 40% from the negatives' given and family names; a third get
// one to three aliases (the other script's form, a misspelling, the family name first). Owners are
// mostly XA-POLICE, some XB-BORDER, XC-CUSTOMS or XD-POLICE; half are shared with `schengen` or
// XB-BORDER.
std::vector<Synthetic> generateWatchlist(const std::vector<NamePool>& pools, size_t count);

}  // namespace liaison::bench
