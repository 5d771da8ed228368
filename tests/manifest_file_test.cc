#include "adapters/manifest_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "schema/limits.h"

namespace liaison::manifest {
namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string example(const std::string& name) { return readFile(LIAISON_SOURCE_DIR "/examples/manifests/" + name); }
std::string paxlstFixture(const std::string& name) {
  return readFile(LIAISON_SOURCE_DIR "/tests/fixtures/paxlst/" + name);
}

std::string replaced(std::string text, std::string_view from, std::string_view to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "'" << from << "' is not in the text";
  if (at == std::string::npos) return text;
  return text.replace(at, from.size(), to);
}

const ParseOptions kStrict{.strict = true};

Manifest read(std::string_view bytes, ManifestFormat format = ManifestFormat::detect, const ParseOptions& options = {}) {
  auto manifest = readManifest(bytes, format, options);
  EXPECT_TRUE(manifest.ok()) << manifest.error().message;
  return manifest.ok() ? std::move(manifest).value() : Manifest{};
}

std::string refusal(std::string_view bytes, const ParseOptions& options = {}) {
  auto manifest = readManifest(bytes, ManifestFormat::detect, options);
  EXPECT_FALSE(manifest.ok()) << "read, but should have been refused";
  return manifest.ok() ? "" : manifest.error().message;
}

std::vector<std::string> familyNames(const Manifest& manifest) {
  std::vector<std::string> names;
  for (const ManifestTraveller& traveller : manifest.travellers) names.push_back(traveller.person.familyName);
  return names;
}

std::string warningText(const Manifest& manifest) {
  std::string text;
  for (const ManifestWarning& warning : manifest.warnings) text += warning.message + "\n";
  return text;
}

SourcePosition line(size_t number) { return SourcePosition{SourcePosition::Kind::line, number}; }
SourcePosition item(size_t number) { return SourcePosition{SourcePosition::Kind::item, number}; }
SourcePosition segment(size_t number) { return SourcePosition{SourcePosition::Kind::segment, number}; }

const char* kHeader =
    "family_name,given_names,other_names,date_of_birth,sex,nationality,document_number,document_state,"
    "document_type\n";

// ---------------------------------------------------------------------------------------------
// Detection
// ---------------------------------------------------------------------------------------------

TEST(ManifestFile, DetectsTheFormatFromTheFirstBytes) {
  EXPECT_EQ(detectManifestFormat("UNA:+.? 'UNB+UNOA:4"), ManifestFormat::paxlst);
  EXPECT_EQ(detectManifestFormat("\xEF\xBB\xBF\r\nUNB+UNOA:4"), ManifestFormat::paxlst);
  EXPECT_EQ(detectManifestFormat("unb+UNOA:4"), ManifestFormat::paxlst);
  EXPECT_EQ(detectManifestFormat("  [{}]"), ManifestFormat::json);
  EXPECT_EQ(detectManifestFormat("\xEF\xBB\xBF{\"travellers\":[]}"), ManifestFormat::json);
  EXPECT_EQ(detectManifestFormat("family_name\nDOE\n"), ManifestFormat::csv);
  EXPECT_EQ(detectManifestFormat(""), ManifestFormat::csv);
  EXPECT_EQ(parseManifestFormat("json"), ManifestFormat::json);
  EXPECT_EQ(parseManifestFormat("xml"), std::nullopt);
  EXPECT_EQ(name(ManifestFormat::paxlst), "paxlst");
}

// ---------------------------------------------------------------------------------------------
// Each format
// ---------------------------------------------------------------------------------------------

TEST(ManifestFile, ReadsPaxlstTravellersOfEveryMessageWithTheirSegment) {
  Manifest manifest = read(paxlstFixture("several-messages.edi"));
  EXPECT_EQ(manifest.format, ManifestFormat::paxlst);
  ASSERT_EQ(manifest.travellers.size(), 4u);
  EXPECT_EQ(manifest.travellers[2].person.familyName, "THREE");
  EXPECT_TRUE(manifest.travellers[3].crew) << "the crew list's member";
  for (const ManifestTraveller& traveller : manifest.travellers) {
    EXPECT_EQ(traveller.position.kind, SourcePosition::Kind::segment);
    EXPECT_GT(traveller.position.number, 1u);
  }

  Manifest passengers = read(paxlstFixture("passenger-list.edi"), ManifestFormat::paxlst, kStrict);
  const ManifestTraveller& anna = passengers.travellers[0];
  EXPECT_EQ(anna.position, segment(13));
  EXPECT_EQ(anna.person, (PersonIdentity{"SPECIMEN", "ANNA MARIA", PartialDate{1974, 8, 12}, Sex::female, "UTO"}));
  EXPECT_EQ(anna.documentNumber->str(), "L898902C3");
  EXPECT_EQ(anna.documentIssuingState, "UTO");
  EXPECT_EQ(anna.documentType, "P");
}

TEST(ManifestFile, ReadsTheJsonExample) {
  Manifest manifest = read(example("travellers.json"));
  EXPECT_EQ(manifest.format, ManifestFormat::json);
  EXPECT_TRUE(manifest.warnings.empty()) << warningText(manifest);
  ASSERT_EQ(manifest.travellers.size(), 4u);
  const ManifestTraveller& anna = manifest.travellers[0];
  EXPECT_EQ(anna.position, item(1));
  EXPECT_EQ(anna.person, (PersonIdentity{"SPECIMEN", "ANNA MARIA", PartialDate{1974, 8, 12}, Sex::female, "UTO"}));
  EXPECT_EQ(anna.documentNumber->str(), "L898902C3");
  EXPECT_EQ(anna.documentType, "P");
  const ManifestTraveller& rene = manifest.travellers[1];
  EXPECT_EQ(rene.person.familyName, "\u00C5ngstr\u00F6mer");
  EXPECT_EQ(rene.otherNames, (std::vector<std::string>{"Angstromer Rene"}));
  EXPECT_EQ(rene.person.dateOfBirth, (PartialDate{1980, 0, 0}));
  EXPECT_FALSE(rene.documentNumber);
  EXPECT_EQ(manifest.travellers[2].person.dateOfBirth, (PartialDate{1992, 3, 0}));
  EXPECT_EQ(manifest.travellers[2].documentNumber->str(), "UB7654321") << "normalised";
  EXPECT_EQ(manifest.travellers[3].person.sex, Sex::unspecified);
}

TEST(ManifestFile, ReadsABareJsonArray) {
  Manifest manifest = read(R"([{"family_name": "DOE", "sex": "female", "date_of_birth": null}])");
  ASSERT_EQ(manifest.travellers.size(), 1u);
  EXPECT_EQ(manifest.travellers[0].person.sex, Sex::female);
  EXPECT_FALSE(manifest.travellers[0].person.dateOfBirth.known());
}

TEST(ManifestFile, ReadsTheCsvExampleWithCrlfLineEnds) {
  std::string csv = example("travellers.csv");
  ASSERT_NE(csv.find("\r\n"), std::string::npos) << "the example is written with CRLF";
  Manifest manifest = read(csv);
  EXPECT_EQ(manifest.format, ManifestFormat::csv);
  EXPECT_TRUE(manifest.warnings.empty()) << warningText(manifest);
  ASSERT_EQ(manifest.travellers.size(), 4u);
  EXPECT_EQ(manifest.travellers[0].position, line(2));
  EXPECT_EQ(manifest.travellers[0].person,
            (PersonIdentity{"SPECIMEN", "ANNA MARIA", PartialDate{1974, 8, 12}, Sex::female, "UTO"}));
  EXPECT_EQ(manifest.travellers[1].otherNames, (std::vector<std::string>{"Angstromer Rene", "Angstroemer Rene"}));
  EXPECT_EQ(manifest.travellers[1].person.givenNames, "Ren\u00E9");
  EXPECT_EQ(manifest.travellers[3].person.familyName, "O'SAMPLE, JR") << "a quoted field with a comma";
  EXPECT_EQ(manifest.travellers[3].position, line(5));
}

TEST(ManifestFile, ByteOrderMarksAreSkippedInCsvAndJson) {
  Manifest csv = read(std::string("\xEF\xBB\xBF") + kHeader + "DOE,JANE,,,,,,,\n", ManifestFormat::detect, kStrict);
  EXPECT_EQ(familyNames(csv), (std::vector<std::string>{"DOE"}));
  Manifest json = read("\xEF\xBB\xBF[{\"family_name\": \"DOE\"}]", ManifestFormat::detect, kStrict);
  EXPECT_EQ(familyNames(json), (std::vector<std::string>{"DOE"}));
}

TEST(ManifestFile, CsvColumnsMayComeInAnyOrderAndBeLeftOut) {
  Manifest manifest = read("document_number,family_name\r\nAB 123,DOE\r\n\r\n,ROE\r\n");
  ASSERT_EQ(manifest.travellers.size(), 2u) << "a blank line is no traveller";
  EXPECT_EQ(manifest.travellers[0].documentNumber->str(), "AB123");
  EXPECT_FALSE(manifest.travellers[1].documentNumber);
  EXPECT_EQ(manifest.travellers[1].position, line(4));
}

// ---------------------------------------------------------------------------------------------
// PAXLST quirks: lenient reads them with warnings, strict refuses
// ---------------------------------------------------------------------------------------------

TEST(ManifestFile, EachPaxlstQuirkClassIsReadLenientlyAndRefusedStrictly) {
  const std::string text = paxlstFixture("passenger-list.edi");
  struct Quirk {
    const char* name;
    std::string bytes;
  };
  const std::vector<Quirk> quirks = {
      {"spaces between segments", replaced(text, "ATT+2++M'\n", "ATT+2++M'  ")},
      {"line break in a segment", replaced(text, "SPECIMEN:SEAN", "SPECI\r\nMEN:SEAN")},
      {"space after a tag", replaced(text, "NAT+2+UTO'\nRFF+AVF:ABC123'\nRFF+SEA", "NAT +2+UTO'\nRFF+AVF:ABC123'\nRFF+SEA")},
      {"lower-case tag", replaced(text, "ATT+2++X", "att+2++X")},
      {"Latin-1 in UNOA", replaced(text, "MUSTERMANN", "M\xDCSTERMANN")},
      {"UTF-8 in UNOA", replaced(text, "MUSTERMANN", "M\u00DCSTERMANN")},
      {"CNT in two elements", replaced(text, "CNT+42:3", "CNT+42+3")},
      {"UNT count off", replaced(text, "UNT+48", "UNT+50")},
      {"second flight leg", replaced(text, "LOC+87+JFK'\nDTM+232:2611251430:201'\n",
                                     "LOC+87+JFK'\nDTM+232:2611251430:201'\nTDT+20+ZZ9+++ZZ'\n")},
      {"trailing data after UNZ", text + "THE END"},
      {"missing UNZ", replaced(text, "UNZ+1+000000042'\n", "")},
      {"byte order mark", "\xEF\xBB\xBF" + text},
  };
  for (const Quirk& quirk : quirks) {
    auto strict = readManifest(quirk.bytes, ManifestFormat::paxlst, kStrict);
    EXPECT_FALSE(strict.ok()) << quirk.name << ": strict read it";
    auto lenient = readManifest(quirk.bytes, ManifestFormat::detect, {});
    ASSERT_TRUE(lenient.ok()) << quirk.name << ": " << lenient.error().message;
    EXPECT_EQ(lenient->travellers.size(), 3u) << quirk.name;
    EXPECT_TRUE(lenient->unreadable.empty()) << quirk.name;
    EXPECT_FALSE(lenient->warnings.empty()) << quirk.name;
    for (const ManifestWarning& warning : lenient->warnings) {
      EXPECT_EQ(warning.position.kind, SourcePosition::Kind::segment) << quirk.name;
      EXPECT_EQ(warning.message.find("MUSTERMANN"), std::string::npos) << "a warning quotes a name";
    }
  }
}

TEST(ManifestFile, TheMessyPaxlstExampleKeepsItsUnreadableTraveller) {
  Manifest manifest = read(example("messy-paxlst.edi"));
  EXPECT_EQ(familyNames(manifest), (std::vector<std::string>{"\u00C5NGSTR\u00D6MER", "EXAMPLE-\u017DUPAN", "SAMPLE",
                                                              "TESTPERSON"}));
  ASSERT_EQ(manifest.unreadable.size(), 1u);
  EXPECT_EQ(manifest.unreadable[0].position, segment(27));
  EXPECT_EQ(manifest.unreadable[0].reason,
            "segment 29 (DOC), element 2: document number has a character that is not a letter or digit at position 5");
  EXPECT_EQ(manifest.warnings.size(), 9u) << warningText(manifest);
  EXPECT_FALSE(readManifest(example("messy-paxlst.edi"), ManifestFormat::detect, kStrict).ok());
}

// ---------------------------------------------------------------------------------------------
// Unreadable entries: kept with the rest read (lenient), refused (strict)
// ---------------------------------------------------------------------------------------------

TEST(ManifestFile, UnreadableJsonEntriesAreReportedWithTheRestKept) {
  std::string json = R"([
    {"family_name": "ONE", "date_of_birth": "1980-13-01"},
    {"family_name": "TWO"},
    "not an object",
    {"given_names": "NO FAMILY NAME"},
    {"family_name": "FIVE", "document_number": "AB/12"},
    {"family_name": "SIX", "nationality": "Utopia"},
    {"family_name": "SEVEN", "sex": "Q"},
    {"family_name": 8},
    {"family_name": "NINE", "other_names": "not a list"},
    {"family_name": "TEN", "given_names": "BELL\u0007"}
  ])";
  Manifest manifest = read(json);
  EXPECT_EQ(familyNames(manifest), (std::vector<std::string>{"TWO"}));
  EXPECT_EQ(manifest.travellers[0].position, item(2));
  std::vector<UnreadableEntry> expected = {
      {item(1), "item 1, date_of_birth: is not a date YYYY, YYYY-MM or YYYY-MM-DD"},
      {item(3), "item 3: is not an object of traveller fields"},
      {item(4), "item 4, family_name: is empty; every traveller needs a family name"},
      {item(5), "item 5, document_number: document number has a character that is not a letter or digit at position 3"},
      {item(6), "item 6, nationality: is not a three-letter ICAO code such as UTO"},
      {item(7), "item 7, sex: is not M, F, X or U (or male, female, unspecified)"},
      {item(8), "item 8, family_name: is not a string"},
      {item(9), "item 9, other_names: is not an array of strings"},
      {item(10), "item 10, given_names: is not printable UTF-8 text"},
  };
  EXPECT_EQ(manifest.unreadable, expected);
  for (const UnreadableEntry& entry : manifest.unreadable) {
    EXPECT_EQ(entry.reason.find("1980"), std::string::npos) << "a reason quotes a date of birth";
  }
  EXPECT_EQ(refusal(json, kStrict), "item 1, date_of_birth: is not a date YYYY, YYYY-MM or YYYY-MM-DD");
}

TEST(ManifestFile, UnreadableCsvRowsAreReportedWithTheRestKept) {
  std::string csv = std::string(kHeader) +
                    "ONE,A,,1980,M,UTO,,,\n"
                    "TWO,B,,1980\n"
                    "THREE,C,,1980,M,UTO,X<<1,UTOPIA,\n"
                    "FOUR,D,,,,,,,\n";
  Manifest manifest = read(csv);
  EXPECT_EQ(familyNames(manifest), (std::vector<std::string>{"ONE", "FOUR"}));
  EXPECT_EQ(manifest.travellers[1].position, line(5));
  EXPECT_EQ(manifest.unreadable,
            (std::vector<UnreadableEntry>{{line(3), "line 3: has 4 fields but the header has 9"},
                                          {line(4), "line 4, document_state: is not a three-letter ICAO code such as UTO"}}));
  EXPECT_EQ(refusal(csv, kStrict), "line 3: has 4 fields but the header has 9");
}

TEST(ManifestFile, Latin1CsvIsReadWithAWarningLeniently) {
  std::string csv = "family_name,given_names\nM\xDCLLER,REN\xC9\nM\xDCLLER,ANNA\n";
  Manifest manifest = read(csv);
  ASSERT_EQ(manifest.travellers.size(), 2u);
  EXPECT_EQ(manifest.travellers[0].person.familyName, "M\u00DCLLER");
  EXPECT_EQ(manifest.travellers[0].person.givenNames, "REN\u00C9");
  EXPECT_EQ(warningText(manifest), "line 2, family_name: not UTF-8; read as ISO 8859-1 (further ones are not reported)\n");
  EXPECT_EQ(refusal(csv, kStrict), "line 2, family_name: is not UTF-8 text");
}

TEST(ManifestFile, UnknownFieldsAreWarningsLenientlyAndErrorsStrictly) {
  Manifest json = read(R"([{"family_name": "A", "seat": "1A"}, {"family_name": "B", "seat": "1B"}])");
  EXPECT_EQ(familyNames(json), (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(warningText(json), "item 1: unknown field 'seat' ignored (further ones of that name are not reported)\n");
  EXPECT_EQ(refusal(R"([{"family_name": "A", "seat": "1A"}])", kStrict),
            "item 1: unknown field 'seat' ignored (further ones of that name are not reported)");

  Manifest csv = read("family_name,seat\nA,1A\n");
  EXPECT_EQ(familyNames(csv), (std::vector<std::string>{"A"}));
  EXPECT_EQ(warningText(csv), "line 1: unknown column 'seat' ignored\n");
  EXPECT_FALSE(readManifest("family_name,seat\nA,1A\n", ManifestFormat::csv, kStrict).ok());
}

// ---------------------------------------------------------------------------------------------
// What is refused in both modes
// ---------------------------------------------------------------------------------------------

TEST(ManifestFile, OversizedFieldsAreRefusedNamingWhereAndWhich) {
  std::string longName(limits::kPersonNameBytes + 1, 'A');
  EXPECT_EQ(refusal("[{\"family_name\": \"DOE\"}, {\"family_name\": \"" + longName + "\"}]"),
            "item 2, family_name: is 1025 bytes, more than the 1024 allowed");
  EXPECT_EQ(refusal(std::string(kHeader) + "DOE,JANE,,,,,,,\nDOE," + longName + ",,,,,,,\n"),
            "line 3, given_names: is 1025 bytes, more than the 1024 allowed");
  EXPECT_EQ(refusal("family_name,nationality\nDOE," + std::string(40, 'U') + "\n"),
            "line 2, nationality: is 40 bytes, more than the 32 allowed")
      << "an oversized field is refused even though the value would also be unreadable";
  std::string aliases = "[";
  for (size_t i = 0; i <= limits::kMaxAliases; ++i) aliases += std::string(i ? "," : "") + "\"X\"";
  EXPECT_EQ(refusal("[{\"family_name\": \"DOE\", \"other_names\": " + aliases + "]}]"),
            "item 1, other_names: has 65 items, more than the 64 allowed");
  EXPECT_EQ(refusal(std::string("\xEF\xBB\xBF") + "UNA:+.? 'UNB+UNOA:4+S+R+261125:0800+1'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'"
                    "TDT+20+ZZ1'NAD+FL+++" + longName + "'UNT+5+1'UNZ+1+1'"),
            "segment 5 (NAD), family_name: is 1025 bytes, more than the 1024 allowed");
}

TEST(ManifestFile, MoreThanTheMostTravellersIsRefused) {
  std::string csv = "family_name\n";
  for (size_t i = 0; i <= limits::kMaxTravellers; ++i) csv += "DOE\n";
  EXPECT_EQ(refusal(csv), "line 10002: the manifest has more than 10000 travellers; split it");
  std::string unreadable = "family_name,sex\n";
  for (size_t i = 0; i <= limits::kMaxTravellers; ++i) unreadable += "DOE,Q\n";
  EXPECT_EQ(refusal(unreadable), "line 10002: the manifest has more than 10000 travellers; split it")
      << "unreadable entries count";
  std::string paxlst = "UNB+UNOA:4+S+R+261125:0800+1'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'TDT+20+ZZ1'";
  for (size_t i = 0; i <= limits::kMaxTravellers; ++i) paxlst += "NAD+FL+++DOE'";
  paxlst += "UNT+" + std::to_string(limits::kMaxTravellers + 5) + "+1'UNZ+1+1'";
  EXPECT_EQ(refusal(paxlst), "message 1: the manifest has more than 10000 travellers; split it");
}

TEST(ManifestFile, OversizedInputIsRefusedBeforeReading) {
  std::string huge(kMaxManifestBytes + 1, '[');
  EXPECT_EQ(refusal(huge), "the manifest is 16777217 bytes; a manifest may have at most 16777216 bytes (16 MiB)");
}

TEST(ManifestFile, MalformedFilesAreRefusedSayingWhere) {
  EXPECT_EQ(refusal("[{\"family_name\": \"DOE\"},]").rfind("not valid JSON at byte 25: ", 0), 0u);
  EXPECT_EQ(refusal(std::string(100, '[') + std::string(100, ']')),
            "arrays and objects nested more than 8 deep; a manifest is an array of traveller objects");
  EXPECT_EQ(refusal("{\"passengers\": []}"),
            "the JSON object has no \"travellers\" array; a manifest is an array of traveller objects or "
            "{\"travellers\": [...]}");
  EXPECT_EQ(refusal("{\"travellers\": 3}"),
            "a manifest is an array of traveller objects or {\"travellers\": [...]}, not a JSON number");
  EXPECT_EQ(refusal(""), "the file is empty; a CSV manifest starts with a header row naming its columns");
  EXPECT_EQ(refusal("given_names\nJANE\n").rfind("line 1: the header has no family_name column", 0), 0u);
  EXPECT_EQ(refusal("family_name,family_name\nA,B\n"), "line 1: column 'family_name' is named twice");
  EXPECT_EQ(refusal("family_name\n\"DOE\n"), "line 3: quoted field is not closed before the end of the file");
  EXPECT_EQ(refusal("UNB+UNOA:4+S+R+261125:0800+1'"),
            "the input ends after segment 1 (UNB) but UNZ (interchange trailer) is missing; the file looks truncated");
}

TEST(ManifestFile, PositionsReadAsPeopleWriteThem) {
  EXPECT_EQ(describe(segment(14)), "segment 14");
  EXPECT_EQ(describe(segment(0)), "the start of the file");
  EXPECT_EQ(describe(line(3)), "line 3");
  EXPECT_EQ(describe(item(2)), "item 2");
}

}  // namespace
}  // namespace liaison::manifest
