// `liaison version`: the version of the binary and the schema version it expects.
#include "node/cli/commands.h"
#include "node/cli/exit_codes.h"
#include "schema/migrations.h"

namespace liaison::cli {

Command versionCommand() {
  return Command{
      .name = "version",
      .summary = "print the version and the schema version this binary expects",
      .run = [](const Arguments&, const CommandContext& context) {
        context.out << "liaison 0.1.0, schema version " << embeddedMigrations().back().version << "\n";
        return kExitOk;
      },
  };
}

}  // namespace liaison::cli
