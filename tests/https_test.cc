// The HTTPS transport over loopback: TLS identities and pins, the tls-cert/tls-pin commands, round
// trips with and without client certificates, keep-alive, limits, deadlines, and a graceful stop.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "node/net/https_client.h"
#include "node/net/https_server.h"
#include "node/net/tls_identity.h"
#include "node/cli/command_line.h"
#include "tests/loopback.h"
#include "tests/wait.h"

namespace liaison::net {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using liaison::testing::waitUntil;
using testing::connectLoopback;
using testing::peerCloses;
using testing::Socket;
using Clock = std::chrono::steady_clock;

std::vector<uint8_t> bytesOf(std::string_view text) { return {text.begin(), text.end()}; }
std::string textOf(const std::vector<uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

mode_t modeOf(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool connectionRefused(uint16_t port) {
  int fd = connectLoopback(port);
  if (fd >= 0) ::close(fd);
  return fd < 0 && errno == ECONNREFUSED;
}

// A plain OpenSSL client with version bounds of our choosing and no verification, for what
// HttpsClient deliberately cannot do: speak TLS 1.2, or send a request head by hand.
class RawTlsClient {
 public:
  RawTlsClient(uint16_t port, int maxVersion) : socket_(connectLoopback(port)) {
    std::signal(SIGPIPE, SIG_IGN);  // a write to a closed socket should fail, not end the test run
    context_.reset(SSL_CTX_new(TLS_client_method()));
    SSL_CTX_set_min_proto_version(context_.get(), TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(context_.get(), maxVersion);
    SSL_CTX_set_verify(context_.get(), SSL_VERIFY_NONE, nullptr);
    connection_.reset(SSL_new(context_.get()));
    SSL_set_fd(connection_.get(), socket_.get());
  }

  bool handshake() { return socket_.get() >= 0 && SSL_connect(connection_.get()) == 1; }
  int version() const { return SSL_version(connection_.get()); }

  bool send(std::string_view text) {
    return SSL_write(connection_.get(), text.data(), static_cast<int>(text.size())) ==
           static_cast<int>(text.size());
  }

  // Everything the server sends until it closes the connection.
  std::string receiveAll() {
    std::string received;
    char chunk[4096];
    for (int n; (n = SSL_read(connection_.get(), chunk, sizeof chunk)) > 0;) received.append(chunk, n);
    return received;
  }

 private:
  struct FreeContext {
    void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
  };
  struct FreeConnection {
    void operator()(SSL* connection) const { SSL_free(connection); }
  };
  Socket socket_;
  std::unique_ptr<SSL_CTX, FreeContext> context_;
  std::unique_ptr<SSL, FreeConnection> connection_;
};

struct Identity {
  fs::path certificate;
  fs::path key;
  std::string pin;
};

// A fresh directory per test, with a server and a client identity in it.
class HttpsFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "liaison-https-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir = pattern;
    serverIdentity = makeIdentity("server", "node-a.liaison.test");
    clientIdentity = makeIdentity("client", "node-b.liaison.test");
  }

  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }

  Identity makeIdentity(const std::string& name, const std::string& commonName) {
    fs::path prefix = dir / name;
    Status written = writeTlsIdentity(prefix, commonName, 30);
    EXPECT_TRUE(written.ok()) << (written.ok() ? "" : written.error().message);
    Result<std::string> pin = spkiPinOfCertificateFile(tlsCertificatePath(prefix));
    EXPECT_TRUE(pin.ok()) << (pin.ok() ? "" : pin.error().message);
    return {tlsCertificatePath(prefix), tlsKeyPath(prefix), pin.ok() ? *pin : ""};
  }

  ServerOptions serverOptions() const {
    ServerOptions options;
    options.certificateFile = serverIdentity.certificate;
    options.keyFile = serverIdentity.key;
    options.requestDeadline = 3000ms;
    options.idleTimeout = 5000ms;
    return options;
  }

  ClientOptions clientOptions(const HttpsServer& server, bool withCertificate) const {
    ClientOptions options;
    options.host = "127.0.0.1";
    options.port = server.port();
    options.serverPin = serverIdentity.pin;
    options.timeout = 5000ms;
    if (withCertificate) {
      options.certificateFile = clientIdentity.certificate;
      options.keyFile = clientIdentity.key;
    }
    return options;
  }

  fs::path dir;
  Identity serverIdentity;
  Identity clientIdentity;
};

template <typename T>
std::string messageOf(const Result<T>& result) {
  return result.ok() ? "" : result.error().message;
}

// ---------------------------------------------------------------------------------------------
// Identities and pins

using TlsIdentityFiles = HttpsFixture;

TEST_F(TlsIdentityFiles, CertificateIsSelfSignedV3ForServerAndClientAuth) {
  FILE* file = std::fopen(serverIdentity.certificate.c_str(), "r");
  ASSERT_NE(file, nullptr);
  X509* certificate = PEM_read_X509(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  ASSERT_NE(certificate, nullptr);

  EXPECT_EQ(X509_get_version(certificate), X509_VERSION_3);
  char commonName[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(certificate), NID_commonName, commonName,
                            sizeof commonName);
  EXPECT_STREQ(commonName, "node-a.liaison.test");
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(certificate), X509_get_issuer_name(certificate)), 0);
  EXPECT_EQ(EVP_PKEY_get_id(X509_get0_pubkey(certificate)), EVP_PKEY_ED25519);
  EXPECT_EQ(X509_verify(certificate, X509_get0_pubkey(certificate)), 1);  // self-signed

  EXPECT_EQ(X509_check_ca(certificate), 0);
  EXPECT_TRUE(X509_get_key_usage(certificate) & KU_DIGITAL_SIGNATURE);
  EXPECT_EQ(X509_get_key_usage(certificate) & ~KU_DIGITAL_SIGNATURE, 0u);
  EXPECT_TRUE(X509_get_extended_key_usage(certificate) & XKU_SSL_SERVER);
  EXPECT_TRUE(X509_get_extended_key_usage(certificate) & XKU_SSL_CLIENT);
  EXPECT_EQ(X509_check_host(certificate, "node-a.liaison.test", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(certificate, "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(certificate, "127.0.0.1", 0), 1);

  // A random 128-bit serial: more than 64 bits long except with negligible probability.
  BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr);
  EXPECT_GT(BN_num_bits(serial), 64);
  EXPECT_LE(BN_num_bits(serial), 128);
  BN_free(serial);
  X509_free(certificate);
}

TEST_F(TlsIdentityFiles, KeyIsPrivateToItsOwnerAndCertificateIsPublic) {
  EXPECT_EQ(modeOf(serverIdentity.key), 0600u);
  EXPECT_EQ(modeOf(serverIdentity.certificate), 0644u);
  EXPECT_EQ(readFile(serverIdentity.key).rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
  EXPECT_EQ(readFile(serverIdentity.certificate).rfind("-----BEGIN CERTIFICATE-----\n", 0), 0u);
}

TEST_F(TlsIdentityFiles, RefusesToOverwriteAnExistingIdentity) {
  const std::string keyBefore = readFile(serverIdentity.key);
  Status again = writeTlsIdentity(dir / "server", "node-a.liaison.test", 30);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::conflict);
  EXPECT_TRUE(contains(again.error().message, serverIdentity.key.string())) << again.error().message;
  EXPECT_EQ(readFile(serverIdentity.key), keyBefore);
}

TEST_F(TlsIdentityFiles, RefusesNamesThatAreNotDnsNames) {
  for (const std::string& name : std::vector<std::string>{
           "", "node a", "-node", "node-a.liaison.test,IP:10.0.0.1", "node..a", std::string(65, 'a')}) {
    Status written = writeTlsIdentity(dir / "bad", name, 30);
    ASSERT_FALSE(written.ok()) << name;
    EXPECT_EQ(written.error().kind, ErrorKind::invalidInput) << name;
  }
  EXPECT_FALSE(fs::exists(dir / "bad.tlskey"));
}

TEST_F(TlsIdentityFiles, PinIsSha256OfTheSubjectPublicKeyInfoOfTheKey) {
  // Derived here from the private key file, independently of the certificate.
  FILE* file = std::fopen(serverIdentity.key.c_str(), "r");
  ASSERT_NE(file, nullptr);
  EVP_PKEY* key = PEM_read_PrivateKey(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  ASSERT_NE(key, nullptr);
  unsigned char* der = nullptr;
  int derSize = i2d_PUBKEY(key, &der);
  ASSERT_GT(derSize, 0);
  unsigned char digest[32];
  unsigned int digestSize = 0;
  ASSERT_EQ(EVP_Digest(der, derSize, digest, &digestSize, EVP_sha256(), nullptr), 1);
  unsigned char base64[45];
  EVP_EncodeBlock(base64, digest, 32);
  OPENSSL_free(der);
  EVP_PKEY_free(key);

  EXPECT_EQ(serverIdentity.pin, "sha256:" + std::string(reinterpret_cast<char*>(base64)));
  EXPECT_EQ(serverIdentity.pin.size(), kPinLength);
  EXPECT_NE(serverIdentity.pin, clientIdentity.pin);
}

TEST_F(TlsIdentityFiles, PinsAreEqualOnlyWhenIdentical) {
  EXPECT_TRUE(pinsEqual(serverIdentity.pin, std::string(serverIdentity.pin)));
  EXPECT_FALSE(pinsEqual(serverIdentity.pin, clientIdentity.pin));
  EXPECT_FALSE(pinsEqual(serverIdentity.pin, serverIdentity.pin.substr(0, 20)));
  EXPECT_FALSE(pinsEqual("", ""));
}

TEST_F(TlsIdentityFiles, KeyReadableByGroupOrOthersIsRefused) {
  for (mode_t mode : {0644, 0640, 0604}) {
    ASSERT_EQ(::chmod(serverIdentity.key.c_str(), mode), 0);
    HttpsServer server(serverOptions(), [](const HttpRequest&) { return HttpResponse{}; });
    Status started = server.start();
    ASSERT_FALSE(started.ok());
    EXPECT_EQ(started.error().kind, ErrorKind::notPermitted);
    EXPECT_TRUE(contains(started.error().message, serverIdentity.key.string())) << started.error().message;
    EXPECT_TRUE(contains(started.error().message, "chmod 600")) << started.error().message;
  }

  // The same rule for a client's key.
  ASSERT_EQ(::chmod(serverIdentity.key.c_str(), 0600), 0);
  ASSERT_EQ(::chmod(clientIdentity.key.c_str(), 0644), 0);
  HttpsServer server(serverOptions(), [](const HttpRequest&) { return HttpResponse{}; });
  ASSERT_TRUE(server.start().ok());
  HttpsClient client(clientOptions(server, /*withCertificate=*/true));
  Result<HttpResponse> response = client.get("/");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().kind, ErrorKind::notPermitted);
  EXPECT_TRUE(contains(response.error().message, "chmod 600")) << response.error().message;
}

// ---------------------------------------------------------------------------------------------
// tls-cert and tls-pin

using TlsCommand = HttpsFixture;

// `liaison ARGS...` run in-process (no process protection), as `liaison tls-cert|tls-pin`.
int runTls(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  return cli::runCommandLine(args, cli::CommandContext{.out = out, .err = err, .origin = {}});
}

TEST_F(TlsCommand, CertWritesTheIdentityAndPrintsItsPin) {
  std::ostringstream out, err;
  const fs::path prefix = dir / "node-c";
  int exit = runTls(
      {"tls-cert", "--out", prefix.string(), "--name", "node-c.liaison.test", "--days", "90"}, out, err);
  ASSERT_EQ(exit, 0) << err.str();
  EXPECT_EQ(modeOf(tlsKeyPath(prefix)), 0600u);
  Result<std::string> pin = spkiPinOfCertificateFile(tlsCertificatePath(prefix));
  ASSERT_TRUE(pin.ok()) << messageOf(pin);
  EXPECT_TRUE(contains(out.str(), tlsCertificatePath(prefix).string())) << out.str();
  EXPECT_TRUE(contains(out.str(), tlsKeyPath(prefix).string())) << out.str();
  EXPECT_TRUE(contains(out.str(), "pin " + *pin + "\n")) << out.str();
}

TEST_F(TlsCommand, PinPrintsThePinOfACertificate) {
  std::ostringstream out, err;
  ASSERT_EQ(runTls({"tls-pin", serverIdentity.certificate.string()}, out, err), 0) << err.str();
  EXPECT_EQ(out.str(), serverIdentity.pin + "\n");
}

TEST_F(TlsCommand, UsageErrorsExitTwo) {
  const std::vector<std::vector<std::string>> misuses = {
      {"tls-cert"},
      {"tls-cert", "--out", (dir / "x").string()},
      {"tls-cert", "--out", (dir / "x").string(), "--name", "x.test", "--days", "0"},
      {"tls-cert", "--out", (dir / "x").string(), "--name", "x.test", "--days", "12abc"},
      {"tls-cert", "--out", (dir / "x").string(), "--name", "x.test", "--colour", "red"},
      {"tls-cert", "--out", (dir / "x").string(), "--out", (dir / "y").string(), "--name", "x.test"},
      {"tls-pin"},
      {"tls-pin", "a.crt", "b.crt"},
      {"tls-frobnicate"},
  };
  for (const auto& args : misuses) {
    std::ostringstream out, err;
    EXPECT_EQ(runTls(args, out, err), 2) << args.size() << " " << args.back();
    EXPECT_TRUE(contains(err.str(), "usage")) << err.str();
  }
  EXPECT_FALSE(fs::exists(dir / "x.tlskey"));
}

TEST_F(TlsCommand, FailuresExitOneAndSayWhy) {
  std::ostringstream out, err;
  EXPECT_EQ(runTls({"tls-cert", "--out", (dir / "server").string(), "--name", "x.test"}, out, err), 1);
  EXPECT_TRUE(contains(err.str(), "already exists")) << err.str();

  std::ostringstream out2, err2;
  EXPECT_EQ(runTls({"tls-pin", (dir / "missing.crt").string()}, out2, err2), 1);
  EXPECT_TRUE(contains(err2.str(), (dir / "missing.crt").string())) << err2.str();

  std::ostringstream out3, err3;
  EXPECT_EQ(runTls({"tls-pin", serverIdentity.key.string()}, out3, err3), 1);
  EXPECT_TRUE(contains(err3.str(), "not a PEM certificate")) << err3.str();
}

// ---------------------------------------------------------------------------------------------
// URLs

TEST(HttpsUrl, SplitsHostPortAndPathPrefix) {
  using Parts = std::tuple<std::string, uint16_t, std::string>;
  auto parsed = [](std::string_view url) {
    auto result = parseHttpsUrl(url);
    EXPECT_TRUE(result.ok()) << url << ": " << messageOf(result);
    return result.ok() ? *result : Parts{};
  };
  EXPECT_EQ(parsed("https://127.0.0.1:8443"), Parts("127.0.0.1", 8443, ""));
  EXPECT_EQ(parsed("https://node-a.example/liaison/"), Parts("node-a.example", 443, "/liaison"));
  EXPECT_EQ(parsed("HTTPS://[::1]:9000/v1"), Parts("::1", 9000, "/v1"));
  EXPECT_EQ(parsed("https://node-a.example:1/"), Parts("node-a.example", 1, ""));
}

TEST(HttpsUrl, RefusesAnythingButAPlainHttpsUrl) {
  for (std::string_view url :
       {"http://127.0.0.1:8443", "https://", "https://:8443", "https://host:0", "https://host:65536",
        "https://host:80x", "https://user@host", "https://host/path?q=1", "https://host/#x",
        "https://::1:8443", "https://[::1", "https://[nothost]:1", "https://ho st/", "https://host:/"}) {
    auto result = parseHttpsUrl(url);
    ASSERT_FALSE(result.ok()) << url;
    EXPECT_EQ(result.error().kind, ErrorKind::invalidInput) << url;
  }
}

// ---------------------------------------------------------------------------------------------
// Requests and responses

using HttpsTransport = HttpsFixture;

TEST_F(HttpsTransport, PostRoundTripCarriesTheClientPin) {
  std::mutex seenMutex;
  std::optional<HttpRequest> seen;
  HttpsServer server(serverOptions(), [&](const HttpRequest& request) {
    std::lock_guard lock(seenMutex);
    seen = request;
    return HttpResponse{201, "application/x-liaison-receipt", bytesOf("receipt for " + textOf(request.body))};
  });
  ASSERT_TRUE(server.start().ok());
  HttpsClient client(clientOptions(server, /*withCertificate=*/true));

  Result<HttpResponse> response =
      client.post("/v1/envelopes", "application/x-liaison-envelope", bytesOf("env-1"));
  ASSERT_TRUE(response.ok()) << messageOf(response);
  EXPECT_EQ(response->status, 201u);
  EXPECT_EQ(response->contentType, "application/x-liaison-receipt");
  EXPECT_EQ(textOf(response->body), "receipt for env-1");

  std::lock_guard lock(seenMutex);
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->method, "POST");
  EXPECT_EQ(seen->target, "/v1/envelopes");
  EXPECT_EQ(seen->contentType, "application/x-liaison-envelope");
  ASSERT_TRUE(seen->peerPin.has_value());
  EXPECT_EQ(*seen->peerPin, clientIdentity.pin);
  EXPECT_EQ(seen->remote.rfind("127.0.0.1:", 0), 0u) << seen->remote;
}

TEST_F(HttpsTransport, GetWithoutClientCertificateHasNoPeerPin) {
  std::atomic<bool> hadPin{true};
  HttpsServer server(serverOptions(), [&](const HttpRequest& request) {
    hadPin = request.peerPin.has_value();
    return HttpResponse{200, "text/plain", bytesOf(request.method + " " + request.target)};
  });
  ASSERT_TRUE(server.start().ok());
  HttpsClient client(clientOptions(server, /*withCertificate=*/false));

  Result<HttpResponse> response = client.get("/v1/health");
  ASSERT_TRUE(response.ok()) << messageOf(response);
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(textOf(response->body), "GET /v1/health");
  EXPECT_FALSE(hadPin);
}

TEST_F(HttpsTransport, HundredRequestsShareOneConnection) {
  std::mutex remotesMutex;
  std::set<std::string> remotes;
  HttpsServer server(serverOptions(), [&](const HttpRequest& request) {
    std::lock_guard lock(remotesMutex);
    remotes.insert(request.remote);
    return HttpResponse{200, "text/plain", request.body};
  });
  ASSERT_TRUE(server.start().ok());
  HttpsClient client(clientOptions(server, /*withCertificate=*/true));

  for (int i = 0; i < 100; ++i) {
    std::string body = "request " + std::to_string(i);
    Result<HttpResponse> response = client.post("/echo", "text/plain", bytesOf(body));
    ASSERT_TRUE(response.ok()) << i << ": " << messageOf(response);
    ASSERT_EQ(textOf(response->body), body);
  }
  EXPECT_EQ(server.acceptedConnections(), 1u);
  std::lock_guard lock(remotesMutex);
  EXPECT_EQ(remotes.size(), 1u);
}

TEST_F(HttpsTransport, ClientReconnectsWhenTheServerClosedAnIdleConnection) {
  ServerOptions options = serverOptions();
  options.idleTimeout = 100ms;
  HttpsServer server(options, [](const HttpRequest&) {
    return HttpResponse{200, "text/plain", bytesOf("ok")};
  });
  ASSERT_TRUE(server.start().ok());
  HttpsClient client(clientOptions(server, /*withCertificate=*/true));

  ASSERT_TRUE(client.get("/first").ok());
  ASSERT_TRUE(waitUntil([&] { return server.activeConnections() == 0; }));  // the idle timeout struck
  Result<HttpResponse> second = client.get("/second");
  ASSERT_TRUE(second.ok()) << messageOf(second);
  EXPECT_EQ(textOf(second->body), "ok");
  EXPECT_EQ(server.acceptedConnections(), 2u);
}

TEST_F(HttpsTransport, HandlerExceptionBecomesAGeneric500) {
  HttpsServer server(serverOptions(), [](const HttpRequest&) -> HttpResponse {
    throw std::runtime_error("record TD-X1234567 of Jane Example");
  });
  ASSERT_TRUE(server.start().ok());
  HttpsClient client(clientOptions(server, /*withCertificate=*/false));

  Result<HttpResponse> response = client.get("/v1/records");
  ASSERT_TRUE(response.ok()) << messageOf(response);
  EXPECT_EQ(response->status, 500u);
  EXPECT_FALSE(contains(textOf(response->body), "X1234567"));
  EXPECT_FALSE(contains(textOf(response->body), "Jane"));
  // The connection is still usable.
  EXPECT_TRUE(client.get("/v1/records").ok());
}

TEST_F(HttpsTransport, FiftyConcurrentClientsAreAllAnsweredCorrectly) {
  ServerOptions options = serverOptions();
  options.ioThreads = 2;
  HttpsServer server(options, [](const HttpRequest& request) {
    return HttpResponse{200, "text/plain", bytesOf("answer to " + textOf(request.body))};
  });
  ASSERT_TRUE(server.start().ok());

  constexpr int kClients = 50;
  constexpr int kRequestsEach = 40;
  std::atomic<int> correct{0};
  std::mutex failureMutex;
  std::string firstFailure;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      HttpsClient client(clientOptions(server, /*withCertificate=*/c % 2 == 0));
      for (int r = 0; r < kRequestsEach; ++r) {
        std::string question = "client " + std::to_string(c) + " request " + std::to_string(r);
        Result<HttpResponse> response = client.post("/ask", "text/plain", bytesOf(question));
        if (response.ok() && response->status == 200 && textOf(response->body) == "answer to " + question) {
          ++correct;
        } else {
          std::lock_guard lock(failureMutex);
          if (firstFailure.empty()) firstFailure = question + ": " + messageOf(response);
        }
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(correct, kClients * kRequestsEach) << firstFailure;
  EXPECT_EQ(server.acceptedConnections(), static_cast<uint64_t>(kClients));
}

// ---------------------------------------------------------------------------------------------
// TLS: versions and pins

using HttpsTls = HttpsFixture;

TEST_F(HttpsTls, Tls12ClientIsRefused) {
  HttpsServer server(serverOptions(), [](const HttpRequest&) { return HttpResponse{}; });
  ASSERT_TRUE(server.start().ok());

  RawTlsClient tls12(server.port(), TLS1_2_VERSION);
  EXPECT_FALSE(tls12.handshake());

  RawTlsClient tls13(server.port(), TLS1_3_VERSION);  // the same client, allowed 1.3, gets in
  ASSERT_TRUE(tls13.handshake());
  EXPECT_EQ(tls13.version(), TLS1_3_VERSION);
}

TEST_F(HttpsTls, WrongServerPinIsRefusedBeforeAnythingIsSent) {
  std::atomic<int> calls{0};
  HttpsServer server(serverOptions(), [&](const HttpRequest&) {
    ++calls;
    return HttpResponse{};
  });
  ASSERT_TRUE(server.start().ok());
  ClientOptions options = clientOptions(server, /*withCertificate=*/true);
  options.serverPin = clientIdentity.pin;  // a real pin, of some other key
  HttpsClient client(options);

  Result<HttpResponse> response = client.post("/v1/envelopes", "application/octet-stream", bytesOf("secret"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().kind, ErrorKind::notPermitted);
  EXPECT_TRUE(contains(response.error().message, "server certificate does not match the pinned key"))
      << response.error().message;
  EXPECT_EQ(calls, 0);
}

TEST_F(HttpsTls, MalformedServerPinIsAnInputError) {
  HttpsServer server(serverOptions(), [](const HttpRequest&) { return HttpResponse{}; });
  ASSERT_TRUE(server.start().ok());
  ClientOptions options = clientOptions(server, /*withCertificate=*/false);
  options.serverPin = "sha256:short";
  Result<HttpResponse> response = HttpsClient(options).get("/");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().kind, ErrorKind::invalidInput);
  EXPECT_EQ(server.acceptedConnections(), 0u);
}

// ---------------------------------------------------------------------------------------------
// Limits and deadlines

using HttpsLimits = HttpsFixture;

TEST_F(HttpsLimits, BodyOverTheLimitGets413AndTheHandlerNeverRuns) {
  ServerOptions options = serverOptions();
  options.maxBodyBytes = 1024;
  std::atomic<int> calls{0};
  HttpsServer server(options, [&](const HttpRequest&) {
    ++calls;
    return HttpResponse{200, "text/plain", bytesOf("ok")};
  });
  ASSERT_TRUE(server.start().ok());
  HttpsClient client(clientOptions(server, /*withCertificate=*/true));

  Result<HttpResponse> tooBig =
      client.post("/v1/envelopes", "application/octet-stream", std::vector<uint8_t>(4096, 'x'));
  ASSERT_TRUE(tooBig.ok()) << messageOf(tooBig);
  EXPECT_EQ(tooBig->status, 413u);
  EXPECT_EQ(calls, 0);

  // At the limit is fine; the client reconnects because the server closed after the 413.
  Result<HttpResponse> atLimit =
      client.post("/v1/envelopes", "application/octet-stream", std::vector<uint8_t>(1024, 'x'));
  ASSERT_TRUE(atLimit.ok()) << messageOf(atLimit);
  EXPECT_EQ(atLimit->status, 200u);
  EXPECT_EQ(calls, 1);
}

TEST_F(HttpsLimits, BodyFarOverTheLimitGets413WhileTheClientIsStillSending) {
  ServerOptions options = serverOptions();
  options.maxBodyBytes = 1024;
  std::atomic<int> calls{0};
  HttpsServer server(options, [&](const HttpRequest&) {
    ++calls;
    return HttpResponse{};
  });
  ASSERT_TRUE(server.start().ok());
  HttpsClient client(clientOptions(server, /*withCertificate=*/false));

  // More than the socket buffers hold: the server closes while our write is still blocked.
  Result<HttpResponse> response =
      client.post("/v1/envelopes", "application/octet-stream", std::vector<uint8_t>(16 << 20, 'x'));
  ASSERT_TRUE(response.ok()) << messageOf(response);
  EXPECT_EQ(response->status, 413u);
  EXPECT_EQ(calls, 0);
}

TEST_F(HttpsLimits, DeclaredBodyOverTheLimitIsRefusedBeforeItIsSent) {
  std::atomic<int> calls{0};
  HttpsServer server(serverOptions(), [&](const HttpRequest&) {
    ++calls;
    return HttpResponse{};
  });
  ASSERT_TRUE(server.start().ok());
  RawTlsClient client(server.port(), TLS1_3_VERSION);
  ASSERT_TRUE(client.handshake());

  // Announces 100 MB and sends none of it: the answer must come from the header alone.
  const auto start = Clock::now();
  ASSERT_TRUE(
      client.send("POST /v1/envelopes HTTP/1.1\r\nHost: node-a\r\nContent-Length: 100000000\r\n\r\n"));
  std::string answer = client.receiveAll();
  EXPECT_EQ(answer.rfind("HTTP/1.1 413 ", 0), 0u) << answer;
  EXPECT_TRUE(contains(answer, "Server: liaison")) << answer;
  EXPECT_TRUE(contains(answer, "Connection: close")) << answer;
  EXPECT_LT(Clock::now() - start, 2000ms);
  EXPECT_EQ(calls, 0);
}

TEST_F(HttpsLimits, HeaderOverTheLimitGets431) {
  ServerOptions options = serverOptions();
  options.maxHeaderBytes = 1024;
  std::atomic<int> calls{0};
  HttpsServer server(options, [&](const HttpRequest&) {
    ++calls;
    return HttpResponse{};
  });
  ASSERT_TRUE(server.start().ok());
  HttpsClient client(clientOptions(server, /*withCertificate=*/false));

  Result<HttpResponse> response = client.get("/" + std::string(4000, 'a'));
  ASSERT_TRUE(response.ok()) << messageOf(response);
  EXPECT_EQ(response->status, 431u);
  EXPECT_EQ(calls, 0);
}

TEST_F(HttpsLimits, SilentClientIsDroppedAtTheHandshakeTimeoutLongBeforeTheRequestDeadline) {
  ServerOptions options = serverOptions();
  options.handshakeTimeout = 200ms;
  options.requestDeadline = 10'000ms;
  HttpsServer server(options, [](const HttpRequest&) { return HttpResponse{}; });
  ASSERT_TRUE(server.start().ok());

  const auto start = Clock::now();
  Socket silent(connectLoopback(server.port(), 5000ms));
  ASSERT_GE(silent.get(), 0);
  ASSERT_TRUE(waitUntil([&] { return server.activeConnections() == 1; }));
  EXPECT_TRUE(peerCloses(silent));  // not even a TLS handshake was sent
  const auto waited = Clock::now() - start;
  EXPECT_GE(waited, 180ms);
  EXPECT_LT(waited, 2000ms);
  EXPECT_TRUE(waitUntil([&] { return server.activeConnections() == 0; }));
  EXPECT_EQ(server.connectionStats().handshakeTimeouts, 1u);
}

TEST_F(HttpsLimits, AClientThatHandshakesButSendsNoRequestIsDroppedAtTheHandshakeTimeout) {
  ServerOptions options = serverOptions();
  options.handshakeTimeout = 300ms;
  options.requestDeadline = 10'000ms;
  HttpsServer server(options, [](const HttpRequest&) { return HttpResponse{}; });
  ASSERT_TRUE(server.start().ok());

  const auto start = Clock::now();
  RawTlsClient client(server.port(), TLS1_3_VERSION);
  ASSERT_TRUE(client.handshake());
  EXPECT_EQ(client.receiveAll(), "");  // returns when the server closes
  const auto waited = Clock::now() - start;
  EXPECT_GE(waited, 280ms);
  EXPECT_LT(waited, 3000ms);
  EXPECT_TRUE(waitUntil([&] { return server.connectionStats().handshakeTimeouts == 1; }));
}

TEST_F(HttpsLimits, AKeptAliveConnectionIsHeldToTheIdleTimeoutNotToTheHandshakeTimeout) {
  ServerOptions options = serverOptions();
  // Long enough for a handshake under ThreadSanitizer on a loaded machine; the idle timeout is
  // three times it, so a connection cut at the handshake timeout shows.
  options.handshakeTimeout = 1000ms;
  options.idleTimeout = 3000ms;
  HttpsServer server(options, [](const HttpRequest&) { return HttpResponse{200, "text/plain", bytesOf("ok")}; });
  ASSERT_TRUE(server.start().ok());
  HttpsClient client(clientOptions(server, /*withCertificate=*/false));

  ASSERT_TRUE(client.get("/").ok());
  const auto answered = Clock::now();
  ASSERT_TRUE(waitUntil([&] { return server.activeConnections() == 0; }));
  EXPECT_GE(Clock::now() - answered, 2800ms);
  EXPECT_EQ(server.connectionStats().handshakeTimeouts, 0u);
}

TEST_F(HttpsLimits, IdleConnectionIsClosedAfterTheIdleTimeout) {
  ServerOptions options = serverOptions();
  options.idleTimeout = 150ms;
  HttpsServer server(options, [](const HttpRequest&) {
    return HttpResponse{200, "text/plain", bytesOf("ok")};
  });
  ASSERT_TRUE(server.start().ok());
  HttpsClient client(clientOptions(server, /*withCertificate=*/false));

  ASSERT_TRUE(client.get("/").ok());
  const auto answered = Clock::now();
  ASSERT_EQ(server.activeConnections(), 1u);
  ASSERT_TRUE(waitUntil([&] { return server.activeConnections() == 0; }));
  EXPECT_GE(Clock::now() - answered, 130ms);
}

TEST_F(HttpsLimits, WhenEverySlotIsHeldByAnAuthenticatedConnectionANewcomerIsClosedAtOnce) {
  ServerOptions options = serverOptions();
  options.maxConnections = 1;
  HttpsServer server(options, [](const HttpRequest&) {
    HttpResponse response{200, "text/plain", bytesOf("ok")};
    response.authenticated = true;
    return response;
  });
  ASSERT_TRUE(server.start().ok());
  HttpsClient first(clientOptions(server, /*withCertificate=*/true));
  ASSERT_TRUE(first.get("/").ok());  // holds the one connection, kept alive

  const auto start = Clock::now();
  Socket second(connectLoopback(server.port(), 3000ms));
  ASSERT_GE(second.get(), 0);
  EXPECT_TRUE(peerCloses(second));
  EXPECT_LT(Clock::now() - start, 1000ms);  // closed, not timed out

  EXPECT_EQ(server.activeConnections(), 1u);
  EXPECT_EQ(server.acceptedConnections(), 1u);
  EXPECT_EQ(server.connectionStats().refusedFull, 1u);
  EXPECT_TRUE(first.get("/").ok());
  EXPECT_EQ(server.acceptedConnections(), 1u);  // the same connection carried it
}

TEST_F(HttpsLimits, AnIdleConnectionThatNeverAuthenticatedGivesWayToANewcomer) {
  ServerOptions options = serverOptions();
  options.maxConnections = 1;
  std::mutex remotesMutex;
  std::vector<std::string> remotes;
  HttpsServer server(options, [&](const HttpRequest& request) {
    std::lock_guard lock(remotesMutex);
    remotes.push_back(request.remote);
    return HttpResponse{200, "text/plain", bytesOf("ok")};
  });
  ASSERT_TRUE(server.start().ok());
  HttpsClient idle(clientOptions(server, /*withCertificate=*/false));
  ASSERT_TRUE(idle.get("/").ok());  // kept alive, but nothing about it was authenticated

  HttpsClient newcomer(clientOptions(server, /*withCertificate=*/false));
  Result<HttpResponse> answered = newcomer.get("/");
  ASSERT_TRUE(answered.ok()) << messageOf(answered);
  EXPECT_EQ(server.connectionStats().evictedIdle, 1u);
  // The evicted client reconnects transparently on its next request.
  ASSERT_TRUE(idle.get("/").ok());
  EXPECT_EQ(server.acceptedConnections(), 3u);
}

TEST_F(HttpsLimits, ConnectionsFromOneAddressBeyondItsCapAreClosedAtOnceOthersAreServed) {
  ServerOptions options = serverOptions();
  options.maxConnectionsPerAddress = 3;
  HttpsServer server(options, [](const HttpRequest&) { return HttpResponse{200, "text/plain", bytesOf("ok")}; });
  ASSERT_TRUE(server.start().ok());

  std::vector<std::unique_ptr<Socket>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<Socket>(connectLoopback(server.port(), 3000ms, /*sourceHost=*/2)));
    ASSERT_GE(held.back()->get(), 0);
  }
  ASSERT_TRUE(waitUntil([&] { return server.activeConnections() == 3; }));
  const auto start = Clock::now();
  Socket fourth(connectLoopback(server.port(), 3000ms, /*sourceHost=*/2));
  ASSERT_GE(fourth.get(), 0);
  EXPECT_TRUE(peerCloses(fourth));
  EXPECT_LT(Clock::now() - start, 1000ms);  // closed at once, not at the handshake timeout
  EXPECT_EQ(server.connectionStats().refusedPerAddress, 1u);

  // Another address is not affected, and the cap counts connections, not a lifetime total.
  HttpsClient other(clientOptions(server, /*withCertificate=*/false));
  EXPECT_TRUE(other.get("/").ok());
  held.pop_back();
  ASSERT_TRUE(waitUntil([&] { return server.activeConnections() == 3; }));
  ClientOptions fromTheCappedAddress = clientOptions(server, /*withCertificate=*/false);
  fromTheCappedAddress.sourceAddress = "127.0.0.2";
  EXPECT_TRUE(HttpsClient(fromTheCappedAddress).get("/").ok());
}

TEST_F(HttpsLimits, SilentConnectionsFillingEverySlotCannotStarveAClientThatHandshakes) {
  ServerOptions options = serverOptions();
  options.maxConnections = 40;
  options.maxHandshakingConnections = 20;
  options.maxConnectionsPerAddress = 40;
  options.handshakeTimeout = 10'000ms;  // the silent ones would hold their slots the whole test
  HttpsServer server(options, [](const HttpRequest&) { return HttpResponse{200, "text/plain", bytesOf("ok")}; });
  ASSERT_TRUE(server.start().ok());

  // Five attacker addresses, 20 silent connections each: five times the handshaking budget.
  std::vector<std::unique_ptr<Socket>> silent;
  for (uint8_t host = 2; host <= 6; ++host) {
    for (int i = 0; i < 20; ++i) silent.push_back(std::make_unique<Socket>(connectLoopback(server.port(), 3000ms, host)));
  }
  // Evicted connections close as the server gets to them: wait for it, then no more than the
  // handshaking budget is left.
  EXPECT_TRUE(waitUntil([&] {
    return server.connectionStats().evictedHandshaking >= 80 && server.activeConnections() <= 20u;
  })) << server.activeConnections() << " connections open";

  for (int i = 0; i < 10; ++i) {
    HttpsClient client(clientOptions(server, /*withCertificate=*/i % 2 == 0));
    Result<HttpResponse> answered = client.get("/");
    ASSERT_TRUE(answered.ok()) << i << ": " << messageOf(answered);
    EXPECT_EQ(answered->status, 200u);
  }
}

TEST_F(HttpsLimits, AClientTricklingItsFirstRequestStillCountsAsHandshakingAndGivesWay) {
  ServerOptions options = serverOptions();
  options.maxHandshakingConnections = 1;
  options.requestDeadline = 10'000ms;
  HttpsServer server(options, [](const HttpRequest&) { return HttpResponse{200, "text/plain", bytesOf("ok")}; });
  ASSERT_TRUE(server.start().ok());
  RawTlsClient trickler(server.port(), TLS1_3_VERSION);
  ASSERT_TRUE(trickler.handshake());
  ASSERT_TRUE(trickler.send("POST /v1/query HTTP/1.1\r\nHost: a\r\nContent-Le"));  // and then nothing more
  ASSERT_TRUE(waitUntil([&] { return server.connectionStats().handshaking == 1; }));

  HttpsClient client(clientOptions(server, /*withCertificate=*/true));
  Result<HttpResponse> answered = client.get("/");
  ASSERT_TRUE(answered.ok()) << messageOf(answered);
  EXPECT_EQ(answered->status, 200u);
  EXPECT_EQ(trickler.receiveAll(), "") << "closed without an answer";
  EXPECT_EQ(server.connectionStats().evictedHandshaking, 1u);
}

TEST_F(HttpsLimits, AnAuthenticatedKeptAliveConnectionSurvivesAFloodOfNewcomers) {
  ServerOptions options = serverOptions();
  options.maxConnections = 8;
  options.maxHandshakingConnections = 4;
  options.handshakeTimeout = 10'000ms;
  std::mutex remotesMutex;
  std::vector<std::string> remotes;
  HttpsServer server(options, [&](const HttpRequest& request) {
    std::lock_guard lock(remotesMutex);
    remotes.push_back(request.remote);
    HttpResponse response{200, "text/plain", bytesOf("ok")};
    response.authenticated = request.target == "/signed";
    return response;
  });
  ASSERT_TRUE(server.start().ok());
  HttpsClient partner(clientOptions(server, /*withCertificate=*/true));
  ASSERT_TRUE(partner.get("/signed").ok());

  std::vector<std::unique_ptr<Socket>> flood;
  for (int i = 0; i < 200; ++i) {
    flood.push_back(std::make_unique<Socket>(connectLoopback(server.port(), 3000ms, static_cast<uint8_t>(2 + i % 50))));
  }
  ASSERT_TRUE(waitUntil([&] { return server.connectionStats().evictedHandshaking >= 190; }));

  ASSERT_TRUE(partner.get("/signed").ok());
  // The partner's one and the flood's, which the server may still be accepting from the backlog.
  ASSERT_TRUE(waitUntil([&] { return server.acceptedConnections() >= 201u; }));
  EXPECT_EQ(server.acceptedConnections(), 201u);
  std::lock_guard lock(remotesMutex);
  ASSERT_EQ(remotes.size(), 2u);
  EXPECT_EQ(remotes[0], remotes[1]);  // the same kept-alive connection carried both requests
}

// ---------------------------------------------------------------------------------------------
// Stopping

using HttpsShutdown = HttpsFixture;

TEST_F(HttpsShutdown, RequestInFlightIsAnsweredAndNewConnectionsAreRefused) {
  std::atomic<uint16_t> port{0};
  std::promise<void> handlerEntered;
  HttpsServer server(serverOptions(), [&](const HttpRequest&) {
    handlerEntered.set_value();
    // Stay in flight until stop() has closed the listening socket.
    bool stopBegan = waitUntil([&] { return connectionRefused(port); });
    return HttpResponse{200, "text/plain", bytesOf(stopBegan ? "answered during stop" : "stop never began")};
  });
  ASSERT_TRUE(server.start().ok());
  port = server.port();

  std::optional<Result<HttpResponse>> answer;
  std::thread caller([&] {
    HttpsClient client(clientOptions(server, /*withCertificate=*/true));
    answer.emplace(client.get("/slow"));
  });
  ASSERT_EQ(handlerEntered.get_future().wait_for(5s), std::future_status::ready);
  server.stop();
  caller.join();

  ASSERT_TRUE(answer.has_value());
  ASSERT_TRUE(answer->ok()) << messageOf(*answer);
  EXPECT_EQ((*answer)->status, 200u);
  EXPECT_EQ(textOf((*answer)->body), "answered during stop");
  EXPECT_TRUE(connectionRefused(server.port()));
  EXPECT_EQ(server.activeConnections(), 0u);
}

TEST_F(HttpsShutdown, StopClosesIdleConnectionsPromptlyAndIsIdempotent) {
  HttpsServer notStarted(serverOptions(), [](const HttpRequest&) { return HttpResponse{}; });
  notStarted.stop();  // nothing to do

  HttpsServer server(serverOptions(), [](const HttpRequest&) { return HttpResponse{200, "text/plain", {}}; });
  ASSERT_TRUE(server.start().ok());
  HttpsClient client(clientOptions(server, /*withCertificate=*/false));
  ASSERT_TRUE(client.get("/").ok());              // leaves an idle kept-alive connection
  Socket silent(connectLoopback(server.port()));  // and one that never handshakes

  const auto start = Clock::now();
  std::thread stopper([&] { server.stop(); });  // as from a signal-waiting thread
  server.stop();
  stopper.join();
  EXPECT_LT(Clock::now() - start, 1000ms);  // idle connections do not hold up the stop
  EXPECT_EQ(server.activeConnections(), 0u);
  EXPECT_TRUE(peerCloses(silent));
  EXPECT_FALSE(server.start().ok());  // a server runs once

  Result<HttpResponse> afterStop = client.get("/");
  ASSERT_FALSE(afterStop.ok());
  EXPECT_EQ(afterStop.error().kind, ErrorKind::unavailable);
}

}  // namespace
}  // namespace liaison::net
