#include "adapters/pg_liveness.h"

#include <poll.h>

#include <cerrno>

namespace liaison::store {

bool idleSessionIsIntact(pqxx::connection& conn) noexcept {
  if (!conn.is_open()) return false;
  pollfd socket{conn.sock(), POLLIN, 0};
  int ready = 0;
  do {
    ready = ::poll(&socket, 1, 0);
  } while (ready < 0 && errno == EINTR);
  // Readable means a message or end of file from the server; an error means no usable socket.
  return ready == 0;
}

}  // namespace liaison::store
