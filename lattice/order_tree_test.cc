#include "lattice/order_tree.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cfloat>
#include <cmath>
#include <compare>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "base/random.h"

namespace starling::lattice {
namespace {

struct Empty {
  bool operator==(const Empty&) const = default;
};

// Doubles in descending IEEE total order: NaN, -0.0 and the infinities are distinct keys.
struct DescendingTotal {
  bool operator()(double a, double b) const { return std::strong_order(a, b) > 0; }
};

// A sorted-set entry: score, then member.
using ScoreMember = std::pair<double, std::string>;

// ---- Model checking ---------------------------------------------------------------------------

template <typename Tree>
bool Equivalent(const Tree& t, const typename Tree::key_type& a, const typename Tree::key_type& b) {
  return !t.key_comp()(a, b) && !t.key_comp()(b, a);
}

template <typename Tree, typename Model>
std::string Mismatch(const Tree& t, const Model& model) {
  using K = typename Tree::key_type;
  if (Status st = t.CheckInvariants(); !st.ok()) {
    return st.ToString();
  }
  if (t.size() != model.size() || t.empty() != model.empty()) {
    return "size " + std::to_string(t.size()) + " vs model " + std::to_string(model.size());
  }
  std::vector<std::pair<K, typename Tree::mapped_type>> want(model.begin(), model.end());
  size_t i = 0;
  for (auto it = t.begin(); it != t.end(); ++it, ++i) {
    if (!Equivalent(t, it.key(), want[i].first) || !(it.value() == want[i].second)) {
      return "forward element " + std::to_string(i) + " differs";
    }
    if (t.rank(it) != i) {
      return "rank of element " + std::to_string(i) + " is " + std::to_string(t.rank(it));
    }
    auto sel = t.select(i);
    if (sel != it) {
      return "select(" + std::to_string(i) + ") is not the element at that rank";
    }
  }
  if (i != want.size()) {
    return "forward iteration visited " + std::to_string(i);
  }
  if (t.select(want.size()) != t.end() || t.rank(t.end()) != want.size()) {
    return "select(size) or rank(end) wrong";
  }
  i = want.size();
  for (auto it = t.end(); it != t.begin();) {
    --it;
    --i;
    if (!Equivalent(t, it.key(), want[i].first)) {
      return "backward element " + std::to_string(i) + " differs";
    }
  }
  if (i != 0) {
    return "backward iteration stopped early";
  }
  if (!want.empty() && (!Equivalent(t, t.front().first, want.front().first) ||
                        !Equivalent(t, t.back().first, want.back().first))) {
    return "front or back wrong";
  }
  return "";
}

// Compares every lookup for one probe key with the model.
template <typename Tree, typename Model, typename Q>
std::string ProbeMismatch(const Tree& t, const Model& model, const Q& q) {
  auto lb = model.lower_bound(q);
  auto ub = model.upper_bound(q);
  size_t lb_rank = static_cast<size_t>(std::distance(model.begin(), lb));
  size_t ub_rank = static_cast<size_t>(std::distance(model.begin(), ub));
  if (t.rank(t.lower_bound(q)) != lb_rank || t.rank(t.upper_bound(q)) != ub_rank) {
    return "lower_bound/upper_bound rank differs";
  }
  if (t.rank_of(q) != lb_rank) {
    return "rank_of differs";
  }
  if (t.contains(q) != (model.find(q) != model.end())) {
    return "contains differs";
  }
  auto f = t.find(q);
  if ((f == t.end()) != (model.find(q) == model.end()) || (f != t.end() && t.rank(f) != lb_rank)) {
    return "find differs";
  }
  return "";
}

// Runs a random operation sequence against the tree and a std::map, checking after each.
// An op is (kind, a, b); make_key(a) and make_value(b) give keys and values.
template <typename Tree, typename MakeKey, typename MakeValue>
void RunModel(const std::vector<std::tuple<uint8_t, uint32_t, uint32_t>>& ops, MakeKey make_key,
              MakeValue make_value) {
  using K = typename Tree::key_type;
  using V = typename Tree::mapped_type;
  Tree t;
  std::map<K, V, typename Tree::key_compare> model;
  for (const auto& [kind, a, b] : ops) {
    K key = make_key(a);
    V value = make_value(b);
    size_t n = model.size();
    switch (kind % 16) {
      case 0:
      case 1:
      case 2:
      case 3:
      case 4: {
        auto [it, inserted] = t.insert(key, value);
        bool model_inserted = model.emplace(key, value).second;
        RC_ASSERT(inserted == model_inserted);
        RC_ASSERT(Equivalent(t, it.key(), key));
        RC_ASSERT(it.value() == model.find(key)->second);
        break;
      }
      case 5: {
        bool inserted = t.insert_or_assign(key, value).second;
        RC_ASSERT(inserted == model.insert_or_assign(key, value).second);
        break;
      }
      case 6:
      case 7:
        RC_ASSERT(t.erase(key) == model.erase(key));
        break;
      case 8: {
        if (n == 0) {
          break;
        }
        size_t r = a % n;
        auto next = t.erase(t.select(r));
        model.erase(std::next(model.begin(), static_cast<std::ptrdiff_t>(r)));
        RC_ASSERT(t.rank(next) == r);
        RC_ASSERT(next == t.select(r));
        break;
      }
      case 9:
      case 13: {
        size_t lo =
            kind % 16 == 9 ? a % (n + 2) : (a % 2 == 0 ? 0 : n - std::min<size_t>(n, b % 20));
        size_t hi = kind % 16 == 9 ? lo + b % 40 : lo + b % 20;
        size_t want = lo < std::min(hi, n) ? std::min(hi, n) - lo : 0;
        RC_ASSERT(t.erase_range_by_rank(lo, hi) == want);
        if (want > 0) {
          auto first = std::next(model.begin(), static_cast<std::ptrdiff_t>(lo));
          model.erase(first, std::next(first, static_cast<std::ptrdiff_t>(want)));
        }
        break;
      }
      case 10:
      case 14: {  // a run of neighbouring keys, ascending or descending
        uint32_t len = b % 100;
        for (uint32_t j = 0; j < len; ++j) {
          uint32_t x = kind % 16 == 10 ? a + j : a + len - 1 - j;
          t.insert(make_key(x), make_value(x));
          model.emplace(make_key(x), make_value(x));
        }
        break;
      }
      case 11: {
        if (n == 0) {
          break;
        }
        size_t r = a % n;
        t.select(r).value() = value;
        std::next(model.begin(), static_cast<std::ptrdiff_t>(r))->second = value;
        break;
      }
      case 12: {  // copies are deep and compare equal; changing one leaves the other
        Tree copy = t;
        RC_ASSERT(copy == t);
        RC_ASSERT(copy.CheckInvariants().ok());
        RC_ASSERT(copy.MemoryUsage() == t.MemoryUsage());
        copy.insert(key, value);
        copy.erase_range_by_rank(0, 1);
        RC_ASSERT((copy == t) == (Mismatch(copy, model).empty()));
        Tree moved = std::move(copy);
        RC_ASSERT(copy.empty());  // NOLINT: moved-from state is documented as empty
        RC_ASSERT(moved.CheckInvariants().ok());
        copy = moved;
        RC_ASSERT(copy == moved);
        break;
      }
      case 15:
        if (a % 4 == 0) {
          t.clear();
          model.clear();
        }
        break;
    }
    std::string err = Mismatch(t, model);
    RC_ASSERT(err == "");
    for (uint32_t probe : {a, b, a + 1, b - 1}) {
      err = ProbeMismatch(t, model, make_key(probe));
      RC_ASSERT(err == "");
    }
  }
}

using Ops = std::vector<std::tuple<uint8_t, uint32_t, uint32_t>>;

// Sequences up to 400 operations long, so that trees of tiny nodes get several levels deep.
Ops GenOps() { return *rc::gen::scale(4.0, rc::gen::arbitrary<Ops>()); }

int64_t IntKey(uint32_t a) {
  static constexpr int64_t kSpecial[] = {
      std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::min() + 1,
      std::numeric_limits<int64_t>::max() - 1, std::numeric_limits<int64_t>::max()};
  a %= 1004;
  return a >= 1000 ? kSpecial[a - 1000] : static_cast<int64_t>(a) - 500;
}
uint64_t IntValue(uint32_t b) { return b * 0x9E3779B97F4A7C15ull; }

// Short keys over {a, b, NUL, 0xff} that are prefixes of each other, some behind a long
// shared prefix (heap-allocated strings).
std::string StringKey(uint32_t a) {
  static constexpr char kAlphabet[] = {'a', 'b', '\0', '\xff'};
  a %= 1500;
  std::string s = a % 5 == 0 ? std::string(24, 'p') : "";
  uint32_t x = a / 5;
  for (uint32_t len = x % 6; len > 0; --len) {
    x /= 4;
    s.push_back(kAlphabet[x % 4]);
  }
  return s;
}
std::string StringValue(uint32_t b) { return b % 3 == 0 ? std::string(40, 'v') : "v"; }

double DoubleKey(uint32_t a) {
  static constexpr double kSpecial[] = {std::numeric_limits<double>::quiet_NaN(),
                                        -std::numeric_limits<double>::quiet_NaN(),
                                        std::numeric_limits<double>::infinity(),
                                        -std::numeric_limits<double>::infinity(),
                                        0.0,
                                        -0.0,
                                        std::numeric_limits<double>::denorm_min(),
                                        -std::numeric_limits<double>::denorm_min(),
                                        DBL_MAX,
                                        -DBL_MAX,
                                        DBL_MIN,
                                        1e300};
  a %= 500;
  return a < 12 ? kSpecial[a] : (static_cast<double>(a) - 250) / 8.0;
}
Empty EmptyValue(uint32_t) { return {}; }

template <size_t kBytes>
using IntTree = OrderTree<int64_t, uint64_t, std::less<int64_t>, kBytes>;
template <size_t kBytes>
using StringTree = OrderTree<std::string, std::string, std::less<>, kBytes>;
template <size_t kBytes>
using DoubleTree = OrderTree<double, Empty, DescendingTotal, kBytes>;

// Tiny nodes (capacity 4, 5 or 6) make deep trees out of a few hundred keys.
static_assert(IntTree<64>::kLeafCapacity == 4 && IntTree<64>::kInternalCapacity == 4);
static_assert(IntTree<112>::kLeafCapacity == 5 && IntTree<136>::kInternalCapacity == 5);
static_assert(StringTree<64>::kLeafCapacity == 4 && DoubleTree<64>::kLeafCapacity == 4);
static_assert(IntTree<512>::kLeafCapacity == 30 && DoubleTree<512>::kLeafCapacity == 60);

RC_GTEST_PROP(OrderTreeModel, IntKeysTinyNodes, ()) {
  RunModel<IntTree<64>>(GenOps(), IntKey, IntValue);
}
RC_GTEST_PROP(OrderTreeModel, IntKeysOddLeaves, ()) {
  RunModel<IntTree<112>>(GenOps(), IntKey, IntValue);
}
RC_GTEST_PROP(OrderTreeModel, IntKeysOddInternals, ()) {
  RunModel<IntTree<136>>(GenOps(), IntKey, IntValue);
}
RC_GTEST_PROP(OrderTreeModel, IntKeysDefaultNodes, ()) {
  RunModel<IntTree<512>>(GenOps(), IntKey, IntValue);
}
RC_GTEST_PROP(OrderTreeModel, StringKeysTinyNodes, ()) {
  RunModel<StringTree<64>>(GenOps(), StringKey, StringValue);
}
RC_GTEST_PROP(OrderTreeModel, StringKeysDefaultNodes, ()) {
  RunModel<StringTree<512>>(GenOps(), StringKey, StringValue);
}
RC_GTEST_PROP(OrderTreeModel, DoubleKeysTotalOrderTinyNodes, ()) {
  RunModel<DoubleTree<64>>(GenOps(), DoubleKey, EmptyValue);
}
RC_GTEST_PROP(OrderTreeModel, DoubleKeysTotalOrderDefaultNodes, ()) {
  RunModel<DoubleTree<512>>(GenOps(), DoubleKey, EmptyValue);
}

// ---- Edge cases -------------------------------------------------------------------------------

TEST(OrderTreeTest, EmptyTree) {
  IntTree<512> t;
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.begin(), t.end());
  EXPECT_EQ(t.find(1), t.end());
  EXPECT_EQ(t.lower_bound(1), t.end());
  EXPECT_EQ(t.upper_bound(1), t.end());
  EXPECT_EQ(t.select(0), t.end());
  EXPECT_EQ(t.rank(t.end()), 0u);
  EXPECT_EQ(t.rank_of(7), 0u);
  EXPECT_EQ(t.erase(7), 0u);
  EXPECT_EQ(t.erase_range_by_rank(0, 10), 0u);
  EXPECT_EQ(t.MemoryUsage(), 0u);
  EXPECT_TRUE(t.CheckInvariants().ok());
  IntTree<512> copy = t;
  EXPECT_EQ(copy, t);
  t.clear();
  EXPECT_TRUE(t.CheckInvariants().ok());
}

TEST(OrderTreeTest, SingleElement) {
  IntTree<512> t;
  auto [it, inserted] = t.insert(5, 50);
  EXPECT_TRUE(inserted);
  EXPECT_EQ(it, t.begin());
  EXPECT_EQ(t.front().first, 5);
  EXPECT_EQ(t.back().second, 50u);
  EXPECT_EQ(std::next(t.begin()), t.end());
  EXPECT_EQ(std::prev(t.end()), t.begin());
  EXPECT_FALSE(t.insert(5, 99).second);
  EXPECT_EQ(t.find(5).value(), 50u);  // insert leaves an existing element alone
  EXPECT_FALSE(t.insert_or_assign(5, 99).second);
  EXPECT_EQ(t.find(5).value(), 99u);
  EXPECT_EQ(t.rank_of(5), 0u);
  EXPECT_EQ(t.rank_of(6), 1u);
  auto next = t.erase(t.begin());
  EXPECT_EQ(next, t.end());
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.MemoryUsage(), 0u);
  EXPECT_TRUE(t.CheckInvariants().ok());
}

TEST(OrderTreeTest, IteratorsAndValueMutation) {
  IntTree<64> t;
  for (int64_t k = 0; k < 100; ++k) {
    t.insert(k, 0);
  }
  for (auto it = t.begin(); it != t.end(); ++it) {
    it.value() = static_cast<uint64_t>(it.key()) * 2;
  }
  const IntTree<64>& ct = t;
  IntTree<64>::const_iterator cit = t.begin();  // iterator converts to const_iterator
  EXPECT_EQ(cit, ct.begin());
  for (auto [k, v] : ct) {
    EXPECT_EQ(v, static_cast<uint64_t>(k) * 2);
  }
  auto it = t.select(50);
  EXPECT_EQ((it++).key(), 50);
  EXPECT_EQ((it--).key(), 51);
  EXPECT_EQ(it.key(), 50);
  EXPECT_EQ(std::distance(t.begin(), t.end()), 100);
}

TEST(OrderTreeTest, EraseEverythingInRandomOrder) {
  OrderTree<std::string, std::string> t;
  std::vector<std::string> keys;
  for (int i = 0; i < 20000; ++i) {
    keys.push_back("member:" + std::to_string(i * 7919 % 20000));
    t.insert(keys.back(), std::string(i % 50, 'x'));
  }
  Prng rng(42);
  for (size_t i = keys.size(); i > 1; --i) {
    std::swap(keys[i - 1], keys[rng.Uniform(i)]);
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    ASSERT_EQ(t.erase(keys[i]), 1u);
    if (i % 1000 == 0) {
      ASSERT_TRUE(t.CheckInvariants().ok()) << t.CheckInvariants().ToString();
    }
  }
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.MemoryUsage(), 0u);
  EXPECT_TRUE(t.CheckInvariants().ok());
}

TEST(OrderTreeTest, HeterogeneousLookup) {
  OrderTree<std::string, int, std::less<>> t;
  t.insert("apple", 1);
  t.insert("banana", 2);
  std::string_view q = "banana";
  EXPECT_EQ(t.find(q).value(), 2);
  EXPECT_EQ(t.rank_of(q), 1u);
  EXPECT_EQ(t.lower_bound(std::string_view("b")).key(), "banana");
  EXPECT_EQ(t.upper_bound("apple").key(), "banana");
  EXPECT_TRUE(t.contains("apple"));
  EXPECT_EQ(t.erase(std::string_view("apple")), 1u);
  EXPECT_EQ(t.size(), 1u);
}

TEST(OrderTreeTest, CopyAndEquality) {
  OrderTree<std::string, std::string> a;
  for (int i = 0; i < 5000; ++i) {
    a.insert("k" + std::to_string(i), std::string(30, static_cast<char>('a' + i % 26)));
  }
  OrderTree<std::string, std::string> b = a;
  EXPECT_EQ(a, b);
  EXPECT_TRUE(b.CheckInvariants().ok());
  b.find("k17").value() = "changed";
  EXPECT_NE(a, b);
  b.find("k17").value() = a.find("k17").value();
  EXPECT_EQ(a, b);
  b.erase("k4999");
  EXPECT_NE(a, b);
  b.insert("k4999", a.find("k4999").value());
  EXPECT_EQ(a, b);
  OrderTree<std::string, std::string> c = std::move(b);
  EXPECT_TRUE(b.empty());  // NOLINT: the moved-from tree is empty
  EXPECT_EQ(a, c);
  c = a;
  EXPECT_EQ(a, c);
  EXPECT_TRUE(c.CheckInvariants().ok());
}

TEST(OrderTreeTest, EraseLargeRangeByRank) {
  IntTree<512> t;
  for (int64_t k = 0; k < 100000; ++k) {
    t.insert(k, 0);
  }
  EXPECT_EQ(t.erase_range_by_rank(1000, 99000), 98000u);
  ASSERT_TRUE(t.CheckInvariants().ok()) << t.CheckInvariants().ToString();
  EXPECT_EQ(t.size(), 2000u);
  EXPECT_EQ(t.select(999).key(), 999);
  EXPECT_EQ(t.select(1000).key(), 99000);
  EXPECT_EQ(t.erase_range_by_rank(0, 1000), 1000u);
  EXPECT_EQ(t.erase_range_by_rank(500, 5000), 500u);
  EXPECT_EQ(t.erase_range_by_rank(0, 500), 500u);
  EXPECT_TRUE(t.empty());
  EXPECT_TRUE(t.CheckInvariants().ok());
}

constexpr int64_t kMillion = 1000000;

TEST(OrderTreeTest, MillionSequentialThenEraseEveryOther) {
  IntTree<512> t;
  for (int64_t k = 0; k < kMillion; ++k) {
    t.insert(k, static_cast<uint64_t>(k));
  }
  ASSERT_TRUE(t.CheckInvariants().ok()) << t.CheckInvariants().ToString();
  for (int64_t r = 0; r < kMillion; ++r) {
    auto it = t.select(static_cast<size_t>(r));
    ASSERT_EQ(it.key(), r);
    ASSERT_EQ(t.rank(it), static_cast<size_t>(r));
    ASSERT_EQ(t.rank_of(r), static_cast<size_t>(r));
  }
  for (auto it = t.begin(); it != t.end();) {
    it = t.erase(it);
    if (it != t.end()) {
      ++it;
    }
  }
  ASSERT_TRUE(t.CheckInvariants().ok()) << t.CheckInvariants().ToString();
  ASSERT_EQ(t.size(), static_cast<size_t>(kMillion / 2));
  int64_t want = 1;
  for (auto [k, v] : t) {
    ASSERT_EQ(k, want);
    ASSERT_EQ(v, static_cast<uint64_t>(want));
    want += 2;
  }
  EXPECT_EQ(t.select(12345).key(), 2 * 12345 + 1);
  EXPECT_EQ(t.rank_of(2 * 12345), 12345u);
}

// ---- Memory -----------------------------------------------------------------------------------

template <typename Tree>
double BytesPerElement(const Tree& t) {
  return static_cast<double>(t.MemoryUsage()) / static_cast<double>(t.size());
}

TEST(OrderTreeTest, MemoryPerElementIsCloseToPayload) {
  constexpr double kPayload = sizeof(int64_t) + sizeof(int64_t);
  IntTree<512> ascending, descending, shuffled;
  for (int64_t k = 0; k < kMillion; ++k) {
    ascending.insert(k, 0);
    descending.insert(kMillion - 1 - k, 0);
  }
  Prng rng(7);
  while (shuffled.size() < static_cast<size_t>(kMillion)) {
    shuffled.insert(static_cast<int64_t>(rng.Next64()), 0);
  }
  RecordProperty("ascending_bytes_per_element", std::to_string(BytesPerElement(ascending)));
  RecordProperty("descending_bytes_per_element", std::to_string(BytesPerElement(descending)));
  RecordProperty("random_bytes_per_element", std::to_string(BytesPerElement(shuffled)));
  EXPECT_LT(BytesPerElement(ascending), 1.5 * kPayload);
  EXPECT_LT(BytesPerElement(descending), 1.5 * kPayload);
  EXPECT_LT(BytesPerElement(shuffled), 1.5 * kPayload);
  EXPECT_TRUE(shuffled.CheckInvariants().ok());
}

TEST(OrderTreeTest, SortedSetEntriesStoreNoValues) {
  OrderTree<ScoreMember, Empty> t;
  Prng rng(9);
  while (t.size() < static_cast<size_t>(kMillion)) {
    t.insert(
        {static_cast<double>(rng.Uniform(1000)), "m" + std::to_string(rng.Next64() % 100000000)});
  }
  RecordProperty("score_member_bytes_per_element", std::to_string(BytesPerElement(t)));
  OrderTree<ScoreMember, Empty> one;
  one.insert({1.0, "m"});
  EXPECT_LE(one.MemoryUsage(), 512u);  // a leaf of 12 keys and no value slots
  // Random order and 40-byte keys (each leaf also costs a separator in its parent): about
  // 1.47x; a sorted load gives about 1.2x.
  EXPECT_LT(BytesPerElement(t), 1.6 * sizeof(ScoreMember));
  EXPECT_TRUE(t.CheckInvariants().ok());
}

}  // namespace
}  // namespace starling::lattice
