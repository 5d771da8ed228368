// Every command of `liaison`, one file each (node/cli/*_command.cc); command_line.cc lists them.
#pragma once

#include <functional>
#include <string>

#include "node/cli/command.h"
#include "schema/model.h"

namespace liaison::cli {

Command keygenCommand();   ///< keygen_command.cc
Command migrateCommand();  ///< migrate_command.cc
Command importCommand();   ///< import_command.cc, with `import notices` from notices_command.cc
Command importNoticesCommand();  ///< notices_command.cc
Command purgeCommand();    ///< purge_command.cc
Command groupsCommand();   ///< groups_command.cc
Command paxlstCommand();   ///< paxlst_command.cc
Command mrzCommand();      ///< mrz_command.cc
Command recordsCommand();  ///< records_command.cc
Command tlsCertCommand();  ///< tls_command.cc
Command tlsPinCommand();   ///< tls_command.cc
Command directoryCommand();  ///< directory_command.cc
Command policyCommand();   ///< policy_command.cc
Command nodeCommand();     ///< node_command.cc
Command queryCommand();    ///< query_command.cc
Command screenCommand();   ///< screen_command.cc
Command auditCommand();    ///< audit_command.cc
Command versionCommand();  ///< version_command.cc
Command backupCommand();   ///< backup_command.cc
Command restoreCommand();  ///< backup_command.cc

/// Signs `query` as the client configuration `--as` says, sends it to `--node` (through the own
/// node to `--partners` when given, printing each part as it arrives) and prints the verified answer
/// with `format` when it is ok, as text otherwise. Returns the exit status (exit_codes.h).
int sendQuery(const Query& query, const Arguments& args, const CommandContext& context,
              const std::function<std::string(const Response&)>& format);

}  // namespace liaison::cli
