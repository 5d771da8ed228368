// Checks and conversions of text from outside files before it enters the model, which holds
// UTF-8 only (PAXLST character sets, CSV exports from spreadsheets).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace liaison {

/// True for valid UTF-8 (shortest forms, no surrogates) without C1 control characters
/// (U+0080..U+009F), which terminals may obey as commands. C0 controls are the caller's concern.
bool isPrintableUtf8(std::string_view text);

/// True if any byte is outside ASCII.
bool hasNonAsciiBytes(std::string_view text);

/// `text` read as ISO 8859-1, in UTF-8; nothing if it has a byte 0x80..0x9F (C1 control codes,
/// not characters; their first such byte is then at `*badByte` when given).
std::optional<std::string> latin1ToUtf8(std::string_view text, char* badByte = nullptr);

}  // namespace liaison
