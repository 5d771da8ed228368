// Printing a verified answer for people (text) and for integrations (JSON).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "node/client/query_client.h"
#include "schema/model.h"

namespace liaison::cli {

/// A readable multi-line rendering: status, each hit with the fields it carries, what was
/// withheld, and the audit receipt.
std::string formatResponseText(const Response& response);

/// The same as a JSON object (one line).
std::string formatResponseJson(const Response& response);

/// A statistics table for people: the rules it was released under, then one line per cell
/// (period, value, count or `suppressed`).
std::string formatStatisticsText(const StatisticsTable& table);

/// The same as a JSON object: `min_cell_size`, `noise_bound`, and `cells` each with `period`,
/// `value`, `suppressed` and `count` (null when suppressed).
nlohmann::json statisticsJson(const StatisticsTable& table);

/// A screening score per mille as a decimal, e.g. 912 -> "0.91".
std::string formatScore(uint16_t perMille);

/// A screening match for people: the score and why, then each token pair and the evidence, each
/// line starting with `indent`.
std::string formatMatchText(const ScreeningMatch& match, const std::string& indent);

/// The same as a JSON object.
nlohmann::json matchJson(const ScreeningMatch& match);

/// What a handling code asks of whoever receives a record (Europol's scheme), e.g. for h2 "not to
/// be disseminated without the provider's permission".
std::string_view handlingMeaning(HandlingCode code);

/// One part of a federated answer for people: a heading naming the partner (or this node) and its
/// status, then the answer as formatResponseText prints it; the summary as one line per partner.
std::string formatFederatedPartText(const client::FederatedPart& part);

/// The same as one JSON object (one line), for JSON lines output.
std::string formatFederatedPartJson(const client::FederatedPart& part);

}  // namespace liaison::cli
