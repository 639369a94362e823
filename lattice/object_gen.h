// Test helper: random Objects from random histories. Three replicas of one key take random
// commands of every Redis type (with awkward values: empty strings, NUL bytes, int64
// extremes, -0.0, infinities) and random syncs (full joins and delta joins), so the states
// hold concurrent writes, type clashes, counter runs, tombstoned elements and TTLs.
// Deterministic for a seed. Every mutation is recorded with the state before it and its
// delta, for the delta laws.
#pragma once

#include <string>
#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "lattice/hash_ops.h"
#include "lattice/list_ops.h"
#include "lattice/object.h"
#include "lattice/set_ops.h"
#include "lattice/string_ops.h"
#include "lattice/zset_ops.h"

namespace starling::lattice::testing {

struct MutationRecord {
  Object before;
  Object delta;
  Object after;
};

class ObjectHistory {
 public:
  explicit ObjectHistory(uint64_t seed, int replicas = 3) : rng_(seed) {
    for (int i = 0; i < replicas; ++i) {
      reps_.push_back(Rep{std::make_unique<ManualClock>(1'700'000'000'000'000 + i * 1000), {},
                          DotSource(100 + i), Object()});
      reps_.back().hlc = std::make_unique<HlcClock>(*reps_.back().clock);
    }
  }

  // Runs n random steps.
  void Run(int n) {
    for (int i = 0; i < n; ++i) Step();
  }

  const Object& state(size_t i) const { return reps_[i].obj; }
  size_t replicas() const { return reps_.size(); }
  const std::vector<MutationRecord>& records() const { return records_; }
  // A random state of the history (one replica's).
  const Object& AnyState() { return reps_[rng_.Uniform(reps_.size())].obj; }

  std::string RandomValue() {
    switch (rng_.Uniform(8)) {
      case 0:
        return "";
      case 1:
        return std::string("a\0b", 3);
      case 2:
        return std::to_string(static_cast<int64_t>(rng_.Range(-5, 5)));
      case 3:
        return rng_.Bernoulli(0.5) ? "9223372036854775807" : "-9223372036854775808";
      case 4:
        return "3.5";
      default:
        return "v" + std::to_string(rng_.Uniform(6));
    }
  }
  std::string RandomMember() { return "m" + std::to_string(rng_.Uniform(5)); }
  double RandomScore() {
    switch (rng_.Uniform(6)) {
      case 0:
        return -0.0;
      case 1:
        return 1e308;
      case 2:
        return -std::numeric_limits<double>::infinity();
      default:
        return static_cast<double>(rng_.Range(-3, 3)) / 2;
    }
  }

  void Step() {
    Rep& r = reps_[rng_.Uniform(reps_.size())];
    r.clock->Advance(static_cast<int64_t>(rng_.Uniform(3000)));
    if (rng_.Bernoulli(0.2)) {
      // Sync: another replica's full state, or a random recorded delta.
      Rep& from = reps_[rng_.Uniform(reps_.size())];
      if (rng_.Bernoulli(0.5) || records_.empty()) {
        r.obj.Join(from.obj);
      } else {
        r.obj.Join(records_[rng_.Uniform(records_.size())].delta);
      }
      r.hlc->Observe(from.hlc->Last());
      return;
    }
    MutationRecord rec;
    rec.before = r.obj;
    Mutation m(r.obj, r.dots, r.hlc->Now());
    Mutate(m, r.obj);
    rec.delta = m.Apply(r.obj);
    rec.after = r.obj;
    records_.push_back(std::move(rec));
  }

 private:
  struct Rep {
    std::unique_ptr<ManualClock> clock;
    std::unique_ptr<HlcClock> hlc;
    DotSource dots;
    Object obj;
  };

  void Mutate(Mutation& m, const Object& o) {
    std::vector<std::string> members{RandomMember(), RandomMember()};
    switch (rng_.Uniform(17)) {
      case 0:
        WriteString(m, RandomValue(), rng_.Bernoulli(0.3));
        break;
      case 1:
        IncrementString(m, rng_.Range(-3, 3), 0);
        break;
      case 2:
        IncrementString(m, 0, static_cast<long double>(rng_.Range(-4, 4)) / 4);
        break;
      case 3:
        m.RemoveAll();
        break;
      case 4:
        AddSetMembers(m, members);
        break;
      case 5:
        RemoveSetMembers(m, members);
        break;
      case 6:
        m.Retag(KeyType::kHash);
        HashSetField(m, members[0], RandomValue());
        break;
      case 7:
        HashIncrementField(m, members[0], rng_.Range(-2, 2), 0);
        break;
      case 8:
        HashDeleteFields(m, members);
        break;
      case 9:
        ZsetAdd(m, members[0], RandomScore());
        break;
      case 10:
        ZsetIncrement(m, members[0], static_cast<double>(rng_.Range(-2, 2)));
        break;
      case 11:
        ZsetRemove(m, members);
        break;
      case 12:
        ListPush(m, rng_.Bernoulli(0.5) ? ListEnd::kLeft : ListEnd::kRight, members);
        break;
      case 13:
        if (o.list() && o.list()->size() > 0) {
          auto it = o.list()->elems().select(rng_.Uniform(o.list()->size()));
          if (rng_.Bernoulli(0.5)) {
            ListRemoveAt(m, it.key());
          } else {
            ListSetAt(m, it.key(), RandomValue());
          }
        }
        break;
      case 14:
        SetExpiry(m, 1'700'000'000'000 + rng_.Range(0, 100000));
        break;
      case 15:
        PersistKey(m);
        break;
      default:
        if (o.list() && o.list()->size() > 1) {
          size_t i = rng_.Uniform(o.list()->size() - 1);
          auto a = o.list()->elems().select(i);
          auto b = std::next(a);
          ListInsertBetween(m, &a.key(), &b.key(), RandomValue());
        }
        break;
    }
  }

  Prng rng_;
  std::vector<Rep> reps_;
  std::vector<MutationRecord> records_;
};

}  // namespace starling::lattice::testing
