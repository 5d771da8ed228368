// Reading a streamed federated answer (node/client/federated_answer.h): frames split anywhere, and
// every part checked before an officer sees it, whatever a node or partner sends.
#include "node/client/federated_answer.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "tests/federated_stream_fixture.h"

namespace liaison {
namespace {

using testing::FederatedStreamBuilder;
using Kind = client::FederatedPart::Kind;

struct Read {
  std::vector<client::FederatedPart> parts;
  Status fed;
  Status finished;
};

Read readAll(const std::vector<uint8_t>& stream, size_t pieceSize = 0) {
  FederatedStreamBuilder builder;
  auto trust = builder.trust();
  Read read;
  client::FederatedStreamReader reader(FederatedStreamBuilder::expectation(trust),
                                       [&](const client::FederatedPart& part) { read.parts.push_back(part); });
  const size_t step = pieceSize == 0 ? stream.size() : pieceSize;
  for (size_t at = 0; at < stream.size() && read.fed.ok(); at += step) {
    read.fed = reader.feed(std::span(stream).subspan(at, std::min(step, stream.size() - at)));
  }
  read.finished = reader.finish();
  return read;
}

TEST(FederatedStream, PartsComeOutTheSameHoweverTheBytesAreSplit) {
  const std::vector<uint8_t> stream = FederatedStreamBuilder().wholeStream();
  for (size_t piece : {size_t{1}, size_t{3}, size_t{7}, size_t{4096}, size_t{0}}) {
    SCOPED_TRACE(piece);
    Read read = readAll(stream, piece);
    ASSERT_TRUE(read.fed.ok()) << read.fed.error().message;
    ASSERT_TRUE(read.finished.ok()) << read.finished.error().message;
    ASSERT_EQ(read.parts.size(), 2u);
    EXPECT_EQ(read.parts[0].kind, Kind::partner);
    EXPECT_EQ(read.parts[0].status, PartnerStatus::answered);
    ASSERT_TRUE(read.parts[0].response.has_value());
    EXPECT_EQ(read.parts[0].response->hits.at(0).recordRef, "xb-ref-1");
    EXPECT_EQ(read.parts[1].kind, Kind::summary);
  }
}

TEST(FederatedStream, AnAlteredPartnerAnswerIsInvalidAndItsContentWithheld) {
  FederatedStreamBuilder builder;
  std::vector<uint8_t> frame = builder.partnerFrame();
  // The partner's hit reference sits in the response bytes; change one letter of it.
  const std::string ref = "xb-ref-1";
  auto at = std::search(frame.begin(), frame.end(), ref.begin(), ref.end());
  ASSERT_NE(at, frame.end());
  *at = 'X';
  std::vector<uint8_t> stream = frame;
  const auto summary = builder.summaryFrame({{"XB-BORDER", PartnerStatus::answered}});
  stream.insert(stream.end(), summary.begin(), summary.end());
  Read read = readAll(stream);
  ASSERT_TRUE(read.fed.ok()) << read.fed.error().message;
  ASSERT_EQ(read.parts.size(), 2u);
  EXPECT_EQ(read.parts[0].status, PartnerStatus::invalid);
  EXPECT_FALSE(read.parts[0].response.has_value());
  // The summary says what this client found, not what the node claimed.
  EXPECT_EQ(read.parts[1].summary.at(0).second, PartnerStatus::invalid);
}

TEST(FederatedStream, APartNotSignedByTheNodeStopsTheStream) {
  FederatedStreamBuilder forger;
  forger.node = testing::fixedKeyPair(0xEE);  // someone else signs the parts
  Read read = readAll(forger.wholeStream());
  ASSERT_FALSE(read.fed.ok());
  EXPECT_NE(read.fed.error().message.find("not signed by the node"), std::string::npos) << read.fed.error().message;
  EXPECT_TRUE(read.parts.empty());
}

TEST(FederatedStream, AnOversizedOrEmptyFrameIsRefusedBeforeItIsBuffered) {
  for (uint32_t size : {uint32_t{0}, static_cast<uint32_t>(client::kMaxFederationFrameBytes + 1), uint32_t{0xFFFFFFFF}}) {
    std::vector<uint8_t> stream = {static_cast<uint8_t>(size >> 24), static_cast<uint8_t>(size >> 16),
                                   static_cast<uint8_t>(size >> 8), static_cast<uint8_t>(size)};
    Read read = readAll(stream);
    ASSERT_FALSE(read.fed.ok()) << size;
    EXPECT_NE(read.fed.error().message.find("a frame of"), std::string::npos);
  }
}

TEST(FederatedStream, AStreamThatEndsBeforeTheSummaryOrInsideAFrameIsAnError) {
  FederatedStreamBuilder builder;
  std::vector<uint8_t> partial = builder.partnerFrame();
  Read noSummary = readAll(partial);
  ASSERT_TRUE(noSummary.fed.ok());
  EXPECT_EQ(noSummary.parts.size(), 1u);
  ASSERT_FALSE(noSummary.finished.ok());
  EXPECT_NE(noSummary.finished.error().message.find("before the summary"), std::string::npos);
  partial.pop_back();
  Read cut = readAll(partial);
  ASSERT_FALSE(cut.finished.ok());
  EXPECT_NE(cut.finished.error().message.find("inside a frame"), std::string::npos);
}

TEST(FederatedStream, ASummaryNamingAPartnerThatNeverAnsweredOrAnythingAfterItIsRefused) {
  FederatedStreamBuilder builder;
  std::vector<uint8_t> stream = builder.partnerFrame();
  const auto summary = builder.summaryFrame({{"XC-IMMIGRATION", PartnerStatus::answered}});
  stream.insert(stream.end(), summary.begin(), summary.end());
  EXPECT_FALSE(readAll(stream).fed.ok());
  std::vector<uint8_t> twice = builder.wholeStream();
  const auto again = builder.partnerFrame();
  twice.insert(twice.end(), again.begin(), again.end());
  Read read = readAll(twice);
  ASSERT_FALSE(read.fed.ok());
  EXPECT_NE(read.fed.error().message.find("after the summary"), std::string::npos);
  // Even a few bytes after the summary (less than a frame's length prefix), in one piece or alone.
  std::vector<uint8_t> trailing = builder.wholeStream();
  trailing.push_back(0);
  trailing.push_back(0);
  for (size_t piece : {size_t{0}, size_t{1}, size_t{5}}) {
    SCOPED_TRACE(piece);
    Read tail = readAll(trailing, piece);
    ASSERT_FALSE(tail.fed.ok());
    EXPECT_NE(tail.fed.error().message.find("after the summary"), std::string::npos) << tail.fed.error().message;
    EXPECT_FALSE(tail.finished.ok());
  }
}

TEST(FederatedStream, APartnerAnswerToAnotherOfficersRequestIsInvalid) {
  // The node forwards a request made on behalf of another officer's request: the client refuses it.
  FederatedStreamBuilder builder;
  auto trust = builder.trust();
  client::FederatedExpectation expected = FederatedStreamBuilder::expectation(trust);
  expected.request.officer.pseudonym = "border-2";
  std::vector<client::FederatedPart> parts;
  client::FederatedStreamReader reader(expected, [&](const client::FederatedPart& part) { parts.push_back(part); });
  ASSERT_TRUE(reader.feed(builder.partnerFrame()).ok());
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].status, PartnerStatus::invalid);
  EXPECT_NE(parts[0].detail.find("another request"), std::string::npos);
}

// The fuzz target's seeds are the streams the fixture builds (Ed25519 signs deterministically):
// checked against the files, or written with LIAISON_WRITE_FEDERATED_CORPUS=1 after a format change.
TEST(FederatedStreamCorpus, TheSeedsAreTheStreamsOfTheCurrentFormat) {
  const bool rewrite = std::getenv("LIAISON_WRITE_FEDERATED_CORPUS") != nullptr;
  const std::filesystem::path dir = std::filesystem::path(LIAISON_SOURCE_DIR) / "tests/corpus/federated_answer_fuzz";
  FederatedStreamBuilder builder;
  auto write = [&](const std::string& name, std::vector<uint8_t> bytes) {
    bytes.insert(bytes.begin(), 5);  // the fuzz target's first byte: how the rest is split
    if (rewrite) {
      std::ofstream(dir / name, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                        static_cast<std::streamsize>(bytes.size()));
      return;
    }
    std::ifstream in(dir / name, std::ios::binary);
    const std::vector<uint8_t> stored((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(stored, bytes) << name << " is stale: rerun with LIAISON_WRITE_FEDERATED_CORPUS=1";
  };
  write("answered-and-summary", builder.wholeStream());
  write("refused", builder.partnerFrame(PartnerStatus::refused));
  write("summary-only", builder.summaryFrame({}));
}

}  // namespace
}  // namespace liaison
