// OrderTree<K, V, Compare, kNodeBytes>: a sorted map with rank and select (a counted B+tree).
//
// What it is for. Sorted sets need ZRANK, ZRANGE by rank and ZREMRANGEBYRANK, and lists
// need LINDEX and LRANGE, in O(log n + m) on collections of millions of elements, with a
// memory cost per element close to the payload.
//
// Structure. Leaves hold sorted keys and values in arrays sized to about kNodeBytes (512 by
// default: 30 int64 -> int64 entries, 12 (double, string) keys with an empty V), are linked
// both ways, and are at least half full unless the leaf is the root. Internal nodes hold
// child pointers, separator keys and the element count of each child's subtree, so rank and
// select are O(log n). An insert into a full node first shifts entries into a sibling with
// room (all of that room when appending at an end, so ascending or descending loads leave
// full leaves behind) and splits only when both siblings are full. An empty V (a set's "no
// value") takes no space per entry. Layout details: order_tree_internal.h. kNodeBytes is for
// tests (tiny nodes make deep trees) and tuning; fanouts never go below 4.
//
// Memory (MemoryUsage() per element, int64 -> int64, payload 16 bytes): about 17.9 after
// ascending or descending loads, 21.4 after random inserts; after many erases leaves may be
// only half full (up to about 2x the payload) until inserts refill them.
//
// Cost. insert, erase by key or iterator, find, bounds, rank, rank_of, select: O(log n).
// erase_range_by_rank(lo, hi): O(m + (m / leaf size + 1) * log n) for m removed elements.
// ++, --: O(1). Copy and ==: O(n). MemoryUsage(): O(1).
//
// Contract.
//  - Keys are unique under Compare, a strict weak order (for floating point keys that may be
//    NaN use a total order such as TotalLess). Keys are immutable in the tree; values are
//    mutable through iterators (`it.value() = v`).
//  - Every insert or erase, clear() and assignment to the tree invalidates all its iterators,
//    end() included. Changing a value through an iterator invalidates nothing.
//  - Iterators are bidirectional: key(), value(), and `*it` yields a std::pair of references
//    (so `for (auto [k, v] : tree)` works); there is no operator->.
//  - Copies are deep. A moved-from tree is empty. operator== compares sizes, then keys in
//    order by equivalence under Compare, then values with V's ==.
//  - Lookups are heterogeneous (find, contains, lower_bound, upper_bound, rank_of, erase by
//    key accept any Q) when Compare::is_transparent exists.
//  - Deterministic: no randomness, hashing or pointer-order dependence; the same operations
//    give the same shape. Not thread-safe; one owner. Our code raises no exceptions; if K's
//    or V's constructors throw, the tree may leak or break.
//  - Method names are STL style (lower_bound, begin, size) because this is a container;
//    MemoryUsage and CheckInvariants follow the Google style of the rest of the code.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <string>
#include <utility>

#include "base/status.h"
#include "lattice/order_tree_internal.h"

namespace starling::lattice {

template <typename K, typename V, typename Compare = std::less<K>, size_t kNodeBytes = 512>
class OrderTree {
  using N = order_tree_internal::Nodes<K, V, kNodeBytes>;
  using Node = typename N::Node;
  using Leaf = typename N::Leaf;
  using Internal = typename N::Internal;

 public:
  static constexpr size_t kLeafCapacity = N::kLeafCap;
  static constexpr size_t kInternalCapacity = N::kInternalCap;

  template <bool kConst>
  class Iter {
   public:
    using iterator_category = std::bidirectional_iterator_tag;
    using value_type = std::pair<K, V>;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using ValueRef = std::conditional_t<kConst, const V&, V&>;
    using reference = std::pair<const K&, ValueRef>;

    Iter() = default;
    // iterator -> const_iterator.
    template <bool kOther>
    requires(kConst && !kOther) Iter(const Iter<kOther>& o)
        : leaf_(o.leaf_), index_(o.index_) {}  // NOLINT: implicit

    // REQUIRES: dereferenceable (not end()).
    const K& key() const { return leaf_->key(index_); }
    ValueRef value() const { return leaf_->values.at(index_); }
    reference operator*() const { return {key(), value()}; }

    Iter& operator++() {
      if (++index_ == leaf_->count && leaf_->next != nullptr) {
        leaf_ = leaf_->next;
        index_ = 0;
      }
      return *this;
    }
    Iter operator++(int) {
      Iter old = *this;
      ++*this;
      return old;
    }
    // REQUIRES: not begin().
    Iter& operator--() {
      if (index_ == 0) {
        leaf_ = leaf_->prev;
        index_ = leaf_->count;
      }
      --index_;
      return *this;
    }
    Iter operator--(int) {
      Iter old = *this;
      --*this;
      return old;
    }
    bool operator==(const Iter& o) const { return leaf_ == o.leaf_ && index_ == o.index_; }

   private:
    friend class OrderTree;
    friend class Iter<!kConst>;
    Iter(Leaf* leaf, size_t index) : leaf_(leaf), index_(index) {}

    Leaf* leaf_ = nullptr;  // end() of an empty tree is (nullptr, 0)
    size_t index_ = 0;      // end() is (last leaf, its count)
  };
  using iterator = Iter<false>;
  using const_iterator = Iter<true>;
  using key_type = K;
  using mapped_type = V;
  using key_compare = Compare;
  using size_type = size_t;

  OrderTree() = default;
  explicit OrderTree(const Compare& comp) : comp_(comp) {}
  OrderTree(const OrderTree& o) : comp_(o.comp_) {
    if (o.root_ != nullptr) {
      Leaf* prev = nullptr;
      root_ = CopyNode(o.root_, nullptr, 0, prev);
      last_ = prev;
      size_ = o.size_;
    }
  }
  OrderTree(OrderTree&& o) noexcept : comp_(o.comp_) { swap(o); }
  OrderTree& operator=(const OrderTree& o) {
    if (this != &o) {
      OrderTree copy(o);
      swap(copy);
    }
    return *this;
  }
  OrderTree& operator=(OrderTree&& o) noexcept {
    if (this != &o) {
      clear();
      swap(o);
    }
    return *this;
  }
  ~OrderTree() { clear(); }

  void swap(OrderTree& o) noexcept {
    std::swap(comp_, o.comp_);
    std::swap(root_, o.root_);
    std::swap(first_, o.first_);
    std::swap(last_, o.last_);
    std::swap(size_, o.size_);
    std::swap(leaves_, o.leaves_);
    std::swap(internals_, o.internals_);
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const Compare& key_comp() const { return comp_; }

  void clear() {
    if (root_ != nullptr) {
      FreeSubtree(root_);
    }
    root_ = nullptr;
    first_ = last_ = nullptr;
    size_ = 0;
  }

  iterator begin() { return iterator(first_, 0); }
  iterator end() { return iterator(last_, last_ == nullptr ? 0 : last_->count); }
  const_iterator begin() const { return const_iterator(first_, 0); }
  const_iterator end() const { return const_iterator(last_, last_ == nullptr ? 0 : last_->count); }
  const_iterator cbegin() const { return begin(); }
  const_iterator cend() const { return end(); }

  // REQUIRES: !empty().
  typename iterator::reference front() { return *begin(); }
  typename const_iterator::reference front() const { return *begin(); }
  typename iterator::reference back() { return *std::prev(end()); }
  typename const_iterator::reference back() const { return *std::prev(end()); }

  // Inserts (key, value) unless an equivalent key is present. Returns the element with that
  // key and whether it was inserted (an existing element is left unchanged).
  std::pair<iterator, bool> insert(K key, V value = V()) {
    return InsertImpl(std::move(key), std::move(value), false);
  }
  // Inserts, or assigns value to the element with an equivalent key. Returns the element and
  // whether it was inserted.
  std::pair<iterator, bool> insert_or_assign(K key, V value) {
    return InsertImpl(std::move(key), std::move(value), true);
  }

  // Removes the element with a key equivalent to key, if any. Returns how many (0 or 1).
  template <order_tree_internal::LookupKey<K, Compare> Q>
  size_t erase(const Q& key) {
    iterator it = find(key);
    if (it == end()) {
      return 0;
    }
    EraseAt(it.leaf_, it.index_, false);
    return 1;
  }
  size_t erase(const K& key) { return erase<K>(key); }
  // Removes the element at it. Returns the element after it (end() if none).
  // REQUIRES: it is a dereferenceable iterator of this tree.
  iterator erase(const_iterator it) { return EraseAt(it.leaf_, it.index_, true); }
  iterator erase(iterator it) { return EraseAt(it.leaf_, it.index_, true); }
  // Removes the elements of ranks [lo, min(hi, size())). Returns how many were removed.
  size_t erase_range_by_rank(size_t lo, size_t hi);

  template <order_tree_internal::LookupKey<K, Compare> Q>
  iterator find(const Q& key) {
    iterator it = lower_bound(key);
    return it != end() && !comp_(key, it.key()) ? it : end();
  }
  template <order_tree_internal::LookupKey<K, Compare> Q>
  const_iterator find(const Q& key) const {
    return const_cast<OrderTree*>(this)->find(key);
  }
  iterator find(const K& key) { return find<K>(key); }
  const_iterator find(const K& key) const { return find<K>(key); }

  template <order_tree_internal::LookupKey<K, Compare> Q>
  bool contains(const Q& key) const {
    return find(key) != end();
  }
  bool contains(const K& key) const { return contains<K>(key); }

  // First element whose key is not less than key.
  template <order_tree_internal::LookupKey<K, Compare> Q>
  iterator lower_bound(const Q& key) {
    return Bound(key, false);
  }
  template <order_tree_internal::LookupKey<K, Compare> Q>
  const_iterator lower_bound(const Q& key) const {
    return const_cast<OrderTree*>(this)->Bound(key, false);
  }
  iterator lower_bound(const K& key) { return Bound(key, false); }
  const_iterator lower_bound(const K& key) const { return lower_bound<K>(key); }

  // First element whose key is greater than key.
  template <order_tree_internal::LookupKey<K, Compare> Q>
  iterator upper_bound(const Q& key) {
    return Bound(key, true);
  }
  template <order_tree_internal::LookupKey<K, Compare> Q>
  const_iterator upper_bound(const Q& key) const {
    return const_cast<OrderTree*>(this)->Bound(key, true);
  }
  iterator upper_bound(const K& key) { return Bound(key, true); }
  const_iterator upper_bound(const K& key) const { return upper_bound<K>(key); }

  // Number of elements before it (size() for end()).
  size_t rank(const_iterator it) const {
    return it.leaf_ == nullptr ? 0 : RankAt(it.leaf_, it.index_);
  }
  // Number of elements whose key is less than key, present or not.
  template <order_tree_internal::LookupKey<K, Compare> Q>
  size_t rank_of(const Q& key) const {
    size_t r = 0;
    if (root_ != nullptr) {
      Descend(key, false, &r);
    }
    return r;
  }
  size_t rank_of(const K& key) const { return rank_of<K>(key); }

  // The element of rank r (0-based); end() if r >= size().
  iterator select(size_t r);
  const_iterator select(size_t r) const { return const_cast<OrderTree*>(this)->select(r); }

  // Bytes held by the tree's nodes (not heap owned by keys and values, nor sizeof(*this)).
  size_t MemoryUsage() const { return leaves_ * sizeof(Leaf) + internals_ * sizeof(Internal); }

  // Verifies every structural invariant (fill bounds, subtree counts, key order, separators,
  // parent and position fields, leaf links, node tallies). O(n); for tests.
  Status CheckInvariants() const;

  // Keys compare by equivalence under Compare, values with ==.
  friend bool operator==(const OrderTree& a, const OrderTree& b) {
    if (a.size_ != b.size_) {
      return false;
    }
    for (const_iterator x = a.begin(), y = b.begin(); x != a.end(); ++x, ++y) {
      if (a.comp_(x.key(), y.key()) || a.comp_(y.key(), x.key())) {
        return false;
      }
      if constexpr (!std::is_empty_v<V>) {
        if (!(x.value() == y.value())) {
          return false;
        }
      }
    }
    return true;
  }

 private:
  template <typename T>
  static constexpr size_t Capacity() {
    return std::is_same_v<T, Leaf> ? N::kLeafCap : N::kInternalCap;
  }
  template <typename T>
  static constexpr size_t MinFill() {
    return std::is_same_v<T, Leaf> ? N::kLeafMin : N::kInternalMin;
  }

  template <typename T>
  T* New() {
    ++(std::is_same_v<T, Leaf> ? leaves_ : internals_);
    return new T;  // default-initialized: slot arrays stay raw
  }
  void Free(Leaf* l) {
    N::DestroySlots(l);
    --leaves_;
    delete l;
  }
  void Free(Internal* in) {
    N::DestroySlots(in);
    --internals_;
    delete in;
  }
  void FreeSubtree(Node* n) {
    if (n->is_leaf) {
      Free(N::AsLeaf(n));
      return;
    }
    Internal* in = N::AsInternal(n);
    for (size_t i = 0; i < in->count; ++i) {
      FreeSubtree(in->children[i]);
    }
    Free(in);
  }

  Node* CopyNode(const Node* src, Internal* parent, size_t position, Leaf*& prev);

  // Index of the child of in whose key range holds key: the number of separators <= key.
  template <typename Q>
  size_t ChildIndex(Internal* in, const Q& key) const {
    K* seps = in->count > 1 ? in->sep_begin() : nullptr;
    return static_cast<size_t>(std::upper_bound(seps, seps + (in->count - 1), key, comp_) - seps);
  }

  // The leaf whose key range holds key, and the position of the first key in it that is not
  // less (upper: greater) than key. REQUIRES: root_ != nullptr.
  // If rank is given, adds the number of elements before that position to it.
  template <typename Q>
  std::pair<Leaf*, size_t> Descend(const Q& key, bool upper, size_t* rank = nullptr) const {
    Node* n = root_;
    while (!n->is_leaf) {
      Internal* in = N::AsInternal(n);
      size_t j = ChildIndex(in, key);
      for (size_t c = 0; rank != nullptr && c < j; ++c) {
        *rank += in->counts[c];
      }
      n = in->children[j];
    }
    Leaf* l = N::AsLeaf(n);
    K* b = l->key_begin();
    K* e = b + l->count;
    size_t i = static_cast<size_t>(
        (upper ? std::upper_bound(b, e, key, comp_) : std::lower_bound(b, e, key, comp_)) - b);
    if (rank != nullptr) {
      *rank += i;
    }
    return {l, i};
  }

  // An iterator for position i of l, moving past the end of a leaf to the next one.
  iterator MakeIter(Leaf* l, size_t i) {
    if (i == l->count && l->next != nullptr) {
      return iterator(l->next, 0);
    }
    return iterator(l, i);
  }

  template <typename Q>
  iterator Bound(const Q& key, bool upper) {
    if (root_ == nullptr) {
      return end();
    }
    auto [l, i] = Descend(key, upper);
    return MakeIter(l, i);
  }

  // Rank of position i of leaf n: i plus the sizes of all subtrees to its left.
  static size_t RankAt(const Node* n, size_t i) {
    for (; n->parent != nullptr; n = n->parent) {
      for (size_t c = 0; c < n->position; ++c) {
        i += n->parent->counts[c];
      }
    }
    return i;
  }

  static void AddToPath(Node* n, size_t d) {
    for (; n->parent != nullptr; n = n->parent) {
      n->parent->counts[n->position] += d;
    }
  }
  static void SubtractFromPath(Node* n, size_t d) {
    for (; n->parent != nullptr; n = n->parent) {
      n->parent->counts[n->position] -= d;
    }
  }

  std::pair<iterator, bool> InsertImpl(K&& key, V&& value, bool assign);
  template <typename T>
  std::pair<T*, size_t> MakeRoom(T* x, size_t pos);
  iterator EraseAt(Leaf* l, size_t i, bool want_next);
  void FixUnderflow(Leaf* l);
  template <typename T>
  Internal* FixUnderflowAt(T* x);

  [[no_unique_address]] Compare comp_{};
  Node* root_ = nullptr;
  Leaf* first_ = nullptr;
  Leaf* last_ = nullptr;
  size_t size_ = 0;
  size_t leaves_ = 0;
  size_t internals_ = 0;
};

// ---- Definitions ----------------------------------------------------------------------------

#define STARLING_ORDER_TREE_TEMPLATE template <typename K, typename V, typename C, size_t B>
#define STARLING_ORDER_TREE OrderTree<K, V, C, B>

STARLING_ORDER_TREE_TEMPLATE
auto STARLING_ORDER_TREE::InsertImpl(K&& key, V&& value, bool assign) -> std::pair<iterator, bool> {
  if (root_ == nullptr) {
    Leaf* l = New<Leaf>();
    root_ = first_ = last_ = l;
    N::Insert(l, 0, std::move(key), std::move(value));
    size_ = 1;
    return {iterator(l, 0), true};
  }
  auto [l, i] = Descend(key, false);
  if (i < l->count && !comp_(key, l->key(i))) {
    if (assign) {
      l->values.at(i) = std::move(value);
    }
    return {iterator(l, i), false};
  }
  auto [target, pos] = MakeRoom(l, i);
  N::Insert(target, pos, std::move(key), std::move(value));
  AddToPath(target, 1);
  ++size_;
  return {iterator(target, pos), true};
}

// Makes room for one more slot at position pos of the full or non-full node x (a leaf entry,
// or a child after child pos-1 of an internal node). Returns where that slot now is. Tries a
// sibling with room first; when appending at an end it moves all of the sibling's room, so
// ascending or descending loads leave full nodes behind. Splits otherwise, after making room
// in the parent (which may move x under another parent).
STARLING_ORDER_TREE_TEMPLATE
template <typename T>
std::pair<T*, size_t> STARLING_ORDER_TREE::MakeRoom(T* x, size_t pos) {
  constexpr size_t kCap = Capacity<T>();
  constexpr size_t kFirst = std::is_same_v<T, Leaf> ? 0 : 1;  // first slot an insert may use
  if (x->count < kCap) {
    return {x, pos};
  }
  if (Internal* p = x->parent; p != nullptr) {
    if (x->position > 0) {
      T* left = static_cast<T*>(p->children[x->position - 1]);
      size_t room = kCap - left->count;
      size_t n = pos == kCap ? room : (room + 1) / 2;
      // The slot lands in left when pos <= n; left must keep room for it.
      if (room > 0 && (pos > n || left->count + n < kCap)) {
        N::MoveToLeft(left, x, n);
        if (pos > n) {
          return {x, pos - n};
        }
        return {left, left->count - n + pos};
      }
    }
    if (x->position + 1u < p->count) {
      T* right = static_cast<T*>(p->children[x->position + 1]);
      size_t room = kCap - right->count;
      size_t n = pos == kFirst ? room : (room + 1) / 2;
      if (room > 0 && (pos <= kCap - n || right->count + n < kCap)) {
        N::MoveToRight(x, right, n);
        if (pos <= x->count) {
          return {x, pos};
        }
        return {right, pos - x->count};
      }
    }
  }
  if (x->parent == nullptr) {
    Internal* r = New<Internal>();
    N::SetChild(r, 0, x, N::SubtreeSize(x));
    r->count = 1;
    root_ = r;
  } else {
    MakeRoom<Internal>(x->parent, x->position + 1u);
  }
  T* right = New<T>();
  constexpr size_t kKeep = (kCap + 1) / 2;
  N::Split(x, right, kCap - kKeep);
  if constexpr (std::is_same_v<T, Leaf>) {
    if (right->next == nullptr) {
      last_ = right;
    }
  }
  if (pos <= kKeep) {
    return {x, pos};
  }
  return {right, pos - kKeep};
}

STARLING_ORDER_TREE_TEMPLATE
auto STARLING_ORDER_TREE::EraseAt(Leaf* l, size_t i, bool want_next) -> iterator {
  N::Erase(l, i, 1);
  SubtractFromPath(l, 1);
  --size_;
  bool underflow = l->parent == nullptr ? l->count == 0 : l->count < N::kLeafMin;
  if (!underflow) {
    return want_next ? MakeIter(l, i) : iterator();
  }
  // Rebalancing moves elements between leaves; find the next one again by its rank.
  size_t r = want_next ? RankAt(l, i) : 0;
  FixUnderflow(l);
  return want_next ? select(r) : iterator();
}

STARLING_ORDER_TREE_TEMPLATE
size_t STARLING_ORDER_TREE::erase_range_by_rank(size_t lo, size_t hi) {
  hi = std::min(hi, size_);
  if (lo >= hi) {
    return 0;
  }
  size_t removed = hi - lo;
  if (removed == size_) {
    clear();
    return removed;
  }
  // One leaf at a time: drop the leaf's share of the range, then rebalance once.
  for (size_t remaining = removed; remaining > 0;) {
    iterator it = select(lo);
    Leaf* l = it.leaf_;
    size_t k = std::min<size_t>(remaining, l->count - it.index_);
    N::Erase(l, it.index_, k);
    SubtractFromPath(l, k);
    size_ -= k;
    remaining -= k;
    if (l->parent == nullptr ? l->count == 0 : l->count < N::kLeafMin) {
      FixUnderflow(l);
    }
  }
  return removed;
}

STARLING_ORDER_TREE_TEMPLATE
void STARLING_ORDER_TREE::FixUnderflow(Leaf* l) {
  for (Internal* p = FixUnderflowAt(l); p != nullptr;) {
    p = FixUnderflowAt(p);
  }
}

// Restores x's fill after it lost slots: merges it with a sibling when both fit in one node,
// else evens the two out. Returns the parent when it lost a child (it may underflow next).
STARLING_ORDER_TREE_TEMPLATE
template <typename T>
auto STARLING_ORDER_TREE::FixUnderflowAt(T* x) -> Internal* {
  Internal* p = x->parent;
  if (p == nullptr) {
    if constexpr (std::is_same_v<T, Leaf>) {
      if (x->count == 0) {
        Free(x);
        root_ = first_ = last_ = nullptr;
      }
    } else if (x->count == 1) {  // a root with one child hands over to it
      Node* child = x->children[0];
      child->parent = nullptr;
      child->position = 0;
      Free(x);
      root_ = child;
    }
    return nullptr;
  }
  if (x->count >= MinFill<T>()) {
    return nullptr;
  }
  bool has_left = x->position > 0;
  T* left = has_left ? static_cast<T*>(p->children[x->position - 1]) : x;
  T* right = has_left ? x : static_cast<T*>(p->children[x->position + 1]);
  size_t total = left->count + right->count;
  if (total <= Capacity<T>()) {
    if constexpr (std::is_same_v<T, Leaf>) {
      if (right == last_) {
        last_ = left;
      }
    }
    N::Merge(left, right);
    Free(right);
    return p;
  }
  size_t half = total / 2;
  if (left->count > half) {
    N::MoveToRight(left, right, left->count - half);
  } else {
    N::MoveToLeft(left, right, half - left->count);
  }
  return nullptr;
}

STARLING_ORDER_TREE_TEMPLATE
auto STARLING_ORDER_TREE::select(size_t r) -> iterator {
  if (r >= size_) {
    return end();
  }
  Node* n = root_;
  while (!n->is_leaf) {
    Internal* in = N::AsInternal(n);
    size_t j = 0;
    while (r >= in->counts[j]) {
      r -= in->counts[j];
      ++j;
    }
    n = in->children[j];
  }
  return iterator(N::AsLeaf(n), r);
}

STARLING_ORDER_TREE_TEMPLATE
auto STARLING_ORDER_TREE::CopyNode(const Node* src, Internal* parent, size_t position, Leaf*& prev)
    -> Node* {
  Node* node;
  if (src->is_leaf) {
    const Leaf* s = N::AsLeaf(src);
    Leaf* l = New<Leaf>();
    for (size_t i = 0; i < s->count; ++i) {
      l->keys.Construct(i, s->key(i));
      l->values.Construct(i, s->values.at(i));
    }
    l->count = s->count;
    l->prev = prev;
    if (prev != nullptr) {
      prev->next = l;
    } else {
      first_ = l;
    }
    prev = l;
    node = l;
  } else {
    const Internal* s = N::AsInternal(src);
    Internal* in = New<Internal>();
    for (size_t i = 0; i < s->count; ++i) {
      in->children[i] = CopyNode(s->children[i], in, i, prev);
      in->counts[i] = s->counts[i];
      if (i > 0) {
        in->seps.Construct(i - 1, s->sep(i));
      }
    }
    in->count = s->count;
    node = in;
  }
  node->parent = parent;
  node->position = static_cast<uint16_t>(position);
  return node;
}

STARLING_ORDER_TREE_TEMPLATE
Status STARLING_ORDER_TREE::CheckInvariants() const {
  if (root_ == nullptr) {
    if (size_ != 0 || first_ != nullptr || last_ != nullptr || leaves_ != 0 || internals_ != 0) {
      return Status::Internal("OrderTree: empty root but non-empty bookkeeping");
    }
    return Status::Ok();
  }
  if (root_->parent != nullptr) {
    return Status::Internal("OrderTree: root has a parent");
  }
  typename N::template Checker<C> st{comp_, root_, first_};
  size_t total = 0;
  STARLING_RETURN_IF_ERROR(st.Check(root_, nullptr, nullptr, 0, total));
  if (total != size_) {
    return Status::Internal("OrderTree: size " + std::to_string(size_) + " but " +
                            std::to_string(total) + " elements");
  }
  if (st.prev != last_ || last_->next != nullptr) {
    return Status::Internal("OrderTree: last leaf pointer or chain end wrong");
  }
  if (st.leaves != leaves_ || st.internals != internals_) {
    return Status::Internal("OrderTree: node tallies disagree with the tree");
  }
  return Status::Ok();
}

#undef STARLING_ORDER_TREE
#undef STARLING_ORDER_TREE_TEMPLATE

}  // namespace starling::lattice
