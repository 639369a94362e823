// Redis lists on an Object (DESIGN.md section 3, row "list"; see list_store.h for the
// sequence CRDT). Concurrent pushes are all kept in one order on every replica; two
// replicas may pop the same element (as in Redis Enterprise). Mutators change only the
// Mutation's delta; the caller Apply()s it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lattice/object.h"

namespace starling::lattice {

enum class ListEnd { kLeft, kRight };

inline size_t ListLen(const Object& o) { return o.list() ? o.list()->size() : 0; }

// LPUSH / RPUSH of values in command order (LPUSH a b c leaves c b a at the head). All the
// values of one push share a position prefix, so they stay together under concurrency.
template <typename Range>
void ListPush(Mutation& m, ListEnd end, const Range& values) {
  std::vector<std::string_view> vals(std::begin(values), std::end(values));
  if (vals.empty()) return;
  m.Retag(KeyType::kList);
  const ListStore* cur = m.obj().list();
  const Position* lo = nullptr;
  const Position* hi = nullptr;
  if (cur && cur->size() > 0) {
    if (end == ListEnd::kLeft) {
      hi = &cur->elems().begin().key();
    } else {
      lo = &std::prev(cur->elems().end()).key();
    }
  }
  ListStore& delta = m.dstore().list.Ensure();
  Position group;
  size_t n = vals.size();
  for (size_t k = 0; k < n; ++k) {
    // LPUSH: the last value is the new head and owns the group position.
    std::string_view v = end == ListEnd::kLeft ? vals[n - 1 - k] : vals[k];
    Dot d = m.NewDot();
    Position p = k == 0 ? (group = PositionBetween(lo, hi, d))
                        : PositionInGroup(group, static_cast<int64_t>(k), d);
    delta.At(p).Insert(d, ListValue{m.stamp(), std::string(v), {}});
  }
}

// Removes the element at p (LPOP, RPOP, LREM, LTRIM). The caller deletes the key instead
// (Mutation::RemoveAll) when it removes every element.
inline void ListRemoveAt(Mutation& m, const Position& p) {
  const ListStore* cur = m.obj().list();
  if (!cur) return;
  auto it = cur->elems().find(p);
  if (it == cur->elems().end()) return;
  it.value().ForEachDot([&](const Dot& x) { m.dctx().Insert(x); });
  m.dstore().list.Ensure().Touch(p);
}

// LSET: replaces the value of the element at p.
inline void ListSetAt(Mutation& m, const Position& p, std::string value) {
  const ListStore* cur = m.obj().list();
  if (!cur) return;
  auto it = cur->elems().find(p);
  if (it == cur->elems().end()) return;
  m.Retag(KeyType::kList);
  it.value().ForEachDot([&](const Dot& x) { m.dctx().Insert(x); });
  Dot d = m.NewDot();
  m.dstore().list.Ensure().At(p).Insert(d, ListValue{m.stamp(), std::move(value), {}});
}

// LINSERT: a new element strictly between lo and hi (null: the head or the tail).
inline void ListInsertBetween(Mutation& m, const Position* lo, const Position* hi,
                              std::string value) {
  m.Retag(KeyType::kList);
  Dot d = m.NewDot();
  Position p = PositionBetween(lo, hi, d);
  m.dstore().list.Ensure().At(p).Insert(d, ListValue{m.stamp(), std::move(value), {}});
}

}  // namespace starling::lattice
