// Object: the whole replicated state of one Redis key (DESIGN.md section 3).
//
// An Object is Causal<KeyStore>: one causal context for the key and a product of dot
// stores, one per Redis type, plus type tags and the TTL. A key normally holds one type;
// after a concurrent type clash (SET at one node, SADD at another) it may hold the data of
// several, and the visible type is decided deterministically from the state:
//   among the types whose store is non-empty, the one with the largest type tag (HLC
//   stamp, then dot). Each write re-tags the key and removes what it observed of other
//   types, so the loser's data disappears with the next write on any node that saw it.
// A key whose stores are all empty does not exist (its Object is a tombstone: context and
// counter baselines, kept until the removal is causally stable, then dropped).
//
// Writes go through Mutation: it reads the object, builds the delta of one command (fresh
// dots from a DotSource, one per live occurrence, stamped with one HLC), and Apply() joins
// the delta into the object and returns it for replication. Sparse deltas (is_delta) list
// every element they touch; a delta that removes what it cannot list (DEL, a type change)
// is a full-state delta.
//
// Value type, single-threaded, no clock or randomness: time arrives as the HLC stamp and
// as `now_ms` arguments.
#pragma once

#include <absl/container/btree_map.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lattice/box.h"
#include "lattice/counter_register.h"
#include "lattice/dot_store.h"
#include "lattice/elem_key.h"
#include "lattice/hlc.h"
#include "lattice/list_store.h"
#include "lattice/ttl.h"
#include "lattice/zset_store.h"

namespace starling::lattice {

// Values match nothing on the wire; names match Redis's TYPE replies.
enum class KeyType : uint8_t { kNone = 0, kString = 1, kList = 2, kSet = 3, kZset = 4, kHash = 5 };

inline const char* KeyTypeName(KeyType t) {
  switch (t) {
    case KeyType::kString:
      return "string";
    case KeyType::kList:
      return "list";
    case KeyType::kSet:
      return "set";
    case KeyType::kZset:
      return "zset";
    case KeyType::kHash:
      return "hash";
    case KeyType::kNone:
      break;
  }
  return "none";
}

struct TypeTag {
  KeyType type = KeyType::kNone;
  Hlc stamp = 0;
  bool operator==(const TypeTag&) const = default;
  bool operator<(const TypeTag& o) const {
    return stamp != o.stamp ? stamp < o.stamp : type < o.type;
  }
};

using StringStore = CounterRegister<std::string>;
using SetStore = DotMap<ElemKey, DotSet, ElemLess>;
// Counter runs of collection elements (hash fields, sorted-set members), beside the dots so
// that a removed-but-incremented element costs nothing in the element map.
using RunsMap = absl::btree_map<ElemKey, CounterRuns, ElemLess>;

inline void JoinRunsMap(RunsMap& self, const RunsMap& o) {
  for (const auto& [k, r] : o) {
    CounterRuns& mine = self[k];
    JoinRuns(mine.totals, r.totals);
    JoinRuns(mine.baseline, r.baseline);
  }
}

// Hash: field -> string register (so HINCRBY is a counter; HSET vs HDEL: HSET wins).
struct HashStore {
  DotMap<ElemKey, ValueDots<std::string>, ElemLess> fields;
  RunsMap runs;

  bool IsBottom() const { return fields.IsBottom() && runs.empty(); }
  const CounterRuns* RunsOf(const ElemRef& f) const {
    auto it = runs.find(f);
    return it == runs.end() ? nullptr : &it->second;
  }
  template <typename F>
  void ForEachDot(F&& f) const {
    fields.ForEachDot(f);
  }
  void Join(const CausalContext& self_ctx, const HashStore& o, const CausalContext& o_ctx,
            JoinMode mode, bool keep_bottoms) {
    fields.Join(self_ctx, o.fields, o_ctx, mode, keep_bottoms);
    JoinRunsMap(runs, o.runs);
  }
  bool operator==(const HashStore&) const = default;
};

struct KeyStore {
  DotFun<TypeTag> tags;
  TtlStore ttl;
  Box<StringStore> str;
  Box<SetStore> set;
  Box<HashStore> hash;
  Box<ZsetStore> zset;
  Box<ListStore> list;

  bool IsBottom() const {
    return tags.IsBottom() && ttl.IsBottom() && !str && !set && !hash && !zset && !list;
  }

  template <typename F>
  void ForEachDot(F&& f) const {
    tags.ForEachDot(f);
    ttl.ForEachDot(f);
    if (str) str->ForEachDot(f);
    if (set) set->ForEachDot(f);
    if (hash) hash->ForEachDot(f);
    if (zset) zset->ForEachDot(f);
    if (list) list->ForEachDot(f);
  }

  void Join(const CausalContext& self_ctx, const KeyStore& o, const CausalContext& o_ctx,
            JoinMode mode, bool keep_bottoms) {
    tags.Join(self_ctx, o.tags, o_ctx, mode, keep_bottoms);
    ttl.Join(self_ctx, o.ttl, o_ctx, mode, keep_bottoms);
    // Small stores are always joined, even against an absent side: a delta may remove their
    // dots without carrying the store. Collection maps are skipped by sparse deltas that do
    // not carry them (such a delta lists no element of theirs).
    JoinBox(str, self_ctx, o.str, o_ctx, mode, keep_bottoms, /*always=*/true);
    JoinBox(set, self_ctx, o.set, o_ctx, mode, keep_bottoms, false);
    JoinBox(hash, self_ctx, o.hash, o_ctx, mode, keep_bottoms, false);
    JoinBox(zset, self_ctx, o.zset, o_ctx, mode, keep_bottoms, false);
    JoinBox(list, self_ctx, o.list, o_ctx, mode, keep_bottoms, false);
  }

  bool operator==(const KeyStore&) const = default;

  // Drops bottom entries (the "touched" hints of sparse deltas) from the collection maps,
  // for a delta that has become a full-state delta, where they mean nothing.
  void PruneBottoms() {
    auto prune_map = [](auto& map) {
      for (auto it = map.begin(); it != map.end();) {
        it = it->second.IsBottom() ? map.erase(it) : std::next(it);
      }
    };
    if (set) prune_map(set->mutable_map());
    if (hash) prune_map(hash->fields.mutable_map());
    if (zset) prune_map(zset->mutable_members().mutable_map());
    if (list) {
      auto& elems = list->mutable_elems();
      for (auto it = elems.begin(); it != elems.end();) {
        it = it.value().IsBottom() ? elems.erase(it) : std::next(it);
      }
    }
    str.Normalize();
    set.Normalize();
    hash.Normalize();
    zset.Normalize();
    list.Normalize();
  }

 private:
  template <typename S>
  static void JoinBox(Box<S>& self, const CausalContext& self_ctx, const Box<S>& o,
                      const CausalContext& o_ctx, JoinMode mode, bool keep_bottoms, bool always) {
    if (!o) {
      if (!self || (mode == JoinMode::kSparse && !always)) return;
      static const S kBottom{};
      self->Join(self_ctx, kBottom, o_ctx, mode, keep_bottoms);
    } else {
      self.Ensure().Join(self_ctx, *o, o_ctx, mode, keep_bottoms);
    }
    if (!keep_bottoms) self.Normalize();
  }
};

class Object : public Causal<KeyStore> {
 public:
  static Object Bottom() { return Object(); }

  // The visible type; kNone if the key holds no live data.
  KeyType Type() const;
  bool Exists() const { return Type() != KeyType::kNone; }
  std::optional<int64_t> ExpiryMs() const { return store.ttl.ExpiryMs(); }
  // Redis semantics: a key expires once the time is past its expiry.
  bool IsExpiredAt(int64_t now_ms) const {
    auto e = ExpiryMs();
    return e.has_value() && now_ms > *e;
  }

  const StringStore* str() const { return store.str.get(); }
  const SetStore* set() const { return store.set.get(); }
  const HashStore* hash() const { return store.hash.get(); }
  const ZsetStore* zset() const { return store.zset.get(); }
  const ListStore* list() const { return store.list.get(); }

  // Drops what only a tombstone needs: counter runs of elements (and of the string) that
  // have no live dots. Call only when the removals are causally stable (every replica of
  // the key has seen them); after it, a key with no live data is bottom but for its context.
  void DropGhosts();

  // True if the object holds live data of type t (visible or not).
  bool HasData(KeyType t) const;

  // Drops the counter runs of the registers `delta` touched that no view needs any more
  // (see CompactAbsorbedRuns). Only for a key this node is the sole replica of.
  void CompactRunsTouchedBy(const Object& delta);
};

// One command's change to one key (see the file comment).
class Mutation {
 public:
  Mutation(const Object& obj, DotSource& dots, Hlc stamp) : obj_(obj), dots_(dots), stamp_(stamp) {
    delta_.is_delta = true;
  }

  const Object& obj() const { return obj_; }
  Object& delta() { return delta_; }
  KeyStore& dstore() { return delta_.store; }
  CausalContext& dctx() { return delta_.ctx; }
  Hlc stamp() const { return stamp_; }
  ReplicaId replica() const { return dots_.replica(); }

  // A fresh dot, recorded in the delta's context.
  Dot NewDot() {
    Dot d = dots_.NextAfter(std::max(obj_.ctx.Max(dots_.replica()), delta_.ctx.Max(dots_.replica())));
    delta_.ctx.Insert(d);
    return d;
  }

  // Marks the key as holding type t from this write on: a new tag replaces the observed
  // tags, and the observed data of every other type is removed. Idempotent per mutation.
  void Retag(KeyType t);

  // Removes everything observed (DEL, UNLINK, expiry, emptying a collection). Counter
  // totals are absorbed into baselines. Makes the delta a full-state delta.
  void RemoveAll();

  // Joins the delta into `obj` (which must be the object this mutation read) and returns it.
  Object Apply(Object& obj) {
    if (!delta_.is_delta) delta_.store.PruneBottoms();
    obj.Join(delta_);
    return std::move(delta_);
  }

 private:
  void RemoveType(KeyType t);

  const Object& obj_;
  DotSource& dots_;
  Hlc stamp_;
  Object delta_;
  KeyType retagged_ = KeyType::kNone;
};

// ---- Inline definitions.

inline bool Object::HasData(KeyType t) const {
  switch (t) {
    case KeyType::kString:
      return store.str && store.str->HasLiveDots();
    case KeyType::kSet:
      return store.set && !store.set->IsBottom();
    case KeyType::kHash:
      return store.hash && !store.hash->fields.IsBottom();
    case KeyType::kZset:
      return store.zset && store.zset->size() > 0;
    case KeyType::kList:
      return store.list && store.list->size() > 0;
    case KeyType::kNone:
      break;
  }
  return false;
}

inline void Object::CompactRunsTouchedBy(const Object& delta) {
  if (store.str && store.str->runs && delta.store.str) {
    CompactAbsorbedRuns(store.str->dots, *store.str->runs);
    store.str->runs.Normalize();
  }
  if (store.hash && delta.store.hash) {
    for (const auto& [f, r] : delta.store.hash->runs) {
      auto it = store.hash->runs.find(f);
      ValueDots<std::string>* d = store.hash->fields.FindMutable(f);
      if (it == store.hash->runs.end() || !d) continue;
      CompactAbsorbedRuns(*d, it->second);
      if (it->second.IsBottom()) store.hash->runs.erase(it);
    }
  }
  if (store.zset && delta.store.zset) {
    for (const auto& [m, r] : delta.store.zset->runs()) {
      auto& runs = store.zset->mutable_runs();
      auto it = runs.find(m);
      ValueDots<double>* d = store.zset->mutable_members().FindMutable(m);
      if (it == runs.end() || !d) continue;
      CompactAbsorbedRuns(*d, it->second);
      if (it->second.IsBottom()) runs.erase(it);
    }
  }
}

inline KeyType Object::Type() const {
  const auto& tags = store.tags.entries();
  // Fast path: one tag whose type holds data (every key without a past type clash).
  if (tags.size() == 1 && HasData(tags[0].second.type)) return tags[0].second.type;
  KeyType best = KeyType::kNone;
  std::pair<Hlc, Dot> best_key{};
  for (KeyType t : {KeyType::kString, KeyType::kList, KeyType::kSet, KeyType::kZset,
                    KeyType::kHash}) {
    if (!HasData(t)) continue;
    std::pair<Hlc, Dot> key{0, Dot{}};
    for (const auto& [d, tag] : tags) {
      if (tag.type == t) key = std::max(key, std::pair<Hlc, Dot>{tag.stamp, d});
    }
    if (best == KeyType::kNone || best_key < key) {
      best = t;
      best_key = key;
    }
  }
  return best;
}

inline void Object::DropGhosts() {
  if (!Exists()) {
    store = KeyStore{};
    return;
  }
  if (store.str && !store.str->HasLiveDots()) store.str.Reset();
  if (store.hash) {
    auto& runs = store.hash->runs;
    for (auto it = runs.begin(); it != runs.end();) {
      it = store.hash->fields.Find(it->first) ? std::next(it) : runs.erase(it);
    }
  }
  if (store.zset) store.zset->DropGhostRuns();
  // Tags of types that hold no data no longer decide anything.
  auto& tags = store.tags.mutable_entries();
  for (auto it = tags.begin(); it != tags.end();) {
    it = HasData(it->second.type) ? std::next(it) : tags.erase(it);
  }
}

inline void Mutation::Retag(KeyType t) {
  if (retagged_ == t) return;  // once per command
  retagged_ = t;
  obj_.store.tags.ForEachDot([&](const Dot& x) { delta_.ctx.Insert(x); });
  Dot d = NewDot();
  delta_.store.tags.Insert(d, TypeTag{t, stamp_});
  for (KeyType u : {KeyType::kString, KeyType::kList, KeyType::kSet, KeyType::kZset,
                    KeyType::kHash}) {
    if (u != t && obj_.HasData(u)) RemoveType(u);
  }
}

inline void Mutation::RemoveType(KeyType t) {
  const KeyStore& s = obj_.store;
  switch (t) {
    case KeyType::kString:
      BuildRemove(s.str->dots, s.str->runs.get(), delta_.ctx,
                  delta_.store.str.Ensure().runs.Ensure());
      delta_.store.str->runs.Normalize();
      delta_.store.str.Normalize();
      return;
    case KeyType::kSet:
      s.set->ForEachDot([&](const Dot& x) { delta_.ctx.Insert(x); });
      break;
    case KeyType::kHash:
      s.hash->ForEachDot([&](const Dot& x) { delta_.ctx.Insert(x); });
      for (const auto& [f, r] : s.hash->runs) {
        if (!r.totals.empty()) JoinRuns(delta_.store.hash.Ensure().runs[f].baseline, r.totals);
      }
      break;
    case KeyType::kZset:
      s.zset->ForEachDot([&](const Dot& x) { delta_.ctx.Insert(x); });
      for (const auto& [m, r] : s.zset->runs()) {
        if (!r.totals.empty()) {
          JoinRuns(delta_.store.zset.Ensure().mutable_runs()[m].baseline, r.totals);
        }
      }
      break;
    case KeyType::kList:
      s.list->ForEachDot([&](const Dot& x) { delta_.ctx.Insert(x); });
      break;
    case KeyType::kNone:
      return;
  }
  // The delta removes elements it does not list: joining it must visit every element.
  delta_.is_delta = false;
}

inline void Mutation::RemoveAll() {
  const KeyStore& s = obj_.store;
  // Whatever this command wrote or touched before is removed with the rest.
  delta_.store = KeyStore{};
  retagged_ = KeyType::kNone;
  delta_.ctx.Join(obj_.ctx);
  NewDot();  // the removal's own event, so peers' contexts show they have seen it
  if (s.str && s.str->runs && !s.str->runs->totals.empty()) {
    JoinRuns(delta_.store.str.Ensure().runs.Ensure().baseline, s.str->runs->totals);
  }
  if (s.hash) {
    for (const auto& [f, r] : s.hash->runs) {
      if (!r.totals.empty()) JoinRuns(delta_.store.hash.Ensure().runs[f].baseline, r.totals);
    }
  }
  if (s.zset) {
    for (const auto& [m, r] : s.zset->runs()) {
      if (!r.totals.empty()) {
        JoinRuns(delta_.store.zset.Ensure().mutable_runs()[m].baseline, r.totals);
      }
    }
  }
  delta_.is_delta = false;
}

}  // namespace starling::lattice
