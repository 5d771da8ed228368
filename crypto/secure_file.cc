#include "crypto/secure_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <string>
#include <system_error>

namespace liaison::crypto {
namespace fs = std::filesystem;

namespace {

// Owns a file descriptor so every return path closes it.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }

  int get() const { return fd_; }
  // Closes now and reports the result: for a file just written, a failed close can mean lost data.
  bool close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0;
  }

 private:
  int fd_;
};

std::string octalMode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

}  // namespace

Error fileError(ErrorKind kind, const fs::path& path, std::string_view problem) {
  return fail(kind, path.string() + ": " + std::string(problem));
}

Error systemError(const fs::path& path, std::string_view action, int err) {
  ErrorKind kind = ErrorKind::unavailable;
  if (err == ENOENT) kind = ErrorKind::notFound;
  if (err == EACCES || err == EPERM) kind = ErrorKind::notPermitted;
  return fileError(kind, path, std::string(action) + ": " + std::generic_category().message(err));
}

Result<size_t> readBoundedFile(const fs::path& path, std::span<char> buffer, const BoundedFileRules& rules) {
  assert(!buffer.empty());
  // O_NONBLOCK so that a FIFO planted at the path cannot stall us before fstat refuses it.
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) return systemError(path, "cannot open", errno);

  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return systemError(path, "cannot stat", errno);
  if (!S_ISREG(info.st_mode)) return fileError(ErrorKind::invalidInput, path, "not a regular file");
  // A secret that group or others can reach may already be exposed, and using it would hide that. The
  // mode bits decide, not whether open() succeeded, because root can open anything.
  if (!rules.ownerOnlyContent.empty() && (info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return fileError(ErrorKind::notPermitted, path,
                     "mode " + octalMode(info.st_mode) + " grants access to group or others; " +
                         std::string(rules.ownerOnlyContent) +
                         " must be private to its owner. Run `chmod 600 " + path.string() + "`");
  }
  const size_t limit = buffer.size() - 1;
  std::string tooBig =
      "larger than the " + std::to_string(limit) + "-byte limit for " + std::string(rules.limitFor);
  if (static_cast<uintmax_t>(info.st_size) > limit) {
    return fileError(ErrorKind::invalidInput, path,
                     rules.statesSizeOnDisk ? std::to_string(info.st_size) + " bytes, " + tooBig : tooBig);
  }

  // Read to end of file rather than trusting st_size: the file may have grown since fstat.
  size_t total = 0;
  while (total < buffer.size()) {
    ssize_t n = ::read(fd.get(), buffer.data() + total, buffer.size() - total);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return systemError(path, "cannot read", errno);
    if (n == 0) break;
    total += static_cast<size_t>(n);
  }
  if (total > limit) return fileError(ErrorKind::invalidInput, path, tooBig);
  return total;
}

Status writeNewFile(const fs::path& path, std::span<const char> content, mode_t mode,
                    std::string_view replaceAdvice) {
  // O_EXCL refuses an existing file, and O_NOFOLLOW a symlink someone planted, so nothing is ever
  // written through a link.
  FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    int err = errno;
    if (err == EEXIST) {
      return fileError(ErrorKind::conflict, path,
                       "already exists; refusing to overwrite it (" + std::string(replaceAdvice) + ")");
    }
    return systemError(path, "cannot create", err);
  }

  auto abandon = [&](std::string_view action, int err) {
    ::unlink(path.c_str());
    return systemError(path, action, err);
  };
  // fchmod because the umask may have narrowed the creation mode; the modes here are exact.
  if (::fchmod(fd.get(), mode) != 0) return abandon("cannot set mode", errno);
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd.get(), content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return abandon("cannot write", errno);
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return abandon("cannot sync", errno);
  if (!fd.close()) return abandon("cannot close", errno);
  return {};
}

Status syncParentDirectory(const fs::path& file) {
  // Syncing the file alone does not make its directory entry durable; a crash could still lose it.
  fs::path directory = file.parent_path();
  if (directory.empty()) directory = ".";
  FileDescriptor fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return systemError(directory, "cannot open directory", errno);
  if (::fsync(fd.get()) != 0) return systemError(directory, "cannot sync directory", errno);
  return {};
}

}  // namespace liaison::crypto
