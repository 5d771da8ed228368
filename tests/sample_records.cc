#include "tests/sample_records.h"

namespace liaison::testing {
namespace {

Date date(int y, unsigned m, unsigned d) { return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)}; }

PersonIdentity person(int variant) {
  static const char* kFamily[] = {"Παπαδόπουλος", "Al-Rashid", "Nowak"};
  static const char* kGiven[] = {"Ιωάννης", "محمد علي", "Zofia Anna"};
  return PersonIdentity{kFamily[variant % 3], kGiven[variant % 3],
                        PartialDate{static_cast<uint16_t>(1980 + variant), 7, static_cast<uint8_t>(variant % 2 ? 0 : 14)},
                        variant % 2 ? Sex::male : Sex::female, variant % 2 ? "UTO" : "D<<"};
}

RecordMeta meta(const std::string& owner, int variant) {
  return RecordMeta{"", owner, {"EU-PARTNERS", "XB-POLICE"}, variant % 2 ? HandlingCode::h1 : HandlingCode::h3,
                    date(2036, 1, 31)};
}

DocumentNumber number(int variant) { return DocumentNumber::parse("L898902C" + std::to_string(variant)).value(); }

}  // namespace

std::vector<RecordKind> allRecordKinds() {
  std::vector<RecordKind> kinds;
  for (size_t i = 0; i < std::variant_size_v<Record>; ++i) kinds.push_back(static_cast<RecordKind>(i));
  return kinds;
}

Record sampleRecord(RecordKind kind, const std::string& owner, int variant) {
  const std::string n = std::to_string(variant);
  switch (kind) {
    case RecordKind::notice:
      return Notice{meta(owner, variant), NoticeColour::yellow, "2099/" + n, person(variant), {"UTO", "XXA"},
                    {"Johnny \"Quotes\" Doe", "J. {Back\\slash}"}, "Ἰωάννης " + n, {"UTO"}, "Charge " + n};
    case RecordKind::travelDocument:
      return TravelDocument{meta(owner, variant), number(variant), "UTO", DocumentType::identityCard,
                            FraudType::stolenFromBearer, date(2019, 4, 1), date(2029, 3, 31), date(2024, 2, 29),
                            date(2026, 2, 28), "NAT-REF-" + n};
    case RecordKind::movement:
      return Movement{meta(owner, variant), person(variant), "L898902C" + n, "UTO", MovementDirection::transit,
                      "NLAMS", Timestamp{std::chrono::sys_days{date(2026, 3, 1)}} + std::chrono::seconds(3723 + variant),
                      "KL1234"};
    case RecordKind::refusal:
      return Refusal{meta(owner, variant), person(variant), "X1234" + n, "UTO", "DEFRA", date(2025, 12, 24), {"B", "E"}};
    case RecordKind::overstay:
      return Overstay{meta(owner, variant), person(variant), "X9876" + n, "UTO", date(2025, 6, 30), date(2025, 9, 1)};
    case RecordKind::visaDecision:
      return VisaDecision{meta(owner, variant), person(variant), "APP-" + n, "C", VisaOutcome::revoked,
                          date(2025, 1, 15), date(2025, 2, 1), date(2025, 4, 30), {"3", "7"}};
    case RecordKind::watchlistPerson:
      return WatchlistPerson{meta(owner, variant), person(variant), {"Alias " + n}, "SIS-ART-24", date(2024, 1, 1),
                             date(2029, 1, 1)};
    case RecordKind::watchlistDocument:
      return WatchlistDocument{meta(owner, variant), number(variant), "UTO", "FRAUD-PATTERN", date(2024, 5, 5),
                               date(2027, 5, 5)};
    case RecordKind::healthRecord:
      return HealthRecord{meta(owner, variant), person(variant), "Clinic " + n, "consultation", date(2025, 11, 2),
                          "health summary " + n};
    case RecordKind::justiceRecord:
      return JusticeRecord{meta(owner, variant), person(variant), "District Court " + n, "CASE-" + n,
                           "protection-order", date(2025, 10, 3), "justice summary " + n};
  }
  return HealthRecord{};
}

}  // namespace liaison::testing
