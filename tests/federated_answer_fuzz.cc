// Fuzz target for the reader of streamed federated answers (node/client/federated_answer.h), which
// an officer's client runs over whatever its node sends: the first byte says how the rest is cut
// into pieces, the rest is the stream. Checked beyond survival: every part handed over is either a
// summary or has a status, a partner part with content names the partner that signed it, and no
// part follows a summary. Seeds in tests/corpus/federated_answer_fuzz/ (federated_answer_test.cc).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "tests/federated_stream_fixture.h"

namespace {

using namespace liaison;

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const testing::FederatedStreamBuilder builder;
  static const auto trust = builder.trust();
  const size_t piece = 1 + data[0] % 64;
  const std::span<const uint8_t> stream(data + 1, size - 1);
  bool summarised = false;
  client::FederatedStreamReader reader(testing::FederatedStreamBuilder::expectation(trust),
                                       [&](const client::FederatedPart& part) {
                                         require(!summarised);
                                         if (part.kind == client::FederatedPart::Kind::summary) summarised = true;
                                         if (part.kind == client::FederatedPart::Kind::partner && part.response) {
                                           require(part.response->responder == part.partner);
                                           require(part.partner == "XB-BORDER");
                                         }
                                       });
  for (size_t at = 0; at < stream.size(); at += piece) {
    if (!reader.feed(stream.subspan(at, std::min(piece, stream.size() - at))).ok()) return 0;
  }
  const bool finished = reader.finish().ok();
  require(finished == summarised);
  return 0;
}
