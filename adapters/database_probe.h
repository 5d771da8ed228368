// Whether the database serves a node right now: what its readiness endpoint asks.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "adapters/database.h"
#include "schema/status.h"

namespace liaison::store {

/// Why a probe failed: the role that got no answer, and the error (its message is for the
/// operator's log, not for clients: it may name hosts and sockets).
struct ProbeFailure {
  DbRole role;
  Error error;
};

/// Checks that the database answers as each of a set of roles, on one connection per role kept
/// for the purpose (opened on the first check, replaced when the server closed it). Each check is
/// one trivial statement per role; as liaison_audit_writer it also asks whether the role may still
/// call audit.append_batch, the only way into the log. Connecting and each statement give up after
/// two seconds, so a database that hangs makes the check fail instead of wait. Not thread-safe.
class DatabaseProbe {
 public:
  DatabaseProbe(DatabaseTarget target, std::vector<DbRole> roles);
  ~DatabaseProbe();
  DatabaseProbe(const DatabaseProbe&) = delete;
  DatabaseProbe& operator=(const DatabaseProbe&) = delete;

  /// Nothing when every role answered. Otherwise the first role that did not, with an error of
  /// kind unavailable, or notPermitted when the writer may no longer append.
  std::optional<ProbeFailure> check();

 private:
  struct Sessions;  // the connections (database_probe.cc), so this header needs no libpqxx
  const DatabaseTarget target_;
  const std::vector<DbRole> roles_;
  std::unique_ptr<Sessions> sessions_;
};

}  // namespace liaison::store
