// Internal to adapters/: telling a kept connection that the server has already closed from one
// that is still there, before anything is sent on it. Includes libpqxx; keep it out of public
// headers.
#pragma once

#include <memory>

#include <pqxx/pqxx>

namespace liaison::store {

/// True when `conn` is open and the server has sent nothing on it since its last answer. A session
/// that sits idle (or idle in a transaction) receives nothing unless the server is ending it: a
/// restart, pg_terminate_backend or an idle timeout sends an error and closes the socket. So
/// anything waiting to be read means the session is gone or going, and the caller must open a new
/// one instead of sending a statement that would fail. Cheap: one poll(2), no round trip. Only
/// for connections no other thread is using, with no statement in flight.
bool idleSessionIsIntact(pqxx::connection& conn) noexcept;

/// `conn` itself when it is intact, otherwise null, so the caller opens a fresh one.
inline std::unique_ptr<pqxx::connection> keepIfIntact(std::unique_ptr<pqxx::connection> conn) {
  if (conn && !idleSessionIsIntact(*conn)) conn.reset();
  return conn;
}

}  // namespace liaison::store
