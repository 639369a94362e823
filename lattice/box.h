// Box<T>: an optional heap-held T with value semantics (deep copy, deep equality).
// Used for parts of an object that are usually absent (a type's store in a key that holds
// another type, counter runs on a value that was never incremented), so they cost one
// pointer when empty. A null Box equals a Box holding a bottom T only if the owner keeps
// the invariant "never box a bottom value"; owners call Normalize() after changes.
#pragma once

#include <memory>

namespace starling::lattice {

template <typename T>
class Box {
 public:
  Box() = default;
  Box(const Box& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  Box(Box&&) noexcept = default;
  Box& operator=(const Box& o) {
    if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  Box& operator=(Box&&) noexcept = default;

  explicit operator bool() const { return p_ != nullptr; }
  T* get() const { return p_.get(); }
  T& operator*() const { return *p_; }
  T* operator->() const { return p_.get(); }
  // The held value, created (default) if absent.
  T& Ensure() {
    if (!p_) p_ = std::make_unique<T>();
    return *p_;
  }
  void Reset() { p_.reset(); }
  // Drops the value if it is bottom.
  void Normalize() {
    if (p_ && p_->IsBottom()) p_.reset();
  }

  bool operator==(const Box& o) const {
    if (!p_ || !o.p_) return !p_ && !o.p_;
    return *p_ == *o.p_;
  }

 private:
  std::unique_ptr<T> p_;
};

}  // namespace starling::lattice
