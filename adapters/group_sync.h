// Database visibility groups (federation.group_members) kept equal to the policy's groups.
//
// Records shared "to EU-PARTNERS" are visible to a member only if the database lists it in that
// group: row-level security reads federation.group_members, while the policy's [[group]] tables
// decide who may ask. The two must name the same members, so the policy file is the one source:
// `liaison groups sync` makes the table match it.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "adapters/audit_log.h"
#include "adapters/database.h"
#include "schema/status.h"

namespace liaison::store {

/// Group id -> member ids, as policy::Policy::groups holds them.
using GroupMembers = std::map<std::string, std::vector<std::string>>;

/// One membership: (group id, member id).
using Membership = std::pair<std::string, std::string>;

/// How the table differs from the wanted groups, each list sorted.
struct GroupChanges {
  std::vector<Membership> added;    ///< wanted, not in the table
  std::vector<Membership> removed;  ///< in the table, not wanted
  size_t memberships = 0;           ///< memberships wanted in all
  bool empty() const { return added.empty() && removed.empty(); }
};

/// What syncGroups would change, read as `role`: the admin reads every database of the node (the
/// main one and each firewalled compartment's keep their own copy of the table), a serving role its
/// own database only. A membership to change in any database is listed once.
Result<GroupChanges> diffGroups(const DatabaseTarget& target, DbRole role, const GroupMembers& wanted);

/// Makes federation.group_members exactly `wanted` in every database of the node, as the admin
/// role, one transaction each, committed together once the change is audited, and returns what
/// changed (in any database). A change is audited first, as an entry of `self` (the member this node
/// serves) naming every membership added and removed; if the entry cannot be written nothing
/// changes. Ids that are not member or group ids are refused before anything is touched.
/// `origin` names who ran the sync in the entry.
Result<GroupChanges> syncGroups(const DatabaseTarget& target, const std::string& self,
                                const GroupMembers& wanted, const std::string& source,
                                const CommandLineOrigin& origin = {});

}  // namespace liaison::store
