// Redis hashes on an Object: field -> string register (DESIGN.md section 3, row "hash").
// HSET vs a concurrent HDEL: HSET wins; concurrent HINCRBYs add up; HSET absorbs the
// increments it saw. Mutators change only the Mutation's delta; the caller Apply()s it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lattice/object.h"
#include "lattice/string_ops.h"

namespace starling::lattice {

inline size_t HashLen(const Object& o) { return o.hash() ? o.hash()->fields.size() : 0; }

// The visible value of a field, or nullopt. The view may point into `scratch`.
inline std::optional<std::string_view> HashGet(const Object& o, std::string_view field,
                                               std::string* scratch) {
  if (!o.hash()) return std::nullopt;
  ElemRef ref(field);
  const ValueDots<std::string>* d = o.hash()->fields.Find(ref);
  if (!d) return std::nullopt;
  return VisibleString(*d, o.hash()->RunsOf(ref), scratch);
}

namespace internal {
inline const ValueDots<std::string>& FieldDots(const Object& o, const ElemRef& f) {
  static const ValueDots<std::string> kEmpty;
  const ValueDots<std::string>* d = o.hash() ? o.hash()->fields.Find(f) : nullptr;
  return d ? *d : kEmpty;
}
}  // namespace internal

// HSET of one field; returns true if the field was new. Call Retag(kHash) once per command
// first (HashSetFields does).
inline bool HashSetField(Mutation& m, std::string_view field, std::string value) {
  ElemRef ref(field);
  const Object& o = m.obj();
  const ValueDots<std::string>& cur = internal::FieldDots(o, ref);
  const CounterRuns* runs = o.hash() ? o.hash()->RunsOf(ref) : nullptr;
  HashStore& delta = m.dstore().hash.Ensure();
  Dot d = m.NewDot();
  ValueDots<std::string>& df = delta.fields.At(ElemKey(ref));
  df.entries.Clear();  // a field repeated within one command: the last value wins
  BuildAssign(cur, runs, d, m.stamp(), std::move(value), m.dctx(), df);
  return cur.IsBottom();
}

// HINCRBY / HINCRBYFLOAT of one field.
inline void HashIncrementField(Mutation& m, std::string_view field, int64_t di, long double df) {
  m.Retag(KeyType::kHash);
  ElemRef ref(field);
  const Object& o = m.obj();
  const ValueDots<std::string>& cur = internal::FieldDots(o, ref);
  const CounterRuns* runs = o.hash() ? o.hash()->RunsOf(ref) : nullptr;
  HashStore& delta = m.dstore().hash.Ensure();
  Dot d = m.NewDot();
  BuildIncrement(cur, runs, d, di, df, m.dctx(), delta.fields.At(ElemKey(ref)),
                 delta.runs[ElemKey(ref)]);
}

// HDEL: returns how many fields were removed. Removing the last field deletes the key.
template <typename Range>
size_t HashDeleteFields(Mutation& m, const Range& fields) {
  const Object& o = m.obj();
  const HashStore* cur = o.hash();
  if (!cur) return 0;
  HashStore& delta = m.dstore().hash.Ensure();
  size_t removed = 0;
  for (std::string_view field : fields) {
    ElemRef ref(field);
    const ValueDots<std::string>* d = cur->fields.Find(ref);
    if (!d || delta.fields.Find(ref)) continue;
    CounterRuns baseline;
    BuildRemove(*d, cur->RunsOf(ref), m.dctx(), baseline);
    if (!baseline.IsBottom()) delta.runs[ElemKey(ref)] = std::move(baseline);
    delta.fields.Touch(ElemKey(ref));
    ++removed;
  }
  if (removed == 0) {
    m.dstore().hash.Reset();
  } else if (removed == cur->fields.size()) {
    m.RemoveAll();
  } else {
    m.Retag(KeyType::kHash);
  }
  return removed;
}

}  // namespace starling::lattice
