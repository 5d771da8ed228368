#include "node/client/partner_client.h"

#include <sodium.h>

#include <mutex>

#include "crypto/digest.h"
#include "crypto/envelope.h"
#include "node/client/tree_heads.h"
#include "node/net/https_client.h"
#include "node/net/https_client_pool.h"
#include "schema/codec.h"

namespace liaison::client {
namespace {

constexpr const char* kEnvelopeType = "application/x-liaison-envelope";

PartnerReply reply(PartnerStatus status, std::string detail) {
  PartnerReply r;
  r.status = status;
  r.detail = std::move(detail);
  return r;
}

}  // namespace

struct PartnerClient::Impl {
  PartnerNode partner;
  crypto::KeyRing keys;  // every key listed for the partner; periods are checked per answer
  std::string pathPrefix;
  std::chrono::milliseconds timeout;
  std::unique_ptr<net::HttpsClientPool> pool;
  mutable std::mutex headsMutex;
  std::unique_ptr<TreeHeadStore> heads;  // guarded by headsMutex

  bool keyHolds(const crypto::PublicKey& signer, Timestamp now) const {
    for (const PartnerKey& k : partner.keys) {
      if (k.key.id() == signer.id()) return k.notBefore <= now && now <= k.notAfter;
    }
    return false;
  }

  // Checks a signed answer to the request of `forwardedDigest`; `envelope` is what came.
  PartnerReply check(std::vector<uint8_t> envelope, const Digest& forwardedDigest, uint64_t knownTreeSize,
                     Timestamp now) {
    auto opened = crypto::openEnvelope(envelope, MessageType::response, keys);
    if (!opened) return reply(PartnerStatus::invalid, "the answer is not signed by " + partner.member + ": " + opened.error().message);
    PartnerReply r;
    r.responseEnvelope = std::move(envelope);
    if (!keyHolds(opened->signer(), now)) {
      r.status = PartnerStatus::invalid;
      r.detail = "the answer is signed with key " + opened->signer().id().hex() + " of " + partner.member +
                 ", which is not valid now";
      return r;
    }
    auto response = decodeResponse(opened->value().body);
    if (!response) {
      r.status = PartnerStatus::invalid;
      r.detail = "the answer does not decode: " + response.error().message;
      return r;
    }
    if (sodium_memcmp(response->requestDigest.data(), forwardedDigest.data(), forwardedDigest.size()) != 0) {
      r.status = PartnerStatus::invalid;
      r.detail = "the answer is for another request (request digest differs)";
      return r;
    }
    if (response->responder != partner.member) {
      r.status = PartnerStatus::invalid;
      r.detail = "the answer names responder '" + response->responder.substr(0, 64) + "', not " + partner.member;
      return r;
    }
    if (response->treeHead) {
      std::vector<uint8_t> headEnvelope = encodeEnvelope(*response->treeHead);
      auto head = openHead(headEnvelope);
      Status held = head ? Status{} : Status{head.error()};
      if (head) {
        std::lock_guard lock(headsMutex);
        held = heads->accept(ReceivedTreeHead{std::move(*head), std::move(headEnvelope)}, knownTreeSize,
                             response->consistency);
      }
      if (!held) {
        r.status = held.error().kind == ErrorKind::conflict ? PartnerStatus::fork : PartnerStatus::invalid;
        r.detail = held.error().message;
        return r;
      }
    }
    r.status = response->status == ResponseStatus::ok ? PartnerStatus::answered : PartnerStatus::refused;
    if (r.status == PartnerStatus::refused) r.detail = std::string(name(response->status)) + ": " + response->reason;
    r.response = std::move(*response);
    return r;
  }

  Result<TreeHead> openHead(std::span<const uint8_t> envelope) const {
    auto opened = crypto::openEnvelope(envelope, MessageType::treeHead, keys);
    if (!opened) return fail(ErrorKind::notPermitted, "tree head is not signed by " + partner.member + ": " + opened.error().message);
    return decodeTreeHead(opened->value().body);
  }
};

PartnerClient::PartnerClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PartnerClient::~PartnerClient() = default;

Result<std::unique_ptr<PartnerClient>> PartnerClient::create(PartnerNode partner, const PartnerCallOptions& options) {
  auto url = net::parseHttpsUrl(partner.endpoint);
  if (!url) return fail(ErrorKind::invalidInput, "partner " + partner.member + ": endpoint: " + url.error().message);
  auto impl = std::make_unique<Impl>();
  for (const PartnerKey& k : partner.keys) {
    if (auto added = impl->keys.add(k.key, partner.member); !added) {
      return fail(ErrorKind::invalidInput, "partner " + partner.member + ": " + added.error().message);
    }
  }
  net::ClientOptions client;
  client.host = std::get<0>(*url);
  client.port = std::get<1>(*url);
  client.serverPin = partner.serverPin;
  client.certificateFile = options.tlsCertificate;
  client.keyFile = options.tlsKey;
  client.timeout = options.timeout;
  client.maxResponseBytes = crypto::kMaxEnvelopeBytes;
  impl->pathPrefix = std::get<2>(*url);
  impl->timeout = options.timeout;
  impl->pool = std::make_unique<net::HttpsClientPool>(std::move(client), options.maxIdleConnections);
  // One folder per partner, named by the digest of its member id (member ids are not path-safe).
  const std::string folderName = "member-" + crypto::hex(crypto::sha256(std::span(
                                                 reinterpret_cast<const uint8_t*>(partner.member.data()), partner.member.size())));
  impl->partner = std::move(partner);
  Impl* raw = impl.get();
  impl->heads = std::make_unique<TreeHeadStore>(TreeHeadStore::folderFor(options.stateDir, folderName),
                                                [raw](std::span<const uint8_t> e) { return raw->openHead(e); });
  return std::unique_ptr<PartnerClient>(new PartnerClient(std::move(impl)));
}

const PartnerNode& PartnerClient::partner() const { return impl_->partner; }

uint64_t PartnerClient::knownTreeSize() const {
  std::lock_guard lock(impl_->headsMutex);
  auto latest = impl_->heads->latest();
  return latest ? latest->head.treeSize : 0;
}

PartnerReply PartnerClient::call(std::span<const uint8_t> envelope, const Digest& forwardedDigest,
                                 uint64_t knownTreeSize, Timestamp now) {
  auto lease = impl_->pool->acquire();
  auto answer = lease->post(impl_->pathPrefix + "/v1/query", kEnvelopeType, envelope);
  if (!answer) {
    lease.discard();
    return reply(PartnerStatus::unreachable, answer.error().message);
  }
  if (answer->contentType != kEnvelopeType || answer->body.empty()) {
    // A plain 429 (too many failures from our address) or 503 (the partner could not audit).
    return reply(PartnerStatus::unreachable,
                 "the node answered HTTP " + std::to_string(answer->status) + " without a signed response");
  }
  return impl_->check(std::move(answer->body), forwardedDigest, knownTreeSize, now);
}

uint64_t PartnerClient::handshakes() const { return impl_->pool->handshakes(); }

bool PartnerClient::sameAs(const PartnerNode& other) const {
  const PartnerNode& p = impl_->partner;
  if (p.member != other.member || p.endpoint != other.endpoint || p.serverPin != other.serverPin ||
      p.keys.size() != other.keys.size()) {
    return false;
  }
  for (size_t i = 0; i < p.keys.size(); ++i) {
    if (!(p.keys[i].key.id() == other.keys[i].key.id()) || p.keys[i].notBefore != other.keys[i].notBefore ||
        p.keys[i].notAfter != other.keys[i].notAfter) {
      return false;
    }
  }
  return true;
}

}  // namespace liaison::client
