#include "node/net/connection_table.h"

namespace liaison::net {

ConnectionTable::Admission ConnectionTable::admit(Id id, const std::string& address) {
  Admission admission;
  // The per-address cap refuses rather than evicts: an address at its cap has only its own
  // connections to blame, and closing one of them for it would let it churn the others' slots.
  if (auto it = perAddress_.find(address); it != perAddress_.end() && it->second >= limits_.maxPerAddress) {
    admission.refusal = ConnectionClosure::refusedAddressFull;
    return admission;
  }
  if (handshaking_.size() >= limits_.maxHandshaking) {
    evictOldest(handshaking_, ConnectionClosure::evictedHandshaking, admission);
  }
  if (connections_.size() >= limits_.maxConnections) {
    if (!handshaking_.empty()) {
      evictOldest(handshaking_, ConnectionClosure::evictedHandshaking, admission);
    } else if (!idleUnauthenticated_.empty()) {
      evictOldest(idleUnauthenticated_, ConnectionClosure::evictedIdle, admission);
    } else {
      admission.refusal = ConnectionClosure::refusedServerFull;
      return admission;
    }
  }
  connections_.emplace(id, Connection{address, Stage::handshaking, false});
  handshaking_.insert(id);
  ++perAddress_[address];
  admission.admitted = true;
  return admission;
}

bool ConnectionTable::established(Id id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return false;
  handshaking_.erase(id);
  idleUnauthenticated_.erase(id);
  it->second.stage = Stage::busy;
  return true;
}

bool ConnectionTable::busy(Id id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return false;
  if (it->second.stage == Stage::idle) {
    idleUnauthenticated_.erase(id);
    it->second.stage = Stage::busy;
  }
  return true;
}

void ConnectionTable::idle(Id id, bool authenticated) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  Connection& connection = it->second;
  handshaking_.erase(id);
  connection.stage = Stage::idle;
  connection.authenticated = connection.authenticated || authenticated;
  if (connection.authenticated) {
    idleUnauthenticated_.erase(id);
  } else {
    idleUnauthenticated_.insert(id);
  }
}

void ConnectionTable::remove(Id id) {
  if (auto it = connections_.find(id); it != connections_.end()) forget(it);
}

void ConnectionTable::evictOldest(std::set<Id>& candidates, ConnectionClosure why, Admission& admission) {
  const Id oldest = *candidates.begin();
  admission.evicted.emplace_back(oldest, why);
  forget(connections_.find(oldest));
}

void ConnectionTable::forget(std::map<Id, Connection>::iterator it) {
  const Id id = it->first;
  handshaking_.erase(id);
  idleUnauthenticated_.erase(id);
  auto count = perAddress_.find(it->second.address);
  if (count != perAddress_.end() && --count->second == 0) perAddress_.erase(count);
  connections_.erase(it);
}

}  // namespace liaison::net
