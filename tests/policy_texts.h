// Policy text shared by tests (policy_test.cc, outbound_policy_test.cc, federation_pgtest.cc).
#pragma once

#include <string_view>

namespace liaison::policy {

/// Lines 1..17 of a valid policy of member XA-POLICE: partners XB-BORDER and XC-IMMIGRATION in group
/// EU-PARTNERS, three purposes, the health firewall (line 10) and the justice firewall (line 14), no
/// rules. What a test appends starts at line 18.
inline constexpr std::string_view kTestPolicyBase = R"(self = "XA-POLICE"
purposes = ["border-check", "criminal-investigation", "medical-care"]
[[member]]
id = "XB-BORDER"
[[member]]
id = "XC-IMMIGRATION"
[[group]]
id = "EU-PARTNERS"
members = ["XB-BORDER", "XC-IMMIGRATION"]
[[firewall]]
name = "health-firewall"
compartment = "health"
roles = ["enforcement", "border", "immigration", "liaison"]
[[firewall]]
name = "justice-firewall"
compartment = "justice"
roles = ["enforcement", "border", "immigration", "liaison"]
)";

/// The health and justice firewalls every policy holds, as tables to append to a policy's own lines.
inline constexpr std::string_view kTestFirewalls = R"(
[[firewall]]
name = "health-firewall"
compartment = "health"
roles = ["enforcement", "border", "immigration", "liaison"]

[[firewall]]
name = "justice-firewall"
compartment = "justice"
roles = ["enforcement", "border", "immigration", "liaison"]
)";

}  // namespace liaison::policy
