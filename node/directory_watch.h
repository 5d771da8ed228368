// The federation directory a node works with (`directory` and `directory_anchors` in its
// configuration): opened at start, where a directory that is not signed by an anchor, breaks a
// rule or is not valid stops the node; then its file is checked every `directory_check_interval_ms`
// and a replacement with a higher serial that opens is put in force for new requests. A replacement
// that does not open is refused, logged and audited once, and the directory in force stays until
// it expires; from then on its members are refused (the pipeline checks the expiry on every
// request) and the node reports not ready.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "crypto/envelope.h"
#include "node/client/directory.h"
#include "node/config.h"
#include "node/pipeline.h"
#include "schema/status.h"

namespace liaison::store {
class AuditSink;
}

namespace liaison::node {

class JsonLog;

/// Puts a directory in force (QueryPipeline::useDirectory); a refusal leaves the one before.
using UseDirectory = std::function<Status(const client::TrustedDirectory&)>;

/// Watches the directory file and keeps the directory in force. Thread-safe.
class DirectoryWatch {
 public:
  /// What a watch needs; every reference must outlive it.
  struct Services {
    UseDirectory use;
    store::AuditSink& audit;
    JsonLog& log;
    Clock clock;
  };

  /// Opens the directory `config` names and puts it in force, audited; fails naming the file and
  /// why when an anchor does not load, the file cannot be read, the directory is refused, `use`
  /// refuses it or it cannot be audited. Then checks the file on a thread of its own.
  static Result<std::unique_ptr<DirectoryWatch>> start(const NodeConfig& config, Services services);
  ~DirectoryWatch();

  /// Stops the thread. Idempotent.
  void stop();

  /// Checks the file now, as the thread does every interval: a changed file is opened and, if it
  /// is a newer valid directory, put in force; the expiry of the one in force is noticed.
  void check();

  /// Why the node is not ready on account of its directory (it has expired), or nothing.
  std::optional<std::string> notReadyReason() const;

  /// Prometheus text: the serial in force, its expiry, and the replacements refused by kind.
  std::string metricsText() const;

 private:
  struct State;
  /// Why a directory file was not put in force: a kind for the metrics (a client::DirectoryProblem
  /// name, `stale-serial` or `conflict`), and what was wrong.
  struct Refusal {
    std::string kind;
    std::string message;
  };
  DirectoryWatch(const NodeConfig& config, Services services, crypto::KeyRing anchors);
  void run();
  void readReplacement(Timestamp now);
  /// Logs, counts and audits a refusal, once for each file and reason; `retry`: check again at the
  /// next interval even if the file has not changed.
  void refuse(const Refusal& refusal, std::optional<Digest> file, bool retry);
  void noticeExpiry(Timestamp now);
  std::string inForceText(const client::TrustedDirectory& directory, uint64_t previous) const;
  void logInForce(const client::TrustedDirectory& directory, uint64_t previous);
  Status audit(Decision decision, std::optional<uint64_t> serial, std::string reason);

  const std::filesystem::path file_;
  const std::chrono::milliseconds interval_;
  const std::string member_;
  Services services_;
  const crypto::KeyRing anchors_;
  std::unique_ptr<State> state_;  // guarded by mutex_
  mutable std::mutex mutex_;
  std::mutex checking_;  // one check at a time

  std::mutex wakeMutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace liaison::node
