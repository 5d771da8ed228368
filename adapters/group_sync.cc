#include "adapters/group_sync.h"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <pqxx/pqxx>

#include "adapters/audit_log.h"
#include "adapters/pg_session.h"
#include "adapters/record_rows.h"

namespace liaison::store {
namespace {

// The most memberships an audit reason spells out; the count is always given.
constexpr size_t kMaxListedChanges = 50;

std::vector<Membership> wantedMemberships(const GroupMembers& wanted) {
  std::vector<Membership> rows;
  for (const auto& [group, members] : wanted) {
    for (const std::string& member : members) rows.emplace_back(group, member);
  }
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  return rows;
}

Status checkIds(const std::vector<Membership>& rows) {
  for (const auto& [group, member] : rows) {
    if (!isValidMemberId(group))
      return fail(ErrorKind::invalidInput, "group id '" + group.substr(0, 64) + "' is not valid");
    if (!isValidMemberId(member)) {
      return fail(ErrorKind::invalidInput,
                  "member id '" + member.substr(0, 64) + "' of group " + group + " is not valid");
    }
  }
  return {};
}

std::vector<Membership> storedMemberships(pqxx::transaction_base& tx) {
  std::vector<Membership> rows;
  for (const auto& row : tx.exec("SELECT group_id, member_id FROM federation.group_members ORDER BY 1, 2")) {
    rows.emplace_back(row[0].as<std::string>(), row[1].as<std::string>());
  }
  return rows;
}

GroupChanges compare(const std::vector<Membership>& stored, const std::vector<Membership>& wanted) {
  GroupChanges changes;
  changes.memberships = wanted.size();
  std::set_difference(wanted.begin(), wanted.end(), stored.begin(), stored.end(),
                      std::back_inserter(changes.added));
  std::set_difference(stored.begin(), stored.end(), wanted.begin(), wanted.end(),
                      std::back_inserter(changes.removed));
  return changes;
}

std::string describe(const GroupChanges& changes, const std::string& source) {
  std::string text = "groups sync from " + source.substr(0, 256) + ": " +
                     std::to_string(changes.added.size()) + " added, " +
                     std::to_string(changes.removed.size()) + " removed";
  std::vector<std::string> items;
  for (const auto& [group, member] : changes.added) items.push_back("+" + group + "/" + member);
  for (const auto& [group, member] : changes.removed) items.push_back("-" + group + "/" + member);
  for (size_t i = 0; i < items.size() && i < kMaxListedChanges; ++i)
    text += (i == 0 ? ": " : ", ") + items[i];
  if (items.size() > kMaxListedChanges)
    text += ", and " + std::to_string(items.size() - kMaxListedChanges) + " more";
  return text;
}

}  // namespace

namespace {

constexpr Database kAllDatabases[] = {Database::main, Database::health, Database::justice};

// The changes of several databases as one: each membership to add or remove anywhere, once.
void merge(GroupChanges& into, const GroupChanges& more) {
  auto unite = [](std::vector<Membership>& a, const std::vector<Membership>& b) {
    std::vector<Membership> both;
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
    a = std::move(both);
  };
  unite(into.added, more.added);
  unite(into.removed, more.removed);
}

}  // namespace

Result<GroupChanges> diffGroups(const DatabaseTarget& target, DbRole role, const GroupMembers& wanted) {
  const std::vector<Membership> rows = wantedMemberships(wanted);
  if (Status ok = checkIds(rows); !ok) return ok.error();
  // The admin sees every database; a serving role only its own.
  std::vector<Database> databases;
  if (role == DbRole::admin) {
    databases.assign(std::begin(kAllDatabases), std::end(kAllDatabases));
  } else {
    databases.push_back(homeDatabaseOf(role));
  }
  GroupChanges changes;
  changes.memberships = rows.size();
  for (Database database : databases) {
    try {
      auto conn = openConnection(target, role, database);
      pqxx::read_transaction tx(*conn);
      merge(changes, compare(storedMemberships(tx), rows));
    } catch (const std::exception& e) {
      return databaseError("reading federation.group_members of the " + std::string(name(database)) + " database", e);
    }
  }
  return changes;
}

Result<GroupChanges> syncGroups(const DatabaseTarget& target, const std::string& self,
                                const GroupMembers& wanted, const std::string& source,
                                const CommandLineOrigin& origin) {
  const std::vector<Membership> rows = wantedMemberships(wanted);
  if (Status ok = checkIds(rows); !ok) return ok.error();
  if (!isValidMemberId(self))
    return fail(ErrorKind::invalidInput, "member id '" + self.substr(0, 64) + "' is not valid");
  // Row-level security reads the groups in each database, so all three get the same table. Each
  // is changed in its own transaction, all held open until the change is audited; a failure before
  // the commits changes nothing, and a failure between them is mended by syncing again.
  struct Open {
    Database database;
    std::unique_ptr<pqxx::connection> conn;
    std::unique_ptr<pqxx::work> tx;
    GroupChanges changes;
  };
  std::vector<Open> open;
  GroupChanges changes;
  changes.memberships = rows.size();
  try {
    for (Database database : kAllDatabases) {
      Open& o = open.emplace_back(Open{database, openConnection(target, DbRole::admin, database), nullptr, {}});
      o.tx = std::make_unique<pqxx::work>(*o.conn);
      // Two syncs at once would each compute their changes from what the other is replacing.
      o.tx->exec("LOCK TABLE federation.group_members IN SHARE ROW EXCLUSIVE MODE");
      o.changes = compare(storedMemberships(*o.tx), rows);
      for (const auto& [group, member] : o.changes.removed) {
        o.tx->exec_params("DELETE FROM federation.group_members WHERE group_id = $1 AND member_id = $2", group,
                          member);
      }
      for (const auto& [group, member] : o.changes.added) {
        o.tx->exec_params("INSERT INTO federation.group_members (group_id, member_id) VALUES ($1, $2)", group,
                          member);
      }
      merge(changes, o.changes);
    }
    if (changes.empty()) return changes;
    AuditLog audit(target, self);
    AuditEntry entry;
    entry.recordedAt = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    entry.requester = self;
    entry.officerPseudonym = "liaison groups sync";
    entry.purpose = "administration";
    entry.decision = Decision::permitted;
    entry.reason = describe(changes, source);
    origin.stamp(entry);
    auto receipt = audit.append(entry);
    if (!receipt) {
      return fail(ErrorKind::unavailable,
                  "groups not changed: the audit log refused the entry: " + receipt.error().message);
    }
    for (Open& o : open) o.tx->commit();
    return changes;
  } catch (const std::exception& e) {
    return databaseError("syncing federation.group_members", e);
  }
}

}  // namespace liaison::store
