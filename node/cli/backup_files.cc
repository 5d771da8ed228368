#include "node/cli/backup_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <system_error>

#include "crypto/digest.h"

namespace liaison::cli::backup {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr uint64_t kMaxNodeFileBytes = 64ull << 20;

Error systemError(const fs::path& path, std::string_view action, int err) {
  return fail(err == ENOENT ? ErrorKind::notFound : err == EACCES || err == EPERM ? ErrorKind::notPermitted
                                                                                   : ErrorKind::unavailable,
              path.string() + ": " + std::string(action) + ": " + std::generic_category().message(err));
}

// Owns a descriptor.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Copies everything from `in` to `out` (when >= 0), hashing it; the buffer is wiped after, as it held
// key bytes. Returns the part's size and digest.
Result<Part> pump(int in, int out, const fs::path& what) {
  std::array<uint8_t, 1 << 16> buffer;
  crypto::Sha256Stream hash;
  Part part;
  Status status;
  for (;;) {
    const ssize_t got = ::read(in, buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      status = systemError(what, "read", errno);
      break;
    }
    if (got == 0) break;
    hash.update({buffer.data(), static_cast<size_t>(got)});
    part.bytes += static_cast<uint64_t>(got);
    for (ssize_t done = 0; out >= 0 && done < got;) {
      const ssize_t wrote = ::write(out, buffer.data() + done, static_cast<size_t>(got - done));
      if (wrote < 0 && errno == EINTR) continue;
      if (wrote < 0) {
        status = systemError(what, "write", errno);
        break;
      }
      done += wrote;
    }
    if (!status) break;
  }
  explicit_bzero(buffer.data(), buffer.size());
  if (!status) return status.error();
  if (out >= 0 && ::fsync(out) != 0) return systemError(what, "fsync", errno);
  part.sha256 = crypto::hex(hash.finish());
  return part;
}

// A name inside the backup: `NAME` or `files/NAME`, no other separators, no dot names.
bool safePartName(const std::string& name) {
  const std::string base = name.rfind("files/", 0) == 0 ? name.substr(6) : name;
  return !base.empty() && base.find('/') == std::string::npos && base != "." && base != ".." &&
         base != kManifestName && base.find('\0') == std::string::npos;
}

std::string nameOfUser(uid_t uid) {
  const passwd* pw = ::getpwuid(uid);
  return pw != nullptr ? pw->pw_name : std::to_string(uid);
}
std::string nameOfGroup(gid_t gid) {
  const group* gr = ::getgrgid(gid);
  return gr != nullptr ? gr->gr_name : std::to_string(gid);
}

json partJson(const Part& part) { return {{"file", part.file}, {"bytes", part.bytes}, {"sha256", part.sha256}}; }

Part partFrom(const json& j) {
  Part part{j.at("file").get<std::string>(), j.at("bytes").get<uint64_t>(), j.at("sha256").get<std::string>()};
  if (!safePartName(part.file)) throw std::invalid_argument("part \"" + part.file + "\" is not a file of the backup directory");
  if (!crypto::parseHexDigest(part.sha256)) throw std::invalid_argument("part " + part.file + " has no SHA-256");
  return part;
}

}  // namespace

std::string manifestJson(const Manifest& manifest) {
  json doc = {{"format", kFormat}, {"member", manifest.member}, {"created", manifest.created}};
  doc["databases"] = json::array();
  for (const DatabasePart& db : manifest.databases) {
    json grants = json::array();
    for (const auto& grant : db.facts.grants) grants.push_back({grant.grantee, grant.privilege});
    json entry = partJson(db.part);
    entry.update({{"database", std::string(name(db.facts.database))},
                  {"name", db.facts.name},
                  {"owner", db.facts.owner},
                  {"grants", grants},
                  {"schema_version", db.facts.schemaVersion}});
    doc["databases"].push_back(entry);
  }
  doc["files"] = json::array();
  for (const NodeFilePart& file : manifest.files) {
    json entry = partJson(file.part);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(file.mode & 07777));
    entry.update({{"kind", file.kind}, {"path", file.path.string()}, {"mode", mode}, {"owner", file.owner},
                  {"group", file.group}});
    doc["files"].push_back(entry);
  }
  return doc.dump(2) + "\n";
}

Result<Manifest> parseManifest(const std::string& text) {
  Manifest manifest;
  try {
    const json doc = json::parse(text);
    if (doc.at("format").get<std::string>() != kFormat) {
      return fail(ErrorKind::invalidInput, std::string(kManifestName) + ": format \"" + doc.at("format").get<std::string>() +
                                               "\" is not " + kFormat);
    }
    manifest.member = doc.at("member").get<std::string>();
    manifest.created = doc.at("created").get<std::string>();
    for (const json& entry : doc.at("databases")) {
      DatabasePart db{partFrom(entry), {}};
      const std::string which = entry.at("database").get<std::string>();
      bool known = false;
      for (Database d : {Database::main, Database::health, Database::justice}) {
        if (which == name(d)) db.facts.database = d, known = true;
      }
      if (!known) throw std::invalid_argument("unknown database \"" + which + "\"");
      db.facts.name = entry.at("name").get<std::string>();
      db.facts.owner = entry.at("owner").get<std::string>();
      for (const json& grant : entry.at("grants")) db.facts.grants.push_back({grant.at(0), grant.at(1)});
      db.facts.schemaVersion = entry.at("schema_version").get<int>();
      manifest.databases.push_back(std::move(db));
    }
    for (const json& entry : doc.at("files")) {
      NodeFilePart file;
      file.part = partFrom(entry);
      file.kind = entry.at("kind").get<std::string>();
      file.path = entry.at("path").get<std::string>();
      if (!file.path.is_absolute()) throw std::invalid_argument("file path \"" + file.path.string() + "\" is not absolute");
      file.mode = static_cast<mode_t>(std::stoul(entry.at("mode").get<std::string>(), nullptr, 8) & 0777);
      file.owner = entry.at("owner").get<std::string>();
      file.group = entry.at("group").get<std::string>();
      manifest.files.push_back(std::move(file));
    }
  } catch (const std::exception& e) {
    return fail(ErrorKind::invalidInput, std::string(kManifestName) + " cannot be read: " + e.what());
  }
  return manifest;
}

Result<Directory> Directory::create(const fs::path& path) {
  if (::mkdir(path.c_str(), 0700) != 0) {
    if (errno == EEXIST) {
      return fail(ErrorKind::conflict, path.string() + ": already exists; a backup is written only into a new "
                                                       "directory (name one that does not exist yet)");
    }
    return systemError(path, "mkdir", errno);
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return systemError(path, "open", errno);
  if (::fchmod(fd, 0700) != 0) {
    const int err = errno;
    ::close(fd);
    return systemError(path, "chmod 0700", err);
  }
  return Directory(fd, path);
}

Result<Directory> Directory::open(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ELOOP || errno == ENOTDIR) return fail(ErrorKind::invalidInput, path.string() + ": not a directory (a symlink is refused)");
    return systemError(path, "open", errno);
  }
  return Directory(fd, path);
}

Directory::Directory(Directory&& other) noexcept : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

Directory::~Directory() {
  if (fd_ >= 0) ::close(fd_);
}

Result<int> Directory::createFile(const std::string& name) {
  if (name.rfind("files/", 0) == 0 && ::mkdirat(fd_, "files", 0700) != 0 && errno != EEXIST) {
    return systemError(path_ / "files", "mkdir", errno);
  }
  const int fd = ::openat(fd_, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return systemError(path_ / name, "create", errno);
  if (::fchmod(fd, 0600) != 0) {
    const int err = errno;
    ::close(fd);
    return systemError(path_ / name, "chmod 0600", err);
  }
  return fd;
}

Status Directory::writeFile(const std::string& name, const std::string& content) {
  auto fd = createFile(name);
  if (!fd) return fd.error();
  Fd file(*fd);
  for (size_t done = 0; done < content.size();) {
    const ssize_t wrote = ::write(file.fd, content.data() + done, content.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) return systemError(path_ / name, "write", errno);
    done += static_cast<size_t>(wrote);
  }
  if (::fsync(file.fd) != 0 || ::fsync(fd_) != 0) return systemError(path_ / name, "fsync", errno);
  return {};
}

Result<std::string> Directory::readFile(const std::string& name, size_t maxBytes) {
  Fd file(::openat(fd_, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (file.fd < 0) {
    if (errno == ENOENT) return fail(ErrorKind::notFound, (path_ / name).string() + ": missing");
    return systemError(path_ / name, "open", errno);
  }
  std::string text(maxBytes + 1, '\0');
  size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(file.fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return systemError(path_ / name, "read", errno);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got > maxBytes) return fail(ErrorKind::invalidInput, (path_ / name).string() + ": larger than " + std::to_string(maxBytes) + " bytes");
  text.resize(got);
  return text;
}

Result<Part> Directory::measure(const std::string& name) {
  Fd file(::openat(fd_, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (file.fd < 0) {
    if (errno == ENOENT) return fail(ErrorKind::notFound, (path_ / name).string() + ": missing");
    return systemError(path_ / name, "open", errno);
  }
  struct stat st {};
  if (::fstat(file.fd, &st) != 0) return systemError(path_ / name, "stat", errno);
  if (!S_ISREG(st.st_mode)) return fail(ErrorKind::invalidInput, (path_ / name).string() + ": not a regular file");
  auto part = pump(file.fd, -1, path_ / name);
  if (part) part->file = name;
  return part;
}

Result<std::vector<std::string>> Directory::listFiles() {
  std::vector<std::string> names;
  std::vector<std::string> problems;
  auto scan = [&](int dirFd, const std::string& prefix, bool top, auto& self) -> Status {
    const int copy = ::dup(dirFd);
    if (copy < 0) return systemError(path_ / prefix, "dup", errno);
    DIR* dir = ::fdopendir(copy);
    if (dir == nullptr) {
      ::close(copy);
      return systemError(path_ / prefix, "opendir", errno);
    }
    ::rewinddir(dir);
    Status status;
    while (const dirent* entry = ::readdir(dir)) {
      const std::string name = entry->d_name;
      if (name == "." || name == "..") continue;
      struct stat st {};
      if (::fstatat(dirFd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        status = systemError(path_ / (prefix + name), "stat", errno);
        break;
      }
      if (S_ISREG(st.st_mode)) {
        names.push_back(prefix + name);
      } else if (S_ISDIR(st.st_mode) && top && name == "files") {
        Fd sub(::openat(dirFd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (sub.fd < 0) {
          status = systemError(path_ / name, "open", errno);
          break;
        }
        if (status = self(sub.fd, "files/", false, self); !status) break;
      } else {
        problems.push_back((path_ / (prefix + name)).string());
      }
    }
    ::closedir(dir);
    return status;
  };
  if (Status scanned = scan(fd_, "", true, scan); !scanned) return scanned.error();
  if (!problems.empty()) {
    std::string list;
    for (const auto& p : problems) list += (list.empty() ? "" : ", ") + p;
    return fail(ErrorKind::invalidInput, "the backup holds what a backup never writes (a symlink, a device or another "
                                         "directory): " + list);
  }
  return names;
}

Status copyIntoBackup(const fs::path& source, Directory& backup, const std::string& name, NodeFilePart& into) {
  Fd in(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.fd < 0) return systemError(source, "open", errno);
  struct stat st {};
  if (::fstat(in.fd, &st) != 0) return systemError(source, "stat", errno);
  if (!S_ISREG(st.st_mode)) return fail(ErrorKind::invalidInput, source.string() + ": not a regular file");
  if (static_cast<uint64_t>(st.st_size) > kMaxNodeFileBytes) {
    return fail(ErrorKind::invalidInput, source.string() + ": larger than the 64 MiB a node file may be");
  }
  auto out = backup.createFile(name);
  if (!out) return out.error();
  Fd file(*out);
  auto part = pump(in.fd, file.fd, source);
  if (!part) return part.error();
  part->file = name;
  into.part = *part;
  into.path = source;
  into.mode = st.st_mode & 0777;
  into.owner = nameOfUser(st.st_uid);
  into.group = nameOfGroup(st.st_gid);
  return {};
}

bool sameFile(const fs::path& path, const Part& part) {
  Fd in(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st {};
  if (in.fd < 0 || ::fstat(in.fd, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) != part.bytes) {
    return false;
  }
  auto found = pump(in.fd, -1, path);
  return found && found->sha256 == part.sha256;
}

Status copyOutOfBackup(Directory& backup, const NodeFilePart& part, const fs::path& destination, bool replace) {
  std::error_code ec;
  const fs::path parent = destination.parent_path();
  // Missing parents are made owner-only; umask 077 is set for the whole restore.
  fs::create_directories(parent, ec);
  if (ec) return fail(ErrorKind::unavailable, parent.string() + ": cannot create it: " + ec.message());
  Fd in(::openat(backup.fd(), part.part.file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (in.fd < 0) return systemError(backup.path() / part.part.file, "open", errno);
  // Written beside the destination and renamed over it, so a node never reads half a key.
  const fs::path temporary = parent / ("." + destination.filename().string() + ".liaison-restore");
  Fd out(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (out.fd < 0) return systemError(temporary, "create", errno);
  auto copied = pump(in.fd, out.fd, destination);
  Status status;
  if (!copied) {
    status = copied.error();
  } else if (copied->sha256 != part.part.sha256) {
    status = fail(ErrorKind::conflict, (backup.path() / part.part.file).string() + ": changed while it was restored");
  } else if (::fchmod(out.fd, part.mode) != 0) {
    status = systemError(temporary, "chmod", errno);
  } else if (::geteuid() == 0) {
    const passwd* pw = ::getpwnam(part.owner.c_str());
    const group* gr = ::getgrnam(part.group.c_str());
    if (pw != nullptr && gr != nullptr && ::fchown(out.fd, pw->pw_uid, gr->gr_gid) != 0) status = systemError(temporary, "chown", errno);
  }
  if (status) {
    const bool taken = replace ? ::rename(temporary.c_str(), destination.c_str()) == 0
                               : ::link(temporary.c_str(), destination.c_str()) == 0;
    if (!taken) {
      status = errno == EEXIST ? fail(ErrorKind::conflict, destination.string() + ": already exists; restore refuses to "
                                                                                  "overwrite it (--replace does)")
                               : systemError(destination, "rename", errno);
    }
  }
  ::unlink(temporary.c_str());  // after a rename it is gone already
  return status;
}

}  // namespace liaison::cli::backup
