// History: what the simulated clients did, and the reference models that judge it.
//
// Every client operation is recorded with its invocation time, the time after which it can
// no longer take effect (its reply, or the moment its session died or was abandoned) and
// its outcome:
//   kOk      a reply that is not an error: the command ran and, with appendfsync always,
//            its effect was durable on the node before the reply;
//   kUnknown an error reply (MISCONF may be written after the effect was applied), a
//            timeout, or a crash of the node: the effect may or may not have happened.
// Checkers only draw conclusions that hold for every possible outcome of the unknown
// operations (a checker that is unsure is permissive rather than report a false bug).
//
// Times are simulated microseconds (the simulator's global time, not a node's clock).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace starling::dst {

enum class OpStatus { kPending, kOk, kUnknown };

struct Op {
  uint64_t id = 0;
  int client = 0;
  int node = 0;                   // index of the node it was sent to
  std::vector<std::string> args;  // the command
  int64_t invoke_us = 0;
  int64_t end_us = 0;  // no effect can happen after this time
  OpStatus status = OpStatus::kPending;
  std::string reply;  // rendered (node_test_util's RenderReply)
};

// The final, converged state of one key as read through commands on one of its replicas.
struct FinalState {
  bool exists = false;
  std::string type;                // "set", "string", ...
  std::vector<std::string> items;  // members / list items / [field, value, ...] / scores
  std::string value;               // GET
};

// Placement facts the checkers need: is node `node` a replica of `key`.
using IsReplicaFn = bool (*)(void* ctx, int node, const std::string& key);

struct CheckContext {
  const std::vector<Op>* ops = nullptr;
  void* placement_ctx = nullptr;
  IsReplicaFn is_replica = nullptr;
};

// Checks every key's final state against its type's model. Returns the violations found
// (empty: none); each names the key, the rule and the operations involved.
std::vector<std::string> CheckModels(const CheckContext& ctx,
                                     const std::map<std::string, FinalState>& finals);

}  // namespace starling::dst
