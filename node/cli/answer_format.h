// Printing a verified answer for people (text) and for integrations (JSON).
#pragma once

#include <string>

#include "node/client/query_client.h"
#include "schema/model.h"

namespace liaison::cli {

/// A readable multi-line rendering: status, each hit with the fields it carries, what was
/// withheld, and the audit receipt.
std::string formatResponseText(const Response& response);

/// The same as a JSON object (one line).
std::string formatResponseJson(const Response& response);

/// What a handling code asks of whoever receives a record (Europol's scheme), e.g. for h2 "not to
/// be disseminated without the provider's permission".
std::string_view handlingMeaning(HandlingCode code);

/// One part of a federated answer for people: a heading naming the partner (or this node) and its
/// status, then the answer as formatResponseText prints it; the summary as one line per partner.
std::string formatFederatedPartText(const client::FederatedPart& part);

/// The same as one JSON object (one line), for JSON lines output.
std::string formatFederatedPartJson(const client::FederatedPart& part);

}  // namespace liaison::cli
