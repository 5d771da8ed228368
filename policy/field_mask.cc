#include "policy/field_mask.h"

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <utility>
#include <variant>

#include "schema/record_fields.h"

namespace liaison::policy {
namespace {

bool isAlwaysReturned(std::string_view field) {
  return std::find(kAlwaysReturnedFields.begin(), kAlwaysReturnedFields.end(), field) !=
         kAlwaysReturnedFields.end();
}

// Records the names of the maskable fields in visiting order.
struct FieldNameCollector {
  std::vector<std::string> names;

  void ref(std::string&) {}
  template <typename T>
  void field(const char* name, T&) {
    if (!isAlwaysReturned(name)) names.emplace_back(name);
  }
};

// Finds the field called `wanted` of type T in a record; field names are unique within a record kind.
template <typename T>
struct FieldFinder {
  const char* wanted;
  T* found = nullptr;

  void ref(std::string&) {}
  template <typename U>
  void field(const char* name, U& value) {
    if constexpr (std::is_same_v<U, T>) {
      if (found == nullptr && std::strcmp(name, wanted) == 0) found = &value;
    }
  }
};

// Resets the fields outside the mask to their values in `blank`, a default-constructed record of the
// same kind. Going through a blank record keeps each field's declared default (DocumentNumber has no
// empty state, several enums default to a non-zero value) without a per-type table to maintain.
template <typename RecordT>
struct FieldMasker {
  const std::vector<std::string>& keep;
  RecordT& blank;
  std::vector<std::string> withheld;

  void ref(std::string&) {}
  template <typename T>
  void field(const char* name, T& value) {
    if (isAlwaysReturned(name) || std::find(keep.begin(), keep.end(), name) != keep.end()) return;
    FieldFinder<T> finder{name};
    fields(finder, blank);
    value = *finder.found;  // found: blank is the same kind, so the same field exists
    withheld.emplace_back(name);
  }
};

}  // namespace

std::vector<std::string> maskableFields(RecordKind kind) {
  Record record = defaultRecord(kind);
  FieldNameCollector collector;
  visitFields(collector, record);
  return std::move(collector.names);
}

std::vector<std::string> applyFieldMask(Record& record,
                                        const std::optional<std::vector<std::string>>& fields) {
  if (!fields) return {};
  return std::visit(
      [&](auto& typed) {
        std::remove_reference_t<decltype(typed)> blank{};
        FieldMasker<std::remove_reference_t<decltype(typed)>> masker{*fields, blank, {}};
        liaison::fields(masker, typed);
        return std::move(masker.withheld);
      },
      record);
}

}  // namespace liaison::policy
