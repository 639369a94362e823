#include "dst/workload.h"

namespace starling::dst {
namespace {

constexpr int kKeysPerType = 3;
constexpr const char* kTypes = "rcshzl";

std::string Pick(Random& r, const char* prefix, int n) {
  return prefix + std::to_string(r.Uniform(static_cast<uint64_t>(n)));
}

}  // namespace

std::vector<std::string> Workload::Keys() const {
  std::vector<std::string> out;
  for (const char* t = kTypes; *t; ++t) {
    for (int i = 0; i < kKeysPerType; ++i)
      out.push_back(std::string(1, *t) + std::to_string(i));
  }
  return out;
}

std::vector<std::string> Workload::Next(Random& r, uint64_t op_id) {
  char type = kTypes[r.Uniform(6)];
  std::string key = std::string(1, type) + std::to_string(r.Uniform(kKeysPerType));
  std::string v = "v" + std::to_string(op_id);
  uint64_t p = r.Uniform(100);
  switch (type) {
    case 'r':
      if (p < 75)
        return {"SET", key, v};
      if (p < 90)
        return {"GET", key};
      return {"MGET", key, "r" + std::to_string(r.Uniform(kKeysPerType))};
    case 'c': {
      if (p < 85) {
        int64_t n = r.Range(-3, 9);
        if (n == 0)
          n = 1;
        return {"INCRBY", key, std::to_string(n)};
      }
      return {"GET", key};
    }
    case 's':
      if (p < 40)
        return {"SADD", key, Pick(r, "e", 8)};
      if (p < 55)
        return {"SADD", key, Pick(r, "e", 8), Pick(r, "e", 8)};
      if (p < 85)
        return {"SREM", key, Pick(r, "e", 8)};
      if (p < 89)
        return {"DEL", key};
      return {"SMEMBERS", key};
    case 'h':
      if (p < 55)
        return {"HSET", key, Pick(r, "f", 6), v};
      if (p < 80)
        return {"HDEL", key, Pick(r, "f", 6)};
      if (p < 84)
        return {"DEL", key};
      return {"HGETALL", key};
    case 'z':
      if (p < 55)
        return {"ZADD", key, std::to_string(r.Uniform(100)), Pick(r, "m", 6)};
      if (p < 85)
        return {"ZREM", key, Pick(r, "m", 6)};
      return {"ZRANGE", key, "0", "-1", "WITHSCORES"};
    default:
      if (p < 35)
        return {"RPUSH", key, v};
      if (p < 60)
        return {"LPUSH", key, v};
      if (p < 75)
        return {"LPOP", key};
      if (p < 85)
        return {"RPOP", key};
      if (p < 89)
        return {"DEL", key};
      return {"LRANGE", key, "0", "-1"};
  }
}

std::vector<std::string> ParseArray(const std::string& s) {
  std::vector<std::string> out;
  if (s.size() < 2 || s.front() != '[' || s == "[]")
    return out;
  std::string body = s.substr(1, s.size() - 2);
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t e = body.find(", ", pos);
    if (e == std::string::npos)
      e = body.size();
    std::string item = body.substr(pos, e - pos);
    if (item.size() >= 2 && item.front() == '"' && item.back() == '"') {
      item = item.substr(1, item.size() - 2);
    }
    out.push_back(item);
    pos = e + 2;
  }
  return out;
}

FinalState ReadFinal(const std::string& key,
                     const std::function<std::string(const std::vector<std::string>&)>& run) {
  FinalState f;
  switch (key[0]) {
    case 'r':
    case 'c': {
      std::string reply = run({"GET", key});
      f.exists = reply != "(nil)";
      if (f.exists && reply.size() >= 2)
        f.value = reply.substr(1, reply.size() - 2);
      break;
    }
    case 's':
      f.items = ParseArray(run({"SMEMBERS", key}));
      break;
    case 'h':
      f.items = ParseArray(run({"HGETALL", key}));
      break;
    case 'z':
      f.items = ParseArray(run({"ZRANGE", key, "0", "-1", "WITHSCORES"}));
      break;
    default:
      f.items = ParseArray(run({"LRANGE", key, "0", "-1"}));
      break;
  }
  if (key[0] != 'r' && key[0] != 'c')
    f.exists = !f.items.empty();
  return f;
}

}  // namespace starling::dst
