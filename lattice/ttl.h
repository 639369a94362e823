// TtlStore: a key's expiry (DESIGN.md section 3, row "TTL").
//
// `expiry` is a DotFun of absolute expiry times (Unix milliseconds); `persist` holds PERSIST
// marks. The effective expiry is none if any PERSIST mark is live, else the latest live
// expiry. EXPIRE and PERSIST each remove what they observed, so concurrent EXPIREs resolve
// to the later time and a PERSIST beats an EXPIRE it did not see... and an EXPIRE beats a
// PERSIST it did not see only by being later in causality, never by concurrency.
// Partial order and bottom: those of the product of the two dot stores.
#pragma once

#include <cstdint>
#include <optional>

#include "lattice/dot_store.h"

namespace starling::lattice {

class TtlStore {
 public:
  bool IsBottom() const { return expiry_.IsBottom() && persist_.IsBottom(); }

  std::optional<int64_t> ExpiryMs() const {
    if (!persist_.IsBottom() || expiry_.IsBottom()) return std::nullopt;
    int64_t best = INT64_MIN;
    for (const auto& [d, ms] : expiry_.entries()) best = std::max(best, ms);
    return best;
  }

  const DotFun<int64_t>& expiry() const { return expiry_; }
  const DotSet& persist() const { return persist_; }
  DotFun<int64_t>& mutable_expiry() { return expiry_; }
  DotSet& mutable_persist() { return persist_; }

  template <typename F>
  void ForEachDot(F&& f) const {
    expiry_.ForEachDot(f);
    persist_.ForEachDot(f);
  }

  void Join(const CausalContext& self_ctx, const TtlStore& o, const CausalContext& o_ctx,
            JoinMode mode, bool keep_bottoms) {
    expiry_.Join(self_ctx, o.expiry_, o_ctx, mode, keep_bottoms);
    persist_.Join(self_ctx, o.persist_, o_ctx, mode, keep_bottoms);
  }

  bool operator==(const TtlStore&) const = default;

  // Delta builders (see CounterRegister for the pattern).
  void BuildExpire(const Dot& d, int64_t at_ms, CausalContext& dctx, TtlStore& delta) const {
    ForEachDot([&](const Dot& x) { dctx.Insert(x); });
    dctx.Insert(d);
    delta.expiry_.Insert(d, at_ms);
  }
  void BuildPersist(const Dot& d, CausalContext& dctx, TtlStore& delta) const {
    ForEachDot([&](const Dot& x) { dctx.Insert(x); });
    dctx.Insert(d);
    delta.persist_.Insert(d);
  }
  // Drops the TTL without a mark (SET without KEEPTTL): a concurrent EXPIRE survives.
  void BuildClear(CausalContext& dctx) const {
    ForEachDot([&](const Dot& x) { dctx.Insert(x); });
  }

 private:
  DotFun<int64_t> expiry_;
  DotSet persist_;
};

}  // namespace starling::lattice
