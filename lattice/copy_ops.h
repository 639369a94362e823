// Copying the visible value of one key into another (RENAME, RENAMENX, COPY).
//
// CopyValue writes what a client of `src` sees, not its causal history: the destination is
// a new write, with fresh dots and this node's HLC stamp, so concurrent writes to the
// destination resolve as they would against any other write to it (DESIGN.md section 3),
// and the source's dots, runs and tombstones never leak into another key's context.
//   - string: the visible string (a counter's visible number, its runs folded in);
//   - set: the members; hash: each field's visible value; sorted set: each member's
//     visible score; list: the elements in order;
//   - TTL: the source's effective expiry when copy_ttl is set (RENAME and COPY both ask).
// Whatever the destination held is removed first (Mutation::RemoveAll), as Redis's RENAME
// and COPY REPLACE delete the destination before writing it; the removal and the write
// form one delta.
//
// Header only, no clock or randomness (time is in the HLC stamp of the Mutation).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lattice/hash_ops.h"
#include "lattice/list_ops.h"
#include "lattice/object.h"
#include "lattice/set_ops.h"
#include "lattice/string_ops.h"
#include "lattice/zset_ops.h"

namespace starling::lattice {

// Writes the visible value of `src` (and its TTL if copy_ttl) into m, a mutation of the
// destination key. Returns false, writing nothing, if src holds no live data.
// REQUIRES: &src != &m.obj() (a key is never copied onto itself; the commands reject it).
inline bool CopyValue(const Object& src, Mutation& m, bool copy_ttl) {
  KeyType type = src.Type();
  if (type == KeyType::kNone)
    return false;
  if (!m.obj().store.IsBottom())
    m.RemoveAll();
  std::string scratch;
  switch (type) {
    case KeyType::kString:
      WriteString(m, std::string(StringValue(*src.str(), &scratch)), /*keep_ttl=*/false);
      break;
    case KeyType::kSet: {
      std::vector<std::string_view> members;
      members.reserve(src.set()->size());
      for (const auto& [k, dots] : src.set()->map())
        members.push_back(k.str);
      AddSetMembers(m, members);
      break;
    }
    case KeyType::kHash: {
      m.Retag(KeyType::kHash);
      const HashStore& h = *src.hash();
      for (const auto& [k, dots] : h.fields.map()) {
        HashSetField(m, k.str, std::string(VisibleString(dots, h.RunsOf(k.ref()), &scratch)));
      }
      break;
    }
    case KeyType::kZset: {
      const ZsetStore& z = *src.zset();
      for (const auto& [k, dots] : z.members().map()) {
        ZsetAdd(m, k.str, ZsetStore::VisibleScore(dots, z.RunsOf(k.ref())));
      }
      break;
    }
    case KeyType::kList: {
      std::vector<std::string_view> values;
      values.reserve(src.list()->size());
      for (auto it = src.list()->elems().begin(); it != src.list()->elems().end(); ++it) {
        if (const std::string* v = ListElemValue(it.value()))
          values.push_back(*v);
      }
      ListPush(m, ListEnd::kRight, values);
      break;
    }
    case KeyType::kNone:
      break;
  }
  if (copy_ttl) {
    if (auto at = src.ExpiryMs())
      SetExpiry(m, *at);
  }
  return true;
}

}  // namespace starling::lattice
