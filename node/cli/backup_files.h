// The files of a node's backup (`liaison backup`, `liaison restore`): its manifest, which lists
// every part with its size and SHA-256, and the copying of parts into and out of the backup
// directory with exact modes, never through a symlink planted in the way.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "adapters/database_dump.h"
#include "schema/status.h"

namespace liaison::cli::backup {

/// The manifest's name inside a backup directory; written last, so a backup without it is incomplete.
inline constexpr const char* kManifestName = "MANIFEST.json";
/// The format a manifest declares; restore refuses any other.
inline constexpr const char* kFormat = "liaison-backup/1";

/// One file of the backup directory, by its name there (`main.dump`, `files/3-node.key`).
struct Part {
  std::string file;
  uint64_t bytes = 0;
  std::string sha256;  ///< lower-case hex
};

/// A database's dump and what the dump does not carry.
struct DatabasePart {
  Part part;
  store::DatabaseFacts facts;
};

/// A node file (configuration, key, policy, directory, state) and where it belongs.
struct NodeFilePart {
  Part part;
  std::string kind;             ///< config, signing-key, tls-key, state, ...
  std::filesystem::path path;   ///< absolute, where the node reads it
  mode_t mode = 0600;
  std::string owner, group;     ///< names, restored when restore runs as root
};

struct Manifest {
  std::string member;
  std::string created;  ///< UTC
  std::vector<DatabasePart> databases;
  std::vector<NodeFilePart> files;
};

/// The manifest as JSON text, and read back; reading refuses an unknown format, a missing field, and
/// a part named outside the backup directory (absolute, `..`, the manifest itself).
std::string manifestJson(const Manifest& manifest);
Result<Manifest> parseManifest(const std::string& json);

/// An open directory; closed by the destructor.
class Directory {
 public:
  /// Creates `path` with mode 0700, refusing anything already there (a directory, a file, a symlink).
  static Result<Directory> create(const std::filesystem::path& path);
  /// Opens an existing directory, refusing a symlink.
  static Result<Directory> open(const std::filesystem::path& path);
  Directory(Directory&& other) noexcept;
  Directory& operator=(Directory&&) = delete;
  ~Directory();

  int fd() const { return fd_; }
  const std::filesystem::path& path() const { return path_; }
  /// Creates `name` (may contain one `files/` level, created 0700 when missing) with mode 0600 and
  /// returns its descriptor, refusing an existing name.
  Result<int> createFile(const std::string& name);
  /// Writes `content` as the new file `name` (mode 0600) and syncs it.
  Status writeFile(const std::string& name, const std::string& content);
  /// Reads the file `name` (at most `maxBytes`), refusing a symlink.
  Result<std::string> readFile(const std::string& name, size_t maxBytes);
  /// Size and SHA-256 of the file `name`, refusing a symlink or anything but a regular file.
  Result<Part> measure(const std::string& name);
  /// Every regular file's name below the directory (one level of subdirectories), and anything
  /// else found there (symlinks, devices) as a problem.
  Result<std::vector<std::string>> listFiles();

 private:
  Directory(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::filesystem::path path_;
};

/// Copies the node file at `source` into the backup as `name`, measuring it; its mode and owner
/// come back in `into`. Refuses anything but a regular file and files over 64 MiB.
Status copyIntoBackup(const std::filesystem::path& source, Directory& backup, const std::string& name,
                      NodeFilePart& into);

/// Whether `path` is a regular file (not a symlink) with exactly the bytes of `part`.
bool sameFile(const std::filesystem::path& path, const Part& part);

/// Writes the backup's `part` to `destination` with `mode` (and, as root, its owner and group),
/// creating missing parent directories with mode 0700. An existing file is refused unless
/// `replace`, then it is replaced in one step.
Status copyOutOfBackup(Directory& backup, const NodeFilePart& part, const std::filesystem::path& destination,
                       bool replace);

}  // namespace liaison::cli::backup
