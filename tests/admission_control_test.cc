// Failures per source folded into one count per interval, the failure budget, and the token
// buckets of partners and officers, on a clock the test moves.
#include "node/admission_control.h"

#include <gtest/gtest.h>

#include <numeric>

namespace liaison::node {
namespace {

using namespace std::chrono_literals;

class Admission : public ::testing::Test {
 protected:
  AdmissionControl make(AdmissionLimits limits) {
    return AdmissionControl(limits, [this] { return now_; });
  }
  static AdmissionLimits limits() {
    AdmissionLimits l;
    l.failureInterval = 60s;
    l.failuresAuditedInFull = 1;
    l.failureBudget = 5;
    l.partner = {2, 4};
    l.officer = {0.5, 1};
    return l;
  }
  static uint64_t sum(const FoldedFailures& f) {
    return std::accumulate(f.kinds.begin(), f.kinds.end(), uint64_t{0},
                           [](uint64_t total, const auto& kind) { return total + kind.second; });
  }

  std::chrono::steady_clock::time_point now_{std::chrono::steady_clock::time_point() + 1000h};
};

TEST_F(Admission, TheFirstFailureOfASourceIsAuditedInFullAndTheRestAreFoldedUntilTheIntervalEnds) {
  AdmissionControl control = make(limits());
  EXPECT_TRUE(control.noteFailure("192.0.2.7", FailureKind::malformed, "").auditInFull);
  EXPECT_FALSE(control.noteFailure("192.0.2.7", FailureKind::malformed, "").auditInFull);
  EXPECT_FALSE(control.noteFailure("192.0.2.7", FailureKind::unknownKey, "").auditInFull);
  EXPECT_TRUE(control.noteFailure("198.51.100.1", FailureKind::badSignature, "").auditInFull)
      << "another source";

  now_ += 59s;
  EXPECT_TRUE(control.takeFolded(false).empty()) << "the interval has not ended";
  now_ += 1s;
  auto folded = control.takeFolded(false);
  ASSERT_EQ(folded.size(), 1u) << "only the source with folded failures has an entry";
  EXPECT_EQ(folded[0].source, "192.0.2.7");
  EXPECT_EQ(folded[0].count, 2u);
  EXPECT_EQ(sum(folded[0]), 2u);
  EXPECT_EQ(folded[0].kinds.at(FailureKind::unknownKey), 1u);
  EXPECT_EQ(folded[0].sinceStart, 60s);
  EXPECT_TRUE(control.takeFolded(false).empty()) << "written once";
  // A new interval: the first failure is audited in full again.
  EXPECT_TRUE(control.noteFailure("192.0.2.7", FailureKind::malformed, "").auditInFull);
}

TEST_F(Admission, AFailureAfterTheIntervalWritesTheFoldedCountsAtOnce) {
  AdmissionControl control = make(limits());
  control.noteFailure("192.0.2.7", FailureKind::malformed, "");
  control.noteFailure("192.0.2.7", FailureKind::malformed, "");
  now_ += 61s;
  AdmissionControl::Verdict verdict = control.noteFailure("192.0.2.7", FailureKind::malformed, "");
  EXPECT_TRUE(verdict.auditInFull);
  ASSERT_EQ(verdict.writeNow.size(), 1u);
  EXPECT_EQ(verdict.writeNow[0].count, 1u);
  EXPECT_EQ(verdict.writeNow[0].sinceStart, 61s);
}

TEST_F(Admission, BeyondTheBudgetASourceIsRefusedUntilTheIntervalEndsAndTheRefusalsAreCounted) {
  AdmissionControl control = make(limits());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(control.checkSource("192.0.2.7", "").allowed) << i;
    control.noteFailure("192.0.2.7", FailureKind::malformed, "");
  }
  now_ += 20s;
  Throttle refused = control.checkSource("192.0.2.7", "");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retryAfter, 40s);
  EXPECT_FALSE(control.checkSource("192.0.2.7", "").allowed);
  EXPECT_TRUE(control.checkSource("198.51.100.1", "").allowed) << "other sources are not affected";

  now_ += 40s;
  EXPECT_TRUE(control.checkSource("192.0.2.7", "").allowed);
  auto folded = control.takeFolded(true);
  ASSERT_EQ(folded.size(), 1u);
  EXPECT_EQ(folded[0].count, 6u);  // 4 malformed after the first, 2 refused over the budget
  EXPECT_EQ(folded[0].kinds.at(FailureKind::malformed), 4u);
  EXPECT_EQ(folded[0].kinds.at(FailureKind::overBudget), 2u);
}

TEST_F(Admission, AtShutdownEveryCountIsTakenWhateverItsInterval) {
  AdmissionControl control = make(limits());
  for (const char* source : {"192.0.2.1", "192.0.2.2", "192.0.2.3"}) {
    for (int i = 0; i < 4; ++i) control.noteFailure(source, FailureKind::badHttp, "");
  }
  auto folded = control.takeFolded(true);
  ASSERT_EQ(folded.size(), 3u);
  for (const auto& f : folded) EXPECT_EQ(f.count, 3u) << f.source;
  EXPECT_TRUE(control.takeFolded(true).empty());
}

TEST_F(Admission, TheFoldedEntryKeepsTheCertificateOnlyWhenAllFailuresPresentedTheSame) {
  AdmissionControl control = make(limits());
  control.noteFailure("192.0.2.1", FailureKind::malformed, "sha256:A");
  control.noteFailure("192.0.2.1", FailureKind::malformed, "sha256:B");
  control.noteFailure("192.0.2.1", FailureKind::malformed, "sha256:B");
  control.noteFailure("192.0.2.2", FailureKind::malformed, "sha256:A");
  control.noteFailure("192.0.2.2", FailureKind::malformed, "sha256:A");
  control.noteFailure("192.0.2.2", FailureKind::malformed, "sha256:C");
  auto folded = control.takeFolded(true);
  ASSERT_EQ(folded.size(), 2u);
  EXPECT_EQ(folded[0].peerPin, "sha256:B");  // the first is audited in full with its own pin
  EXPECT_FALSE(folded[0].severalPins);
  EXPECT_EQ(folded[1].peerPin, "");
  EXPECT_TRUE(folded[1].severalPins);
}

TEST_F(Admission, TrackingIsBoundedAndTheLongestTrackedSourceIsWrittenEarlyNotDropped) {
  AdmissionLimits l = limits();
  l.maxSources = 2;
  AdmissionControl control = make(l);
  for (int i = 0; i < 3; ++i) control.noteFailure("192.0.2.1", FailureKind::malformed, "");
  now_ += 1s;
  control.noteFailure("192.0.2.2", FailureKind::malformed, "");
  now_ += 1s;
  auto verdict = control.noteFailure("192.0.2.3", FailureKind::malformed, "");
  ASSERT_EQ(verdict.writeNow.size(), 1u);
  EXPECT_EQ(verdict.writeNow[0].source, "192.0.2.1");
  EXPECT_EQ(verdict.writeNow[0].count, 2u);
}

TEST_F(Admission, FoldedEntryNamesSourceIntervalKindsAndCount) {
  FoldedFailures folded;
  folded.source = "192.0.2.7";
  folded.count = 1999;
  folded.kinds = {{FailureKind::malformed, 99}, {FailureKind::overBudget, 1900}};
  folded.sinceStart = 42s;
  folded.interval = 60s;
  const Timestamp at = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  AuditEntry entry = foldedEntry(folded, at);
  EXPECT_EQ(entry.recordedAt, at);
  EXPECT_EQ(entry.remoteAddress, "192.0.2.7");
  EXPECT_EQ(entry.repeatCount, 1998u) << "one request the entry stands for, and the further ones";
  EXPECT_EQ(entry.decision, Decision::refused);
  EXPECT_EQ(
      entry.reason,
      "folded 1999 failed requests from 192.0.2.7 that no trusted key vouched for, in the 60 s "
      "interval that began 42 s before this entry: 99 malformed, 1900 over the failure budget (429); no "
      "client certificate");
}

TEST_F(Admission, EachPartnerAndOfficerHasABucketOfItsOwn) {
  AdmissionControl control = make(limits());
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(control.admitPartner("XB-BORDER").allowed) << i;  // the burst
  Throttle refused = control.admitPartner("XB-BORDER");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retryAfter, 1s);
  EXPECT_TRUE(control.admitPartner("XC-IMMIGRATION").allowed);
  EXPECT_TRUE(control.admitOfficer("XB-BORDER").allowed) << "officers count apart from partners";

  now_ += 500ms;  // 2 per second: one token back
  EXPECT_TRUE(control.admitPartner("XB-BORDER").allowed);
  EXPECT_FALSE(control.admitPartner("XB-BORDER").allowed);

  EXPECT_TRUE(control.admitOfficer("border-1").allowed);
  Throttle officer = control.admitOfficer("border-1");
  EXPECT_FALSE(officer.allowed);
  EXPECT_EQ(officer.retryAfter, 2s);  // half a token per second
  now_ += 10s;
  EXPECT_TRUE(control.admitOfficer("border-1").allowed);
  EXPECT_FALSE(control.admitOfficer("border-1").allowed) << "the burst caps what idle time saves up";
}

}  // namespace
}  // namespace liaison::node
