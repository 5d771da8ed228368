// Which connections the server keeps when it is full: pure bookkeeping, no sockets.
#include "node/net/connection_table.h"

#include <gtest/gtest.h>

#include "node/net/https_server.h"

namespace liaison::net {
namespace {

using Evicted = std::vector<std::pair<ConnectionTable::Id, ConnectionClosure>>;

TEST(ConnectionTable, WhenTheHandshakingBudgetIsFullTheOldestHandshakingConnectionMakesRoom) {
  ConnectionTable table({/*maxConnections=*/10, /*maxPerAddress=*/10, /*maxHandshaking=*/3});
  for (ConnectionTable::Id id = 1; id <= 3; ++id) ASSERT_TRUE(table.admit(id, "192.0.2.1").admitted);
  ASSERT_TRUE(table.established(2));  // no longer handshaking: keeps its room

  ConnectionTable::Admission fourth = table.admit(4, "192.0.2.9");
  EXPECT_TRUE(fourth.admitted);
  EXPECT_TRUE(fourth.evicted.empty()) << "two handshaking of three: room left";
  ConnectionTable::Admission fifth = table.admit(5, "192.0.2.9");
  EXPECT_TRUE(fifth.admitted);
  EXPECT_EQ(fifth.evicted, (Evicted{{1, ConnectionClosure::evictedHandshaking}}));
  EXPECT_EQ(table.size(), 4u);
  EXPECT_EQ(table.handshaking(), 3u);
  // The evicted connection learns it when it moves on.
  EXPECT_FALSE(table.established(1));
  EXPECT_FALSE(table.busy(1));
}

TEST(ConnectionTable, WhenFullAnIdleUnauthenticatedConnectionGivesWayButAnAuthenticatedOneNever) {
  ConnectionTable table({/*maxConnections=*/3, /*maxPerAddress=*/10, /*maxHandshaking=*/3});
  for (ConnectionTable::Id id = 1; id <= 3; ++id) {
    ASSERT_TRUE(table.admit(id, "192.0.2.1").admitted);
    ASSERT_TRUE(table.established(id));
  }
  table.idle(1, /*authenticated=*/true);
  table.idle(3, /*authenticated=*/false);
  // 2 is busy with a request, 1 authenticated: only 3 may go.
  ConnectionTable::Admission fourth = table.admit(4, "192.0.2.2");
  EXPECT_TRUE(fourth.admitted);
  EXPECT_EQ(fourth.evicted, (Evicted{{3, ConnectionClosure::evictedIdle}}));

  // The newcomer is handshaking, so the next one takes its place rather than anyone else's.
  ConnectionTable::Admission fifth = table.admit(5, "192.0.2.2");
  EXPECT_TRUE(fifth.admitted);
  EXPECT_EQ(fifth.evicted, (Evicted{{4, ConnectionClosure::evictedHandshaking}}));

  // Once 5 is busy too, nothing is left to give way: refused.
  ASSERT_TRUE(table.established(5));
  table.idle(2, /*authenticated=*/false);
  ASSERT_TRUE(table.busy(2));  // a request arrives on it before anyone needs its slot
  ConnectionTable::Admission sixth = table.admit(6, "192.0.2.2");
  EXPECT_FALSE(sixth.admitted);
  EXPECT_EQ(sixth.refusal, ConnectionClosure::refusedServerFull);
  EXPECT_TRUE(sixth.evicted.empty());

  // An authenticated connection stays authenticated when later requests are not.
  table.idle(1, /*authenticated=*/false);
  EXPECT_FALSE(table.admit(7, "192.0.2.2").admitted);
}

TEST(ConnectionTable, TheCapOfAnAddressCountsAllItsConnectionsAndRefusesRatherThanEvicts) {
  ConnectionTable table({/*maxConnections=*/10, /*maxPerAddress=*/2, /*maxHandshaking=*/10});
  ASSERT_TRUE(table.admit(1, "192.0.2.1").admitted);
  ASSERT_TRUE(table.established(1));
  table.idle(1, /*authenticated=*/true);
  ASSERT_TRUE(table.admit(2, "192.0.2.1").admitted);
  ConnectionTable::Admission third = table.admit(3, "192.0.2.1");
  EXPECT_FALSE(third.admitted);
  EXPECT_EQ(third.refusal, ConnectionClosure::refusedAddressFull);
  EXPECT_TRUE(third.evicted.empty());
  EXPECT_TRUE(table.admit(4, "192.0.2.2").admitted);  // another address

  table.remove(2);
  EXPECT_TRUE(table.admit(5, "192.0.2.1").admitted);  // a slot freed, the address may use it
}

TEST(ConnectionTable, AThousandSilentConnectionsLeaveRoomForAnyNewcomer) {
  ConnectionTable table({/*maxConnections=*/1024, /*maxPerAddress=*/1024, /*maxHandshaking=*/512});
  ConnectionTable::Id id = 0;
  for (; id < 1100; ++id) ASSERT_TRUE(table.admit(id, "192.0.2." + std::to_string(id % 200)).admitted);
  EXPECT_EQ(table.size(), 512u);
  // A partner completes its handshake and first request before the flood catches up with it.
  const ConnectionTable::Id partner = id++;
  ASSERT_TRUE(table.admit(partner, "198.51.100.7").admitted);
  ASSERT_TRUE(table.established(partner));
  table.idle(partner, /*authenticated=*/true);
  for (int i = 0; i < 5000; ++i)
    ASSERT_TRUE(table.admit(id++, "192.0.2." + std::to_string(i % 200)).admitted);
  EXPECT_TRUE(table.busy(partner)) << "the partner's kept-alive connection kept its room";
}

TEST(SourceOf, IPv4AddressesCountAloneAndIPv6AddressesByTheirSlash64) {
  EXPECT_EQ(sourceOf("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(sourceOf("::ffff:192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(sourceOf("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  EXPECT_EQ(sourceOf("2001:db8:1:2::1"), sourceOf("2001:db8:1:2:ffff::9"));
  EXPECT_NE(sourceOf("2001:db8:1:2::1"), sourceOf("2001:db8:1:3::1"));
  EXPECT_EQ(sourceOf("not an address"), "not an address");
}

}  // namespace
}  // namespace liaison::net
