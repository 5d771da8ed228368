#include "node/cli/answer_format.h"

#include <nlohmann/json.hpp>

#include "crypto/digest.h"
#include "node/client/audit_verify.h"
#include "schema/record_fields.h"

namespace liaison::cli {
namespace {

// Collects a record's fields as text, in field-list order, skipping empty values.
struct FieldCollector {
  std::vector<std::pair<std::string, nlohmann::json>> fields;

  void ref(std::string&) {}  // the hit carries the reference already
  void put(const char* name, nlohmann::json value) { fields.emplace_back(name, std::move(value)); }
  void field(const char* name, std::string& v) {
    if (!v.empty()) put(name, v);
  }
  void field(const char* name, Date& v) {
    if (v.ok()) put(name, formatDate(v));
  }
  void field(const char* name, std::optional<Date>& v) {
    if (v) put(name, formatDate(*v));
  }
  void field(const char* name, Timestamp& v) { put(name, formatTimestamp(v)); }
  void field(const char* name, PartialDate& v) {
    if (v.known()) put(name, formatPartialDate(v));
  }
  void field(const char* name, DocumentNumber& v) { put(name, v.str()); }
  void field(const char* name, std::vector<std::string>& v) {
    if (!v.empty()) put(name, v);
  }
  template <typename E>
    requires std::is_enum_v<E>
  void field(const char* name, E& v) { put(name, std::string(liaison::name(v))); }
};

std::vector<std::pair<std::string, nlohmann::json>> fieldsOf(Record record) {
  FieldCollector collector;
  visitFields(collector, record);
  return std::move(collector.fields);
}

std::optional<HandlingCode> handlingOf(const Hit& hit) {
  if (!hit.details) return std::nullopt;
  return std::visit([](const auto& record) { return record.meta.handling; }, *hit.details);
}

}  // namespace

std::string formatStatisticsText(const StatisticsTable& table) {
  std::string out = "statistics: " + std::to_string(table.cells.size()) + " cell(s); cells of fewer than " +
                    std::to_string(table.minCellSize) + " are suppressed";
  out += table.noiseBound == 0 ? std::string("; counts are exact\n")
                               : "; each count is within " + std::to_string(table.noiseBound) + " of the true count\n";
  size_t width = 0;
  for (const StatisticsCell& cell : table.cells) width = std::max(width, cell.value.size());
  for (const StatisticsCell& cell : table.cells) {
    const std::string value = cell.value.empty() ? "-" : cell.value;
    out += "  " + formatDate(cell.period) + "  " + value + std::string(width + 2 - std::min(width, value.size()), ' ') +
           (cell.suppressed ? std::string("suppressed") : std::to_string(cell.count)) + "\n";
  }
  return out;
}

nlohmann::json statisticsJson(const StatisticsTable& table) {
  nlohmann::json json;
  json["min_cell_size"] = table.minCellSize;
  json["noise_bound"] = table.noiseBound;
  json["cells"] = nlohmann::json::array();
  for (const StatisticsCell& cell : table.cells) {
    nlohmann::json c{{"period", formatDate(cell.period)}, {"value", cell.value}, {"suppressed", cell.suppressed}};
    c["count"] = cell.suppressed ? nlohmann::json(nullptr) : nlohmann::json(cell.count);
    json["cells"].push_back(std::move(c));
  }
  return json;
}

std::string formatScore(uint16_t perMille) {
  char text[8];
  std::snprintf(text, sizeof text, "%.2f", perMille / 1000.0);
  return text;
}

std::string formatMatchText(const ScreeningMatch& match, const std::string& indent) {
  std::string out = indent + "score " + formatScore(match.score) + ": " + match.explanation + "\n";
  for (const auto& t : match.tokens) {
    out += indent + "  " + t.query + " ~ " + t.record + " (" + t.how + ", " + formatScore(t.similarity) + ")\n";
  }
  out += indent + "  date of birth " + std::string(name(match.dateOfBirth)) + ", sex " + std::string(name(match.sex)) +
         ", nationality " + std::string(name(match.nationality)) + "\n";
  return out;
}

nlohmann::json matchJson(const ScreeningMatch& match) {
  nlohmann::json json;
  json["score"] = match.score / 1000.0;
  json["query_name"] = match.queryName;
  json["record_name"] = match.recordName;
  json["tokens"] = nlohmann::json::array();
  for (const auto& t : match.tokens) {
    json["tokens"].push_back({{"query", t.query}, {"record", t.record}, {"how", t.how}, {"similarity", t.similarity / 1000.0}});
  }
  json["date_of_birth"] = std::string(name(match.dateOfBirth));
  json["sex"] = std::string(name(match.sex));
  json["nationality"] = std::string(name(match.nationality));
  json["explanation"] = match.explanation;
  return json;
}

std::string_view handlingMeaning(HandlingCode code) {
  switch (code) {
    case HandlingCode::h0: return "may be used to prevent and combat crime";
    case HandlingCode::h1: return "not to be used as evidence in judicial proceedings without the provider's permission";
    case HandlingCode::h2: return "not to be disseminated without the provider's permission";
    case HandlingCode::h3: return "further restrictions of the provider apply: ask it before any use";
  }
  return "unknown handling code: ask the provider before any use";
}

std::string formatResponseText(const Response& response) {
  std::string out;
  if (response.status != ResponseStatus::ok) {
    out += std::string(name(response.status)) + ": " + response.reason + "\n";
  } else if (response.statistics) {
    out += formatStatisticsText(*response.statistics);
  } else {
    out += response.hits.empty() ? "no hit\n" : "HIT: " + std::to_string(response.hits.size()) + " record(s)\n";
  }
  for (const Hit& hit : response.hits) {
    out += "  " + std::string(name(hit.kind)) + " " + hit.recordRef + "\n";
    if (hit.match) out += formatMatchText(*hit.match, "    ");
    if (hit.details) {
      for (const auto& [key, value] : fieldsOf(*hit.details)) {
        out += "    " + key + ": " + (value.is_string() ? value.get<std::string>() : value.dump()) + "\n";
      }
    }
    if (auto handling = handlingOf(hit)) {
      out += "    handling " + std::string(name(*handling)) + ": " + std::string(handlingMeaning(*handling)) + "\n";
    }
    if (!hit.withheldFields.empty()) {
      out += "    withheld:";
      for (const auto& f : hit.withheldFields) out += " " + f;
      out += "\n";
    }
  }
  for (const auto& w : response.withheld) out += "  withheld: " + w + "\n";
  out += "answered by " + response.responder + "\naudit receipt: " + client::formatReceipt(response.receipt) +
         "   (check it: liaison audit prove RECEIPT)\n";
  return out;
}

namespace {

nlohmann::json responseJson(const Response& response) {
  nlohmann::json json;
  json["status"] = std::string(name(response.status));
  json["reason"] = response.reason;
  json["responder"] = response.responder;
  json["request_digest"] = crypto::hex(response.requestDigest);
  json["hits"] = nlohmann::json::array();
  for (const Hit& hit : response.hits) {
    nlohmann::json h;
    h["ref"] = hit.recordRef;
    h["kind"] = std::string(name(hit.kind));
    if (hit.details) {
      nlohmann::json details = nlohmann::json::object();
      for (auto& [key, value] : fieldsOf(*hit.details)) details[key] = std::move(value);
      h["details"] = std::move(details);
    }
    if (auto handling = handlingOf(hit)) {
      h["handling"] = {{"code", std::string(name(*handling))}, {"meaning", std::string(handlingMeaning(*handling))}};
    }
    h["withheld_fields"] = hit.withheldFields;
    h["traveller"] = hit.traveller;
    if (hit.match) h["match"] = matchJson(*hit.match);
    json["hits"].push_back(std::move(h));
  }
  json["withheld"] = response.withheld;
  if (response.statistics) json["statistics"] = statisticsJson(*response.statistics);
  json["receipt"] = {{"log_id", response.receipt.logId},
                     {"leaf_index", response.receipt.leafIndex},
                     {"leaf_hash", crypto::hex(response.receipt.leafHash)},
                     {"text", client::formatReceipt(response.receipt)}};
  return json;
}

std::string indented(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += "  " + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string formatResponseJson(const Response& response) { return responseJson(response).dump(); }

std::string formatFederatedPartText(const client::FederatedPart& part) {
  using Kind = client::FederatedPart::Kind;
  if (part.kind == Kind::summary) {
    std::string out = "== summary: " + std::to_string(part.summary.size()) + " partner(s) asked\n";
    for (const auto& [partner, status] : part.summary) out += "  " + partner + ": " + std::string(name(status)) + "\n";
    return out;
  }
  std::string out = "== " + (part.kind == Kind::local ? std::string("this node") : part.partner) + ": " +
                    std::string(name(part.status));
  if (!part.detail.empty() && part.status != PartnerStatus::answered) out += " (" + part.detail + ")";
  out += "\n";
  if (part.response) out += indented(formatResponseText(*part.response));
  if (part.kind == Kind::partner) {
    out += "  forwarded, audit receipt here: " + client::formatReceipt(part.receipt) + "\n";
  }
  return out;
}

std::string formatFederatedPartJson(const client::FederatedPart& part) {
  using Kind = client::FederatedPart::Kind;
  nlohmann::json json;
  if (part.kind == Kind::summary) {
    json["part"] = "summary";
    json["partners"] = nlohmann::json::object();
    for (const auto& [partner, status] : part.summary) json["partners"][partner] = std::string(name(status));
    return json.dump();
  }
  json["part"] = part.kind == Kind::local ? "local" : "partner";
  if (part.kind == Kind::partner) json["partner"] = part.partner;
  json["status"] = std::string(name(part.status));
  json["detail"] = part.detail;
  json["response"] = part.response ? responseJson(*part.response) : nlohmann::json(nullptr);
  if (part.kind == Kind::partner) {
    json["receipt"] = {{"log_id", part.receipt.logId},
                       {"leaf_index", part.receipt.leafIndex},
                       {"leaf_hash", crypto::hex(part.receipt.leafHash)},
                       {"text", client::formatReceipt(part.receipt)}};
  }
  return json.dump();
}

}  // namespace liaison::cli
