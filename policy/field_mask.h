// Field masks: a details answer carries only the fields a rule allows. Field names are those of
// schema/record_fields.h (the SQL column names).
//
// Never masked, because a receiver cannot use or lawfully keep a record without them: the reference
// (`ref`, not a field name at all), `owner_member` (whom to ask and cite), `handling_code` (the
// dissemination restrictions the receiver must honour) and `retention_until` (when the receiver must
// delete it). `visible_to` is maskable like any content field: it tells which other partners may see the
// record, which the receiver does not need.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/model.h"

namespace liaison::policy {

/// The field names that every details answer carries whatever the mask says.
inline constexpr std::array<std::string_view, 3> kAlwaysReturnedFields = {"owner_member", "handling_code",
                                                                          "retention_until"};

/// Every field name of `kind` that a mask may name (all fields of record_fields.h except the always
/// returned ones), in record order.
std::vector<std::string> maskableFields(RecordKind kind);

/// Resets every maskable field whose name is not in `fields` to the value a default-constructed record
/// of the same kind holds, and returns the names of the fields withheld, in record order. nullopt keeps
/// every field and withholds nothing; names that `record`'s kind does not have are ignored.
std::vector<std::string> applyFieldMask(Record& record,
                                        const std::optional<std::vector<std::string>>& fields);

}  // namespace liaison::policy
