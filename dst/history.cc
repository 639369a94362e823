#include "dst/history.h"

#include <algorithm>
#include <limits>
#include <set>

namespace starling::dst {
namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

bool Is(const Op& op, const char* name) { return op.args[0] == name; }
bool Ok(const Op& op) { return op.status == OpStatus::kOk; }

std::string Describe(const Op& op) {
  std::string s = "#" + std::to_string(op.id) + " n" + std::to_string(op.node + 1) + " [";
  for (size_t i = 0; i < op.args.size(); ++i)
    s += (i ? " " : "") + op.args[i];
  s += "] t=" + std::to_string(op.invoke_us / 1000) + ".." +
       (op.end_us == kNever ? std::string("?") : std::to_string(op.end_us / 1000)) + "ms ";
  s += op.status == OpStatus::kOk ? "ok" : "unknown";
  if (!op.reply.empty())
    s += " -> " + op.reply;
  return s;
}

// Writes of one key, in invocation order.
using KeyOps = std::vector<const Op*>;

struct Checker {
  const CheckContext& ctx;
  std::vector<std::string> out;

  bool Replica(int node, const std::string& key) const {
    return ctx.is_replica(ctx.placement_ctx, node, key);
  }
  void Fail(const std::string& key, const std::string& what, const std::vector<const Op*>& ops) {
    std::string s = "key " + key + ": " + what;
    for (const Op* o : ops)
      s += "\n      " + Describe(*o);
    out.push_back(std::move(s));
  }

  // Add-wins membership of one element: adds/removes are the ops that add or remove it.
  // Returns false (and reports) on a violation.
  void CheckMember(const std::string& key, const std::string& elem, bool present,
                   const KeyOps& adds, const KeyOps& removes) {
    if (present && adds.empty()) {
      Fail(key, "element " + elem + " is present but was never added", removes);
      return;
    }
    if (!present) {
      // An acknowledged add that no remove could have observed: every remove had ended
      // before the add began, so the add's dot is concurrent with or after all of them.
      for (const Op* a : adds) {
        if (!Ok(*a))
          continue;
        bool observable = false;
        for (const Op* r : removes) {
          if (r->end_us >= a->invoke_us)
            observable = true;
        }
        if (!observable) {
          std::vector<const Op*> ops = {a};
          ops.insert(ops.end(), removes.begin(), removes.end());
          Fail(key, "acknowledged add of " + elem + " lost (no remove could have seen it)", ops);
          return;
        }
      }
      return;
    }
    // Present: some add must survive. An add executed on a replica of the key is removed by
    // an acknowledged remove executed later on the same replica (it observed the add's dot).
    for (const Op* a : adds) {
      bool covered = false;
      if (Replica(a->node, key) && a->end_us != kNever) {
        for (const Op* r : removes) {
          if (Ok(*r) && r->node == a->node && r->invoke_us > a->end_us)
            covered = true;
        }
      }
      if (!covered)
        return;
    }
    std::vector<const Op*> ops = adds;
    ops.insert(ops.end(), removes.begin(), removes.end());
    Fail(key, "element " + elem + " is present though every add was removed after it", ops);
  }

  // A last-writer-wins value: `value` must come from a write in `writes`, which must not
  // have been overwritten on its own replica by a later acknowledged op in `later`.
  void CheckLww(const std::string& key, const std::string& what, const std::string& value,
                const std::vector<std::pair<const Op*, std::string>>& writes, const KeyOps& later) {
    const Op* w = nullptr;
    for (const auto& [op, v] : writes) {
      if (v == value)
        w = op;
    }
    if (!w) {
      std::vector<const Op*> ops;
      ops.reserve(writes.size());
      for (const auto& [op, v] : writes)
        ops.push_back(op);
      Fail(key, what + " holds " + value + ", which no write wrote", ops);
      return;
    }
    if (!Replica(w->node, key) || w->end_us == kNever)
      return;
    for (const Op* l : later) {
      if (l != w && Ok(*l) && l->node == w->node && l->invoke_us > w->end_us) {
        Fail(key,
             what + " holds " + value +
                 " though a later write on the same replica "
                 "(larger HLC) replaced it",
             {w, l});
        return;
      }
    }
  }

  void CheckSet(const std::string& key, const KeyOps& ops, const FinalState& f) {
    std::set<std::string> present(f.items.begin(), f.items.end());
    std::set<std::string> universe = present;
    for (const Op* o : ops) {
      if (Is(*o, "SADD") || Is(*o, "SREM"))
        universe.insert(o->args.begin() + 2, o->args.end());
    }
    for (const std::string& e : universe) {
      KeyOps adds, removes;
      for (const Op* o : ops) {
        bool has = std::find(o->args.begin() + 2, o->args.end(), e) != o->args.end();
        if (Is(*o, "SADD") && has)
          adds.push_back(o);
        if ((Is(*o, "SREM") && has) || Is(*o, "DEL"))
          removes.push_back(o);
      }
      CheckMember(key, e, present.count(e) > 0, adds, removes);
    }
  }

  void CheckZset(const std::string& key, const KeyOps& ops, const FinalState& f) {
    std::map<std::string, std::string> present;
    for (size_t i = 0; i + 1 < f.items.size(); i += 2)
      present[f.items[i]] = f.items[i + 1];
    std::set<std::string> universe;
    for (const auto& [m, s] : present)
      universe.insert(m);
    for (const Op* o : ops) {
      if (Is(*o, "ZADD"))
        universe.insert(o->args[3]);
      if (Is(*o, "ZREM"))
        universe.insert(o->args[2]);
    }
    for (const std::string& m : universe) {
      KeyOps adds, removes;
      std::set<std::string> scores;
      for (const Op* o : ops) {
        if (Is(*o, "ZADD") && o->args[3] == m) {
          adds.push_back(o);
          scores.insert(o->args[2]);
        }
        if ((Is(*o, "ZREM") && o->args[2] == m) || Is(*o, "DEL"))
          removes.push_back(o);
      }
      auto it = present.find(m);
      CheckMember(key, m, it != present.end(), adds, removes);
      if (it != present.end() && !adds.empty() && !scores.count(it->second)) {
        Fail(key, "member " + m + " has score " + it->second + ", which no ZADD set", adds);
      }
    }
  }

  void CheckRegister(const std::string& key, const KeyOps& ops, const FinalState& f) {
    std::vector<std::pair<const Op*, std::string>> writes;
    KeyOps acked, sets;
    for (const Op* o : ops) {
      if (!Is(*o, "SET"))
        continue;
      writes.emplace_back(o, o->args[2]);
      sets.push_back(o);
      if (Ok(*o))
        acked.push_back(o);
    }
    if (!f.exists) {
      if (!acked.empty())
        Fail(key, "register is empty though SETs were acknowledged", acked);
      return;
    }
    CheckLww(key, "register", f.value, writes, sets);
  }

  void CheckCounter(const std::string& key, const KeyOps& ops, const FinalState& f) {
    int64_t value = 0;
    if (f.exists)
      value = std::stoll(f.value);
    int64_t acked = 0;
    std::vector<int64_t> unknown;
    for (const Op* o : ops) {
      if (!Is(*o, "INCRBY"))
        continue;
      int64_t n = std::stoll(o->args[2]);
      if (Ok(*o)) {
        acked += n;
      } else {
        unknown.push_back(n);
      }
    }
    // Subset sums of the unknown increments (small integers: a dense table).
    int64_t lo = 0, hi = 0;
    for (int64_t u : unknown)
      (u < 0 ? lo : hi) += u;
    std::vector<bool> reach(static_cast<size_t>(hi - lo + 1), false);
    reach[static_cast<size_t>(-lo)] = true;
    for (int64_t u : unknown) {
      std::vector<bool> next = reach;
      for (size_t i = 0; i < reach.size(); ++i) {
        if (reach[i])
          next[static_cast<size_t>(static_cast<int64_t>(i) + u)] = true;
      }
      reach = std::move(next);
    }
    int64_t extra = value - acked;
    if (extra < lo || extra > hi || !reach[static_cast<size_t>(extra - lo)]) {
      Fail(key,
           "counter is " + std::to_string(value) + ": not the acknowledged sum " +
               std::to_string(acked) + " plus a subset of the " + std::to_string(unknown.size()) +
               " unknown increments",
           {});
    }
  }

  void CheckHash(const std::string& key, const KeyOps& ops, const FinalState& f) {
    std::map<std::string, std::string> present;
    for (size_t i = 0; i + 1 < f.items.size(); i += 2)
      present[f.items[i]] = f.items[i + 1];
    std::set<std::string> universe;
    for (const auto& [k, v] : present)
      universe.insert(k);
    for (const Op* o : ops) {
      if (Is(*o, "HSET") || Is(*o, "HDEL"))
        universe.insert(o->args[2]);
    }
    for (const std::string& field : universe) {
      KeyOps sets, removes, all;
      std::vector<std::pair<const Op*, std::string>> writes;
      for (const Op* o : ops) {
        bool mine = o->args.size() > 2 && o->args[2] == field;
        if (Is(*o, "HSET") && mine) {
          sets.push_back(o);
          writes.emplace_back(o, o->args[3]);
          all.push_back(o);
        }
        if ((Is(*o, "HDEL") && mine) || Is(*o, "DEL")) {
          removes.push_back(o);
          all.push_back(o);
        }
      }
      auto it = present.find(field);
      CheckMember(key, "field " + field, it != present.end(), sets, removes);
      if (it != present.end())
        CheckLww(key, "field " + field, it->second, writes, all);
    }
  }

  void CheckList(const std::string& key, const KeyOps& ops, const FinalState& f) {
    std::set<std::string> seen;
    std::map<std::string, const Op*> pushes;
    for (const Op* o : ops) {
      if (Is(*o, "RPUSH") || Is(*o, "LPUSH"))
        pushes[o->args[2]] = o;
    }
    for (const std::string& v : f.items) {
      if (!seen.insert(v).second)
        Fail(key, "list holds " + v + " twice", {pushes[v]});
      if (!pushes.count(v))
        Fail(key, "list holds " + v + ", which no push pushed", {});
    }
    for (const auto& [v, push] : pushes) {
      if (!Ok(*push) || seen.count(v))
        continue;
      // Lost unless a pop could have taken it (a pop that returned it, or one whose reply
      // is unknown) or a DEL could have removed it.
      bool removable = false;
      for (const Op* o : ops) {
        if (o->end_us < push->invoke_us)
          continue;
        if (Is(*o, "DEL"))
          removable = true;
        if ((Is(*o, "LPOP") || Is(*o, "RPOP")) && (!Ok(*o) || o->reply == "\"" + v + "\"")) {
          removable = true;
        }
      }
      if (!removable)
        Fail(key, "acknowledged push of " + v + " lost", {push});
    }
  }
};

}  // namespace

std::vector<std::string> CheckModels(const CheckContext& ctx,
                                     const std::map<std::string, FinalState>& finals) {
  std::map<std::string, KeyOps> by_key;
  for (const Op& op : *ctx.ops) {
    if (op.status == OpStatus::kPending || op.args.size() < 2)
      continue;
    by_key[op.args[1]].push_back(&op);
  }
  Checker c{ctx, {}};
  static const FinalState kEmpty;
  for (const auto& [key, ops] : by_key) {
    auto it = finals.find(key);
    const FinalState& f = it == finals.end() ? kEmpty : it->second;
    switch (key[0]) {
      case 's':
        c.CheckSet(key, ops, f);
        break;
      case 'z':
        c.CheckZset(key, ops, f);
        break;
      case 'r':
        c.CheckRegister(key, ops, f);
        break;
      case 'c':
        c.CheckCounter(key, ops, f);
        break;
      case 'h':
        c.CheckHash(key, ops, f);
        break;
      case 'l':
        c.CheckList(key, ops, f);
        break;
      default:
        break;
    }
  }
  return c.out;
}

}  // namespace starling::dst
