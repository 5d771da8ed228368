// Streamed responses and pooled connections over real TLS on loopback: a merged answer reaches the
// officer chunk by chunk as it is produced, a partner node is called over kept-alive connections
// lent from a pool, and neither a vanished client, a client that stops reading nor a stopping
// server can hold a producer or touch freed memory.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "node/net/https_client.h"
#include "node/net/https_client_pool.h"
#include "node/net/https_server.h"
#include "node/net/tls_identity.h"
#include "tests/wait.h"

namespace liaison::net {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using liaison::testing::waitUntil;
using Clock = std::chrono::steady_clock;
using Chunks = std::vector<std::vector<uint8_t>>;

std::vector<uint8_t> bytesOf(std::string_view text) { return {text.begin(), text.end()}; }
std::string textOf(std::span<const uint8_t> bytes) { return {bytes.begin(), bytes.end()}; }

template <typename T>
std::string messageOf(const Result<T>& result) {
  return result.ok() ? "" : result.error().message;
}

// `size` bytes that differ from chunk to chunk and within one, so that a lost, doubled or shifted
// byte shows.
std::vector<uint8_t> patternChunk(size_t index, size_t size) {
  std::vector<uint8_t> chunk(size);
  for (size_t i = 0; i < size; ++i) chunk[i] = static_cast<uint8_t>((index * 131 + i * 7 + i / 251) & 0xff);
  return chunk;
}

// What a client received through postStreaming, chunk by chunk; readable from other threads.
class ReceivedChunks {
 public:
  bool add(std::span<const uint8_t> chunk) {
    std::lock_guard lock(mutex_);
    chunks_.emplace_back(chunk.begin(), chunk.end());
    return true;
  }
  Chunks all() const {
    std::lock_guard lock(mutex_);
    return chunks_;
  }
  size_t count() const {
    std::lock_guard lock(mutex_);
    return chunks_.size();
  }

 private:
  mutable std::mutex mutex_;
  Chunks chunks_;
};

// A server and a client identity in a fresh directory, and options for both.
class StreamingFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "liaison-streaming-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir = pattern;
    ASSERT_TRUE(writeTlsIdentity(dir / "server", "node-a.liaison.test", 30).ok());
    ASSERT_TRUE(writeTlsIdentity(dir / "client", "node-b.liaison.test", 30).ok());
    Result<std::string> pin = spkiPinOfCertificateFile(tlsCertificatePath(dir / "server"));
    ASSERT_TRUE(pin.ok()) << messageOf(pin);
    serverPin = *pin;
  }

  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }

  ServerOptions serverOptions() const {
    ServerOptions options;
    options.certificateFile = tlsCertificatePath(dir / "server");
    options.keyFile = tlsKeyPath(dir / "server");
    options.requestDeadline = 3000ms;
    options.idleTimeout = 5000ms;
    return options;
  }

  ClientOptions clientOptions(const HttpsServer& server) const {
    ClientOptions options;
    options.host = "127.0.0.1";
    options.port = server.port();
    options.serverPin = serverPin;
    options.certificateFile = tlsCertificatePath(dir / "client");
    options.keyFile = tlsKeyPath(dir / "client");
    options.timeout = 10'000ms;
    return options;
  }

  fs::path dir;
  std::string serverPin;
};

// A handler whose response streams `produce`.
Handler streaming(std::function<void(const ChunkSink&)> produce) {
  return [produce](const HttpRequest&) {
    HttpResponse response{200, "application/x-liaison-results", bytesOf("ignored")};
    response.headers.emplace_back("Liaison-Query", "q-1");
    response.stream = produce;
    return response;
  };
}

// ---------------------------------------------------------------------------------------------
// Streamed responses

using HttpsStreaming = StreamingFixture;

TEST_F(HttpsStreaming, TheFirstChunkReachesTheClientBeforeTheProducerSendsTheSecond) {
  std::atomic<bool> clientHasFirst{false};
  std::atomic<bool> secondWaitedForFirst{false};
  HttpsServer server(serverOptions(), streaming([&](const ChunkSink& sink) {
    if (!sink(bytesOf("first partner answered"))) return;
    // Only a chunk that left the server can be in the client's hands.
    secondWaitedForFirst = waitUntil([&] { return clientHasFirst.load(); });
    sink(bytesOf("second partner answered"));
  }));
  ASSERT_TRUE(server.start().ok());
  HttpsClient client(clientOptions(server));

  ReceivedChunks received;
  Result<HttpResponse> response = client.postStreaming("/v1/queries", "application/x-liaison-envelope",
                                                       bytesOf("query"), [&](std::span<const uint8_t> chunk) {
                                                         if (textOf(chunk) == "first partner answered") {
                                                           clientHasFirst = true;
                                                         }
                                                         return received.add(chunk);
                                                       });
  ASSERT_TRUE(response.ok()) << messageOf(response);
  EXPECT_TRUE(secondWaitedForFirst);
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(response->contentType, "application/x-liaison-results");
  EXPECT_TRUE(response->body.empty());
  ASSERT_EQ(response->headers.size(), 1u);
  EXPECT_EQ(response->headers[0].first, "Liaison-Query");
  EXPECT_EQ(response->headers[0].second, "q-1");
  const Chunks chunks = received.all();
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(textOf(chunks[0]), "first partner answered");
  EXPECT_EQ(textOf(chunks[1]), "second partner answered");
}

TEST_F(HttpsStreaming, ManySmallAndLargeChunksArriveWhole) {
  // Sizes around TLS record (16 KiB) and read buffer boundaries, and past them.
  const std::vector<size_t> sizes = {1, 2, 17, 4095, 4096, 4097, 16383, 16384, 16385, 100'000, 700'000};
  Chunks sent;
  for (size_t i = 0; i < 300; ++i) sent.push_back(patternChunk(i, sizes[i % sizes.size()]));
  HttpsServer server(serverOptions(), streaming([&](const ChunkSink& sink) {
    for (const auto& chunk : sent) {
      if (!sink(chunk)) return;
      sink({});  // empty chunks are skipped: they would end the body
    }
  }));
  ASSERT_TRUE(server.start().ok());
  ClientOptions options = clientOptions(server);
  options.maxResponseBytes = 128u << 20;
  options.timeout = 60s;
  HttpsClient client(options);

  ReceivedChunks received;
  Result<HttpResponse> response = client.postStreaming(
      "/v1/queries", "application/octet-stream", bytesOf("q"),
      [&](std::span<const uint8_t> chunk) { return received.add(chunk); });
  ASSERT_TRUE(response.ok()) << messageOf(response);
  const Chunks chunks = received.all();
  ASSERT_EQ(chunks.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) ASSERT_EQ(chunks[i], sent[i]) << "chunk " << i;
}

TEST_F(HttpsStreaming, AConnectionStaysAliveAfterAStreamedResponse) {
  HttpsServer server(serverOptions(), [](const HttpRequest& request) {
    HttpResponse response{200, "text/plain", bytesOf("plain " + textOf(request.body))};
    if (request.target == "/stream") {
      response.stream = [body = textOf(request.body)](const ChunkSink& sink) {
        sink(bytesOf("streamed "));
        sink(bytesOf(body));
      };
    }
    return response;
  });
  ASSERT_TRUE(server.start().ok());
  HttpsClient client(clientOptions(server));

  for (int i = 0; i < 3; ++i) {
    std::string joined;
    Result<HttpResponse> streamed =
        client.postStreaming("/stream", "text/plain", bytesOf(std::to_string(i)), [&](std::span<const uint8_t> chunk) {
          joined += textOf(chunk);
          return true;
        });
    ASSERT_TRUE(streamed.ok()) << messageOf(streamed);
    EXPECT_EQ(joined, "streamed " + std::to_string(i));
    Result<HttpResponse> plain = client.post("/plain", "text/plain", bytesOf(std::to_string(i)));
    ASSERT_TRUE(plain.ok()) << messageOf(plain);
    EXPECT_EQ(textOf(plain->body), "plain " + std::to_string(i));
  }
  EXPECT_EQ(client.handshakes(), 1u);
  EXPECT_EQ(server.acceptedConnections(), 1u);
}

TEST_F(HttpsStreaming, PostStreamingHandsANonStreamedBodyOverWhole) {
  HttpsServer server(serverOptions(), [](const HttpRequest& request) {
    if (request.target == "/empty") return HttpResponse{204, "text/plain", {}};
    return HttpResponse{201, "text/plain", bytesOf("the whole answer")};
  });
  ASSERT_TRUE(server.start().ok());
  HttpsClient client(clientOptions(server));

  ReceivedChunks received;
  auto collect = [&](std::span<const uint8_t> chunk) { return received.add(chunk); };
  Result<HttpResponse> response = client.postStreaming("/whole", "text/plain", bytesOf("q"), collect);
  ASSERT_TRUE(response.ok()) << messageOf(response);
  EXPECT_EQ(response->status, 201u);
  EXPECT_TRUE(response->body.empty());
  ASSERT_EQ(received.count(), 1u);
  EXPECT_EQ(textOf(received.all()[0]), "the whole answer");

  Result<HttpResponse> empty = client.postStreaming("/empty", "text/plain", bytesOf("q"), collect);
  ASSERT_TRUE(empty.ok()) << messageOf(empty);
  EXPECT_EQ(empty->status, 204u);
  EXPECT_EQ(received.count(), 1u);  // nothing to hand over
}

TEST_F(HttpsStreaming, AStreamedResponseOverTheResponseLimitIsRefused) {
  std::atomic<bool> sinkRefused{false};
  HttpsServer server(serverOptions(), streaming([&](const ChunkSink& sink) {
    // Until the client hangs up; bounded all the same.
    for (int i = 0; i < 100'000; ++i) {
      if (!sink(std::vector<uint8_t>(300, 'x'))) {
        sinkRefused = true;
        return;
      }
    }
  }));
  ASSERT_TRUE(server.start().ok());
  ClientOptions options = clientOptions(server);
  options.maxResponseBytes = 1000;
  HttpsClient client(options);

  size_t handedOver = 0;
  Result<HttpResponse> response =
      client.postStreaming("/v1/queries", "text/plain", bytesOf("q"), [&](std::span<const uint8_t> chunk) {
        handedOver += chunk.size();
        return true;
      });
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().kind, ErrorKind::invalidInput);
  EXPECT_NE(response.error().message.find("1000-byte limit"), std::string::npos) << response.error().message;
  EXPECT_LE(handedOver, 1000u);
  // The client closed the connection: the producer finds out instead of writing on.
  EXPECT_TRUE(waitUntil([&] { return sinkRefused.load(); }));
}

TEST_F(HttpsStreaming, AChunkDeclaredLargerThanTheResponseLimitIsRefusedBeforeItIsRead) {
  HttpsServer server(serverOptions(), streaming([](const ChunkSink& sink) { sink(std::vector<uint8_t>(2000, 'x')); }));
  ASSERT_TRUE(server.start().ok());
  ClientOptions options = clientOptions(server);
  options.maxResponseBytes = 1000;
  HttpsClient client(options);

  bool handedOver = false;
  Result<HttpResponse> response =
      client.postStreaming("/v1/queries", "text/plain", bytesOf("q"), [&](std::span<const uint8_t>) {
        handedOver = true;
        return true;
      });
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().kind, ErrorKind::invalidInput);
  EXPECT_FALSE(handedOver);
}

TEST_F(HttpsStreaming, TheClientTimeoutBoundsTheWholeStreamNotEachRead) {
  std::atomic<bool> clientGaveUp{false};
  HttpsServer server(serverOptions(), streaming([&](const ChunkSink& sink) {
    // A partner that keeps trickling: each chunk comes well within any per-read timeout.
    for (int i = 0; i < 3000 && !clientGaveUp; ++i) {
      if (!sink(bytesOf("tick"))) return;
      std::this_thread::sleep_for(10ms);  // paces the producer; asserts nothing
    }
  }));
  ASSERT_TRUE(server.start().ok());
  ClientOptions options = clientOptions(server);
  options.timeout = 500ms;
  HttpsClient client(options);

  int ticks = 0;
  const auto start = Clock::now();
  Result<HttpResponse> response =
      client.postStreaming("/v1/queries", "text/plain", bytesOf("q"), [&](std::span<const uint8_t>) {
        ++ticks;
        return true;
      });
  const auto took = Clock::now() - start;
  clientGaveUp = true;
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().kind, ErrorKind::unavailable);
  EXPECT_NE(response.error().message.find("timed out"), std::string::npos) << response.error().message;
  EXPECT_GT(ticks, 0);
  EXPECT_LT(took, 5s);
}

TEST_F(HttpsStreaming, OnBodyReturningFalseAbortsAndTheClientReconnectsForTheNextRequest) {
  HttpsServer server(serverOptions(), streaming([](const ChunkSink& sink) {
    for (int i = 0; i < 5 && sink(bytesOf("chunk " + std::to_string(i))); ++i) {
    }
  }));
  ASSERT_TRUE(server.start().ok());
  HttpsClient client(clientOptions(server));

  int calls = 0;
  Result<HttpResponse> aborted = client.postStreaming("/v1/queries", "text/plain", bytesOf("q"),
                                                      [&](std::span<const uint8_t>) { return ++calls < 2; });
  ASSERT_FALSE(aborted.ok());
  EXPECT_EQ(aborted.error().kind, ErrorKind::unavailable);
  EXPECT_NE(aborted.error().message.find("aborted by the caller"), std::string::npos) << aborted.error().message;
  EXPECT_EQ(calls, 2);  // nothing after the refusal, and no second attempt

  // The aborted connection is gone; the next request makes a new one.
  Result<HttpResponse> next = client.postStreaming("/v1/queries", "text/plain", bytesOf("q"),
                                                   [](std::span<const uint8_t>) { return true; });
  ASSERT_TRUE(next.ok()) << messageOf(next);
  EXPECT_EQ(client.handshakes(), 2u);
}

TEST_F(HttpsStreaming, AClientThatDisconnectsMidStreamMakesTheSinkReturnFalse) {
  std::promise<Clock::duration> refusedAfterDisconnect;
  std::atomic<bool> disconnected{false};
  std::atomic<Clock::rep> disconnectedAt{0};
  HttpsServer server(serverOptions(), streaming([&](const ChunkSink& sink) {
    if (!sink(bytesOf("first"))) return;
    ASSERT_TRUE(waitUntil([&] { return disconnected.load(); }));
    // Bounded: a sink that never notices would end the loop with a visible failure, not hang.
    for (int i = 0; i < 10'000; ++i) {
      if (!sink(std::vector<uint8_t>(1024, 'y'))) {
        refusedAfterDisconnect.set_value(Clock::now().time_since_epoch() - Clock::duration(disconnectedAt.load()));
        return;
      }
      std::this_thread::sleep_for(1ms);  // paces the producer; asserts nothing
    }
  }));
  ASSERT_TRUE(server.start().ok());
  std::future<Clock::duration> refused = refusedAfterDisconnect.get_future();
  {
    HttpsClient client(clientOptions(server));
    Result<HttpResponse> response = client.postStreaming("/v1/queries", "text/plain", bytesOf("q"),
                                                         [](std::span<const uint8_t>) { return false; });
    ASSERT_FALSE(response.ok());
  }  // the connection is closed
  disconnectedAt = Clock::now().time_since_epoch().count();
  disconnected = true;
  ASSERT_EQ(refused.wait_for(10s), std::future_status::ready);
  EXPECT_LT(refused.get(), 5s);
}

TEST_F(HttpsStreaming, AClientThatStopsReadingMakesTheSinkReturnFalseAtTheRequestDeadline) {
  ServerOptions options = serverOptions();
  options.requestDeadline = 500ms;
  std::atomic<bool> producerDone{false};
  std::atomic<bool> refused{false};
  std::atomic<int> written{0};
  HttpsServer server(options, streaming([&](const ChunkSink& sink) {
    // Far more than the socket buffers hold; bounded all the same.
    for (int i = 0; i < 4096 && !refused; ++i) {
      if (sink(std::vector<uint8_t>(64 * 1024, 'z'))) {
        ++written;
      } else {
        refused = true;
      }
    }
    producerDone = true;
  }));
  ASSERT_TRUE(server.start().ok());
  ClientOptions clientSide = clientOptions(server);
  clientSide.maxResponseBytes = 1u << 30;
  clientSide.timeout = 30s;
  HttpsClient client(clientSide);

  const auto start = Clock::now();
  Result<HttpResponse> response =
      client.postStreaming("/v1/queries", "text/plain", bytesOf("q"), [&](std::span<const uint8_t>) {
        // Stops reading: the server's writes back up until they time out.
        waitUntil([&] { return producerDone.load(); }, 20s);
        return false;
      });
  EXPECT_FALSE(response.ok());
  EXPECT_TRUE(refused);
  EXPECT_LT(written, 4096);
  EXPECT_LT(Clock::now() - start, 15s);
}

TEST_F(HttpsStreaming, AnExceptionFromTheProducerCutsTheBodyOffAndClosesTheConnection) {
  HttpsServer server(serverOptions(), streaming([](const ChunkSink& sink) {
    sink(bytesOf("partial answer"));
    throw std::runtime_error("partner record TD-X1234567 unreadable");
  }));
  ASSERT_TRUE(server.start().ok());
  HttpsClient client(clientOptions(server));

  std::string joined;
  Result<HttpResponse> response =
      client.postStreaming("/v1/queries", "text/plain", bytesOf("q"), [&](std::span<const uint8_t> chunk) {
        joined += textOf(chunk);
        return true;
      });
  ASSERT_FALSE(response.ok());  // never a complete-looking answer
  EXPECT_EQ(response.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(joined, "partial answer");
  EXPECT_TRUE(waitUntil([&] { return server.activeConnections() == 0; }));
}

TEST_F(HttpsStreaming, AStreamWithAnUnsafeHeaderIsAnswered500AndItsSinkRefusesAtOnce) {
  // Set only once the sink has answered, so waiting on it never reads the value before the producer wrote it.
  enum SinkAnswer : int { notYet, accepted, refused };
  std::atomic<int> sinkAnswer{notYet};
  HttpsServer server(serverOptions(), [&](const HttpRequest&) {
    HttpResponse response{200, "text/plain", {}};
    response.headers.emplace_back("Liaison-Query", "q-1\r\nSet-Cookie: x");
    response.stream = [&](const ChunkSink& sink) {
      sinkAnswer = sink(bytesOf("never sent")) ? accepted : refused;
    };
    return response;
  });
  ASSERT_TRUE(server.start().ok());
  HttpsClient client(clientOptions(server));

  std::string joined;
  Result<HttpResponse> response =
      client.postStreaming("/v1/queries", "text/plain", bytesOf("q"), [&](std::span<const uint8_t> chunk) {
        joined += textOf(chunk);
        return true;
      });
  ASSERT_TRUE(response.ok()) << messageOf(response);
  EXPECT_EQ(response->status, 500u);
  EXPECT_EQ(joined.find("never sent"), std::string::npos);
  EXPECT_TRUE(waitUntil([&] { return sinkAnswer.load() != notYet; }));
  EXPECT_EQ(sinkAnswer.load(), refused);
}

TEST_F(HttpsStreaming, StopDuringAStreamReturnsPromptly) {
  ServerOptions options = serverOptions();
  options.requestDeadline = 20s;  // stop() must not wait this out
  std::atomic<bool> sinkRefused{false};
  HttpsServer server(options, streaming([&](const ChunkSink& sink) {
    for (int i = 0; i < 20'000; ++i) {
      if (!sink(bytesOf("still merging " + std::to_string(i)))) {
        sinkRefused = true;
        return;
      }
      std::this_thread::sleep_for(1ms);  // paces the producer; asserts nothing
    }
  }));
  ASSERT_TRUE(server.start().ok());

  ReceivedChunks received;
  std::optional<Result<HttpResponse>> response;
  std::thread officer([&] {
    HttpsClient client(clientOptions(server));
    response.emplace(client.postStreaming("/v1/queries", "text/plain", bytesOf("q"),
                                          [&](std::span<const uint8_t> chunk) { return received.add(chunk); }));
  });
  ASSERT_TRUE(waitUntil([&] { return received.count() > 0; }));
  const auto start = Clock::now();
  server.stop();
  EXPECT_LT(Clock::now() - start, 2s);
  officer.join();
  EXPECT_TRUE(sinkRefused);
  ASSERT_TRUE(response.has_value());
  EXPECT_FALSE(response->ok());  // cut off: the officer does not take it for the whole answer
  EXPECT_EQ(server.activeConnections(), 0u);
}

TEST_F(HttpsStreaming, AProducerThatOutlivesTheServerFindsItsSinkClosed) {
  std::atomic<bool> firstSent{false};
  std::atomic<bool> producerSawFalse{false};
  std::atomic<int> acceptedAfterFalse{0};
  std::atomic<int> callsAfterFalse{0};
  std::thread producer;
  auto server = std::make_unique<HttpsServer>(serverOptions(), streaming([&](const ChunkSink& sink) {
    // The producer owns a copy of the sink and runs on its own thread, past the server's end.
    producer = std::thread([&, sink] {
      firstSent = sink(bytesOf("first"));
      for (int i = 0; i < 10'000 && !producerSawFalse; ++i) {
        producerSawFalse = !sink(bytesOf("more"));
        std::this_thread::sleep_for(1ms);  // paces the producer; asserts nothing
      }
      for (int i = 0; i < 200; ++i) {
        acceptedAfterFalse += sink(bytesOf("after")) ? 1 : 0;
        ++callsAfterFalse;
        std::this_thread::sleep_for(1ms);
      }
    });
    waitUntil([&] { return producerSawFalse.load(); });
  }));
  ASSERT_TRUE(server->start().ok());

  std::atomic<bool> officerCutOff{false};
  std::thread officer([&, options = clientOptions(*server)] {
    HttpsClient client(options);
    officerCutOff = !client.postStreaming("/v1/queries", "text/plain", bytesOf("q"), [](std::span<const uint8_t>) {
                       return true;
                     }).ok();
  });
  ASSERT_TRUE(waitUntil([&] { return firstSent.load(); }));
  const auto start = Clock::now();
  server.reset();  // stop() and free everything while the producer still calls the sink
  EXPECT_LT(Clock::now() - start, 2s);
  officer.join();
  producer.join();
  EXPECT_TRUE(officerCutOff);
  EXPECT_TRUE(producerSawFalse);
  EXPECT_EQ(callsAfterFalse, 200);
  EXPECT_EQ(acceptedAfterFalse, 0);
}

// ---------------------------------------------------------------------------------------------
// The client pool

// An echo server, running, for the pool's clients to call.
class HttpsPool : public StreamingFixture {
 protected:
  void SetUp() override {
    StreamingFixture::SetUp();
    server.emplace(serverOptions(), [](const HttpRequest& request) {
      return HttpResponse{200, "text/plain", request.body};
    });
    ASSERT_TRUE(server->start().ok());
  }

  std::optional<HttpsServer> server;
};

TEST_F(HttpsPool, AHundredSequentialRequestsCostOneHandshake) {
  HttpsClientPool pool(clientOptions(*server));

  for (int i = 0; i < 100; ++i) {
    HttpsClientPool::Lease lease = pool.acquire();
    const std::string body = "request " + std::to_string(i);
    Result<HttpResponse> response = lease->post("/echo", "text/plain", bytesOf(body));
    ASSERT_TRUE(response.ok()) << i << ": " << messageOf(response);
    ASSERT_EQ(textOf(response->body), body);
  }
  EXPECT_EQ(pool.handshakes(), 1u);
  EXPECT_EQ(server->acceptedConnections(), 1u);
  EXPECT_EQ(pool.idleClients(), 1u);
}

// Four threads each make `requests` calls through `pool`, discarding the lease every
// `discardEvery`-th call (0: never); returns how many answers were wrong.
int callInParallel(HttpsClientPool& pool, int requests, int discardEvery) {
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < requests; ++r) {
        HttpsClientPool::Lease lease = pool.acquire();
        const std::string body = "thread " + std::to_string(t) + " request " + std::to_string(r);
        Result<HttpResponse> response = lease->post("/echo", "text/plain", bytesOf(body));
        if (!response.ok() || textOf(response->body) != body) ++wrong;
        if (discardEvery > 0 && r % discardEvery == discardEvery - 1) lease.discard();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  return wrong;
}

TEST_F(HttpsPool, FourThreadsShareAtMostFourConnections) {
  HttpsClientPool pool(clientOptions(*server));

  EXPECT_EQ(callInParallel(pool, 50, 0), 0);
  EXPECT_LE(pool.handshakes(), 4u);
  EXPECT_GE(pool.handshakes(), 1u);
  EXPECT_EQ(pool.handshakes(), server->acceptedConnections());
}

TEST_F(HttpsPool, DiscardedClientsAreCountedAndReplaced) {
  HttpsClientPool pool(clientOptions(*server));

  EXPECT_EQ(callInParallel(pool, 50, 10), 0);
  // 20 leases were discarded after one request each at least; each made its own connection.
  EXPECT_GE(pool.handshakes(), 20u);
  EXPECT_LE(pool.handshakes(), 24u);
  EXPECT_EQ(pool.handshakes(), server->acceptedConnections());
}

TEST_F(HttpsPool, ADiscardedLeaseIsNotLentAgain) {
  HttpsClientPool pool(clientOptions(*server));

  {
    HttpsClientPool::Lease lease = pool.acquire();
    ASSERT_TRUE(lease->post("/echo", "text/plain", bytesOf("a")).ok());
    lease.discard();
  }
  EXPECT_EQ(pool.idleClients(), 0u);
  {
    HttpsClientPool::Lease lease = pool.acquire();
    EXPECT_EQ(lease->handshakes(), 0u);  // a new client, not the discarded one
    ASSERT_TRUE(lease->post("/echo", "text/plain", bytesOf("b")).ok());
  }
  EXPECT_EQ(pool.idleClients(), 1u);
  {
    HttpsClientPool::Lease moved = pool.acquire();
    HttpsClientPool::Lease lease = std::move(moved);  // the lease, not the client, moves
    EXPECT_EQ(lease->handshakes(), 1u);               // the one returned, still connected
    ASSERT_TRUE(lease->post("/echo", "text/plain", bytesOf("c")).ok());
  }
  EXPECT_EQ(pool.idleClients(), 1u);
  EXPECT_EQ(pool.handshakes(), 2u);
  EXPECT_EQ(server->acceptedConnections(), 2u);
}

TEST_F(HttpsPool, KeepsNoMoreIdleClientsThanItsLimit) {
  HttpsClientPool pool(clientOptions(*server), /*maxIdleClients=*/2);

  {
    std::vector<HttpsClientPool::Lease> leases;
    for (int i = 0; i < 4; ++i) {
      leases.push_back(pool.acquire());
      ASSERT_TRUE(leases.back()->post("/echo", "text/plain", bytesOf("x")).ok());
    }
  }
  EXPECT_EQ(pool.idleClients(), 2u);
  EXPECT_EQ(pool.handshakes(), 4u);  // the two closed still count
}

}  // namespace
}  // namespace liaison::net
