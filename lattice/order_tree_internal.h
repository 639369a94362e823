// Internals of OrderTree (order_tree.h): node layout and the moves between nodes. Not an API;
// only order_tree.h includes this.
//
// Layout. A Leaf holds `count` sorted keys and values in raw slot arrays (objects are
// constructed only in live slots [0, count)), plus links to its neighbour leaves. An Internal
// node holds `count` children, the element count of each child's subtree, and count-1
// separators: sep(i), 1 <= i < count, is a lower bound of every key under child i and greater
// than every key under child i-1. A separator is a copy of a key that was in the tree; it may
// outlive the key (erase does not refresh it) and still bounds correctly. Every node knows its
// parent and its index in the parent (`position`), which makes rank(iterator) a walk up.
//
// Each move below keeps the parent's counts and separators right, so the tree's rebalancing
// (order_tree.h) never touches them directly. REQUIRES for all: the nodes are siblings with
// the same parent where two are given, and the sizes stay within the capacities.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <utility>

#include "base/status.h"

namespace starling::lattice::order_tree_internal {

// Raw storage for up to N objects of T. The owner tracks which slots are alive.
template <typename T, size_t N>
class Slots {
 public:
  T* at(size_t i) { return std::launder(reinterpret_cast<T*>(bytes_ + i * sizeof(T))); }
  const T* at(size_t i) const {
    return std::launder(reinterpret_cast<const T*>(bytes_ + i * sizeof(T)));
  }
  template <typename... A>
  void Construct(size_t i, A&&... a) {
    std::construct_at(reinterpret_cast<T*>(bytes_ + i * sizeof(T)), std::forward<A>(a)...);
  }
  void Destroy(size_t i) { std::destroy_at(at(i)); }
  void* raw(size_t i) { return bytes_ + i * sizeof(T); }

 private:
  alignas(T) unsigned char bytes_[N * sizeof(T)];
};

// Moves n live objects from src[si, si+n) into dead slots dst[di, di+n); the source slots
// die. The ranges may overlap when src and dst are the same storage.
template <typename T, size_t N>
void Relocate(Slots<T, N>& src, size_t si, Slots<T, N>& dst, size_t di, size_t n) {
  if (n == 0) {
    return;
  }
  if constexpr (std::is_trivially_copyable_v<T>) {
    std::memmove(dst.raw(di), src.raw(si), n * sizeof(T));
  } else if (&src == &dst && di > si) {
    for (size_t k = n; k-- > 0;) {
      dst.Construct(di + k, std::move(*src.at(si + k)));
      src.Destroy(si + k);
    }
  } else {
    for (size_t k = 0; k < n; ++k) {
      dst.Construct(di + k, std::move(*src.at(si + k)));
      src.Destroy(si + k);
    }
  }
}

// Values of a leaf. An empty V (e.g. a sorted set's "no value") takes no space per entry:
// every entry shares one V object of its leaf.
template <typename V, size_t N, bool kStored>
class ValueSlots {
 public:
  V& at(size_t i) { return *slots_.at(i); }
  const V& at(size_t i) const { return *slots_.at(i); }
  template <typename... A>
  void Construct(size_t i, A&&... a) {
    slots_.Construct(i, std::forward<A>(a)...);
  }
  void Destroy(size_t i) { slots_.Destroy(i); }
  static void Relocate(ValueSlots& src, size_t si, ValueSlots& dst, size_t di, size_t n) {
    order_tree_internal::Relocate(src.slots_, si, dst.slots_, di, n);
  }

 private:
  Slots<V, N> slots_;
};

template <typename V, size_t N>
class ValueSlots<V, N, false> {
 public:
  V& at(size_t) { return empty_; }
  const V& at(size_t) const { return empty_; }
  template <typename... A>
  void Construct(size_t, A&&...) {}
  void Destroy(size_t) {}
  static void Relocate(ValueSlots&, size_t, ValueSlots&, size_t, size_t) {}

 private:
  [[no_unique_address]] V empty_{};
};

// Q is a type that lookups in a tree with keys K ordered by C accept: K itself, or anything
// when C is transparent.
template <typename Q, typename K, typename C>
concept LookupKey = std::same_as<Q, K> || requires {
  typename C::is_transparent;
};

inline constexpr size_t kMinFanout = 4;
inline constexpr size_t kMaxFanout = 1024;

template <typename K, typename V, size_t kNodeBytes>
struct Nodes {
  static_assert(kNodeBytes >= 64, "nodes need room for a header and a few entries");
  static constexpr bool kStoreValues = !(std::is_empty_v<V> && std::is_default_constructible_v<V>);
  static constexpr size_t kEntryBytes = sizeof(K) + (kStoreValues ? sizeof(V) : 0);
  static constexpr size_t kLeafHeaderBytes = 32;
  static constexpr size_t kInternalHeaderBytes = 16;
  static constexpr size_t kLeafCap =
      std::clamp((kNodeBytes - kLeafHeaderBytes) / kEntryBytes, kMinFanout, kMaxFanout);
  static constexpr size_t kInternalCap =
      std::clamp((kNodeBytes - kInternalHeaderBytes) / (sizeof(void*) + sizeof(size_t) + sizeof(K)),
                 kMinFanout, kMaxFanout);
  // Non-root nodes hold at least half their capacity.
  static constexpr size_t kLeafMin = kLeafCap / 2;
  static constexpr size_t kInternalMin = kInternalCap / 2;

  struct Internal;

  struct Node {
    Internal* parent = nullptr;
    uint16_t count = 0;     // entries (leaf) or children (internal)
    uint16_t position = 0;  // index in parent->children
    bool is_leaf = false;
  };
  static_assert(sizeof(Node) == kInternalHeaderBytes);

  struct Leaf : Node {
    Leaf() { this->is_leaf = true; }
    const K& key(size_t i) const { return *keys.at(i); }
    K* key_begin() { return keys.at(0); }

    Leaf* prev = nullptr;
    Leaf* next = nullptr;
    Slots<K, kLeafCap> keys;
    [[no_unique_address]] ValueSlots<V, kLeafCap, kStoreValues> values;
  };

  struct Internal : Node {
    // REQUIRES: 1 <= i < count.
    K& sep(size_t i) { return *seps.at(i - 1); }
    const K& sep(size_t i) const { return *seps.at(i - 1); }
    K* sep_begin() { return seps.at(0); }

    Node* children[kInternalCap];
    size_t counts[kInternalCap];
    Slots<K, kInternalCap - 1> seps;  // seps[i-1] is sep(i)
  };

  static Leaf* AsLeaf(Node* n) { return static_cast<Leaf*>(n); }
  static const Leaf* AsLeaf(const Node* n) { return static_cast<const Leaf*>(n); }
  static Internal* AsInternal(Node* n) { return static_cast<Internal*>(n); }
  static const Internal* AsInternal(const Node* n) { return static_cast<const Internal*>(n); }

  static size_t SubtreeSize(const Node* n) {
    if (n->is_leaf) {
      return n->count;
    }
    const Internal* in = AsInternal(n);
    size_t total = 0;
    for (size_t i = 0; i < in->count; ++i) {
      total += in->counts[i];
    }
    return total;
  }

  // Destroys the live objects of n (not its children).
  static void DestroySlots(Leaf* l) {
    for (size_t i = 0; i < l->count; ++i) {
      l->keys.Destroy(i);
      l->values.Destroy(i);
    }
    l->count = 0;
  }
  static void DestroySlots(Internal* in) {
    for (size_t i = 1; i < in->count; ++i) {
      in->seps.Destroy(i - 1);
    }
    in->count = 0;
  }

  // ---- Leaf moves -------------------------------------------------------------------------

  static void RelocateEntries(Leaf* src, size_t si, Leaf* dst, size_t di, size_t n) {
    Relocate(src->keys, si, dst->keys, di, n);
    decltype(src->values)::Relocate(src->values, si, dst->values, di, n);
  }

  // REQUIRES: l->count < kLeafCap, i <= l->count.
  template <typename KK, typename VV>
  static void Insert(Leaf* l, size_t i, KK&& key, VV&& value) {
    RelocateEntries(l, i, l, i + 1, l->count - i);
    l->keys.Construct(i, std::forward<KK>(key));
    l->values.Construct(i, std::forward<VV>(value));
    ++l->count;
  }

  // Removes entries [i, i+n). Parent counts are the caller's.
  static void Erase(Leaf* l, size_t i, size_t n) {
    for (size_t k = i; k < i + n; ++k) {
      l->keys.Destroy(k);
      l->values.Destroy(k);
    }
    RelocateEntries(l, i + n, l, i, l->count - i - n);
    l->count = static_cast<uint16_t>(l->count - n);
  }

  // First n entries of right move to the end of left. REQUIRES: n < right->count.
  static void MoveToLeft(Leaf* left, Leaf* right, size_t n) {
    RelocateEntries(right, 0, left, left->count, n);
    RelocateEntries(right, n, right, 0, right->count - n);
    FinishMove(left, right, n, n, true);
    right->parent->sep(right->position) = right->key(0);
  }

  // Last n entries of left move to the front of right. REQUIRES: n < left->count.
  static void MoveToRight(Leaf* left, Leaf* right, size_t n) {
    RelocateEntries(right, 0, right, n, right->count);
    RelocateEntries(left, left->count - n, right, 0, n);
    FinishMove(left, right, n, n, false);
    right->parent->sep(right->position) = right->key(0);
  }

  // The last n entries of left fill the new leaf right, which is linked after left and added
  // to left's parent. REQUIRES: left->parent has room; 0 < n < left->count.
  static void Split(Leaf* left, Leaf* right, size_t n) {
    RelocateEntries(left, left->count - n, right, 0, n);
    left->count = static_cast<uint16_t>(left->count - n);
    right->count = static_cast<uint16_t>(n);
    right->prev = left;
    right->next = left->next;
    if (left->next != nullptr) {
      left->next->prev = right;
    }
    left->next = right;
    Internal* p = left->parent;
    p->counts[left->position] -= n;
    InsertChild(p, left->position + 1u, right->key(0), right, n);
  }

  // Every entry of right moves to left; right leaves the parent and the leaf chain (the
  // caller frees it). REQUIRES: left->count + right->count <= kLeafCap.
  static void Merge(Leaf* left, Leaf* right) {
    size_t n = right->count;
    RelocateEntries(right, 0, left, left->count, n);
    left->count = static_cast<uint16_t>(left->count + n);
    right->count = 0;
    left->next = right->next;
    if (right->next != nullptr) {
      right->next->prev = left;
    }
    Internal* p = left->parent;
    p->counts[left->position] += p->counts[right->position];
    EraseChild(p, right->position);
  }

  // ---- Internal moves ---------------------------------------------------------------------

  static void SetChild(Internal* in, size_t i, Node* child, size_t count) {
    in->children[i] = child;
    in->counts[i] = count;
    child->parent = in;
    child->position = static_cast<uint16_t>(i);
  }

  // Children [si, si+n) of src become children [di, di+n) of dst (separators not touched).
  static void MoveChildren(Internal* src, size_t si, Internal* dst, size_t di, size_t n) {
    std::memmove(&dst->children[di], &src->children[si], n * sizeof(Node*));
    std::memmove(&dst->counts[di], &src->counts[si], n * sizeof(size_t));
    for (size_t k = di; k < di + n; ++k) {
      dst->children[k]->parent = dst;
      dst->children[k]->position = static_cast<uint16_t>(k);
    }
  }

  // Adds child at index i with separator sep(i) = key. REQUIRES: 1 <= i <= in->count < cap.
  template <typename KK>
  static void InsertChild(Internal* in, size_t i, KK&& key, Node* child, size_t count) {
    Relocate(in->seps, i - 1, in->seps, i, in->count - i);
    in->seps.Construct(i - 1, std::forward<KK>(key));
    MoveChildren(in, i, in, i + 1, in->count - i);
    SetChild(in, i, child, count);
    ++in->count;
  }

  // Removes child i (not freed) and its separator. REQUIRES: 1 <= i < in->count.
  static void EraseChild(Internal* in, size_t i) {
    in->seps.Destroy(i - 1);
    Relocate(in->seps, i, in->seps, i - 1, in->count - 1 - i);
    MoveChildren(in, i + 1, in, i, in->count - i - 1);
    --in->count;
  }

  // First n children of right move to the end of left; separators rotate through the
  // parent. REQUIRES: n < right->count.
  static void MoveToLeft(Internal* left, Internal* right, size_t n) {
    Internal* p = right->parent;
    size_t lc = left->count, moved = Sum(right, 0, n);
    left->seps.Construct(lc - 1, std::move(p->sep(right->position)));
    Relocate(right->seps, 0, left->seps, lc, n - 1);
    p->sep(right->position) = std::move(*right->seps.at(n - 1));
    right->seps.Destroy(n - 1);
    Relocate(right->seps, n, right->seps, 0, right->count - 1 - n);
    MoveChildren(right, 0, left, lc, n);
    MoveChildren(right, n, right, 0, right->count - n);
    FinishMove(left, right, n, moved, true);
  }

  // Last n children of left move to the front of right. REQUIRES: n < left->count.
  static void MoveToRight(Internal* left, Internal* right, size_t n) {
    Internal* p = right->parent;
    size_t lc = left->count, moved = Sum(left, lc - n, lc);
    Relocate(right->seps, 0, right->seps, n, right->count - 1u);
    right->seps.Construct(n - 1, std::move(p->sep(right->position)));
    Relocate(left->seps, lc - n, right->seps, 0, n - 1);
    p->sep(right->position) = std::move(*left->seps.at(lc - n - 1));
    left->seps.Destroy(lc - n - 1);
    MoveChildren(right, 0, right, n, right->count);
    MoveChildren(left, lc - n, right, 0, n);
    FinishMove(left, right, n, moved, false);
  }

  // The last n children of left move to the new node right, added to left's parent.
  // REQUIRES: left->parent has room; 0 < n < left->count.
  static void Split(Internal* left, Internal* right, size_t n) {
    size_t lc = left->count, moved = Sum(left, lc - n, lc);
    Relocate(left->seps, lc - n, right->seps, 0, n - 1);
    K up = std::move(*left->seps.at(lc - n - 1));
    left->seps.Destroy(lc - n - 1);
    MoveChildren(left, lc - n, right, 0, n);
    left->count = static_cast<uint16_t>(lc - n);
    right->count = static_cast<uint16_t>(n);
    Internal* p = left->parent;
    p->counts[left->position] -= moved;
    InsertChild(p, left->position + 1u, std::move(up), right, moved);
  }

  // Every child of right moves to left; right leaves the parent (the caller frees it).
  // REQUIRES: left->count + right->count <= kInternalCap.
  static void Merge(Internal* left, Internal* right) {
    Internal* p = left->parent;
    size_t lc = left->count, rc = right->count;
    left->seps.Construct(lc - 1, std::move(p->sep(right->position)));
    Relocate(right->seps, 0, left->seps, lc, rc - 1);
    MoveChildren(right, 0, left, lc, rc);
    left->count = static_cast<uint16_t>(lc + rc);
    right->count = 0;
    p->counts[left->position] += p->counts[right->position];
    EraseChild(p, right->position);
  }

  // The structural check behind OrderTree::CheckInvariants: fill bounds, subtree counts,
  // strict key order within separator bounds, parent and position fields, equal leaf depth,
  // and the leaf chain in key order. Tallies the nodes it visits.
  template <typename Compare>
  struct Checker {
    // Checks the subtree of n, whose keys must lie in [lo, hi) (nullptr: unbounded), and sets
    // subtree_size to the number of elements really in it.
    Status Check(const Node* n, const K* lo, const K* hi, size_t depth, size_t& subtree_size) {
      auto fail = [depth](const std::string& what) {
        return Status::Internal("OrderTree: " + what + " at depth " + std::to_string(depth));
      };
      auto in_bounds = [&](const K& k) {
        return (lo == nullptr || !comp(k, *lo)) && (hi == nullptr || comp(k, *hi));
      };
      size_t cap = n->is_leaf ? kLeafCap : kInternalCap;
      size_t min = n == root ? (n->is_leaf ? 1 : 2) : (n->is_leaf ? kLeafMin : kInternalMin);
      if (n->count < min || n->count > cap) {
        return fail("fill " + std::to_string(n->count) + " outside [" + std::to_string(min) + ", " +
                    std::to_string(cap) + "]");
      }
      if (n->is_leaf) {
        const Leaf* l = AsLeaf(n);
        if (leaf_depth == SIZE_MAX) {
          leaf_depth = depth;
        } else if (leaf_depth != depth) {
          return fail("leaves at different depths");
        }
        for (size_t i = 0; i < l->count; ++i) {
          if (!in_bounds(l->key(i))) {
            return fail("key outside its separators");
          }
          if (i > 0 && !comp(l->key(i - 1), l->key(i))) {
            return fail("leaf keys not strictly increasing");
          }
        }
        if (l->prev != prev || (prev == nullptr ? first != l : prev->next != l)) {
          return fail("leaf links inconsistent");
        }
        prev = l;
        ++leaves;
        subtree_size = l->count;
        return Status::Ok();
      }
      const Internal* in = AsInternal(n);
      ++internals;
      subtree_size = 0;
      for (size_t i = 0; i < in->count; ++i) {
        const Node* child = in->children[i];
        if (child->parent != in || child->position != i) {
          return fail("child parent or position wrong");
        }
        if (i > 0 && !in_bounds(in->sep(i))) {
          return fail("separator outside the node's bounds");
        }
        if (i > 1 && !comp(in->sep(i - 1), in->sep(i))) {
          return fail("separators not strictly increasing");
        }
        const K* child_lo = i == 0 ? lo : &in->sep(i);
        const K* child_hi = i + 1 < in->count ? &in->sep(i + 1) : hi;
        size_t child_size = 0;
        STARLING_RETURN_IF_ERROR(Check(child, child_lo, child_hi, depth + 1, child_size));
        if (child_size != in->counts[i]) {
          return fail("count " + std::to_string(in->counts[i]) + " of child " + std::to_string(i) +
                      " but subtree holds " + std::to_string(child_size));
        }
        subtree_size += child_size;
      }
      return Status::Ok();
    }

    const Compare& comp;
    const Node* root;
    const Leaf* first;
    size_t leaf_depth = SIZE_MAX;
    const Leaf* prev = nullptr;  // the leaf visited last
    size_t leaves = 0;
    size_t internals = 0;
  };

 private:
  static size_t Sum(const Internal* in, size_t from, size_t to) {
    size_t total = 0;
    for (size_t i = from; i < to; ++i) {
      total += in->counts[i];
    }
    return total;
  }

  // Updates the sizes of two siblings after n slots holding `moved` elements went one way.
  static void FinishMove(Node* left, Node* right, size_t n, size_t moved, bool to_left) {
    Internal* p = left->parent;
    if (to_left) {
      left->count = static_cast<uint16_t>(left->count + n);
      right->count = static_cast<uint16_t>(right->count - n);
      p->counts[left->position] += moved;
      p->counts[right->position] -= moved;
    } else {
      left->count = static_cast<uint16_t>(left->count - n);
      right->count = static_cast<uint16_t>(right->count + n);
      p->counts[left->position] -= moved;
      p->counts[right->position] += moved;
    }
  }
};

}  // namespace starling::lattice::order_tree_internal
