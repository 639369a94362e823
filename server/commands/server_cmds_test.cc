// In-process tests of the connection and server families on a manual clock: what depends on
// time (TIME, LASTSAVE, CLIENT LIST age/idle, INFO's sampled rates and uptime) is exact here.
#include <gtest/gtest.h>

#include <string>

#include "server/commands/info.h"
#include "server/node_test_util.h"
#include "server/session.h"

namespace starling::server {
namespace {

using testing::NodeFixture;

std::string InfoField(NodeFixture& f, std::string_view section, std::string_view field) {
  std::string text = InfoText(f.node, {std::string(section)});
  std::string key = "\r\n" + std::string(field) + ":";
  size_t at = text.find(key);
  if (at == std::string::npos)
    return "<missing>";
  at += key.size();
  return text.substr(at, text.find("\r\n", at) - at);
}

TEST(ServerCommandsTest, TimeAndLastSaveComeFromTheNodeClock) {
  NodeFixture f;  // the clock starts at 1'700'000'000 s
  f.clock.Advance(1'234'567);
  EXPECT_EQ(f.Run({"TIME"}), "[\"1700000001\", \"234567\"]");
  EXPECT_EQ(f.Run({"LASTSAVE"}), "(integer) 1700000000");
  f.clock.Advance(5'000'000);
  EXPECT_EQ(f.Run({"SET", "k", "v"}), "OK");
  EXPECT_EQ(InfoField(f, "persistence", "rdb_changes_since_last_save"), "1");
  EXPECT_EQ(f.Run({"SAVE"}), "OK");
  EXPECT_EQ(f.Run({"LASTSAVE"}), "(integer) 1700000006");
  EXPECT_EQ(InfoField(f, "persistence", "rdb_changes_since_last_save"), "0");
  EXPECT_EQ(f.Run({"BGSAVE"}), "Background saving started");
}

TEST(ServerCommandsTest, UptimeAndServerTime) {
  NodeFixture f;
  f.clock.Advance(90'061'000'000);  // one day, one hour, one minute, one second
  EXPECT_EQ(InfoField(f, "server", "uptime_in_seconds"), "90061");
  EXPECT_EQ(InfoField(f, "server", "uptime_in_days"), "1");
  EXPECT_EQ(InfoField(f, "server", "server_time_usec"), "1700090061000000");
  EXPECT_EQ(InfoField(f, "server", "starling_version"), "0.1.0");
  EXPECT_EQ(InfoField(f, "server", "run_id").size(), 40u);
}

TEST(ServerCommandsTest, InstantaneousOpsPerSecondIsSampledOnTheTimer) {
  NodeFixture f;
  f.Advance(100);  // the first sample sets the baseline
  EXPECT_EQ(InfoField(f, "stats", "instantaneous_ops_per_sec"), "0");
  for (int tick = 0; tick < 16; ++tick) {
    for (int i = 0; i < 50; ++i)
      f.Run({"PING"});
    f.Advance(100);  // 50 commands per 100 ms: 500 per second
  }
  EXPECT_EQ(InfoField(f, "stats", "instantaneous_ops_per_sec"), "500");
  for (int tick = 0; tick < 8; ++tick)
    f.Advance(100);  // half the window idle
  EXPECT_EQ(InfoField(f, "stats", "instantaneous_ops_per_sec"), "250");
  // Advancing less than the 100 ms period takes no sample.
  for (int i = 0; i < 1000; ++i)
    f.Run({"PING"});
  f.Advance(50);
  EXPECT_EQ(InfoField(f, "stats", "instantaneous_ops_per_sec"), "250");
  EXPECT_EQ(f.Run({"CONFIG", "RESETSTAT"}), "OK");
  EXPECT_EQ(InfoField(f, "stats", "instantaneous_ops_per_sec"), "0");
}

TEST(ServerCommandsTest, ClientListAgeAndIdleUseTheNodeClock) {
  NodeFixture f;
  Session& other = f.NewSession();
  f.Run(other, {"PING"});
  f.clock.Advance(7'500'000);
  f.Run({"PING"});
  f.clock.Advance(2'000'000);
  std::string line = f.Run({"CLIENT", "LIST", "ID", std::to_string(other.id)});
  EXPECT_NE(line.find(" age=9 idle=9 "), std::string::npos) << line;
  line = f.Run({"CLIENT", "INFO"});
  EXPECT_NE(line.find(" age=9 idle=0 "), std::string::npos) << line;
  EXPECT_NE(line.find(" cmd=client|info "), std::string::npos) << line;
}

TEST(ServerCommandsTest, ClientKillMarksSessions) {
  NodeFixture f;
  Session& other = f.NewSession();
  EXPECT_EQ(f.Run({"CLIENT", "KILL", "ID", std::to_string(other.id)}), "(integer) 1");
  EXPECT_EQ(other.close, Session::Close::kNow);
  EXPECT_EQ(f.node.TakeKilledSessions(), std::vector<uint64_t>{other.id});
  EXPECT_EQ(f.Run({"CLIENT", "KILL", "ID", std::to_string(f.session->id), "SKIPME", "no"}),
            "(integer) 1");
  EXPECT_EQ(f.session->close, Session::Close::kAfterReply);  // replied first
}

TEST(ServerCommandsTest, ConfigSetIsAllOrNothing) {
  NodeFixture f;
  EXPECT_EQ(f.Run({"CONFIG", "SET", "hz", "50", "timeout", "-1"}),
            "(error) ERR CONFIG SET failed (possibly related to argument 'timeout') - argument "
            "must be between 0 and 2147483647 inclusive");
  EXPECT_EQ(f.node.config().hz, 10);
  EXPECT_EQ(f.Run({"CONFIG", "SET", "hz", "50", "timeout", "30"}), "OK");
  EXPECT_EQ(f.node.config().hz, 50);
  EXPECT_EQ(f.node.TimerPeriodMs(), 20);
  EXPECT_EQ(f.node.config().timeout, 30);
}

TEST(ServerCommandsTest, ShutdownRequestsTheNodeToStop) {
  NodeFixture f;
  EXPECT_EQ(f.Run({"SHUTDOWN", "ABORT"}), "(error) ERR No shutdown in progress.");
  EXPECT_FALSE(f.node.shutdown_requested());
  EXPECT_EQ(f.Run({"SHUTDOWN", "NOSAVE"}), "");  // no reply
  EXPECT_TRUE(f.node.shutdown_requested());
}

TEST(ServerCommandsTest, ErrorStatsCountEveryErrorByCode) {
  NodeFixture f;
  f.Run({"SET", "s", "x"});
  f.Run({"INCR", "s"});
  f.Run({"NOSUCH"});
  f.Run({"LPUSH", "s"});
  EXPECT_EQ(InfoField(f, "errorstats", "errorstat_ERR"), "count=3");
  EXPECT_EQ(InfoField(f, "stats", "total_error_replies"), "3");
  EXPECT_EQ(InfoField(f, "commandstats", "cmdstat_incr"),
            "calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=1");
}

}  // namespace
}  // namespace starling::server
