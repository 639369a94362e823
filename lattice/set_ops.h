// Redis sets on an Object: add-wins observed-remove set (DESIGN.md section 3, row "set").
// Each add of a member writes a fresh dot that replaces the dots of that member this
// replica observed, so a concurrent SREM (which removes only what it observed) loses.
// Mutators change only the Mutation's delta; the caller Apply()s it.
#pragma once

#include <string_view>
#include <vector>

#include "lattice/object.h"

namespace starling::lattice {

inline bool SetContains(const Object& o, std::string_view member) {
  return o.set() && o.set()->Find(ElemRef(member)) != nullptr;
}

inline size_t SetCard(const Object& o) { return o.set() ? o.set()->size() : 0; }

// SADD: returns how many members were not present before.
template <typename Range>
size_t AddSetMembers(Mutation& m, const Range& members) {
  m.Retag(KeyType::kSet);
  const SetStore* cur = m.obj().set();
  SetStore& delta = m.dstore().set.Ensure();
  size_t added = 0;
  for (std::string_view member : members) {
    ElemRef ref(member);
    if (delta.Find(ref)) continue;  // repeated in this command
    const DotSet* old = cur ? cur->Find(ref) : nullptr;
    if (old) {
      old->ForEachDot([&](const Dot& x) { m.dctx().Insert(x); });
    } else {
      ++added;
    }
    delta.At(ElemKey(ref)).Insert(m.NewDot());
  }
  return added;
}

// SREM: returns how many members were removed. Removing the last member deletes the key.
template <typename Range>
size_t RemoveSetMembers(Mutation& m, const Range& members) {
  const SetStore* cur = m.obj().set();
  if (!cur) return 0;
  SetStore& delta = m.dstore().set.Ensure();
  size_t removed = 0;
  for (std::string_view member : members) {
    ElemRef ref(member);
    const DotSet* old = cur->Find(ref);
    if (!old || delta.Find(ref)) continue;
    old->ForEachDot([&](const Dot& x) { m.dctx().Insert(x); });
    delta.Touch(ElemKey(ref));
    ++removed;
  }
  if (removed == 0) {
    m.dstore().set.Reset();
  } else if (removed == cur->size()) {
    m.RemoveAll();
  } else {
    m.Retag(KeyType::kSet);
  }
  return removed;
}

}  // namespace starling::lattice
