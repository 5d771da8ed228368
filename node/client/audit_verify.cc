#include "node/client/audit_verify.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <future>
#include <iterator>
#include <nlohmann/json.hpp>

#include "crypto/digest.h"
#include "crypto/merkle.h"
#include "crypto/merkle_tree.h"
#include "node/client/audit_framing.h"
#include "schema/codec.h"

namespace liaison::client {
namespace {

using Json = nlohmann::json;


Result<Json> getJson(QueryClient& client, const std::string& path) {
  auto reply = client.getSigned(path);
  if (!reply) return reply.error();
  const std::string body(reply->body.begin(), reply->body.end());
  if (reply->status != 200) {
    const ErrorKind kind = reply->status == 403 || reply->status == 401 ? ErrorKind::notPermitted : ErrorKind::unavailable;
    return fail(kind, path + ": the node answered HTTP " + std::to_string(reply->status) + ": " +
                          body.substr(0, body.find('\n')));
  }
  try {
    return Json::parse(body);
  } catch (const Json::exception& e) {
    return fail(ErrorKind::invalidInput, path + ": not JSON: " + e.what());
  }
}

Result<std::vector<Digest>> digestList(const Json& json, const std::string& what) {
  if (!json.is_array()) return fail(ErrorKind::invalidInput, what + " is not a list");
  std::vector<Digest> out;
  for (const auto& item : json) {
    auto digest = item.is_string() ? crypto::parseHexDigest(item.get<std::string>()) : std::nullopt;
    if (!digest) return fail(ErrorKind::invalidInput, what + " holds something other than 64 hex digits");
    out.push_back(*digest);
  }
  return out;
}

std::string describe(const TreeHead& head) {
  return "the head of " + std::to_string(head.treeSize) + " entries signed at " + formatTimestamp(head.timestamp);
}

std::vector<Digest> readVerifiedLeaves(const std::filesystem::path& folder) {
  std::vector<Digest> leaves;
  if (folder.empty()) return leaves;
  std::ifstream in(folder / kVerifiedLeavesFile, std::ios::binary);
  Digest d{};
  while (in.read(reinterpret_cast<char*>(d.data()), static_cast<std::streamsize>(d.size()))) leaves.push_back(d);
  return leaves;
}

Status writeVerifiedLeaves(const std::filesystem::path& folder, const std::vector<Digest>& leaves) {
  if (folder.empty()) return {};
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  const auto temporary = folder / (std::string(".") + kVerifiedLeavesFile + ".tmp");
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    for (const Digest& d : leaves) out.write(reinterpret_cast<const char*>(d.data()), static_cast<std::streamsize>(d.size()));
    if (!out.flush()) return fail(ErrorKind::unavailable, temporary.string() + ": cannot write");
  }
  std::filesystem::rename(temporary, folder / kVerifiedLeavesFile, ec);
  if (ec) return fail(ErrorKind::unavailable, (folder / kVerifiedLeavesFile).string() + ": " + ec.message());
  return {};
}

// Collects problems, remembering the lowest index any of them names.
struct Findings {
  AuditVerifyReport& report;
  void add(std::string problem, std::optional<uint64_t> index = std::nullopt) {
    report.problems.push_back(std::move(problem));
    if (index && (!report.firstBadIndex || *index < *report.firstBadIndex)) report.firstBadIndex = index;
  }
};

}  // namespace

Result<ReceivedTreeHead> fetchLatestTreeHead(QueryClient& client) {
  auto json = getJson(client, "/v1/audit/sth");
  if (!json) return json.error();
  if (!json->contains("signed_tree_head") || !(*json)["signed_tree_head"].is_string()) {
    return fail(ErrorKind::invalidInput, "/v1/audit/sth: no signed_tree_head");
  }
  auto envelope = crypto::fromBase64((*json)["signed_tree_head"].get<std::string>(), 4096);
  if (!envelope) return fail(ErrorKind::invalidInput, "/v1/audit/sth: signed_tree_head is not base64");
  auto head = client.openTreeHead(*envelope);
  if (!head) return head.error();
  ReceivedTreeHead received{std::move(*head), std::move(*envelope)};

  // Proven from the largest head kept, which was itself proven from the ones before it.
  const auto latest = client.treeHeads().latest();
  const uint64_t first = latest ? latest->head.treeSize : 0;
  std::vector<Digest> proof;
  if (first > 0 && first < received.head.treeSize) {
    auto json = getJson(client, "/v1/audit/proof/consistency?first=" + std::to_string(first) +
                                    "&second=" + std::to_string(received.head.treeSize));
    if (!json) return json.error();
    auto parsed = digestList((*json)["consistency"], "consistency proof");
    if (!parsed) return parsed.error();
    proof = std::move(*parsed);
  }
  if (Status accepted = client.treeHeads().accept(received, first, proof); !accepted) return accepted.error();
  return received;
}

Result<AuditVerifyReport> verifyAuditLog(QueryClient& client, const AuditVerifyOptions& options) {
  AuditVerifyReport report;
  Findings findings{report};
  // The node's latest head; a head that contradicts the kept ones is already a finding.
  auto latest = fetchLatestTreeHead(client);
  if (!latest && latest.error().kind != ErrorKind::conflict) return latest.error();
  if (!latest) {
    findings.add(latest.error().message);
    return report;
  }
  report.head = latest->head;
  const uint64_t size = report.head.treeSize;
  const uint64_t largestPage = std::clamp<uint64_t>(options.pageSize, 1, kMaxBinaryEntriesPerPage);

  // Every entry, rehashed here. A missing entry leaves the tree incomplete: no root can be made.
  std::vector<Digest> leaves(size);
  std::optional<uint64_t> firstMissing;
  const auto missing = [&](uint64_t index, const std::string& why) {
    if (!firstMissing) firstMissing = index;
    findings.add("entry " + std::to_string(index) + " " + why, index);
  };
  const auto fetch = [&client, size](uint64_t start, uint64_t count) {
    const uint64_t end = std::min(size, start + count);
    return client.getSigned("/v1/audit/entries?start=" + std::to_string(start) + "&end=" + std::to_string(end - 1) +
                            "&format=binary");
  };
  // A page may stop before the range asked for (the node pages by bytes too, as RFC 6962
  // get-entries allows): the next one starts after the last entry served. A page this client
  // cannot take (larger than its response limit: an older node's page, or an older node's long
  // entries) is asked for again in smaller pages, down to one entry; pages grow back after that,
  // never again to a size that failed. The next page is fetched while this one is hashed.
  uint64_t pageSize = largestPage;
  uint64_t ceiling = largestPage;
  uint64_t start = 0;
  std::future<Result<net::HttpResponse>> nextPage;
  if (size > 0) nextPage = std::async(std::launch::async, fetch, start, pageSize);
  while (start < size) {
    const uint64_t asked = std::min(size, start + pageSize);
    auto reply = nextPage.get();
    if (!reply && reply.error().kind == ErrorKind::invalidInput) {
      if (pageSize > 1) {
        ceiling = pageSize - 1;
        pageSize = std::max<uint64_t>(1, pageSize / 10);
        nextPage = std::async(std::launch::async, fetch, start, pageSize);
        continue;
      }
      // One entry this client cannot take: no valid entry is that long (kMaxEncodedBytes), and
      // without its leaf no root can be checked, so the download stops here.
      missing(start, "cannot be fetched: " + reply.error().message);
      break;
    }
    if (!reply) return reply.error();
    if (reply->status != 200) {
      return fail(ErrorKind::unavailable, "entries " + std::to_string(start) + ".." +
                                              std::to_string(asked - 1) + ": the node answered HTTP " +
                                              std::to_string(reply->status));
    }
    auto framed = parseFramedEntries(reply->body);
    if (!framed) return framed.error();
    // Which entries of the page count and which are missing between them, by index only; then
    // the next page is on its way while these are hashed.
    std::vector<const FramedEntry*> served;
    uint64_t next = start;
    for (const FramedEntry& e : *framed) {
      if (e.index < next || e.index >= asked) {
        findings.add("entry " + std::to_string(e.index) + " was served out of order or out of range", e.index);
        continue;
      }
      for (; next < e.index; ++next) missing(next, "is missing from the stored log");
      served.push_back(&e);
      next = e.index + 1;
    }
    // A page without a single entry of the range means the node has none of them.
    if (served.empty()) {
      for (; next < asked; ++next) missing(next, "is missing from the stored log");
    }
    pageSize = std::min(ceiling, pageSize * 2);
    if (next < size) nextPage = std::async(std::launch::async, fetch, next, pageSize);
    for (const FramedEntry* e : served) {
      leaves[e->index] = crypto::leafHash(e->entry);
      ++report.entries;
      if (leaves[e->index] != e->treeLeaf) {
        findings.add(
            "entry " + std::to_string(e->index) +
                ": the stored entry does not hash to the leaf the log signed for it (changed or moved "
                "after it was appended)",
            e->index);
      } else if (!decodeAuditEntry(e->entry)) {
        // Fields longer than today's limits are an older node's doing, not a fault of the log.
        if (decodeAuditEntry(e->entry, FieldLimits::waive)) {
          ++report.entriesOverLimits;
        } else {
          findings.add("entry " + std::to_string(e->index) + " is not a valid audit entry", e->index);
        }
      }
    }
    start = next;
  }

  // The roots: the latest head's, and every kept or collected head's, over the rehashed leaves.
  crypto::MerkleTree tree;
  tree.append(std::span<const Digest>(leaves.data(), firstMissing.value_or(size)));
  if (!firstMissing) {
    auto root = tree.rootAt(size);
    if (!root || *root != report.head.rootHash) {
      findings.add("the entries do not hash to the root of " + describe(report.head));
    }
  }
  std::vector<std::string> headProblems;
  std::vector<ReceivedTreeHead> heads = client.treeHeads().all(&headProblems);
  TreeHeadOpener open = [&client](std::span<const uint8_t> bytes) { return client.openTreeHead(bytes); };
  for (const auto& folder : options.headFolders) {
    auto more = readTreeHeads(folder, open, headProblems);
    heads.insert(heads.end(), more.begin(), more.end());
  }
  for (auto& problem : headProblems) findings.add("tree head " + problem);
  for (const ReceivedTreeHead& h : heads) {
    ++report.headsChecked;
    if (h.head.logId != report.head.logId) {
      findings.add(describe(h.head) + " is for log " + h.head.logId + ", not " + report.head.logId);
    } else if (h.head.treeSize > size) {
      findings.add(describe(h.head) + " covers more than the latest head's " + std::to_string(size) +
                       " entries: entries from index " + std::to_string(size) + " on were dropped",
                   size);
    } else if (h.head.treeSize <= tree.size()) {
      auto root = tree.rootAt(h.head.treeSize);
      if (!root || *root != h.head.rootHash) {
        findings.add("the first " + std::to_string(h.head.treeSize) + " entries do not hash to the root of " +
                     describe(h.head) + ": the log was rewritten after that head");
      }
    }
  }

  // What an earlier run verified must not have changed; this names the first changed index even
  // when the node rebuilt its tree over altered entries.
  const auto folder = client.treeHeads().folder();
  std::vector<Digest> earlier = readVerifiedLeaves(folder);
  const uint64_t comparable = std::min<uint64_t>(earlier.size(), firstMissing.value_or(size));
  report.previouslyVerified = comparable;
  for (uint64_t i = 0; i < comparable; ++i) {
    if (earlier[i] != leaves[i]) {
      findings.add("entry " + std::to_string(i) + " differs from the entry an earlier verification saw", i);
      break;
    }
  }
  if (earlier.size() > size) {
    findings.add("the log holds " + std::to_string(size) + " entries but an earlier verification saw " +
                     std::to_string(earlier.size()) + ": entries from index " + std::to_string(size) + " on were dropped",
                 size);
  }

  report.verified = report.problems.empty();
  if (report.verified) {
    if (Status kept = writeVerifiedLeaves(folder, leaves); !kept) return kept.error();
  }
  return report;
}

std::string formatReceipt(const AuditReceipt& receipt) {
  return receipt.logId + ":" + std::to_string(receipt.leafIndex) + ":" + crypto::hex(receipt.leafHash);
}

Result<AuditReceipt> parseReceipt(std::string_view text) {
  const auto bad = [&] {
    return fail(ErrorKind::invalidInput, "receipt '" + std::string(text.substr(0, 200)) +
                                             "' is not LOG:INDEX:LEAFHASH (as `liaison query` prints it)");
  };
  const size_t second = text.rfind(':');
  if (second == std::string_view::npos || second == 0) return bad();
  const size_t first = text.rfind(':', second - 1);
  if (first == std::string_view::npos || first == 0) return bad();
  AuditReceipt receipt;
  receipt.logId = std::string(text.substr(0, first));
  const std::string_view index = text.substr(first + 1, second - first - 1);
  auto [end, ec] = std::from_chars(index.data(), index.data() + index.size(), receipt.leafIndex);
  if (index.empty() || ec != std::errc() || end != index.data() + index.size()) return bad();
  auto leaf = crypto::parseHexDigest(text.substr(second + 1));
  if (!leaf) return bad();
  receipt.leafHash = *leaf;
  return receipt;
}

Result<ReceiptCheck> proveReceipt(QueryClient& client, const AuditReceipt& receipt) {
  auto latest = fetchLatestTreeHead(client);
  if (!latest) return latest.error();
  ReceiptCheck check;
  check.head = latest->head;
  if (receipt.logId != check.head.logId) {
    return fail(ErrorKind::invalidInput, "the receipt is from log " + receipt.logId + ", but this node keeps log " +
                                             check.head.logId);
  }
  if (receipt.leafIndex >= check.head.treeSize) {
    check.verdict = ReceiptCheck::Verdict::notYetCovered;
    check.detail = "leaf " + std::to_string(receipt.leafIndex) + " is not yet covered by the latest signed head (" +
                   std::to_string(check.head.treeSize) + " entries); the node signs a new head within seconds";
    return check;
  }
  auto json = getJson(client, "/v1/audit/proof/inclusion?index=" + std::to_string(receipt.leafIndex) +
                                  "&size=" + std::to_string(check.head.treeSize));
  if (!json) return json.error();
  auto path = digestList((*json)["audit_path"], "audit path");
  if (!path) return path.error();
  if (crypto::verifyInclusion(receipt.leafHash, receipt.leafIndex, check.head.treeSize, *path, check.head.rootHash)) {
    check.verdict = ReceiptCheck::Verdict::included;
    check.detail = "leaf " + std::to_string(receipt.leafIndex) + " is included under " + describe(check.head);
  } else {
    check.detail = "leaf " + std::to_string(receipt.leafIndex) + " with hash " + crypto::hex(receipt.leafHash) +
                   " is NOT included under " + describe(check.head) + ": the log does not hold the entry this receipt was given for";
  }
  return check;
}

}  // namespace liaison::client
