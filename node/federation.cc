#include "node/federation.h"

#include <sodium.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "crypto/digest.h"
#include "crypto/envelope.h"
#include "crypto/keys.h"
#include "schema/codec.h"

namespace liaison::node {
namespace {

// How long a forwarded request stays valid at the partner: long enough for clocks a little apart,
// never longer than the officer's own request.
constexpr std::chrono::seconds kForwardedValidity{120};

// The answers of one federated request as they come in; shared with the calls, which may outlive
// the wait (a partner past the deadline).
struct Arrivals {
  std::mutex mutex;
  std::condition_variable arrived;
  std::deque<ForwardedAnswer> answers;  // settled, for the caller to hand on
  size_t settling = 0;     // answers taken for settling (a partner's thread), whether done or not
  bool abandoned = false;  // the deadline passed: answers not yet taken are dropped
};

}  // namespace

struct Federation::Impl {
  std::string member;
  const crypto::SecretKey& nodeKey;
  FederationOptions options;
  std::function<Timestamp()> clock;

  mutable std::mutex partnersMutex{};
  std::map<std::string, std::shared_ptr<client::PartnerClient>> partners{};  // guarded by partnersMutex
  uint64_t retiredHandshakes = 0;                                          // of partners replaced

  // A fixed set of threads runs the calls; a call never waits for another.
  std::mutex tasksMutex{};
  std::condition_variable tasksReady{};
  std::deque<std::function<void()>> tasks{};
  bool stopping = false;
  std::vector<std::thread> threads{};

  void run() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(tasksMutex);
        tasksReady.wait(lock, [&] { return stopping || !tasks.empty(); });
        if (tasks.empty()) return;  // stopping, and nothing left
        task = std::move(tasks.front());
        tasks.pop_front();
      }
      task();
    }
  }

  void submit(std::function<void()> task) {
    {
      std::lock_guard lock(tasksMutex);
      tasks.push_back(std::move(task));
    }
    tasksReady.notify_one();
  }

  std::vector<uint8_t> sealForwarded(const Request& officerRequest, const Digest& officerDigest, uint64_t knownTreeSize,
                                     Timestamp now) const {
    Request forwarded;
    randombytes_buf(forwarded.requestId.data(), forwarded.requestId.size());
    randombytes_buf(forwarded.nonce.data(), forwarded.nonce.size());
    forwarded.issuedAt = now;
    forwarded.expiresAt = std::max(now + std::chrono::seconds(1), std::min(now + kForwardedValidity, officerRequest.expiresAt));
    forwarded.requester = member;
    forwarded.officer = officerRequest.officer;
    forwarded.query = officerRequest.query;
    forwarded.knownTreeSize = knownTreeSize;
    forwarded.onBehalfOf = officerDigest;
    return crypto::sealEnvelope(MessageType::request, encodeRequest(forwarded), nodeKey);
  }
};

Federation::Federation(std::string member, const crypto::SecretKey& nodeKey, FederationOptions options,
                       std::function<Timestamp()> clock)
    : impl_(new Impl{std::move(member), nodeKey, std::move(options), std::move(clock)}) {
  const size_t count = std::max<size_t>(1, impl_->options.threads);
  for (size_t i = 0; i < count; ++i) impl_->threads.emplace_back([this] { impl_->run(); });
}

Federation::~Federation() {
  {
    std::lock_guard lock(impl_->tasksMutex);
    impl_->stopping = true;
  }
  impl_->tasksReady.notify_all();
  for (auto& thread : impl_->threads) thread.join();
}

std::vector<std::string> Federation::usePartners(const std::vector<client::PartnerNode>& partners) {
  std::vector<std::string> problems;
  std::map<std::string, std::shared_ptr<client::PartnerClient>> next;
  std::lock_guard lock(impl_->partnersMutex);
  for (const client::PartnerNode& partner : partners) {
    if (partner.endpoint.empty()) continue;  // listed, but not asked: it has no node to call
    auto kept = impl_->partners.find(partner.member);
    if (kept != impl_->partners.end() && kept->second->sameAs(partner)) {
      next.emplace(partner.member, kept->second);
      continue;
    }
    auto created = client::PartnerClient::create(partner, impl_->options.call);
    if (!created) {
      problems.push_back(created.error().message);
      continue;
    }
    next.emplace(partner.member, std::shared_ptr<client::PartnerClient>(std::move(*created)));
  }
  for (const auto& [name, old] : impl_->partners) {
    auto now = next.find(name);
    if (now == next.end() || now->second != old) impl_->retiredHandshakes += old->handshakes();
  }
  impl_->partners = std::move(next);
  return problems;
}

std::vector<std::string> Federation::partners() const {
  std::lock_guard lock(impl_->partnersMutex);
  std::vector<std::string> names;
  for (const auto& [name, client] : impl_->partners) names.push_back(name);
  return names;
}

std::chrono::milliseconds Federation::deadline() const { return impl_->options.deadline; }

uint64_t Federation::handshakes() const {
  std::lock_guard lock(impl_->partnersMutex);
  uint64_t total = impl_->retiredHandshakes;
  for (const auto& [name, client] : impl_->partners) total += client->handshakes();
  return total;
}

void Federation::forward(const Request& officerRequest, const Digest& officerDigest,
                         const std::vector<std::string>& partners,
                         const std::function<void(ForwardedAnswer&)>& settle,
                         const std::function<void(ForwardedAnswer)>& onAnswer) {
  const auto until = std::chrono::steady_clock::now() + impl_->options.deadline;
  auto arrivals = std::make_shared<Arrivals>();
  // The partners' threads call `settle` only once they have counted themselves in `settling`
  // before `abandoned` was set, and forward() waits for every one of those: a late call drops its
  // answer without touching `settle`, which may be gone by then.
  const std::function<void(ForwardedAnswer&)>* settleOnArrival = &settle;
  auto handOn = [&](ForwardedAnswer answer) {
    if (settle) settle(answer);
    onAnswer(std::move(answer));
  };
  std::vector<ForwardedAnswer> waiting;  // what each partner gets if it does not answer in time
  for (const std::string& name : partners) {
    std::shared_ptr<client::PartnerClient> partner;
    {
      std::lock_guard lock(impl_->partnersMutex);
      if (auto it = impl_->partners.find(name); it != impl_->partners.end()) partner = it->second;
    }
    ForwardedAnswer answer;
    answer.partner = name;
    if (!partner) {  // gone with a directory replaced since the decision
      answer.reply.status = PartnerStatus::unreachable;
      answer.reply.detail = "no longer a partner of this node";
      handOn(std::move(answer));
      continue;
    }
    const Timestamp now = impl_->clock();
    const uint64_t known = partner->knownTreeSize();
    answer.forwardedEnvelope = impl_->sealForwarded(officerRequest, officerDigest, known, now);
    auto sealed = decodeEnvelope(answer.forwardedEnvelope);
    answer.forwardedDigest = crypto::sha256(sealed->body);
    waiting.push_back(answer);
    impl_->submit([partner, arrivals, settleOnArrival, answer = std::move(answer), known, clock = impl_->clock]() mutable {
      answer.reply = partner->call(answer.forwardedEnvelope, answer.forwardedDigest, known, clock());
      {
        std::lock_guard lock(arrivals->mutex);
        if (arrivals->abandoned) return;  // timed out already, and settled as such
        ++arrivals->settling;
      }
      if (*settleOnArrival) (*settleOnArrival)(answer);
      {
        std::lock_guard lock(arrivals->mutex);
        arrivals->answers.push_back(std::move(answer));
      }
      arrivals->arrived.notify_all();
    });
  }
  const size_t asked = waiting.size();
  size_t handedOn = 0;
  std::unique_lock lock(arrivals->mutex);
  const auto ready = [&] { return !arrivals->answers.empty(); };
  while (handedOn < asked) {
    if (!arrivals->abandoned) {
      if (!arrivals->arrived.wait_until(lock, until, ready)) {
        arrivals->abandoned = true;  // from now on only the answers being settled still come
        continue;
      }
    } else {
      if (handedOn == arrivals->settling) break;  // the others are timed out below
      arrivals->arrived.wait(lock, ready);
    }
    ForwardedAnswer answer = std::move(arrivals->answers.front());
    arrivals->answers.pop_front();
    ++handedOn;
    std::erase_if(waiting, [&](const ForwardedAnswer& w) { return w.partner == answer.partner; });
    lock.unlock();
    onAnswer(std::move(answer));
    lock.lock();
  }
  arrivals->abandoned = true;
  lock.unlock();
  for (ForwardedAnswer& late : waiting) {
    late.reply.status = PartnerStatus::timedOut;
    late.reply.detail = "no answer within " + std::to_string(impl_->options.deadline.count()) + " ms";
    handOn(std::move(late));
  }
}

}  // namespace liaison::node
