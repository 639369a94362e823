// Blocking pops (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP).
//
// Each command first tries to serve itself like its non-blocking form. With nothing to
// serve it calls Node::Block: the session waits, the node runs the command again when one
// of its keys is written, and replies the timeout reply at the deadline: a null array for
// every command, BLMOVE and BRPOPLPUSH included (redis-server 7.0.15 sends *-1 for those
// too, though their documented reply is a null bulk). Timeouts are seconds as a long double,
// rounded up to milliseconds, 0 meaning forever (Redis's getTimeoutFromObjectOrReply).
//
// Run again (Node::serving_blocked()), a command skips keys that now hold another type
// instead of failing: Redis 7.0 wakes a waiter only for a key of the type it waits for, so
// a SET on a key a BLPOP waits for leaves it waiting.
#include <cmath>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lattice/numbers.h"
#include "server/commands/common.h"
#include "server/commands/lists.h"
#include "server/commands/zsets.h"
#include "server/session.h"

namespace starling::server {
namespace {

using lattice::KeyType;
using lattice::ListEnd;
using lattice::Object;

// The deadline (Unix ms; 0: none) for a timeout argument, or nullopt after replying the
// error. Redis converts seconds * 1000 rounded up to a 64-bit integer; a value out of that
// range converts (on x86) to INT64_MIN and is reported as negative.
std::optional<int64_t> ParseDeadline(CommandContext& ctx, std::string_view arg) {
  std::optional<long double> secs = lattice::ParseLongDouble(arg);
  if (!secs) {
    ctx.Error(err::kTimeoutNotFloat);
    return std::nullopt;
  }
  long double ms = std::ceil(*secs * 1000.0L);
  if (!(ms >= 0) || ms >= 9223372036854775808.0L) {
    ctx.Error(err::kTimeoutNegative);
    return std::nullopt;
  }
  int64_t t = static_cast<int64_t>(ms);
  if (t == 0)
    return 0;
  int64_t deadline;
  if (__builtin_add_overflow(t, ctx.node.NowMs(), &deadline))
    deadline = INT64_MAX;
  return deadline;
}

// The first of keys that holds data, if it holds type t. A key of another type is an
// error (replied; *failed set), or skipped when the command runs again for a waiter.
std::optional<std::string_view> FirstReady(CommandContext& ctx,
                                           std::span<const std::string_view> keys, KeyType t,
                                           bool* failed) {
  *failed = false;
  for (std::string_view key : keys) {
    const Object* o = ctx.node.Lookup(key, /*count_stats=*/false);
    if (!o)
      continue;
    if (o->Type() != t) {
      if (ctx.node.serving_blocked())
        continue;
      ctx.Error(err::kWrongType);
      *failed = true;
      return std::nullopt;
    }
    return key;
  }
  return std::nullopt;
}

// BLPOP / BRPOP key... timeout: [key, element].
void BlockingPop(CommandContext& ctx, ListEnd end) {
  std::optional<int64_t> deadline = ParseDeadline(ctx, ctx.args.back());
  if (!deadline)
    return;
  auto keys = ctx.args.subspan(1, ctx.args.size() - 2);
  bool failed;
  std::optional<std::string_view> key = FirstReady(ctx, keys, KeyType::kList, &failed);
  if (failed)
    return;
  if (!key)
    return ctx.node.Block(ctx.session, ctx.args, keys, *deadline, true);
  std::vector<std::string> v = lists::PopElements(ctx.node, *key, end, 1);
  ctx.reply().ArrayHeader(2);
  ctx.reply().Bulk(*key);
  ctx.reply().Bulk(v.front());
}
void CmdBlpop(CommandContext& ctx) { BlockingPop(ctx, ListEnd::kLeft); }
void CmdBrpop(CommandContext& ctx) { BlockingPop(ctx, ListEnd::kRight); }

// BLMOVE / BRPOPLPUSH: the moved element, or a null array at the timeout (see the top).
void BlockingMove(CommandContext& ctx, ListEnd from, ListEnd to, std::string_view timeout) {
  std::optional<int64_t> deadline = ParseDeadline(ctx, timeout);
  if (!deadline)
    return;
  std::string_view src = ctx.args[1], dst = ctx.args[2];
  bool failed;
  std::optional<std::string_view> ready =
      FirstReady(ctx, ctx.args.subspan(1, 1), KeyType::kList, &failed);
  if (failed)
    return;
  // Redis 7.0 times out every list waiter with a null array, BLMOVE included.
  if (!ready)
    return ctx.node.Block(ctx.session, ctx.args, ctx.args.subspan(1, 1), *deadline, true);
  bool wrong;
  LookupTyped(ctx, dst, KeyType::kList, &wrong, false);
  if (wrong)
    return;
  ctx.reply().Bulk(lists::MoveElement(ctx.node, src, dst, from, to));
}

void CmdBlmove(CommandContext& ctx) {
  std::optional<ListEnd> from = lists::ParseEnd(ctx.args[3]);
  std::optional<ListEnd> to = lists::ParseEnd(ctx.args[4]);
  if (!from || !to)
    return ctx.Error(err::kSyntax);
  BlockingMove(ctx, *from, *to, ctx.args[5]);
}
void CmdBrpoplpush(CommandContext& ctx) {
  BlockingMove(ctx, ListEnd::kRight, ListEnd::kLeft, ctx.args[3]);
}

// BLMPOP timeout numkeys key... LEFT|RIGHT [COUNT count]: [key, [element...]].
void CmdBlmpop(CommandContext& ctx) {
  std::optional<zsets::MpopArgs> a = zsets::ParseMpop(ctx, 2, "LEFT", "RIGHT");
  if (!a)
    return;
  std::optional<int64_t> deadline = ParseDeadline(ctx, ctx.args[1]);
  if (!deadline)
    return;
  bool failed;
  std::optional<std::string_view> key = FirstReady(ctx, a->keys, KeyType::kList, &failed);
  if (failed)
    return;
  if (!key)
    return ctx.node.Block(ctx.session, ctx.args, a->keys, *deadline, true);
  ListEnd end = a->max ? ListEnd::kRight : ListEnd::kLeft;
  lists::ReplyKeyAndElements(
      ctx, *key, lists::PopElements(ctx.node, *key, end, static_cast<size_t>(a->count)));
}

// BZPOPMIN / BZPOPMAX key... timeout: [key, member, score].
void BlockingZpop(CommandContext& ctx, bool max) {
  std::optional<int64_t> deadline = ParseDeadline(ctx, ctx.args.back());
  if (!deadline)
    return;
  auto keys = ctx.args.subspan(1, ctx.args.size() - 2);
  bool failed;
  std::optional<std::string_view> key = FirstReady(ctx, keys, KeyType::kZset, &failed);
  if (failed)
    return;
  if (!key)
    return ctx.node.Block(ctx.session, ctx.args, keys, *deadline, true);
  std::vector<zsets::ScoredMember> popped = zsets::PopMembers(ctx.node, *key, max, 1);
  ctx.reply().ArrayHeader(3);
  ctx.reply().Bulk(*key);
  ctx.reply().Bulk(popped.front().first);
  ctx.reply().Double(popped.front().second);
}
void CmdBzpopmin(CommandContext& ctx) { BlockingZpop(ctx, false); }
void CmdBzpopmax(CommandContext& ctx) { BlockingZpop(ctx, true); }

// BZMPOP timeout numkeys key... MIN|MAX [COUNT count]: [key, [[member, score]...]].
void CmdBzmpop(CommandContext& ctx) {
  std::optional<zsets::MpopArgs> a = zsets::ParseMpop(ctx, 2, "MIN", "MAX");
  if (!a)
    return;
  std::optional<int64_t> deadline = ParseDeadline(ctx, ctx.args[1]);
  if (!deadline)
    return;
  bool failed;
  std::optional<std::string_view> key = FirstReady(ctx, a->keys, KeyType::kZset, &failed);
  if (failed)
    return;
  if (!key)
    return ctx.node.Block(ctx.session, ctx.args, a->keys, *deadline, true);
  zsets::ReplyKeyAndPairs(ctx, *key,
                          zsets::PopMembers(ctx.node, *key, a->max, static_cast<size_t>(a->count)));
}

constexpr uint32_t kB = kCmdWrite | kCmdNoScript | kCmdBlocking;

constexpr CommandSpec kBlockingCommands[] = {
    {"blpop", -3, kB, 1, -2, 1, CmdBlpop, "list", "2.0.0",
     "Removes and returns the first element in a list. Blocks until an element is available "
     "otherwise. Deletes the list if the last element was popped.",
     "O(N) where N is the number of provided keys.", "key... timeout:double"},
    {"brpop", -3, kB, 1, -2, 1, CmdBrpop, "list", "2.0.0",
     "Removes and returns the last element in a list. Blocks until an element is available "
     "otherwise. Deletes the list if the last element was popped.",
     "O(N) where N is the number of provided keys.", "key... timeout:double"},
    {"blmove", 6, kB | kCmdDenyOom, 1, 2, 1, CmdBlmove, "list", "6.2.0",
     "Pops an element from a list, pushes it to another list and returns it. Blocks until an "
     "element is available otherwise. Deletes the list if the last element was moved.",
     "O(1)",
     "source:key destination:key (wherefrom: LEFT | RIGHT) (whereto: LEFT | RIGHT) "
     "timeout:double"},
    {"brpoplpush", 4, kB | kCmdDenyOom, 1, 2, 1, CmdBrpoplpush, "list", "2.2.0",
     "Pops an element from a list, pushes it to another list and returns it. Block until an "
     "element is available otherwise. Deletes the list if the last element was popped.",
     "O(1)", "source:key destination:key timeout:double"},
    // Keys are found through numkeys (Redis: movablekeys, legacy positions 0 0 0).
    {"blmpop", -5, kCmdWrite | kCmdBlocking, 0, 0, 0, CmdBlmpop, "list", "7.0.0",
     "Pops the first element from one of multiple lists. Blocks until an element is "
     "available otherwise. Deletes the list if the last element was popped.",
     "O(N+M) where N is the number of provided keys and M is the number of elements "
     "returned.",
     "timeout:double numkeys:integer key:string... (where: LEFT | RIGHT) "
     "[COUNT count:integer]"},
    {"bzpopmin", -3, kB | kCmdFast, 1, -2, 1, CmdBzpopmin, "sorted-set", "5.0.0",
     "Removes and returns the member with the lowest score from one or more sorted sets. "
     "Blocks until a member is available otherwise. Deletes the sorted set if the last "
     "element was popped.",
     "O(log(N)) with N being the number of elements in the sorted set.", "key... timeout:double"},
    {"bzpopmax", -3, kB | kCmdFast, 1, -2, 1, CmdBzpopmax, "sorted-set", "5.0.0",
     "Removes and returns the member with the highest score from one or more sorted sets. "
     "Blocks until a member available otherwise. Deletes the sorted set if the last element "
     "was popped.",
     "O(log(N)) with N being the number of elements in the sorted set.", "key... timeout:double"},
    {"bzmpop", -5, kCmdWrite | kCmdBlocking, 0, 0, 0, CmdBzmpop, "sorted-set", "7.0.0",
     "Removes and returns a member by score from one or more sorted sets. Blocks until a "
     "member is available otherwise. Deletes the sorted set if the last element was popped.",
     "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of "
     "elements in the sorted set, and M being the number of elements popped.",
     "timeout:double numkeys:integer key:string... (where: MIN | MAX) [COUNT count:integer]"},
};

}  // namespace

void RegisterBlockingCommands(CommandTable& table) { table.Register(kBlockingCommands); }

}  // namespace starling::server
