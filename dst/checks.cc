#include "dst/checks.h"

#include <set>

#include "lattice/codec.h"

namespace starling::dst {
namespace {

std::set<std::string> AllKeys(const std::vector<std::unique_ptr<Host>>& hosts) {
  std::set<std::string> keys;
  for (const auto& h : hosts) {
    if (!h->up())
      continue;
    for (const auto& [k, o] : h->node->keyspace().map())
      keys.insert(k.str);
  }
  return keys;
}

lattice::Object Joined(const lattice::Object& a, const lattice::Object& b) {
  lattice::Object x = a;
  x.Join(b);
  return x;
}

}  // namespace

std::string DivergentKey(const std::vector<std::unique_ptr<Host>>& hosts) {
  const Host* any = nullptr;
  for (const auto& h : hosts) {
    if (h->up())
      any = h.get();
  }
  if (!any)
    return "";
  std::map<std::string, const Host*> by_id;
  for (const auto& h : hosts)
    by_id[h->id] = h.get();
  for (const std::string& key : AllKeys(hosts)) {
    std::string first, first_id;
    bool have = false;
    for (const std::string& r : any->cluster->ReplicasOf(key)) {
      const Host* h = by_id[r];
      if (!h->up())
        continue;
      const lattice::Object* o = h->node->keyspace().Find(lattice::ElemRef(key));
      std::string enc = o && o->Exists() ? lattice::EncodeObject(*o) : std::string();
      if (!have) {
        first = std::move(enc);
        first_id = r;
        have = true;
      } else if (enc != first) {
        return "key " + key + " differs between replicas " + first_id + " and " + r + " (" +
               std::to_string(first.size()) + " vs " + std::to_string(enc.size()) + " bytes)";
      }
    }
  }
  return "";
}

std::vector<std::string> CheckLaws(const std::map<std::string, std::vector<lattice::Object>>& s) {
  std::vector<std::string> out;
  for (const auto& [key, states] : s) {
    size_t n = states.size();
    for (size_t i = 0; i < n && out.size() < 5; ++i) {
      const lattice::Object& a = states[i];
      if (!(Joined(a, a) == a))
        out.push_back("key " + key + ": join is not idempotent");
      for (size_t j = 0; j < n; ++j) {
        if (j == i)
          continue;
        const lattice::Object& b = states[j];
        lattice::Object ab = Joined(a, b);
        if (!(ab == Joined(b, a)))
          out.push_back("key " + key + ": join is not commutative");
        if (!(Joined(ab, a) == ab))
          out.push_back("key " + key + ": a ⊔ b ⊔ a != a ⊔ b");
        const lattice::Object& c = states[(i + j + 1) % n];
        if (!(Joined(ab, c) == Joined(a, Joined(b, c)))) {
          out.push_back("key " + key + ": join is not associative");
        }
      }
    }
  }
  return out;
}

std::vector<std::string> CheckLiveness(const std::vector<std::unique_ptr<Host>>& hosts) {
  std::vector<std::string> out;
  size_t tombstones = 0, pending = 0;
  std::string example;
  for (const auto& h : hosts) {
    if (!h->up())
      continue;
    pending += h->cluster->pending_gc();
    for (const auto& [k, o] : h->node->keyspace().map()) {
      if (o->Exists() || !h->cluster->Replicates(k.str))
        continue;
      ++tombstones;
      if (example.empty()) {
        example = k.str + " at " + h->id + ", replicas";
        for (const std::string& r : h->cluster->ReplicasOf(k.str))
          example += " " + r;
      }
    }
  }
  if (pending > 0)
    out.push_back(std::to_string(pending) + " removals still wait for collection");
  if (tombstones > 0) {
    out.push_back(std::to_string(tombstones) + " tombstones never collected (e.g. " + example +
                  ")");
  }
  return out;
}

}  // namespace starling::dst
