// Importer of INTERPOL notices from the JSON of INTERPOL's public notices web API
// (https://ws-public.interpol.int/notices/v1/{red,yellow,un/persons}): list responses and single-notice
// (detail) responses of red, yellow and UN Security Council special notices.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/csv_import.h"
#include "adapters/database.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::importers {

/// The largest API response parseInterpolNotices accepts; the API pages its lists far below this.
inline constexpr size_t kMaxNoticesResponseBytes = size_t{64} << 20;

/// The deepest nesting of arrays and objects parseInterpolNotices accepts; responses need about six.
inline constexpr int kMaxNoticesJsonNesting = 32;

/// Parses one API response: a list (`{"total": N, "_embedded": {"notices": [...]}, ...}`) or a single
/// notice (an object with `entity_id`). Every notice gets its meta (owner, visibility, handling,
/// retention) from `options` and no ref. The colour is `colour` if given, else the `/red/`, `/yellow/`
/// or `/un/` segment of the notice's `_links.self.href`; a link naming another colour is an error.
///
/// Mapping: noticeId = entity_id with `-` written `/` (`2099-1` → `2099/1`); family name = name,
/// given names = forename, date of birth from `YYYY/MM/DD`, `YYYY/MM` or `YYYY`, sex from sex_id
/// (M, F, U); nationality = the first of nationalities, the rest other nationalities; aliases =
/// `forename name` of each UN alias; warrant issuing states = the distinct issuing_country_id of
/// arrest_warrants in order; charges = their charge texts joined with "; ". Country ids are ISO
/// 3166-1 alpha-2 and become ICAO 9303 codes (`FR` → `FRA`, `DE` → `D<<`, `XK` → `RKS`).
///
/// Null and absent are the same; fields the model does not carry and fields the API may add later
/// are ignored, but a field that is read and has the wrong JSON type, an unknown country code or a
/// malformed date is an invalidInput error naming `sourceName` and the JSON path, e.g.
/// `red.json: _embedded.notices[3].date_of_birth: expected YYYY/MM/DD, YYYY/MM or YYYY, got "1980-05-17"`.
/// Malformed JSON names the byte offset. Input beyond kMaxNoticesResponseBytes or nested deeper than
/// kMaxNoticesJsonNesting is refused before any notice is read.
Result<std::vector<Notice>> parseInterpolNotices(std::string_view json, const std::string& sourceName,
                                                 std::optional<NoticeColour> colour,
                                                 const ImportOptions& options);

/// Stores `notices` in notices.notices in one transaction (through importRecords), as the
/// importer role with `options.owner` as the requesting member, each with its own meta; every
/// notice must be owned by `options.owner`. Notices already present (same owner and notice id) are
/// left as they are, so importing the same notices again changes nothing; a list response imported
/// before the detail response of the same notice keeps the list's fewer fields. All or nothing: if
/// any notice is refused, none is written. `rowsRead` counts `notices`, `rowsInserted` the new ones.
Result<ImportReport> importNotices(const store::DatabaseTarget& target, const std::vector<Notice>& notices,
                                   const ImportOptions& options, const ImportControl& control = {});

}  // namespace liaison::importers
