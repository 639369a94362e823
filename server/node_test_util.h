// Test fixture for in-process command tests: a real Node with a manual clock, a seeded
// PRNG and in-memory storage, driven through the real command table with no sockets.
//
//   NodeFixture f;
//   EXPECT_EQ(f.Run({"SADD", "k", "a"}), "(integer) 1");
//   EXPECT_EQ(f.Run({"SMEMBERS", "k"}), "[\"a\"]");
//
// Run() returns the reply rendered as compact text: `OK` for simple strings, `(error) ...`,
// `(integer) n`, `"bulk"` (bytes as is), `(nil)`, `[a, b]` for arrays and sets,
// `{k: v, ...}` for maps, `(double) x`, `(true)`/`(false)`. RunRaw() returns the bytes.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "server/node.h"
#include "storage/engine.h"

namespace starling::server::testing {

// Renders one RESP2/RESP3 reply starting at *pos; advances *pos past it.
std::string RenderReply(std::string_view bytes, size_t* pos);

class NodeFixture {
 public:
  explicit NodeFixture(uint64_t seed = 1);

  std::string Run(std::initializer_list<std::string_view> args) { return Run(*session, args); }
  std::string Run(Session& s, std::initializer_list<std::string_view> args);
  std::string Run(Session& s, const std::vector<std::string>& args);
  std::string RunRaw(std::initializer_list<std::string_view> args);
  // A second client.
  Session& NewSession() { return node.OpenSession("127.0.0.1:2", "127.0.0.1:6379", -1); }
  // Renders and clears whatever the session has pending (replies to blocked commands).
  std::string TakeOutput(Session& s);
  // Advances both clocks and runs the node's timers.
  void Advance(int64_t ms);

  ManualClock clock;
  Prng random;
  storage::MemoryEngine engine;
  Node node;
  Session* session;
};

}  // namespace starling::server::testing
