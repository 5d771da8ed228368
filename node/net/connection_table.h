// Which connections a server keeps when clients open more than it will hold. Pure bookkeeping, no
// sockets: the HTTPS server asks it on every accept and tells it when a connection moves on, and
// closes what it says to close.
//
// The attack it answers: anyone who can open a TCP connection could hold a slot for a whole
// request deadline without ever sending a byte, so about a thousand silent connections locked
// every partner out. Now a connection is *handshaking* until its TLS handshake is done and its
// first request has been read completely; handshaking connections have a budget of their own,
// and when it (or the whole table) is full the oldest of them makes room for the newcomer, so
// silent connections cannot starve a client that completes its handshake promptly. Connections
// that carried an authenticated request are never closed to make room; those that did not are,
// while idle, after every handshaking one. Each address has a cap over all its connections.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace liaison::net {

/// How many connections a server holds, in all and per kind.
struct ConnectionLimits {
  size_t maxConnections = 1024;  ///< all connections together
  size_t maxPerAddress = 256;    ///< connections from one client IP address
  size_t maxHandshaking = 512;   ///< connections that have not yet had a request read
};

/// Why the table closed a connection instead of its client.
enum class ConnectionClosure {
  refusedAddressFull,  ///< a newcomer beyond its address's cap, closed at once
  refusedServerFull,   ///< a newcomer when every slot is held by connections that keep their room
  evictedHandshaking,  ///< the oldest handshaking connection, closed to make room for a newcomer
  evictedIdle,         ///< an idle connection that never authenticated, closed to make room
};

/// Connection bookkeeping for one server. Not thread-safe: the server holds a lock around it.
class ConnectionTable {
 public:
  /// Connection ids are given by the caller and must increase in the order of accept: the oldest
  /// connection is the one with the smallest id.
  using Id = uint64_t;

  /// What to do with a newcomer, and which connections to close first to make room for it.
  struct Admission {
    bool admitted = false;
    ConnectionClosure refusal = ConnectionClosure::refusedServerFull;  ///< when not admitted
    std::vector<std::pair<Id, ConnectionClosure>> evicted;             ///< close these now
  };

  explicit ConnectionTable(ConnectionLimits limits) : limits_(limits) {}

  /// A new connection from `address` (an IP address, without port). When it is admitted it is
  /// handshaking; connections named in `evicted` are no longer in the table.
  Admission admit(Id id, const std::string& address);

  /// The connection's first request has been read completely: it stops being handshaking. False
  /// when the table has already closed it (evicted meanwhile): the caller closes it now.
  bool established(Id id);

  /// A request begins to arrive on an idle connection. False when the table has already closed it.
  bool busy(Id id);

  /// The connection waits for its next request. `authenticated`: it carried an authenticated
  /// request at some point, and keeps its room however full the table gets.
  void idle(Id id, bool authenticated);

  /// The connection closed.
  void remove(Id id);

  /// Connections held.
  size_t size() const { return connections_.size(); }
  /// Of those, handshaking.
  size_t handshaking() const { return handshaking_.size(); }

 private:
  enum class Stage { handshaking, busy, idle };
  struct Connection {
    std::string address;
    Stage stage = Stage::handshaking;
    bool authenticated = false;
  };

  // Closes the oldest connection of `candidates` (handshaking or idle-unauthenticated).
  void evictOldest(std::set<Id>& candidates, ConnectionClosure why, Admission& admission);
  void forget(std::map<Id, Connection>::iterator it);

  const ConnectionLimits limits_;
  std::map<Id, Connection> connections_;
  std::set<Id> handshaking_;          // ids in Stage::handshaking
  std::set<Id> idleUnauthenticated_;  // ids in Stage::idle that never authenticated
  std::unordered_map<std::string, size_t> perAddress_;
};

}  // namespace liaison::net
