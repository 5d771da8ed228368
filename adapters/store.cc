#include "adapters/store.h"

#include <array>
#include <cassert>

#include "adapters/pg_session.h"
#include "adapters/record_rows.h"

namespace liaison::store {

RecordStore::RecordStore(DatabaseTarget target)
    : connections_(std::make_unique<RoleConnections>(std::move(target))) {}
RecordStore::RecordStore(DatabaseTarget target, DbRole servingRole)
    : connections_(std::make_unique<RoleConnections>(std::move(target))), servingRole_(servingRole) {}
RecordStore::~RecordStore() = default;
RecordStore::RecordStore(RecordStore&&) noexcept = default;
RecordStore& RecordStore::operator=(RecordStore&&) noexcept = default;

namespace {

constexpr size_t kMaxListLimit = 10'000;

bool isUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

Error invalidMember(std::string_view member) {
  return fail(ErrorKind::invalidInput, "requesting member id '" + std::string(member).substr(0, 64) +
                                           "' is not 1..64 characters of A-Z a-z 0-9 . _ -");
}

// Which role and database a call on records of `kind` uses: a serving store's own role, reads of
// a tool's store the compartment's serving role, writes the importer.
struct Access {
  DbRole role;
  Database database;
};

enum class Work : uint8_t { read, write };

Result<Access> accessFor(std::optional<DbRole> servingRole, RecordKind kind, Work work) {
  const Compartment compartment = compartmentOf(kind);
  const Database database = databaseOf(compartment);
  if (work == Work::write) return Access{DbRole::importer, database};
  const DbRole role = servingRole.value_or(roleForCompartment(compartment));
  // The role could not even connect there; refuse the same way the database would.
  if (homeDatabaseOf(role) != database) {
    return fail(ErrorKind::notPermitted, std::string(roleName(role)) + " has no access to the " +
                                             std::string(name(database)) + " database");
  }
  return Access{role, database};
}

// Runs `attempt(connection)` on the connection for `access`, translating errors. A connection
// found dead before use is replaced (RoleConnections::forRole); one that breaks during a read is
// replaced and the read runs once more, since nothing was answered yet and reading twice is
// harmless. A write that breaks is not repeated: whether it committed is unknown.
template <typename Fn>
auto onConnection(RoleConnections& conns, const Access& access, Work work, RecordKind kind, std::string_view what,
                  Fn&& attempt) -> Result<decltype(attempt(std::declval<pqxx::connection&>()))> {
  for (int round = 1;; ++round) {
    try {
      return attempt(conns.forRole(access.role, access.database));
    } catch (const pqxx::broken_connection& e) {
      conns.reset(access.role, access.database);
      if (work == Work::write || round == 2) return databaseError(what, e);
    } catch (const RowDecodeError& e) {
      return fail(ErrorKind::internal,
                  std::string(what) + ": stored " + std::string(name(kind)) + " is invalid: " + e.what());
    } catch (const std::exception& e) {
      return databaseError(what, e);
    }
  }
}

// Runs `body(tx)` in a transaction scoped to `member`.
template <typename Fn>
auto inMemberTransaction(RoleConnections& conns, std::optional<DbRole> servingRole, RecordKind kind, Work work,
                         std::string_view member, std::string_view what, Fn&& body)
    -> Result<decltype(body(std::declval<pqxx::work&>()))> {
  if (!isValidMemberId(member)) return invalidMember(member);
  auto access = accessFor(servingRole, kind, work);
  if (!access) return access.error();
  return onConnection(conns, *access, work, kind, what, [&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    setRequestingMember(tx, member);
    auto value = body(tx);
    tx.commit();
    return value;
  });
}

// Runs `body(tx)` as one autocommitted read. The statement must set the requesting member itself
// (the find functions of schema/sql/0005_document_checks.sql do): one round trip instead of BEGIN,
// set_config, the query and COMMIT.
template <typename Fn>
auto inMemberStatement(RoleConnections& conns, std::optional<DbRole> servingRole, RecordKind kind,
                       std::string_view member, std::string_view what, Fn&& body)
    -> Result<decltype(body(std::declval<pqxx::nontransaction&>()))> {
  if (!isValidMemberId(member)) return invalidMember(member);
  auto access = accessFor(servingRole, kind, Work::read);
  if (!access) return access.error();
  return onConnection(conns, *access, Work::read, kind, what, [&](pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);
    return body(tx);
  });
}

}  // namespace

Result<std::string> RecordStore::insert(std::string_view member, const Record& record) {
  const RecordKind kind = kindOf(record);
  if (metaOf(record).owner != member) {
    return fail(ErrorKind::notPermitted, "member '" + std::string(member) + "' cannot store a record owned by '" +
                                             metaOf(record).owner + "'");
  }
  if (!metaOf(record).ref.empty() && !isUuid(metaOf(record).ref)) {
    return fail(ErrorKind::invalidInput, "record reference must be a UUID");
  }
  return inMemberTransaction(*connections_, servingRole_, kind, Work::write, member, "storing a record", [&](pqxx::work& tx) {
    RowWrite write = insertStatement(record);
    return tx.exec_params1(write.sql, pqxx::prepare::make_dynamic_params(write.params.pointers()))[0]
        .as<std::string>();
  });
}

Result<std::optional<Record>> RecordStore::get(std::string_view member, RecordKind kind, std::string_view ref) {
  if (!isUuid(ref)) return std::optional<Record>();  // cannot exist; say so the same way as absent
  return inMemberTransaction(*connections_, servingRole_, kind, Work::read, member, "reading a record", [&](pqxx::work& tx) {
    auto rows = tx.exec_params(selectStatement(kind, "WHERE ref = $1::uuid"), std::string(ref));
    std::optional<Record> found;
    if (!rows.empty()) found = readRecord(kind, rows[0]);
    return found;
  });
}

Result<std::vector<Record>> RecordStore::list(std::string_view member, RecordKind kind, size_t limit, size_t offset) {
  limit = std::min(limit, kMaxListLimit);
  return inMemberTransaction(*connections_, servingRole_, kind, Work::read, member, "listing records", [&](pqxx::work& tx) {
    auto rows = tx.exec_params(selectStatement(kind, "ORDER BY ref LIMIT $1 OFFSET $2"), limit, offset);
    std::vector<Record> records;
    records.reserve(rows.size());
    for (const auto& row : rows) records.push_back(readRecord(kind, row));
    return records;
  });
}

Result<uint64_t> RecordStore::count(std::string_view member, RecordKind kind) {
  return inMemberTransaction(*connections_, servingRole_, kind, Work::read, member, "counting records", [&](pqxx::work& tx) {
    return tx.exec1("SELECT count(*) FROM " + std::string(tableName(kind)))[0].as<uint64_t>();
  });
}

Result<std::vector<TravelDocument>> RecordStore::findTravelDocuments(std::string_view member,
                                                                     const DocumentNumber& number,
                                                                     std::string_view issuingState) {
  constexpr RecordKind kind = RecordKind::travelDocument;
  static const std::string sql =
      selectStatementFrom(kind, "documents.find_travel_documents($1, $2, $3)", "ORDER BY ref");
  return inMemberStatement(
      *connections_, servingRole_, kind, member, "checking a document", [&](pqxx::nontransaction& tx) {
        tx.conn().prepare("find_travel_documents", sql);  // once per connection; then a lookup in libpqxx
        auto rows = tx.exec_prepared("find_travel_documents", std::string(member), number.str(),
                                     std::string(issuingState));
        std::vector<TravelDocument> found;
        for (const auto& row : rows) found.push_back(std::get<TravelDocument>(readRecord(kind, row)));
        return found;
      });
}

Result<std::vector<WatchlistDocument>> RecordStore::findWatchlistDocuments(std::string_view member,
                                                                           const DocumentNumber& number,
                                                                           std::string_view issuingState) {
  constexpr RecordKind kind = RecordKind::watchlistDocument;
  static const std::string sql =
      selectStatementFrom(kind, "watchlist.find_documents($1, $2, $3)", "ORDER BY ref");
  return inMemberStatement(
      *connections_, servingRole_, kind, member, "checking a document", [&](pqxx::nontransaction& tx) {
        tx.conn().prepare("find_watchlist_documents", sql);  // once per connection; then a lookup in libpqxx
        auto rows = tx.exec_prepared("find_watchlist_documents", std::string(member), number.str(),
                                     std::string(issuingState));
        std::vector<WatchlistDocument> found;
        for (const auto& row : rows) found.push_back(std::get<WatchlistDocument>(readRecord(kind, row)));
        return found;
      });
}

Result<std::vector<Movement>> RecordStore::findMovements(std::string_view member, std::string_view documentNumber,
                                                         const PersonIdentity& person, size_t limit) {
  constexpr RecordKind kind = RecordKind::movement;
  limit = std::min(limit, kMaxListLimit);
  return inMemberTransaction(*connections_, servingRole_, kind, Work::read, member, "listing movements", [&](pqxx::work& tx) {
    pqxx::result rows =
        documentNumber.empty()
            ? tx.exec_params(selectStatement(kind, "WHERE family_name = $1 AND date_of_birth = $2 "
                                                   "ORDER BY occurred_at DESC, ref LIMIT $3"),
                             person.familyName, formatPartialDate(person.dateOfBirth), limit)
            : tx.exec_params(selectStatement(kind, "WHERE document_number = $1 ORDER BY occurred_at DESC, ref LIMIT $2"),
                             std::string(documentNumber), limit);
    std::vector<Movement> found;
    for (const auto& row : rows) found.push_back(std::get<Movement>(readRecord(kind, row)));
    return found;
  });
}

Result<std::vector<StatisticsRow>> RecordStore::statisticsRows(std::string_view member,
                                                                const AggregateStatisticsQuery& query) {
  auto rows = inMemberTransaction(*connections_, servingRole_, query.kind, Work::read, member, "counting records",
                                  [&](pqxx::work& tx) { return readRecordStatisticsRows(tx, query); });
  if (!rows) return rows.error();
  return std::move(rows).value();
}

RecordStorePool::Lease::~Lease() {
  if (store_ == nullptr) return;  // moved from
  {
    std::lock_guard lock(pool_->mutex_);
    pool_->idle_.push_back(std::move(store_));
  }
  pool_->returned_.notify_one();
}

RecordStorePool::Lease RecordStorePool::acquire() {
  std::unique_lock lock(mutex_);
  auto available = [&] { return !idle_.empty() || created_ < maxStores_; };
  if (!available()) {
    ++waiting_;
    returned_.wait(lock, available);
    --waiting_;
  }
  if (!idle_.empty()) {
    std::unique_ptr<RecordStore> store = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(store));
  }
  ++created_;
  lock.unlock();
  // Connects on first use, not here.
  return Lease(*this, std::make_unique<RecordStore>(target_, role_));
}

size_t RecordStorePool::created() const {
  std::lock_guard lock(mutex_);
  return created_;
}

size_t RecordStorePool::waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_;
}

}  // namespace liaison::store
