// Fuzz target for the name normaliser (screening/name.h): any bytes must give a Name that keeps the
// header's promises, never a crash, an exception or a sanitizer report. The input's two halves are
// also compared as names and as raw bytes (the bit-parallel string measures of screening/match.h).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "screening/match.h"
#include "screening/name.h"

namespace {

bool isAsciiLowerOrDigit(std::string_view text) {
  for (char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

bool keepsPromises(const liaison::screening::Name& name) {
  using namespace liaison::screening;
  if (name.tokens.size() > kMaxNameTokens) return false;
  for (const Token& token : name.tokens) {
    if (token.text.empty() || !isAsciiLowerOrDigit(token.text)) return false;
    if (token.original.empty()) return false;
    if (token.initial && token.text.size() != 1) return false;
    if (token.keys.empty() || token.keys.size() > kMaxTokenKeys) return false;
    for (const std::string& key : token.keys) {
      if (key.empty() || !isAsciiLowerOrDigit(key)) return false;
    }
  }
  if (!name.tokens.empty() && name.tokens.back().joinedToNext) return false;
  for (const std::string& word : name.dropped) {
    if (word.empty() || !isAsciiLowerOrDigit(word)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const liaison::screening::Name name = liaison::screening::normaliseName(input);
  if (!keepsPromises(name)) std::abort();
  // Only the first kMaxNameInputBytes bytes count: whatever follows cannot change the answer.
  if (size > liaison::screening::kMaxNameInputBytes + 8) {
    const auto cut =
        liaison::screening::normaliseName(input.substr(0, liaison::screening::kMaxNameInputBytes));
    if (cut.tokens.size() != name.tokens.size()) std::abort();
    for (size_t i = 0; i < cut.tokens.size(); ++i) {
      if (cut.tokens[i].text != name.tokens[i].text) std::abort();
    }
  }
  // The halves compared: scores within 0..1; the raw measures within their ranges and symmetric
  // (Damerau-Levenshtein at most the longer compared length, 48 characters).
  const std::string_view left = input.substr(0, size / 2);
  const std::string_view right = input.substr(size / 2);
  const double score =
      liaison::screening::compareNames(liaison::screening::normaliseName(left), liaison::screening::normaliseName(right))
          .score;
  if (!(score >= 0 && score <= 1)) std::abort();
  const size_t distance = liaison::screening::damerauDistance(left, right);
  if (distance != liaison::screening::damerauDistance(right, left) || distance > 48) std::abort();
  const double jaro = liaison::screening::jaroWinkler(left, right);
  if (!(jaro >= 0 && jaro <= 1)) std::abort();
  const std::string romanised = liaison::screening::romanise(input);
  for (char c : romanised) {
    if (c != ' ' && !isAsciiLowerOrDigit(std::string_view(&c, 1))) std::abort();
  }
  return 0;
}
