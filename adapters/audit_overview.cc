#include "adapters/audit_overview.h"

#include <array>
#include <charconv>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "adapters/audit_search.h"

namespace liaison::store {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::chrono::seconds kShortestWindow{60};
constexpr std::chrono::seconds kLongestWindow{std::chrono::days{7}};
constexpr uint64_t kMostThreshold = 1'000'000;

// A timestamptz column as the model writes times, UTC to the second.
std::string utc(std::string_view column) {
  return "to_char((" + std::string(column) + ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";
}

// The entries of the range ($1, $2) and, per entry, how many requests it stands for (a folded
// refusal stands for 1 + repeat_count).
constexpr std::string_view kInRange = "recorded_at >= $1::timestamptz AND recorded_at < $2::timestamptz";
constexpr std::string_view kRequests = "sum(1 + repeat_count)";
constexpr std::string_view kRefused = "coalesce(sum(1 + repeat_count) FILTER (WHERE decision <> 'permitted'), 0)";

std::string firewallCount() { return "count(*) FILTER (WHERE " + std::string(kFirewallRefusalSql) + ")"; }

std::string totalSql() {
  return "SELECT coalesce(" + std::string(kRequests) + ", 0), " + std::string(kRefused) +
         ", coalesce(sum(1 + repeat_count) FILTER (WHERE decision = 'invalid'), 0), " + firewallCount() +
         " FROM audit.entries WHERE " + std::string(kInRange);
}

std::string perDaySql() {
  return "SELECT to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), query_kind, decision, " +
         std::string(kRequests) + ", " + firewallCount() + " FROM audit.entries WHERE " + std::string(kInRange) +
         " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3";
}

std::string perMemberSql() {
  return "SELECT requester, " + std::string(kRequests) + ", " + std::string(kRefused) + ", " + firewallCount() +
         " FROM audit.entries WHERE " + std::string(kInRange) + " GROUP BY requester ORDER BY 2 DESC, 1 LIMIT " +
         std::to_string(kMaxAuditOverviewRows);
}

std::string perOfficerSql() {
  return "SELECT requester, officer_pseudonym, role, " + std::string(kRequests) + ", " + std::string(kRefused) +
         ", " + firewallCount() + " FROM audit.entries WHERE " + std::string(kInRange) +
         " AND officer_pseudonym <> '' GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3 LIMIT " +
         std::to_string(kMaxAuditOverviewRows);
}

// The seqs behind an alert, as "1,2,3": the first kMaxAuditAlertEntries in seq order.
std::string seqList(std::string_view aggregate) {
  return "array_to_string((" + std::string(aggregate) + ")[1:" + std::to_string(kMaxAuditAlertEntries) + "], ',')";
}

// Who an alert names: the requesting member, the officer, and for requests no key vouched for,
// the address they came from.
constexpr std::string_view kSource = "CASE WHEN requester = '' THEN remote_address ELSE '' END";

std::string firewallAlertSql() {
  return "SELECT requester, officer_pseudonym, " + std::string(kSource) + ", count(*), " + utc("min(recorded_at)") +
         ", " + utc("max(recorded_at)") + ", " + seqList("array_agg(seq ORDER BY seq)") +
         " FROM audit.entries WHERE " + std::string(kInRange) + " AND " + std::string(kFirewallRefusalSql) +
         " GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3 LIMIT " + std::to_string(kMaxAuditOverviewRows);
}

// For each officer or source, the window ($3 seconds) ending at one of its refusals that holds the
// most refused requests; those reaching $4 are alerts, with the refusals inside that window.
std::string refusalAlertSql() {
  return "WITH r AS (SELECT seq, requester, officer_pseudonym, " + std::string(kSource) +
         " AS source, recorded_at, 1 + repeat_count AS n FROM audit.entries WHERE " + std::string(kInRange) +
         " AND decision <> 'permitted'),"
         " w AS (SELECT requester, officer_pseudonym, source, recorded_at, sum(n) OVER (PARTITION BY requester, "
         "officer_pseudonym, source ORDER BY recorded_at RANGE BETWEEN make_interval(secs => $3::double precision) "
         "PRECEDING AND CURRENT ROW) AS in_window FROM r),"
         " peaks AS (SELECT DISTINCT ON (requester, officer_pseudonym, source) requester, officer_pseudonym, source, "
         "in_window, recorded_at AS peak FROM w WHERE in_window >= $4::bigint ORDER BY requester, officer_pseudonym, "
         "source, in_window DESC, recorded_at)"
         " SELECT p.requester, p.officer_pseudonym, p.source, p.in_window, " +
         utc("p.peak - make_interval(secs => $3::double precision)") + ", " + utc("p.peak") + ", " +
         seqList("ARRAY(SELECT r.seq FROM r WHERE r.requester = p.requester AND r.officer_pseudonym = "
                 "p.officer_pseudonym AND r.source = p.source AND r.recorded_at >= p.peak - make_interval(secs => "
                 "$3::double precision) AND r.recorded_at <= p.peak ORDER BY r.seq)") +
         " FROM peaks p ORDER BY 4 DESC, 1, 2, 3 LIMIT " + std::to_string(kMaxAuditOverviewRows);
}

// Permitted screen-person requests of one officer whose hits named one record at least $3 times.
std::string probingAlertSql() {
  return "WITH s AS (SELECT seq, requester, officer_pseudonym, recorded_at, unnest(record_refs) AS ref"
         " FROM audit.entries WHERE " +
         std::string(kInRange) +
         " AND query_kind = 'screen-person' AND decision = 'permitted')"
         " SELECT requester, officer_pseudonym, ref, count(DISTINCT seq), " +
         utc("min(recorded_at)") + ", " + utc("max(recorded_at)") + ", " +
         seqList("array_agg(DISTINCT seq ORDER BY seq)") +
         " FROM s GROUP BY 1, 2, 3 HAVING count(DISTINCT seq) >= $3::bigint ORDER BY 4 DESC, 1, 2, 3 LIMIT " +
         std::to_string(kMaxAuditOverviewRows);
}

Json seqs(const pqxx::field& field) {
  Json list = Json::array();
  std::string_view text = field.is_null() ? std::string_view() : std::string_view(field.c_str());
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    uint64_t seq = 0;
    std::from_chars(item.data(), item.data() + item.size(), seq);
    list.push_back(seq);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return list;
}

// One alert row: member, officer, source or record, count, first, last, seqs.
Json alert(std::string_view kind, const pqxx::row& row, bool byRecord, std::string detail) {
  Json a;
  a["kind"] = kind;
  a["member"] = row[0].as<std::string>();
  a["officer"] = row[1].as<std::string>();
  a["source"] = byRecord ? "" : row[2].as<std::string>();
  a["record"] = byRecord ? row[2].as<std::string>() : "";
  a["count"] = row[3].as<uint64_t>();
  a["first"] = row[4].as<std::string>();
  a["last"] = row[5].as<std::string>();
  a["detail"] = std::move(detail);
  a["seqs"] = seqs(row[6]);
  return a;
}

}  // namespace

Result<AuditOverviewRequest> parseAuditOverviewQuery(std::string_view queryString) {
  auto invalid = [](std::string message) { return fail(ErrorKind::invalidInput, "audit overview: " + message); };
  if (queryString.size() > kMaxAuditQueryStringBytes) return invalid("the query string is too long");
  static constexpr std::array<std::string_view, 5> kNames = {"from", "to", "window", "refusals", "screenings"};
  auto parameters = parseQueryParameters(queryString, kNames);
  if (!parameters) return invalid(parameters.error().message);
  AuditOverviewRequest request;
  bool from = false;
  bool to = false;
  for (const QueryParameter& p : *parameters) {
    const std::string label = "parameter '" + p.name + "': " + quoteParameterValue(p.value);
    if (p.name == "from" || p.name == "to") {
      auto time = parseTimestamp(p.value);
      if (!time) return invalid(label + " is not a UTC time YYYY-MM-DDTHH:MM:SSZ");
      (p.name == "from" ? request.from : request.to) = *time;
      (p.name == "from" ? from : to) = true;
      continue;
    }
    const auto value = parseDecimalParameter(p.value);
    if (p.name == "window") {
      if (!value || *value < uint64_t(kShortestWindow.count()) || *value > uint64_t(kLongestWindow.count())) {
        return invalid(label + " is not a number of seconds from " + std::to_string(kShortestWindow.count()) +
                       " to " + std::to_string(kLongestWindow.count()));
      }
      request.window = std::chrono::seconds(*value);
    } else {
      const uint64_t least = p.name == "refusals" ? 1 : 2;
      if (!value || *value < least || *value > kMostThreshold) {
        return invalid(label + " is not a number from " + std::to_string(least) + " to " +
                       std::to_string(kMostThreshold));
      }
      (p.name == "refusals" ? request.refusals : request.screenings) = *value;
    }
  }
  if (!from || !to) return invalid("parameters 'from' and 'to' are required");
  if (request.to <= request.from) return invalid("'to' must be after 'from'");
  if (request.to - request.from > kMaxAuditOverviewRange) {
    return invalid("the range is longer than " + std::to_string(kMaxAuditOverviewRange.count()) + " days");
  }
  return request;
}

std::string auditOverviewJson(pqxx::transaction_base& tx, const AuditOverviewRequest& request) {
  const std::string from = formatTimestamp(request.from);
  const std::string to = formatTimestamp(request.to);
  const std::string window = std::to_string(request.window.count());
  Json out;
  out["from"] = from;
  out["to"] = to;
  out["window"] = request.window.count();
  out["refusals"] = request.refusals;
  out["screenings"] = request.screenings;

  const pqxx::row total = tx.exec_params1(totalSql(), from, to);
  out["total"] = {{"requests", total[0].as<uint64_t>()},
                  {"refused", total[1].as<uint64_t>()},
                  {"invalid", total[2].as<uint64_t>()},
                  {"firewall", total[3].as<uint64_t>()}};

  Json perDay = Json::array();
  for (const auto& row : tx.exec_params(perDaySql(), from, to)) {
    perDay.push_back({{"day", row[0].as<std::string>()},
                      {"kind", row[1].as<std::string>()},
                      {"decision", row[2].as<std::string>()},
                      {"requests", row[3].as<uint64_t>()},
                      {"firewall", row[4].as<uint64_t>()}});
  }
  out["per_day"] = std::move(perDay);

  Json perMember = Json::array();
  for (const auto& row : tx.exec_params(perMemberSql(), from, to)) {
    perMember.push_back({{"member", row[0].as<std::string>()},
                         {"requests", row[1].as<uint64_t>()},
                         {"refused", row[2].as<uint64_t>()},
                         {"firewall", row[3].as<uint64_t>()}});
  }
  out["per_member"] = std::move(perMember);

  Json perOfficer = Json::array();
  for (const auto& row : tx.exec_params(perOfficerSql(), from, to)) {
    perOfficer.push_back({{"member", row[0].as<std::string>()},
                          {"officer", row[1].as<std::string>()},
                          {"role", row[2].as<std::string>()},
                          {"requests", row[3].as<uint64_t>()},
                          {"refused", row[4].as<uint64_t>()},
                          {"firewall", row[5].as<uint64_t>()}});
  }
  out["per_officer"] = std::move(perOfficer);

  Json alerts = Json::array();
  for (const auto& row : tx.exec_params(firewallAlertSql(), from, to)) {
    alerts.push_back(alert("firewall", row, false,
                           std::to_string(row[3].as<uint64_t>()) + " request(s) refused by a firewall"));
  }
  for (const auto& row : tx.exec_params(refusalAlertSql(), from, to, window, std::to_string(request.refusals))) {
    alerts.push_back(alert("refusals", row, false,
                           std::to_string(row[3].as<uint64_t>()) + " refused or invalid requests within " + window +
                               " s (threshold " + std::to_string(request.refusals) + ")"));
  }
  for (const auto& row : tx.exec_params(probingAlertSql(), from, to, std::to_string(request.screenings))) {
    alerts.push_back(alert("probing", row, true,
                           std::to_string(row[3].as<uint64_t>()) + " screenings hit the same record (threshold " +
                               std::to_string(request.screenings) + ")"));
  }
  out["alerts"] = std::move(alerts);
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace liaison::store
