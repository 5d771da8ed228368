// `liaison screen person|manifest`: the real binary against a real node (tests/node_harness.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "crypto/digest.h"
#include "node/cli/exit_codes.h"
#include "tests/liaison_process.h"
#include "tests/node_harness.h"

namespace liaison::testing {
namespace {

namespace fs = std::filesystem;
using cli::kExitInvalid;
using cli::kExitOk;
using cli::kExitUsage;
using ::testing::HasSubstr;
using ::testing::Not;

class ScreenCli : public NodeTest {
 protected:
  CommandResult screen(const std::string& identity, std::vector<std::string> words) {
    client::ClientConfig config = clientConfig(identity);
    config.stateDir = dir_ / (identity + "-state");
    words.insert(words.begin() + 1, {"--as", writeClientConfigFile(config, dir_ / (identity + ".toml")).string(),
                                     "--node", url()});
    words.insert(words.begin(), "screen");
    return runLiaison(words);
  }

  fs::path write(const std::string& name, const std::string& text) {
    const fs::path file = dir_ / name;
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }
};

TEST_F(ScreenCli, APersonsHitsArePrintedWithTheScoreAndWhy) {
  const auto result = screen(kBorderOfficer, {"person", "--name", "Шевченко Тарас", "--date-of-birth", "1961",
                                              "--nationality", "UKR"});
  ASSERT_EQ(result.exitCode, kExitOk) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr(shevchenkoNoticeRef_));
  EXPECT_THAT(result.out, HasSubstr("    score "));
  EXPECT_THAT(result.out, HasSubstr("date of birth partial"));
  EXPECT_THAT(result.out, HasSubstr("nationality agrees"));
}

TEST_F(ScreenCli, APartnerSeesTheReferenceButNoScoreAndNoName) {
  const auto result = screen(kPartnerBorder, {"person", "--name", "Taras Shevchenko", "--json"});
  ASSERT_EQ(result.exitCode, kExitOk) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr(shevchenkoNoticeRef_));
  EXPECT_THAT(result.out, Not(HasSubstr("score")));
  EXPECT_THAT(result.out, Not(HasSubstr("SHEVCHENKO")));
  EXPECT_THAT(result.out, Not(HasSubstr("shevchenko")));
}

TEST_F(ScreenCli, ScreeningByNationalityAndSexAloneIsAUsageError) {
  const auto result = screen(kBorderOfficer, {"person", "--nationality", "SYR", "--sex", "male"});
  EXPECT_EQ(result.exitCode, kExitUsage) << result.out << result.err;
  EXPECT_THAT(result.err, HasSubstr("never by nationality, sex or date of birth alone"));
}

TEST_F(ScreenCli, AManifestPrintsOneLinePerTravellerReportsTheOneItCannotReadAndIsAuditedOnce) {
  const std::string csv =
      "family_name,given_names,date_of_birth,sex,nationality,document_number,document_state\r\n"
      "SHEVCHENKO,Taras,1961-03-09,M,UKR,,\r\n"
      "LIMA,Ana,1988,F,BRA,L898902C3,UTO\r\n"
      "BERGSTROM,Ingrid,1990-13-45,F,SWE,,\r\n"  // no such date: not readable
      "NYBERG,Lars,1979,M,SWE,,\r\n";
  const fs::path file = write("manifest.csv", csv);
  const uint64_t before = auditCount();
  const auto result = screen(kBorderOfficer, {"manifest", file.string()});
  EXPECT_EQ(result.exitCode, kExitInvalid) << result.out << result.err;  // a traveller was not screened
  EXPECT_THAT(result.err, HasSubstr("NOT SCREENED"));
  EXPECT_THAT(result.err, HasSubstr("line 4"));
  EXPECT_THAT(result.out, HasSubstr("3 travellers screened, 2 with hits"));
  EXPECT_THAT(result.out, HasSubstr(shevchenkoNoticeRef_));
  EXPECT_THAT(result.out, HasSubstr(stolenPassportRef_));
  EXPECT_THAT(result.out, HasSubstr("NYBERG, Lars  1979  no hit"));
  EXPECT_EQ(auditCount(), before + 1);
  const AuditEntry entry = lastAuditEntry();
  EXPECT_EQ(entry.travellers, 3u);
  ASSERT_TRUE(entry.manifestDigest.has_value());
  EXPECT_EQ(*entry.manifestDigest, crypto::sha256(std::span(reinterpret_cast<const uint8_t*>(csv.data()), csv.size())));
}

TEST_F(ScreenCli, AManifestAsCsvAndAsJson) {
  const fs::path file = write("manifest.json", R"([{"family_name": "SHEVCHENKO", "given_names": "Taras"},
                                                    {"family_name": "NYBERG", "given_names": "Lars"}])");
  const auto csv = screen(kBorderOfficer, {"manifest", file.string(), "--csv"});
  ASSERT_EQ(csv.exitCode, kExitOk) << csv.out << csv.err;
  EXPECT_THAT(csv.out, HasSubstr("traveller,position,name,date_of_birth,document,result,best_score,refs\n"));
  EXPECT_THAT(csv.out, HasSubstr(",hit,"));
  EXPECT_THAT(csv.out, HasSubstr("\"NYBERG, Lars\",,,no hit,,"));
  const auto json = screen(kBorderOfficer, {"manifest", file.string(), "--json"});
  ASSERT_EQ(json.exitCode, kExitOk) << json.out << json.err;
  const auto parsed = nlohmann::json::parse(json.out);
  ASSERT_EQ(parsed["travellers"].size(), 2u);
  EXPECT_EQ(parsed["travellers"][0]["result"], "hit");
  EXPECT_EQ(parsed["travellers"][1]["result"], "no hit");
}

TEST_F(ScreenCli, AStrictReadingRefusesAQuirkyFileAndScreensNothing) {
  const uint64_t before = auditCount();
  const auto result =
      screen(kBorderOfficer, {"manifest", (fs::path(LIAISON_SOURCE_DIR) / "examples/manifests/messy-paxlst.edi").string(),
                              "--strict"});
  EXPECT_EQ(result.exitCode, kExitInvalid) << result.out << result.err;
  EXPECT_EQ(auditCount(), before);
}

}  // namespace
}  // namespace liaison::testing
