// Aggregate statistics, the pure part (policy/statistics.h, crypto/record_key.h): suppression at
// the minimum cell size, cell-key noise within its bound, the range rules, who may ask what.
#include "policy/statistics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <map>
#include <set>

#include "crypto/record_key.h"

namespace liaison::policy {
namespace {

using std::chrono::January;
using std::chrono::March;

Date day(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

StatisticsSettings exact(uint32_t minCellSize = 10) {
  StatisticsSettings settings;
  settings.minCellSize = minCellSize;
  settings.noiseBound = 0;
  return settings;
}

// The released cell of one month and value; fails the test when it is not there.
StatisticsCell cellOf(const StatisticsTable& table, Date period, const std::string& value) {
  for (const StatisticsCell& cell : table.cells) {
    if (cell.period == period && cell.value == value) return cell;
  }
  ADD_FAILURE() << "no cell " << formatDate(period) << " " << value;
  return {};
}

crypto::RecordKeySecret secretOf(uint8_t fill) {
  std::array<uint8_t, 32> bytes;
  bytes.fill(fill);
  return crypto::RecordKeySecret::fromBytes(bytes);
}

TEST(Statistics, ACellOfNineIsSuppressedAndACellOfTenReleased) {
  const Date january = day(2025, 1, 1);
  const Date february = day(2025, 2, 1);
  // PTLIS's one record in February keeps what February holds back at 10, so nothing else goes.
  const std::vector<CountedCell> counted = {{january, "FRPAR", 10, 0},
                                            {february, "FRPAR", 9, 0},
                                            {january, "ITROM", 25, 0},
                                            {february, "ITROM", 25, 0},
                                            {february, "PTLIS", 1, 0}};
  auto table = releaseCells(counted, january, day(2025, 3, 1), StatisticsPeriod::month, exact());
  ASSERT_TRUE(table);
  EXPECT_EQ(table->minCellSize, 10u);
  EXPECT_EQ(table->noiseBound, 0u);
  const StatisticsCell ten = cellOf(*table, january, "FRPAR");
  EXPECT_FALSE(ten.suppressed);
  EXPECT_EQ(ten.count, 10u);
  const StatisticsCell nine = cellOf(*table, february, "FRPAR");
  EXPECT_TRUE(nine.suppressed);
  EXPECT_EQ(nine.count, 0u) << "a suppressed cell never carries its count";
  EXPECT_EQ(cellOf(*table, february, "ITROM").count, 25u);
}

TEST(Statistics, ASmallCellIsNeverTheOnlyOneHeldBackInItsPeriod) {
  // Nine held back alone would be February's total (from another table) minus the rest.
  const Date january = day(2025, 1, 1);
  const Date february = day(2025, 2, 1);
  const std::vector<CountedCell> counted = {{january, "FRPAR", 10, 0},
                                            {february, "FRPAR", 9, 0},
                                            {january, "ITROM", 25, 0},
                                            {february, "ITROM", 25, 0},
                                            {february, "DEHAM", 40, 0}};
  auto table = releaseCells(counted, january, day(2025, 3, 1), StatisticsPeriod::month, exact());
  ASSERT_TRUE(table);
  EXPECT_TRUE(cellOf(*table, february, "FRPAR").suppressed);
  EXPECT_TRUE(cellOf(*table, february, "ITROM").suppressed) << "the smallest released cell goes too";
  EXPECT_EQ(cellOf(*table, february, "DEHAM").count, 40u);
  EXPECT_EQ(cellOf(*table, january, "ITROM").count, 25u);
}

TEST(Statistics, ZeroAndSmallCellsLookAlikeAndValuesThatNeverReachTheMinimumAreNotListed) {
  const Date january = day(2025, 1, 1);
  const Date february = day(2025, 2, 1);
  const std::vector<CountedCell> counted = {{january, "FRPAR", 12, 0},
                                            {february, "FRPAR", 30, 0},
                                            {february, "ESMAD", 3, 0},
                                            {january, "PTLIS", 2, 0},
                                            {february, "PTLIS", 20, 0}};
  auto table = releaseCells(counted, january, day(2025, 3, 1), StatisticsPeriod::month, exact());
  ASSERT_TRUE(table);
  std::set<std::string> values;
  for (const StatisticsCell& cell : table->cells) values.insert(cell.value);
  EXPECT_EQ(values, (std::set<std::string>{"FRPAR", "PTLIS"})) << "ESMAD never reaches 10";
  EXPECT_EQ(table->cells.size(), 4u) << "every month for every listed value";
  // February holds back ESMAD's 3, so the smallest released cell of February goes too.
  EXPECT_TRUE(cellOf(*table, february, "PTLIS").suppressed);
  EXPECT_EQ(cellOf(*table, february, "FRPAR").count, 30u);
  // January holds back PTLIS's 2 (listed, below 10); FRPAR is then suppressed with it.
  EXPECT_TRUE(cellOf(*table, january, "PTLIS").suppressed);
  EXPECT_TRUE(cellOf(*table, january, "FRPAR").suppressed);
}

TEST(Statistics, AZeroCellOfAListedValueIsSuppressedNotZero) {
  const Date january = day(2025, 1, 1);
  const Date february = day(2025, 2, 1);
  auto table =
      releaseCells({{january, "", 40, 0}}, january, day(2025, 3, 1), StatisticsPeriod::month, exact());
  ASSERT_TRUE(table);
  ASSERT_EQ(table->cells.size(), 2u);
  EXPECT_EQ(cellOf(*table, january, "").count, 40u);
  EXPECT_TRUE(cellOf(*table, february, "").suppressed);
}

TEST(Statistics, NoiseStaysWithinItsBoundIsTheSameForTheSameCellAndIsNotAlwaysZero) {
  for (uint32_t bound : {1u, 2u, 3u, 9u}) {
    std::map<int32_t, int> seen;
    for (uint32_t key = 0; key < kCellKeyModulus; key += 7) {
      const int32_t noise = cellKeyNoise(key, bound);
      ASSERT_LE(std::abs(noise), static_cast<int32_t>(bound)) << "key " << key;
      ASSERT_EQ(noise, cellKeyNoise(key, bound)) << "the same cell key gives the same noise";
      ++seen[noise];
    }
    EXPECT_EQ(seen.size(), 2 * bound + 1) << "every value of -bound..bound occurs";
    EXPECT_GT(seen[0], seen[static_cast<int32_t>(bound)]) << "triangular: zero is likeliest";
  }
  EXPECT_EQ(cellKeyNoise(12345, 0), 0) << "bound 0: exact counts";
}

TEST(Statistics, ReleasedCountsStayWithinTheBoundOverManyCellsAndRepeatExactly) {
  const crypto::RecordKeySecret secret = secretOf(7);
  StatisticsSettings settings = exact();
  settings.noiseBound = 3;
  const Date from = day(2025, 1, 1);
  std::vector<CountedCell> counted;
  for (int value = 0; value < 200; ++value) {
    CountedCell cell{from, "V" + std::to_string(1000 + value), 50 + static_cast<uint64_t>(value), 0};
    for (uint64_t record = 0; record < cell.count; ++record) {
      cell.keySum += secret.recordKey("movement", cell.value + "-" + std::to_string(record));
    }
    counted.push_back(cell);
  }
  auto first = releaseCells(counted, from, day(2025, 1, 2), StatisticsPeriod::day, settings);
  auto again = releaseCells(counted, from, day(2025, 1, 2), StatisticsPeriod::day, settings);
  ASSERT_TRUE(first && again);
  EXPECT_EQ(*first, *again) << "asking again gives the same noise: repeating does not average it away";
  int perturbed = 0;
  for (size_t i = 0; i < counted.size(); ++i) {
    const StatisticsCell& cell = cellOf(*first, from, counted[i].value);
    ASSERT_FALSE(cell.suppressed);
    const auto difference = static_cast<int64_t>(cell.count) - static_cast<int64_t>(counted[i].count);
    EXPECT_LE(std::abs(difference), 3) << counted[i].value;
    if (difference != 0) ++perturbed;
  }
  EXPECT_GT(perturbed, 50) << "most cells carry noise";
}

TEST(Statistics, OneMoreRecordInACellGivesUnrelatedNoise) {
  // Differencing two cells that differ by one person: their noise is not the same, so the
  // difference of the released counts is not the person's 1.
  const crypto::RecordKeySecret secret = secretOf(9);
  int differing = 0;
  for (int cell = 0; cell < 100; ++cell) {
    uint64_t keys = 0;
    for (int record = 0; record < 20; ++record)
      keys += secret.recordKey("movement", std::to_string(cell * 100 + record));
    const uint64_t withOneMore = keys + secret.recordKey("movement", "one-more-" + std::to_string(cell));
    if (cellKeyNoise(keys % kCellKeyModulus, 3) != cellKeyNoise(withOneMore % kCellKeyModulus, 3))
      ++differing;
  }
  EXPECT_GT(differing, 50);
}

TEST(Statistics, RecordKeysDependOnTheSecretAndWhatIsCounted) {
  const auto a = secretOf(1);
  const auto b = secretOf(2);
  EXPECT_EQ(a.recordKey("movement", "ref-1"), a.recordKey("movement", "ref-1"));
  EXPECT_NE(a.recordKey("movement", "ref-1"), b.recordKey("movement", "ref-1"));
  EXPECT_NE(a.recordKey("movement", "ref-1"), a.recordKey("refusal", "ref-1"));
  EXPECT_NE(a.recordKey("movement", "ref-1"), a.recordKey("movement", "ref-2"));
}

AggregateStatisticsQuery movementsByPort(Date from, Date until,
                                         StatisticsPeriod period = StatisticsPeriod::month) {
  AggregateStatisticsQuery query;
  query.compartment = Compartment::immigration;
  query.kind = RecordKind::movement;
  query.period = period;
  query.from = from;
  query.until = until;
  query.dimension = StatisticsDimension::port;
  return query;
}

TEST(Statistics, ARangeIsWholeCompletedPeriods) {
  const Date today = day(2025, 6, 18);
  EXPECT_EQ(statisticsQueryProblem(movementsByPort(day(2025, 1, 1), day(2025, 6, 1)), today), std::nullopt);
  EXPECT_THAT(statisticsQueryProblem(movementsByPort(day(2025, 1, 2), day(2025, 6, 1)), today),
              ::testing::Optional(::testing::HasSubstr("from 2025-01-02 is not the first day of a month")));
  EXPECT_THAT(statisticsQueryProblem(movementsByPort(day(2025, 1, 1), day(2025, 7, 1)), today),
              ::testing::Optional(::testing::HasSubstr("only completed periods are counted")));
  EXPECT_THAT(statisticsQueryProblem(movementsByPort(day(2025, 3, 1), day(2025, 3, 1)), today),
              ::testing::Optional(::testing::HasSubstr("is empty")));
  // 2025-06-16 is a Monday: weeks start there; a Tuesday does not.
  EXPECT_EQ(statisticsQueryProblem(movementsByPort(day(2025, 6, 2), day(2025, 6, 16), StatisticsPeriod::week),
                                   today),
            std::nullopt);
  EXPECT_THAT(statisticsQueryProblem(
                  movementsByPort(day(2025, 6, 3), day(2025, 6, 16), StatisticsPeriod::week), today),
              ::testing::Optional(::testing::HasSubstr("not the first day of a week")));
  EXPECT_THAT(
      statisticsQueryProblem(movementsByPort(day(2024, 1, 1), day(2025, 3, 1), StatisticsPeriod::day), today),
      ::testing::Optional(::testing::HasSubstr("more than 400 periods")));
}

TEST(Statistics, OnlyThePeriodLengthsThePolicyOffersMayBeAsked) {
  StatisticsSettings monthsOnly;
  monthsOnly.periods = {StatisticsPeriod::month};
  EXPECT_EQ(statisticsPeriodProblem(movementsByPort(day(2025, 1, 1), day(2025, 2, 1)), monthsOnly),
            std::nullopt);
  EXPECT_THAT(statisticsPeriodProblem(
                  movementsByPort(day(2025, 6, 2), day(2025, 6, 16), StatisticsPeriod::week), monthsOnly),
              ::testing::Optional(
                  ::testing::HasSubstr("period week is not offered by this node; it counts per month")));
  EXPECT_EQ(
      statisticsPeriodProblem(movementsByPort(day(2025, 6, 2), day(2025, 6, 16), StatisticsPeriod::week),
                              StatisticsSettings{}),
      std::nullopt);
}

TEST(Statistics, OnlyFixedDimensionsOfDatedRecordsAreOffered) {
  const Date today = day(2025, 6, 18);
  AggregateStatisticsQuery byGround = movementsByPort(day(2025, 1, 1), day(2025, 2, 1));
  byGround.dimension = StatisticsDimension::ground;
  EXPECT_THAT(
      statisticsQueryProblem(byGround, today),
      ::testing::Optional(::testing::HasSubstr("dimension ground is not offered for movement records")));
  AggregateStatisticsQuery notices = byGround;
  notices.compartment = Compartment::notices;
  notices.kind = RecordKind::notice;
  notices.dimension = StatisticsDimension::none;
  EXPECT_THAT(statisticsQueryProblem(notices, today),
              ::testing::Optional(::testing::HasSubstr("carry no date")));
  AggregateStatisticsQuery elsewhere = movementsByPort(day(2025, 1, 1), day(2025, 2, 1));
  elsewhere.compartment = Compartment::health;
  EXPECT_THAT(statisticsQueryProblem(elsewhere, today),
              ::testing::Optional(::testing::HasSubstr("movement is not in compartment health")));
}

TEST(Statistics, ProtectedAttributesAndRequestCountsAreForOversightRolesOnly) {
  const StatisticsSettings settings;  // oversight: auditor
  AggregateStatisticsQuery byNationality = movementsByPort(day(2025, 1, 1), day(2025, 2, 1));
  byNationality.dimension = StatisticsDimension::nationality;
  AggregateStatisticsQuery requests;
  requests.subject = StatisticsSubject::requests;
  for (Role role :
       {Role::border, Role::immigration, Role::enforcement, Role::liaison, Role::health, Role::justice}) {
    EXPECT_THAT(statisticsRoleProblem(role, true, byNationality, settings),
                ::testing::Optional(::testing::HasSubstr("protected attribute")))
        << name(role);
    EXPECT_NE(statisticsRoleProblem(role, true, requests, settings), std::nullopt) << name(role);
    EXPECT_EQ(statisticsRoleProblem(role, true, movementsByPort(day(2025, 1, 1), day(2025, 2, 1)), settings),
              std::nullopt);
  }
  EXPECT_EQ(statisticsRoleProblem(Role::auditor, true, byNationality, settings), std::nullopt);
  EXPECT_EQ(statisticsRoleProblem(Role::auditor, true, requests, settings), std::nullopt);
  // A partner's officer in a role this policy calls oversight is not this node's oversight.
  StatisticsSettings justiceOversees = settings;
  justiceOversees.oversightRoles = {Role::auditor, Role::justice};
  EXPECT_EQ(statisticsRoleProblem(Role::justice, true, requests, justiceOversees), std::nullopt);
  EXPECT_NE(statisticsRoleProblem(Role::justice, false, requests, justiceOversees), std::nullopt);
  EXPECT_NE(statisticsRoleProblem(Role::justice, false, byNationality, justiceOversees), std::nullopt);
}

}  // namespace
}  // namespace liaison::policy
