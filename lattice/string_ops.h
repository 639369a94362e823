// Redis strings and counters on an Object: the visible value and the delta-mutators behind
// SET, INCRBY, INCRBYFLOAT, APPEND, SETRANGE..., plus the key-level TTL mutators.
//
// Mutators take a Mutation (see object.h), change only its delta, and leave the caller to
// Apply() it. They do not check Redis preconditions (WRONGTYPE, integer overflow, NX/XX);
// the command layer does, against the visible value, before it mutates.
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <string_view>

#include "lattice/numbers.h"
#include "lattice/object.h"

namespace starling::lattice {

// The visible value of a string register: the winning write, plus the net of the counter
// runs. Returns a view of the stored bytes when no increment applies (the common case), or
// of `scratch` when the value is computed. A non-numeric winning value with concurrent
// increments shows the written value (the increments cannot apply to it).
inline std::string_view VisibleString(const ValueDots<std::string>& dots,
                                      const CounterRuns* runs, std::string* scratch) {
  const auto* w = dots.Winner();
  RunNet net = NetOfRuns(dots, runs);
  std::string_view base = w ? std::string_view(w->second.value) : std::string_view("0");
  if (!net.any) return base;
  if (!net.has_float) {
    std::optional<int64_t> b = w ? ParseInt64(base) : std::optional<int64_t>(0);
    if (b) {
      __int128 sum = static_cast<__int128>(*b) + net.i;
      if (sum >= INT64_MIN && sum <= INT64_MAX) {
        *scratch = std::to_string(static_cast<int64_t>(sum));
        return *scratch;
      }
    }
  }
  std::optional<long double> b = w ? ParseLongDouble(base) : std::optional<long double>(0);
  if (!b) return base;
  long double v = *b + static_cast<long double>(net.i) + net.f;
  if (!std::isfinite(v)) return base;
  *scratch = FormatLongDouble(v);
  return *scratch;
}

inline std::string_view StringValue(const StringStore& s, std::string* scratch) {
  return VisibleString(s.dots, s.runs.get(), scratch);
}

// SET (and the writes built on it: APPEND, SETRANGE, GETSET...): the value replaces what
// this replica observed and absorbs the counter totals it saw. Without keep_ttl the
// observed TTL is dropped (a concurrent EXPIRE survives).
inline void WriteString(Mutation& m, std::string value, bool keep_ttl) {
  m.Retag(KeyType::kString);
  const Object& o = m.obj();
  static const ValueDots<std::string> kEmpty;
  const ValueDots<std::string>& dots = o.str() ? o.str()->dots : kEmpty;
  const CounterRuns* runs = o.str() ? o.str()->runs.get() : nullptr;
  Dot d = m.NewDot();
  BuildAssign(dots, runs, d, m.stamp(), std::move(value), m.dctx(), m.dstore().str.Ensure().dots);
  if (!keep_ttl) o.store.ttl.BuildClear(m.dctx());
}

// INCRBY / DECRBY / INCRBYFLOAT: adds to this replica's run. Concurrent increments add up.
inline void IncrementString(Mutation& m, int64_t di, long double df) {
  m.Retag(KeyType::kString);
  const Object& o = m.obj();
  static const ValueDots<std::string> kEmpty;
  const ValueDots<std::string>& dots = o.str() ? o.str()->dots : kEmpty;
  const CounterRuns* runs = o.str() ? o.str()->runs.get() : nullptr;
  Dot d = m.NewDot();
  StringStore& ds = m.dstore().str.Ensure();
  BuildIncrement(dots, runs, d, di, df, m.dctx(), ds.dots, ds.runs.Ensure());
}

// EXPIRE family: the key expires at `at_ms` (Unix ms). Replaces the observed TTL and
// PERSIST marks.
inline void SetExpiry(Mutation& m, int64_t at_ms) {
  Dot d = m.NewDot();
  m.obj().store.ttl.BuildExpire(d, at_ms, m.dctx(), m.dstore().ttl);
}

// PERSIST: removes the observed TTL and leaves a mark that beats concurrent EXPIREs.
inline void PersistKey(Mutation& m) {
  Dot d = m.NewDot();
  m.obj().store.ttl.BuildPersist(d, m.dctx(), m.dstore().ttl);
}

}  // namespace starling::lattice
