#include "adapters/writer_lease.h"

#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <climits>
#include <utility>

#include "adapters/pg_liveness.h"
#include "adapters/pg_session.h"

namespace liaison::store {
namespace {

// SQLSTATE lock_not_available: the lock wait ran out, another session holds the lock.
constexpr const char* kLockNotAvailable = "55P03";

constexpr const char* kRecordSql =
    "INSERT INTO audit.writer_leases (instance_id, member, host, pid) VALUES ($1, $2, $3, $4) "
    "RETURNING to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '+00'";
constexpr const char* kLatestSql =
    "SELECT instance_id, member, host, pid, to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '+00' "
    "FROM audit.writer_leases ORDER BY lease DESC LIMIT 1";

// The session settings of the lease: its transaction stays open, idle, for the node's life, so no
// idle timeout may end it; the lock wait is bounded; and the server drops the session (and the
// lock) within about half a minute of losing a client whose host vanished without closing it.
std::string sessionSettingsSql() {
  return "SET idle_in_transaction_session_timeout = 0; SET idle_session_timeout = 0; SET lock_timeout = " +
         std::to_string(std::chrono::milliseconds(AuditWriterLease::kLockWait).count()) +
         "; SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3";
}

// READ COMMITTED, so that between statements the transaction holds no snapshot; EXCLUSIVE rather
// than ACCESS EXCLUSIVE, so that taking it assigns no transaction id (schema/sql/0008).
constexpr const char* kLockSql = "BEGIN ISOLATION LEVEL READ COMMITTED; LOCK TABLE audit.writer_lock IN EXCLUSIVE MODE";

// The same on the client side: libpq's keepalives notice a database host that vanished.
DatabaseTarget withKeepalives(const DatabaseTarget& target) {
  return DatabaseTarget{target.conninfo + " keepalives=1 keepalives_idle=10 keepalives_interval=5 keepalives_count=3",
                        target.adminUser};
}

std::string randomInstanceId() {
  std::array<unsigned char, 16> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id += kHex[b >> 4];
    id += kHex[b & 0x0f];
  }
  return id;
}

// This host's name as the table accepts it: 1..255 characters without control characters.
std::string hostName() {
  std::array<char, HOST_NAME_MAX + 1> name{};
  if (gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0') return "unknown";
  std::string host(name.data());
  auto isControl = [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; };
  std::replace_if(host.begin(), host.end(), isControl, '?');
  return host.substr(0, 255);
}

AuditWriter writerOf(const pqxx::row& row) {
  return AuditWriter{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                     row[3].as<int64_t>(), row[4].as<std::string>()};
}

bool isLockTimeout(const std::exception& e) {
  const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e);
  return sql != nullptr && sql->sqlstate() == kLockNotAvailable;
}

std::string held(const std::optional<AuditWriter>& writer) {
  return writer ? writer->describe() : "a session that recorded no node";
}

}  // namespace

std::string AuditWriter::describe() const {
  return "node " + member + " on host " + host + ", pid " + std::to_string(pid) + ", since " + startedAt +
         " (instance " + instanceId + ")";
}

struct AuditWriterLease::Session {
  std::unique_ptr<pqxx::connection> conn;  // liaison_audit_writer, in the transaction holding the lock

  Session() = default;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  // Ends the transaction before closing, so the lock is free when this returns rather than when
  // the server gets round to ending the session.
  ~Session() {
    if (!conn || !idleSessionIsIntact(*conn)) return;
    try {
      pqxx::nontransaction(*conn).exec("ROLLBACK");
    } catch (const std::exception&) {
      // closing the connection below ends the transaction all the same
    }
  }
};

namespace {

// Opens a lease session and takes the lock in it. Throws what libpqxx throws; a lock wait that
// ran out is a pqxx::sql_error with SQLSTATE 55P03.
std::unique_ptr<pqxx::connection> openLockedSession(const DatabaseTarget& target) {
  auto conn = openConnection(withKeepalives(target), DbRole::auditWriter);
  pqxx::nontransaction session(*conn);
  session.exec(sessionSettingsSql());
  // The transaction outlives this object on purpose: libpqxx knows nothing of it, and nothing
  // else ever runs on this connection but reads of audit.writer_leases.
  session.exec(kLockSql);
  return conn;
}

}  // namespace

AuditWriterLease::AuditWriterLease(DatabaseTarget target, AuditWriter self, std::unique_ptr<Session> session,
                                   std::function<void(const Error&)> onLost)
    : target_(std::move(target)), self_(std::move(self)), onLost_(std::move(onLost)), session_(std::move(session)) {}

AuditWriterLease::~AuditWriterLease() = default;  // closing the session ends its transaction and frees the lock

Result<std::unique_ptr<AuditWriterLease>> AuditWriterLease::acquire(const DatabaseTarget& target, std::string member,
                                                                    std::function<void(const Error&)> onLost) {
  if (!isValidMemberId(member)) {
    return fail(ErrorKind::invalidInput, "audit writer lease: member id '" + member.substr(0, 64) +
                                             "' is not 1..64 characters of A-Z a-z 0-9 . _ -");
  }
  auto session = std::make_unique<Session>();
  try {
    session->conn = openLockedSession(target);
  } catch (const std::exception& e) {
    if (!isLockTimeout(e)) return databaseError("audit writer lease: cannot take the audit log's lock", e);
    auto holder = latestWriter(target);
    return fail(ErrorKind::conflict,
                "this database's audit log already has a writer: " +
                    (holder ? held(*holder) : "(who, unknown: " + holder.error().message + ")") +
                    ". One audit log has one writer: stop that node before starting another on this database, "
                    "or give this node a database of its own");
  }
  AuditWriter self{randomInstanceId(), std::move(member), hostName(), static_cast<int64_t>(getpid()), ""};
  try {
    // On a connection of its own: an insert would give the lease transaction an id.
    auto conn = openConnection(target, DbRole::auditWriter);
    pqxx::work tx(*conn);
    pqxx::row recorded = tx.exec_params1(kRecordSql, self.instanceId, self.member, self.host, self.pid);
    self.startedAt = recorded[0].as<std::string>();
    tx.commit();
  } catch (const std::exception& e) {
    return databaseError("audit writer lease: cannot record this node in audit.writer_leases", e);
  }
  return std::unique_ptr<AuditWriterLease>(
      new AuditWriterLease(target, std::move(self), std::move(session), std::move(onLost)));
}

Status AuditWriterLease::confirm() {
  std::lock_guard lock(mutex_);
  if (lost_) return *lost_;
  if (session_ && session_->conn && idleSessionIsIntact(*session_->conn)) return {};
  return retakeLocked();
}

Status AuditWriterLease::retakeLocked() {
  session_.reset();  // whatever is left of the old session holds nothing any more
  auto session = std::make_unique<Session>();
  std::optional<AuditWriter> latest;
  try {
    session->conn = openLockedSession(target_);
    // A read assigns no transaction id and, at READ COMMITTED, keeps no snapshot after it.
    pqxx::nontransaction read(*session->conn);
    pqxx::result rows = read.exec(kLatestSql);
    if (!rows.empty()) latest = writerOf(rows[0]);
  } catch (const std::exception& e) {
    if (isLockTimeout(e)) {
      auto holder = latestWriter(target_);
      lost_ = fail(ErrorKind::conflict, "the audit log's writer lease was lost: while this node's lease session "
                                        "was cut, another took the log and holds it now: " +
                                            (holder ? held(*holder) : "(who, unknown)") +
                                            ". This node no longer appends or signs tree heads; stop it");
    } else {
      return databaseError("audit writer lease: the lease session was lost and the lock cannot be taken again", e);
    }
  }
  if (!lost_ && (!latest || latest->instanceId != self_.instanceId)) {
    lost_ = fail(ErrorKind::conflict, "the audit log's writer lease was lost: while this node's lease session was "
                                      "cut, " + held(latest) +
                                          " took the log. This node no longer appends or signs tree heads; stop it");
  }
  if (lost_) {
    if (onLost_) onLost_(*lost_);
    return *lost_;  // the new session, if any, closes here: the lock is not ours to keep
  }
  session_ = std::move(session);
  return {};
}

Result<std::optional<AuditWriter>> AuditWriterLease::latestWriter(const DatabaseTarget& target) {
  try {
    auto conn = openConnection(target, DbRole::auditWriter);
    pqxx::read_transaction tx(*conn);
    pqxx::result rows = tx.exec(kLatestSql);
    if (rows.empty()) return std::optional<AuditWriter>();
    return std::optional<AuditWriter>(writerOf(rows[0]));
  } catch (const std::exception& e) {
    return databaseError("cannot read audit.writer_leases", e);
  }
}

}  // namespace liaison::store
