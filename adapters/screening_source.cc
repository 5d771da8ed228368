#include "adapters/screening_source.h"

#include <pqxx/notification>
#include <nlohmann/json.hpp>

#include <unordered_set>
#include <utility>

#include "adapters/pg_session.h"

namespace liaison::store {
namespace {

// Both tables as one row shape: kind, ref, owner, visibility, the names and the evidence, each
// table filtered by `where` (empty: every row). Arrays travel as JSON so aliases with any
// characters in them parse exactly.
std::string identitySelect(const std::string& where) {
  return "SELECT 'notice' AS kind, ref::text, owner_member, to_json(visible_to)::text, family_name, given_names, "
         "date_of_birth, sex, nationality, to_json(other_nationalities)::text, to_json(aliases)::text, "
         "name_in_original_script FROM notices.notices" + where +
         " UNION ALL "
         "SELECT 'watchlist-person', ref::text, owner_member, to_json(visible_to)::text, family_name, given_names, "
         "date_of_birth, sex, nationality, '[]', to_json(aliases)::text, '' FROM watchlist.persons" + where;
}

std::vector<std::string> jsonTexts(const char* text) {
  std::vector<std::string> out;
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_array()) return out;
  for (const auto& item : json) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

ScreenedIdentity identityOf(const pqxx::row& row) {
  ScreenedIdentity id;
  id.kind = std::string_view(row[0].c_str()) == "notice" ? RecordKind::notice : RecordKind::watchlistPerson;
  id.ref = row[1].c_str();
  id.owner = row[2].c_str();
  id.visibleTo = jsonTexts(row[3].c_str());
  const std::string family = row[4].c_str();
  const std::string given = row[5].c_str();
  std::string full = given;
  if (!family.empty()) full += (full.empty() ? "" : " ") + family;
  if (!full.empty()) id.names.push_back(std::move(full));
  if (auto date = parsePartialDate(row[6].c_str())) id.dateOfBirth = *date;
  if (auto sex = parseSex(row[7].c_str())) id.sex = *sex;
  if (std::string nationality = row[8].c_str(); !nationality.empty()) id.nationalities.push_back(std::move(nationality));
  for (auto& n : jsonTexts(row[9].c_str())) id.nationalities.push_back(std::move(n));
  for (auto& alias : jsonTexts(row[10].c_str())) {
    if (!alias.empty()) id.names.push_back(std::move(alias));
  }
  if (std::string original = row[11].c_str(); !original.empty()) id.names.push_back(std::move(original));
  return id;
}

MemberGroups readGroups(pqxx::transaction_base& tx) {
  MemberGroups groups;
  for (const auto& row : tx.exec("SELECT member_id, group_id FROM federation.group_members ORDER BY 1, 2")) {
    groups[row[0].c_str()].push_back(row[1].c_str());
  }
  return groups;
}

// More changed rows than this at once are applied by reading everything again.
constexpr size_t kMostChangesApplied = 50'000;

using SnapshotTransaction = pqxx::transaction<pqxx::isolation_level::repeatable_read, pqxx::readwrite_policy::read_only>;

// The number of the newest change the snapshot sees. Writers number their changes in commit order
// (schema/sql/0010_screening.sql), so every change up to it is in the snapshot too.
int64_t newestChange(pqxx::transaction_base& tx) {
  return tx.exec1("SELECT coalesce(max(seq), 0) FROM screening.changes")[0].as<int64_t>();
}

class Listener final : public pqxx::notification_receiver {
 public:
  explicit Listener(pqxx::connection_base& conn) : pqxx::notification_receiver(conn, "liaison_screening") {}
  void operator()(const std::string&, int) override { ++heard; }
  int heard = 0;
};

}  // namespace

struct ScreeningSource::Impl {
  DatabaseTarget target;
  std::unique_ptr<pqxx::connection> conn;
  std::unique_ptr<pqxx::connection> listenConn;
  std::unique_ptr<Listener> listener;
  std::optional<int64_t> watermark;  // the newest change read

  pqxx::connection& connection() {
    if (!conn || !conn->is_open()) conn = openConnection(target, DbRole::screening);
    return *conn;
  }
};

ScreeningSource::ScreeningSource(DatabaseTarget target) : impl_(std::make_unique<Impl>()) {
  impl_->target = std::move(target);
}
ScreeningSource::~ScreeningSource() = default;

Status ScreeningSource::loadAll(const std::function<void(ScreenedIdentity&&)>& each, MemberGroups& groups) {
  try {
    // Listen first: a change committed while the rows are read is then announced as well.
    impl_->listener.reset();
    impl_->listenConn = openConnection(impl_->target, DbRole::screening);
    impl_->listener = std::make_unique<Listener>(*impl_->listenConn);
    impl_->conn.reset();
    pqxx::connection& conn = impl_->connection();
    allowLongStatements(conn);
    SnapshotTransaction tx(conn);
    impl_->watermark = newestChange(tx);
    groups = readGroups(tx);
    tx.exec("DECLARE screening_rows NO SCROLL CURSOR FOR " + identitySelect(""));
    for (;;) {
      auto rows = tx.exec("FETCH 10000 FROM screening_rows");
      if (rows.empty()) break;
      for (const auto& row : rows) each(identityOf(row));
    }
    tx.commit();
    return {};
  } catch (const std::exception& e) {
    impl_->conn.reset();
    impl_->listener.reset();
    impl_->listenConn.reset();
    return databaseError("reading the screening index's records", e);
  }
}

Result<ScreeningChanges> ScreeningSource::poll() {
  if (!impl_->watermark) return Error{ErrorKind::internal, "the screening index was never loaded"};
  try {
    SnapshotTransaction tx(impl_->connection());
    const int64_t next = newestChange(tx);
    ScreeningChanges changes;
    std::string refs = "{";
    for (const auto& row : tx.exec_params("SELECT DISTINCT kind, coalesce(ref::text, '') FROM screening.changes "
                                          "WHERE seq > $1 AND seq <= $2",
                                          *impl_->watermark, next)) {
      const std::string_view kind = row[0].c_str();
      if (kind == "rebuild") {
        changes.rebuild = true;
      } else if (kind == "groups") {
        changes.groups = MemberGroups{};
      } else {
        if (refs.size() > 1) refs += ',';
        refs += row[1].c_str();
        changes.removed.push_back(row[1].c_str());  // unless it is still there (below)
      }
    }
    refs += '}';
    if (changes.groups) changes.groups = readGroups(tx);
    if (changes.removed.size() > kMostChangesApplied) {
      // A bulk import or purge: reading everything again is faster than row by row.
      changes.removed.clear();
      changes.rebuild = true;
    }
    if (!changes.removed.empty() && !changes.rebuild) {
      std::unordered_set<std::string> present;
      for (const auto& row : tx.exec_params(identitySelect(" WHERE ref = ANY($1::uuid[])"), refs)) {
        changes.upserts.push_back(identityOf(row));
        present.insert(changes.upserts.back().ref);
      }
      std::erase_if(changes.removed, [&](const std::string& ref) { return present.contains(ref); });
    }
    tx.commit();
    impl_->watermark = next;
    return changes;
  } catch (const std::exception& e) {
    impl_->conn.reset();
    return databaseError("reading the screening index's changes", e);
  }
}

Result<bool> ScreeningSource::waitForChange(std::chrono::milliseconds timeout) {
  if (!impl_->listener) return Error{ErrorKind::unavailable, "not listening for screening changes"};
  try {
    const long us = static_cast<long>(timeout.count()) * 1000;
    const int before = impl_->listener->heard;
    impl_->listenConn->await_notification(us / 1'000'000, us % 1'000'000);
    impl_->listenConn->get_notifs();
    if (!impl_->listenConn->is_open()) return Error{ErrorKind::unavailable, "the listening connection closed"};
    return impl_->listener->heard != before;
  } catch (const std::exception& e) {
    impl_->listener.reset();
    impl_->listenConn.reset();
    return databaseError("waiting for screening changes", e);
  }
}

Status ScreeningSource::pruneChanges(std::chrono::seconds age) {
  try {
    pqxx::work tx(impl_->connection());
    tx.exec_params("DELETE FROM screening.changes WHERE changed_at < now() - make_interval(secs => $1)",
                   static_cast<double>(age.count()));
    tx.commit();
    return {};
  } catch (const std::exception& e) {
    impl_->conn.reset();
    return databaseError("pruning screening changes", e);
  }
}

}  // namespace liaison::store
