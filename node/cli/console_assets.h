// The console's page, style and script, embedded into the binary at build time from
// node/cli/console/ (node/cli/embed_files.cmake), so the console needs no files beside it.
#pragma once

#include <span>
#include <string_view>

namespace liaison::cli {

struct ConsoleAsset {
  std::string_view name;         ///< file name, e.g. "index.html"
  std::string_view contentType;  ///< e.g. "text/html; charset=utf-8"
  std::string_view bytes;
};

/// Every file of node/cli/console/.
std::span<const ConsoleAsset> consoleAssets();

}  // namespace liaison::cli
