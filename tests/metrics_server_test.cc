// The plain-HTTP metrics listener on loopback: GET /metrics and nothing else, within its limits.
#include "node/net/metrics_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>

#include "tests/loopback.h"

namespace liaison::net {
namespace {

using namespace std::chrono_literals;

std::string exchange(uint16_t port, const std::string& request) {
  return testing::plainHttpExchange(port, request);
}

class MetricsListener : public ::testing::Test {
 protected:
  void SetUp() override {
    MetricsServerOptions options;
    options.port = 0;
    options.deadline = 300ms;
    options.maxHeaderBytes = 1024;
    server_ = std::make_unique<MetricsServer>(options, [this] {
      ++scrapes_;
      return std::string("liaison_requests_total{kind=\"check-document\",decision=\"permitted\"} 3\n");
    });
    ASSERT_TRUE(server_->start().ok());
  }

  std::atomic<int> scrapes_{0};
  std::unique_ptr<MetricsServer> server_;
};

TEST_F(MetricsListener, AnswersGetMetricsWithThePrometheusTextAndCloses) {
  const std::string answer = exchange(server_->port(), "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find("Content-Type: text/plain; version=0.0.4"), std::string::npos) << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
  EXPECT_NE(answer.find("decision=\"permitted\"} 3\n"), std::string::npos) << answer;
  EXPECT_EQ(scrapes_, 1);
}

TEST_F(MetricsListener, AnswersNothingButGetMetrics) {
  const std::pair<const char*, const char*> cases[] = {
      {"GET /v1/query HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 404 "},
      {"GET /metrics/../v1/audit/sth HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 404 "},
      {"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 405 "},
      {"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", "HTTP/1.1 400 "},
      {"GARBAGE\r\n\r\n", "HTTP/1.1 400 "},
  };
  for (const auto& [request, status] : cases) {
    const std::string answer = exchange(server_->port(), request);
    EXPECT_EQ(answer.rfind(status, 0), 0u) << request << " got: " << answer;
  }
  EXPECT_EQ(scrapes_, 0) << "nothing but GET /metrics produces the metrics";
}

TEST_F(MetricsListener, AnOversizedHeaderGets431) {
  const std::string answer = exchange(
      server_->port(), "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(2000, 'a') + "\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 431 ", 0), 0u) << answer;
  EXPECT_EQ(scrapes_, 0);
}

TEST_F(MetricsListener, ASilentOrSlowClientIsCutOffAtTheDeadline) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(exchange(server_->port(), ""), "");  // says nothing; returns when the server closes
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 250ms);
  EXPECT_LT(waited, 3000ms);
  // Half a request and then silence: cut off at the same deadline, nothing answered.
  EXPECT_EQ(exchange(server_->port(), "GET /metr"), "");
  // And the listener still serves.
  EXPECT_EQ(exchange(server_->port(), "GET /metrics HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 200 ", 0), 0u);
}

TEST_F(MetricsListener, ConnectionsBeyondItsLimitAreClosedAtOnce) {
  MetricsServerOptions options;
  options.port = 0;
  options.maxConnections = 2;
  options.deadline = 10'000ms;
  MetricsServer small(options, [] { return std::string("x 1\n"); });
  ASSERT_TRUE(small.start().ok());
  testing::Socket first(testing::connectLoopback(small.port()));
  testing::Socket second(testing::connectLoopback(small.port()));
  // Both are held open, silent, until the deadline; a third is closed as soon as it is accepted.
  const auto start = std::chrono::steady_clock::now();
  bool closedAtOnce = false;
  for (int attempt = 0; attempt < 50 && !closedAtOnce; ++attempt) {
    testing::Socket third(testing::connectLoopback(small.port(), 2000ms));
    closedAtOnce = testing::peerCloses(third);
  }
  EXPECT_TRUE(closedAtOnce);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5000ms);
}

TEST_F(MetricsListener, APortInUseIsNamedAndStopIsIdempotent) {
  MetricsServerOptions clash;
  clash.port = server_->port();
  MetricsServer second(clash, [] { return std::string(); });
  Status started = second.start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().message.find("cannot bind to 127.0.0.1:" + std::to_string(server_->port())),
            std::string::npos)
      << started.error().message;
  testing::Socket open(testing::connectLoopback(server_->port()));  // cut off by the stop
  server_->stop();
  server_->stop();
  EXPECT_TRUE(testing::peerCloses(open));
  testing::Socket after(testing::connectLoopback(server_->port()));
  EXPECT_LT(after.get(), 0) << "stop closes the listening socket";
}

}  // namespace
}  // namespace liaison::net
