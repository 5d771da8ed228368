// `liaison screen compare`: an analyst's tool, run in-process (no node is asked).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "node/cli/command_line.h"
#include "node/cli/exit_codes.h"

namespace liaison {
namespace {

using ::testing::HasSubstr;

struct Compared {
  int exit = -1;
  std::string out;
  std::string err;
};

Compared compare(const std::vector<std::string>& args, const std::string& input = "") {
  std::ostringstream out;
  std::ostringstream err;
  std::istringstream in(input);
  std::vector<std::string> words{"screen", "compare"};
  words.insert(words.end(), args.begin(), args.end());
  Compared run;
  run.exit = cli::runCommandLine(words, cli::CommandContext{.out = out, .err = err, .origin = {}, .in = &in});
  run.out = out.str();
  run.err = err.str();
  return run;
}

TEST(ScreenCompare, TwoNamesInDifferentScriptsAndOrderMatchAndTheWhyIsPrinted) {
  const Compared run = compare({"Тарас Шевченко", "SHEVCHENKO, Taras"});
  ASSERT_EQ(run.exit, cli::kExitOk) << run.err;
  EXPECT_THAT(run.out, HasSubstr("MATCH"));
  EXPECT_THAT(run.out, HasSubstr("SHEVCHENKO"));
}

TEST(ScreenCompare, DifferentPeopleDoNotMatch) {
  const Compared run = compare({"Ivan Petrov", "John Smith"});
  ASSERT_EQ(run.exit, cli::kExitOk) << run.err;
  EXPECT_THAT(run.out, HasSubstr("no match"));
}

TEST(ScreenCompare, LabelledPairsFromStandardInputGivePrecisionAndRecallAtTheThreshold) {
  const Compared run = compare({"--csv"},
                          "name1,name2,label\n"
                          "Mohammed Al-Rashid,Muhammad Rashid,1\n"
                          "Taras Shevchenko,Шевченко Тарас,1\n"
                          "Ivan Petrov,John Smith,0\n"
                          "\"Smith, John\",John Smith,1\n");
  ASSERT_EQ(run.exit, cli::kExitOk) << run.err;
  EXPECT_THAT(run.out, HasSubstr("name1,name2,score,decision,explanation\n"));
  EXPECT_THAT(run.out, HasSubstr("Ivan Petrov,John Smith,"));
  EXPECT_THAT(run.err, HasSubstr("precision 1.000, recall 1.000"));
}

TEST(ScreenCompare, AWrongLabelOrAShortLineIsNamedAndRefused) {
  const Compared label = compare({}, "A B,C D,perhaps\n");
  EXPECT_EQ(label.exit, cli::kExitInvalid);
  EXPECT_THAT(label.err, HasSubstr("line 1: label 'perhaps'"));
  const Compared shortLine = compare({}, "Only One Name\n");
  EXPECT_EQ(shortLine.exit, cli::kExitInvalid);
  EXPECT_THAT(shortLine.err, HasSubstr("line 1: expected name1,name2[,label]"));
  const Compared threshold = compare({"--threshold", "2", "A", "B"});
  EXPECT_EQ(threshold.exit, cli::kExitUsage);
}

TEST(ScreenCompare, AHugeOrBrokenNameIsComparedNotCrashedOn) {
  const std::string huge(4000, 'a');
  const std::string broken = "\xff\xfe\xc3 Omar \xe2\x80";
  const Compared run = compare({huge, broken});
  EXPECT_EQ(run.exit, cli::kExitOk) << run.err;
}

}  // namespace
}  // namespace liaison
