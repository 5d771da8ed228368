#include "node/client/query_client.h"

#include <sodium.h>

#include <map>

#include "crypto/digest.h"
#include "crypto/envelope.h"
#include "crypto/keys.h"
#include "node/client/directory.h"
#include "node/client/federated_answer.h"
#include "node/client/tree_heads.h"
#include "node/net/https_client.h"
#include "schema/codec.h"

namespace liaison::client {
namespace {
constexpr const char* kStreamType = "application/x-liaison-stream";
}  // namespace

struct QueryClient::Impl {
  ClientConfig config;
  crypto::SecretKey signingKey;
  crypto::KeyRing nodeKeys;
  net::HttpsClient http;
  std::string pathPrefix;
  std::string nodeKeyId;
  std::unique_ptr<TreeHeadStore> heads;
  crypto::KeyRing partnerKeys{};  // partners' keys for federated answers, labelled with member ids
  std::map<std::string, std::pair<Timestamp, Timestamp>> partnerKeyPeriods{};  // directory keys' periods

  static Status loadPartnerKeys(const ClientConfig& config, Impl& impl);
  Result<QueryAnswer> verifyAnswer(const net::HttpResponse& reply, const SignedEnvelope& sent, const QueryClient& client);

  // Holds the node to the tree heads it gave us before: the head in `response` must extend the
  // head of `knownSize` we told it about, and agree with any head of its own size we keep.
  Status checkTreeHead(const Response& response, uint64_t knownSize, const QueryClient& client) {
    if (!response.treeHead) return {};
    std::vector<uint8_t> envelope = encodeEnvelope(*response.treeHead);
    auto head = client.openTreeHead(envelope);
    if (!head) return head.error();
    return heads->accept(ReceivedTreeHead{std::move(*head), std::move(envelope)}, knownSize, response.consistency);
  }
};

// The partners' keys a federated answer is checked with: [[partner]] entries, and the members of
// the federation directory when the configuration names one (opened as a node opens it).
Status QueryClient::Impl::loadPartnerKeys(const ClientConfig& config, Impl& impl) {
  for (const auto& partner : config.partners) {
    auto key = crypto::loadPublicKey(partner.signingPublicKey);
    if (!key) return fail(key.error().kind, config.file.string() + ": partner " + partner.member + ": " + key.error().message);
    if (Status added = impl.partnerKeys.add(*key, partner.member); !added) return added.error();
  }
  if (config.directory.empty()) return {};
  crypto::KeyRing anchors;
  for (const auto& anchor : config.directoryAnchors) {
    auto key = crypto::loadPublicKey(anchor);
    if (!key) return key.error();
    if (Status added = anchors.add(*key, "anchor"); !added) return added.error();
  }
  auto bytes = readSignedDirectoryFile(config.directory);
  if (const auto* unreadable = std::get_if<DirectoryRefusal>(&bytes)) {
    return fail(ErrorKind::invalidInput, config.file.string() + ": directory: " + unreadable->message);
  }
  auto opened = openDirectory(std::get<std::vector<uint8_t>>(bytes), anchors, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  if (const auto* refusal = std::get_if<DirectoryRefusal>(&opened)) {
    return fail(ErrorKind::notPermitted, config.file.string() + ": directory " + config.directory.string() + ": " +
                                             refusal->message);
  }
  const TrustedDirectory& directory = std::get<TrustedDirectory>(opened);
  for (const DirectoryMember& member : directory->members) {
    for (const DirectoryKey& listed : member.signingKeys) {
      auto key = crypto::PublicKey::fromBytes(listed.publicKey);
      if (!key) continue;  // the directory's rules refuse it
      if (impl.partnerKeys.find(key->id()) != nullptr) continue;  // also a [[partner]] entry
      if (Status added = impl.partnerKeys.add(*key, member.member); !added) return added.error();
      impl.partnerKeyPeriods.emplace(key->id().hex(), std::pair{listed.notBefore, listed.notAfter});
    }
  }
  return {};
}

QueryClient::QueryClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
QueryClient::~QueryClient() = default;

Result<std::unique_ptr<QueryClient>> QueryClient::create(const ClientConfig& config,
                                                         const std::string& nodeUrl,
                                                         size_t maxResponseBytes) {
  auto url = net::parseHttpsUrl(nodeUrl);
  if (!url) return url.error();
  auto key = crypto::loadSecretKey(config.signingKey);
  if (!key) return key.error();
  auto nodeKey = crypto::loadPublicKey(config.nodePublicKey);
  if (!nodeKey) return nodeKey.error();
  crypto::KeyRing ring;
  if (auto added = ring.add(*nodeKey, "node"); !added) return added.error();
  net::ClientOptions options;
  options.host = std::get<0>(*url);
  options.port = std::get<1>(*url);
  options.serverPin = config.nodePin;
  options.certificateFile = config.tlsCertificate;
  options.keyFile = config.tlsKey;
  options.maxResponseBytes = maxResponseBytes;
  options.timeout = config.timeout;
  const std::string keyId = nodeKey->id().hex();
  auto impl = std::unique_ptr<Impl>(new Impl{config, std::move(key).value(), std::move(ring),
                                             net::HttpsClient(std::move(options)), std::get<2>(*url), keyId, nullptr});
  Impl* raw = impl.get();
  impl->heads = std::make_unique<TreeHeadStore>(
      TreeHeadStore::folderFor(config.stateDir, keyId), [raw](std::span<const uint8_t> envelope) -> Result<TreeHead> {
        auto opened = crypto::openEnvelope(envelope, MessageType::treeHead, raw->nodeKeys);
        if (!opened) return fail(ErrorKind::notPermitted, "tree head is not signed by the node: " + opened.error().message);
        return decodeTreeHead(opened->value().body);
      });
  if (Status loaded = Impl::loadPartnerKeys(config, *impl); !loaded) return loaded.error();
  return std::unique_ptr<QueryClient>(new QueryClient(std::move(impl)));
}

std::vector<uint8_t> QueryClient::seal(const Query& query, const QueryOptions& options, Timestamp issuedAt) const {
  return seal(query, options, FederatedTargets{}, issuedAt);
}

std::vector<uint8_t> QueryClient::seal(const Query& query, const QueryOptions& options, const FederatedTargets& targets,
                                       Timestamp issuedAt) const {
  const ClientConfig& config = impl_->config;
  Request request;
  randombytes_buf(request.requestId.data(), request.requestId.size());
  randombytes_buf(request.nonce.data(), request.nonce.size());
  request.issuedAt = issuedAt;
  request.expiresAt = issuedAt + options.validity;
  request.requester = config.member;
  request.officer = OfficerContext{config.pseudonym, config.role,
                                   options.purpose.empty() ? config.purpose : options.purpose,
                                   options.caseReference, config.legalBasis};
  request.query = query;
  if (auto latest = impl_->heads->latest()) request.knownTreeSize = latest->head.treeSize;
  request.partners = targets.all ? std::vector<std::string>{} : targets.partners;
  request.allPartners = targets.all;
  request.alsoLocal = targets.local && asksPartners(request);
  return crypto::sealEnvelope(MessageType::request, encodeRequest(request), impl_->signingKey);
}

Result<QueryAnswer> QueryClient::send(const Query& query, const QueryOptions& options) {
  return sendSealed(seal(query, options, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())));
}

Result<QueryAnswer> QueryClient::sendSealed(const std::vector<uint8_t>& envelope) {
  auto sent = decodeEnvelope(envelope);
  if (!sent) return sent.error();
  auto reply = impl_->http.post(impl_->pathPrefix + "/v1/query", "application/x-liaison-envelope", envelope);
  if (!reply) return reply.error();
  return impl_->verifyAnswer(*reply, *sent, *this);
}

// A node's answer to one request: signed by the node, for that request, and keeping to the tree
// heads this client holds for it.
Result<QueryAnswer> QueryClient::Impl::verifyAnswer(const net::HttpResponse& reply, const SignedEnvelope& sent,
                                                    const QueryClient& client) {
  const Digest requestDigest = crypto::sha256(sent.body);
  if (reply.status == 429 && reply.contentType != "application/x-liaison-envelope") {
    // Refused before any signature was checked: this address sent too many failed requests.
    return fail(ErrorKind::unavailable, "the node answered HTTP 429: too many failed requests came from this "
                                        "address recently; try again later");
  }
  if (reply.status == 503 || reply.body.empty()) {
    return fail(ErrorKind::unavailable, "the node answered HTTP " + std::to_string(reply.status) +
                                            " without a signed response (it could not audit the request)");
  }
  auto opened = crypto::openEnvelope(reply.body, MessageType::response, nodeKeys);
  if (!opened) return fail(ErrorKind::notPermitted, "the node's answer is not validly signed: " + opened.error().message);
  auto response = decodeResponse(opened->value().body);
  if (!response) return response.error();
  if (sodium_memcmp(response->requestDigest.data(), requestDigest.data(), requestDigest.size()) != 0) {
    return fail(ErrorKind::notPermitted, "the node's answer is for another request (request digest differs)");
  }
  auto sentRequest = decodeRequest(sent.body);
  const uint64_t knownSize = sentRequest ? sentRequest->knownTreeSize : 0;
  if (Status held = checkTreeHead(*response, knownSize, client); !held) return held.error();
  return QueryAnswer{reply.status, std::move(response).value()};
}

Result<std::optional<QueryAnswer>> QueryClient::sendFederated(const Query& query, const QueryOptions& options,
                                                              const FederatedTargets& targets,
                                                              const std::function<void(const FederatedPart&)>& onPart) {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return sendFederatedSealed(seal(query, options, targets, now), onPart);
}

Result<std::optional<QueryAnswer>> QueryClient::sendFederatedSealed(const std::vector<uint8_t>& envelope,
                                                                    const std::function<void(const FederatedPart&)>& onPart) {
  auto sent = decodeEnvelope(envelope);
  if (!sent) return sent.error();
  auto request = decodeRequest(sent->body);
  if (!request) return request.error();
  FederatedExpectation expected;
  expected.nodeKeys = &impl_->nodeKeys;
  expected.partnerKeys = &impl_->partnerKeys;
  expected.partnerKeyPeriods = &impl_->partnerKeyPeriods;
  expected.now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  expected.requestDigest = crypto::sha256(sent->body);
  expected.request = *request;
  const uint64_t knownSize = request->knownTreeSize;
  expected.checkLocalTreeHead = [this, knownSize](const Response& response) {
    return impl_->checkTreeHead(response, knownSize, *this);
  };
  FederatedStreamReader reader(std::move(expected), onPart);
  bool streamed = false;
  std::vector<uint8_t> whole;  // an answer that is not a stream: one signed response
  auto reply = impl_->http.postStreaming(
      impl_->pathPrefix + "/v1/query", "application/x-liaison-envelope", envelope,
      [&](std::span<const uint8_t> bytes) {
        if (!streamed) {
          whole.insert(whole.end(), bytes.begin(), bytes.end());
          return true;
        }
        return reader.feed(bytes).ok();
      },
      [&](unsigned status, const std::string& contentType) { streamed = status == 200 && contentType == kStreamType; });
  if (streamed) {
    if (Status finished = reader.finish(); !finished) return finished.error();
    if (!reply) return reply.error();
    return std::optional<QueryAnswer>{};
  }
  if (!reply) return reply.error();
  reply->body = std::move(whole);
  auto answer = impl_->verifyAnswer(*reply, *sent, *this);
  if (!answer) return answer.error();
  return std::optional<QueryAnswer>(std::move(*answer));
}

std::vector<uint8_t> QueryClient::sealAuditRead(const std::string& path, Timestamp issuedAt) const {
  return seal(AuditReadQuery{impl_->pathPrefix + path}, QueryOptions{}, issuedAt);
}

Result<net::HttpResponse> QueryClient::getSigned(const std::string& path) {
  const auto envelope = sealAuditRead(path, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  return impl_->http.get(impl_->pathPrefix + path, {{"Liaison-Request", crypto::base64(envelope)}});
}

TreeHeadStore& QueryClient::treeHeads() { return *impl_->heads; }

const std::string& QueryClient::nodeKeyId() const { return impl_->nodeKeyId; }

Result<TreeHead> QueryClient::openTreeHead(std::span<const uint8_t> envelope) const {
  auto opened = crypto::openEnvelope(envelope, MessageType::treeHead, impl_->nodeKeys);
  if (!opened) return fail(ErrorKind::notPermitted, "tree head is not signed by the node: " + opened.error().message);
  return decodeTreeHead(opened->value().body);
}

Result<std::pair<unsigned, std::string>> QueryClient::get(const std::string& path) {
  auto reply = impl_->http.get(impl_->pathPrefix + path);
  if (!reply) return reply.error();
  return std::pair<unsigned, std::string>{reply->status, std::string(reply->body.begin(), reply->body.end())};
}

}  // namespace liaison::client
