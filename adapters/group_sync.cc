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

Result<GroupChanges> diffGroups(const DatabaseTarget& target, DbRole role, const GroupMembers& wanted) {
  const std::vector<Membership> rows = wantedMemberships(wanted);
  if (Status ok = checkIds(rows); !ok) return ok.error();
  try {
    auto conn = openConnection(target, role);
    pqxx::read_transaction tx(*conn);
    return compare(storedMemberships(tx), rows);
  } catch (const std::exception& e) {
    return databaseError("reading federation.group_members", e);
  }
}

Result<GroupChanges> syncGroups(const DatabaseTarget& target, const std::string& self,
                                const GroupMembers& wanted, const std::string& source) {
  const std::vector<Membership> rows = wantedMemberships(wanted);
  if (Status ok = checkIds(rows); !ok) return ok.error();
  if (!isValidMemberId(self))
    return fail(ErrorKind::invalidInput, "member id '" + self.substr(0, 64) + "' is not valid");
  try {
    auto conn = openConnection(target, DbRole::admin);
    pqxx::work tx(*conn);
    // Two syncs at once would each compute their changes from what the other is replacing.
    tx.exec("LOCK TABLE federation.group_members IN SHARE ROW EXCLUSIVE MODE");
    GroupChanges changes = compare(storedMemberships(tx), rows);
    if (changes.empty()) return changes;
    for (const auto& [group, member] : changes.removed) {
      tx.exec_params("DELETE FROM federation.group_members WHERE group_id = $1 AND member_id = $2", group,
                     member);
    }
    for (const auto& [group, member] : changes.added) {
      tx.exec_params("INSERT INTO federation.group_members (group_id, member_id) VALUES ($1, $2)", group,
                     member);
    }
    AuditLog audit(target, self);
    AuditEntry entry;
    entry.recordedAt = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    entry.requester = self;
    entry.officerPseudonym = "liaison groups sync";
    entry.purpose = "administration";
    entry.decision = Decision::permitted;
    entry.reason = describe(changes, source);
    auto receipt = audit.append(entry);
    if (!receipt) {
      return fail(ErrorKind::unavailable,
                  "groups not changed: the audit log refused the entry: " + receipt.error().message);
    }
    tx.commit();
    return changes;
  } catch (const std::exception& e) {
    return databaseError("syncing federation.group_members", e);
  }
}

}  // namespace liaison::store
