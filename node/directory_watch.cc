#include "node/directory_watch.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "adapters/audit_log.h"
#include "crypto/digest.h"
#include "node/json_log.h"
#include "node/tree_head_findings.h"

namespace liaison::node {
namespace {

// How long before its expiry the directory in force is said to expire soon.
constexpr std::chrono::hours kExpiresSoon{24};

// What tells one version of the file from another without reading it.
struct FileStamp {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  int64_t modifiedNs = 0;
  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

std::optional<FileStamp> stampOf(const std::filesystem::path& file) {
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) return std::nullopt;
  return FileStamp{info.st_dev, info.st_ino, info.st_size,
                   static_cast<int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec};
}

std::string serialRef(uint64_t serial) { return "directory/" + std::to_string(serial); }

}  // namespace

struct DirectoryWatch::State {
  std::optional<client::TrustedDirectory> inForce;
  Digest inForceFile{};  // SHA-256 of the file it was read from
  std::optional<FileStamp> lastStamp;
  std::string lastRefusal;  // the refusal last reported, so each is logged and audited once
  bool retry = false;       // check the file again even if unchanged: the last refusal may pass by itself
  bool expiryReported = false;
  bool expiresSoonReported = false;
  std::map<std::string, uint64_t> refusals;  // by kind
};

DirectoryWatch::DirectoryWatch(const NodeConfig& config, Services services, crypto::KeyRing anchors)
    : file_(config.directory),
      interval_(config.directoryCheckInterval),
      member_(config.member),
      services_(std::move(services)),
      anchors_(std::move(anchors)),
      state_(std::make_unique<State>()) {}

DirectoryWatch::~DirectoryWatch() { stop(); }

Result<std::unique_ptr<DirectoryWatch>> DirectoryWatch::start(const NodeConfig& config, Services services) {
  auto anchors = client::loadDirectoryAnchors(config.directoryAnchors);
  if (!anchors) return fail(anchors.error().kind, config.file.string() + ": directory_anchors: " + anchors.error().message);
  std::unique_ptr<DirectoryWatch> watch(new DirectoryWatch(config, std::move(services), std::move(anchors).value()));
  const std::string file = config.directory.string();
  auto refused = [&](const client::DirectoryRefusal& refusal) {
    return fail(ErrorKind::invalidInput, "federation directory " + file + " refused (" +
                                             std::string(client::name(refusal.problem)) + "): " + refusal.message);
  };
  // Stamped before it is read: a file replaced in between is read again at the first check.
  watch->state_->lastStamp = stampOf(config.directory);
  auto bytes = client::readSignedDirectoryFile(config.directory);
  if (auto* refusal = std::get_if<client::DirectoryRefusal>(&bytes)) return refused(*refusal);
  const auto& content = std::get<std::vector<uint8_t>>(bytes);
  auto opened = client::openDirectory(content, watch->anchors_, watch->services_.clock());
  if (auto* refusal = std::get_if<client::DirectoryRefusal>(&opened)) return refused(*refusal);
  auto& trusted = std::get<client::TrustedDirectory>(opened);
  if (Status used = watch->services_.use(trusted); !used) {
    return fail(used.error().kind, "federation directory " + file + ": " + used.error().message);
  }
  if (Status audited = watch->audit(Decision::permitted, trusted->serial, watch->inForceText(trusted, 0)); !audited) {
    return fail(audited.error().kind, "federation directory " + file + ": cannot audit it: " + audited.error().message);
  }
  watch->state_->inForceFile = crypto::sha256(content);
  watch->logInForce(trusted, 0);
  watch->state_->inForce = std::move(trusted);
  watch->thread_ = std::thread([w = watch.get()] { w->run(); });
  return watch;
}

void DirectoryWatch::stop() {
  {
    std::lock_guard lock(wakeMutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DirectoryWatch::run() {
  std::unique_lock lock(wakeMutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    check();
    lock.lock();
  }
}

std::string DirectoryWatch::inForceText(const client::TrustedDirectory& directory, uint64_t previous) const {
  return "federation directory serial " + std::to_string(directory->serial) + " of " + directory->federation +
         " in force" + (previous != 0 ? " in place of serial " + std::to_string(previous) : "") + ": " +
         std::to_string(directory->members.size()) + " members, signed by anchor " + directory.signer().id().hex() +
         ", valid until " + formatTimestamp(directory->expiresAt) + ", body sha256 " + crypto::hex(directory.digest());
}

void DirectoryWatch::logInForce(const client::TrustedDirectory& directory, uint64_t previous) {
  services_.log.write("info", "directory-in-force",
                      {{"serial", static_cast<int64_t>(directory->serial)},
                       {"previous_serial", static_cast<int64_t>(previous)},
                       {"federation", directory->federation},
                       {"members", static_cast<int64_t>(directory->members.size())},
                       {"signed_by", directory.signer().id().hex()},
                       {"expires_at", formatTimestamp(directory->expiresAt)}});
}

Status DirectoryWatch::audit(Decision decision, std::optional<uint64_t> serial, std::string reason) {
  AuditEntry entry;
  entry.recordedAt = services_.clock();
  entry.requester = member_;
  entry.officerPseudonym = kNodeSelfPseudonym;
  entry.purpose = "federation-directory";
  entry.decision = decision;
  entry.reason = std::move(reason);
  if (serial) entry.recordRefs = {serialRef(*serial)};
  auto receipt = services_.audit.append(entry);
  if (!receipt) return receipt.error();
  return {};
}

void DirectoryWatch::check() {
  std::lock_guard one(checking_);
  const Timestamp now = services_.clock();
  const auto stamp = stampOf(file_);
  bool unchanged;
  {
    std::lock_guard lock(mutex_);
    unchanged = stamp && stamp == state_->lastStamp && !state_->retry;
    state_->lastStamp = stamp;
    state_->retry = false;
  }
  if (!unchanged) readReplacement(now);
  noticeExpiry(now);
}

void DirectoryWatch::readReplacement(Timestamp now) {
  auto bytes = client::readSignedDirectoryFile(file_);
  if (auto* refusal = std::get_if<client::DirectoryRefusal>(&bytes)) {
    return refuse({std::string(client::name(refusal->problem)), refusal->message}, std::nullopt, false);
  }
  const auto& content = std::get<std::vector<uint8_t>>(bytes);
  const Digest fileDigest = crypto::sha256(content);
  uint64_t previous = 0;
  {
    std::lock_guard lock(mutex_);
    if (fileDigest == state_->inForceFile) {  // touched, or the directory in force put back
      state_->lastRefusal.clear();
      return;
    }
    previous = state_->inForce ? (*state_->inForce)->serial : 0;
  }
  auto opened = client::openDirectory(content, anchors_, now);
  if (auto* refusal = std::get_if<client::DirectoryRefusal>(&opened)) {
    // A directory issued a little ahead of this node's clock becomes valid by itself.
    const bool retry = refusal->problem == client::DirectoryProblem::notYetValid;
    return refuse({std::string(client::name(refusal->problem)), refusal->message}, fileDigest, retry);
  }
  auto& trusted = std::get<client::TrustedDirectory>(opened);
  const std::string serial = "serial " + std::to_string(trusted->serial);
  if (trusted->serial < previous) {
    return refuse({"stale-serial", serial + " is older than serial " + std::to_string(previous) + " in force"}, fileDigest,
                  false);
  }
  if (trusted->serial == previous) {
    return refuse({"stale-serial", serial + " is in force already with other contents: a changed directory needs a "
                                            "higher serial"},
                  fileDigest, false);
  }
  if (Status used = services_.use(trusted); !used) {
    return refuse({"conflict", used.error().message}, fileDigest, false);
  }
  if (Status audited = audit(Decision::permitted, trusted->serial, inForceText(trusted, previous)); !audited) {
    // Nothing is in force unaudited: back to the directory before, and try again at the next check.
    std::lock_guard lock(mutex_);
    if (state_->inForce) (void)services_.use(*state_->inForce);
    state_->retry = true;
    services_.log.write("error", "directory-not-audited",
                        {{"serial", static_cast<int64_t>(trusted->serial)}, {"error", audited.error().message}});
    return;
  }
  logInForce(trusted, previous);
  std::lock_guard lock(mutex_);
  state_->inForce = std::move(trusted);
  state_->inForceFile = fileDigest;
  state_->lastRefusal.clear();
  state_->expiryReported = false;
  state_->expiresSoonReported = false;
}

void DirectoryWatch::refuse(const Refusal& refusal, std::optional<Digest> file, bool retry) {
  // A file is refused once for each reason, whatever the message says at this check (a directory
  // not valid yet is "issued ... 5 minutes from now", then 4).
  const std::string key = file ? crypto::hex(*file) + refusal.kind : refusal.kind + refusal.message;
  uint64_t inForce = 0;
  {
    std::lock_guard lock(mutex_);
    state_->retry = state_->retry || retry;
    if (key == state_->lastRefusal) return;  // said already
    state_->lastRefusal = key;
    ++state_->refusals[refusal.kind];
    inForce = state_->inForce ? (*state_->inForce)->serial : 0;
  }
  services_.log.write("error", "directory-refused",
                      {{"file", file_.string()},
                       {"problem", refusal.kind},
                       {"error", refusal.message},
                       {"serial_in_force", static_cast<int64_t>(inForce)}});
  const std::string reason = "federation directory " + file_.string() + " refused (" + refusal.kind + "): " +
                             refusal.message + "; serial " + std::to_string(inForce) + " stays in force";
  if (Status audited = audit(Decision::refused, std::nullopt, reason); !audited) {
    services_.log.write("error", "directory-refusal-not-audited", {{"error", audited.error().message}});
    std::lock_guard lock(mutex_);
    state_->lastRefusal.clear();  // said again at the next check, until it is audited
  }
}

void DirectoryWatch::noticeExpiry(Timestamp now) {
  uint64_t serial = 0;
  Timestamp expiresAt{};
  bool expired = false, soon = false;
  {
    std::lock_guard lock(mutex_);
    if (!state_->inForce) return;
    serial = (*state_->inForce)->serial;
    expiresAt = (*state_->inForce)->expiresAt;
    expired = now > expiresAt && !state_->expiryReported;
    soon = !expired && now <= expiresAt && expiresAt - now < kExpiresSoon && !state_->expiresSoonReported;
    if (expired) state_->expiryReported = true;
    if (soon) state_->expiresSoonReported = true;
  }
  if (soon) {
    services_.log.write("warn", "directory-expires-soon",
                        {{"serial", static_cast<int64_t>(serial)}, {"expires_at", formatTimestamp(expiresAt)}});
  }
  if (!expired) return;
  services_.log.write("error", "directory-expired",
                      {{"serial", static_cast<int64_t>(serial)}, {"expired_at", formatTimestamp(expiresAt)}});
  const std::string reason = "federation directory serial " + std::to_string(serial) + " expired at " +
                             formatTimestamp(expiresAt) + ": its members are refused until a newer one is in force";
  if (Status audited = audit(Decision::refused, serial, reason); !audited) {
    services_.log.write("error", "directory-expiry-not-audited", {{"error", audited.error().message}});
    std::lock_guard lock(mutex_);
    state_->expiryReported = false;  // at the next check again
  }
}

std::optional<std::string> DirectoryWatch::notReadyReason() const {
  const Timestamp now = services_.clock();
  std::lock_guard lock(mutex_);
  if (!state_->inForce || now <= (*state_->inForce)->expiresAt) return std::nullopt;
  return "directory: serial " + std::to_string((*state_->inForce)->serial) + " expired at " +
         formatTimestamp((*state_->inForce)->expiresAt);
}

std::string DirectoryWatch::metricsText() const {
  std::lock_guard lock(mutex_);
  std::string text =
      "# HELP liaison_directory_serial The serial of the federation directory in force.\n"
      "# TYPE liaison_directory_serial gauge\n";
  const uint64_t serial = state_->inForce ? (*state_->inForce)->serial : 0;
  text += "liaison_directory_serial " + std::to_string(serial) + "\n";
  text +=
      "# HELP liaison_directory_expiry_timestamp_seconds When the federation directory in force expires (Unix time).\n"
      "# TYPE liaison_directory_expiry_timestamp_seconds gauge\n";
  const int64_t expiry = state_->inForce ? (*state_->inForce)->expiresAt.time_since_epoch().count() : 0;
  text += "liaison_directory_expiry_timestamp_seconds " + std::to_string(expiry) + "\n";
  text +=
      "# HELP liaison_directory_refusals_total Replacement directories refused, by what was wrong.\n"
      "# TYPE liaison_directory_refusals_total counter\n";
  for (const auto& [kind, count] : state_->refusals) {
    text += "liaison_directory_refusals_total{problem=\"" + kind + "\"} " + std::to_string(count) + "\n";
  }
  return text;
}

}  // namespace liaison::node
