// Printing a verified answer for people (text) and for integrations (JSON).
#pragma once

#include <string>

#include "schema/model.h"

namespace liaison::cli {

/// A readable multi-line rendering: status, each hit with the fields it carries, what was
/// withheld, and the audit receipt.
std::string formatResponseText(const Response& response);

/// The same as a JSON object (one line).
std::string formatResponseJson(const Response& response);

}  // namespace liaison::cli
