// starling-dbtool: reads and edits a stopped node's LevelDB data directory directly, for
// operators and for tests that need bytes on disk the server would never write.
//
//   starling-dbtool keys    --data-dir D              stored keys, one per line
//   starling-dbtool rows    --data-dir D              every row: hex(row key) hex(value)
//   starling-dbtool count   --data-dir D              "keys N" and "quarantined N"
//   starling-dbtool put-raw --data-dir D --key K --hex H [--kind N --elem E]
//                                                     writes bytes H as K's head row (or as
//                                                     its element row of kind N, element E)
//
// The server must be stopped: LevelDB locks the directory, and a locked or missing
// database is an error (exit code 1). Bad usage exits with 2.
#include <leveldb/db.h>

#include <cxxopts.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "storage/leveldb_engine.h"

namespace starling::storage {
namespace {

std::string Hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

bool Unhex(std::string_view s, std::string* out) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (s.size() % 2) return false;
  for (size_t i = 0; i < s.size(); i += 2) {
    int hi = nibble(s[i]), lo = nibble(s[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

int Run(int argc, char** argv) {
  cxxopts::Options options("starling-dbtool", "Read or edit a stopped node's data directory");
  // clang-format off
  options.add_options()
      ("command", "keys, rows, count or put-raw", cxxopts::value<std::string>())
      ("data-dir", "the node's data directory", cxxopts::value<std::string>())
      ("key", "put-raw: the user key", cxxopts::value<std::string>())
      ("hex", "put-raw: the value bytes, in hex", cxxopts::value<std::string>())
      ("kind", "put-raw: element row kind (1 set, 2 hash, 3 zset, 4 list); 0: head row",
       cxxopts::value<int>()->default_value("0"))
      ("elem", "put-raw: the element of an element row", cxxopts::value<std::string>()->default_value(""))
      ("h,help", "print this help");
  // clang-format on
  options.parse_positional({"command"});
  cxxopts::ParseResult args;
  try {
    args = options.parse(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "starling-dbtool: " << e.what() << "\n";
    return 2;
  }
  if (args.count("help")) {
    std::cout << options.help() << "\n";
    return 0;
  }
  if (!args.count("command") || !args.count("data-dir")) {
    std::cerr << "starling-dbtool: a command and --data-dir are required\n" << options.help();
    return 2;
  }
  std::string command = args["command"].as<std::string>();
  std::string path = args["data-dir"].as<std::string>() + "/db";
  leveldb::Options opt;
  opt.create_if_missing = false;
  leveldb::DB* raw = nullptr;
  leveldb::Status st = leveldb::DB::Open(opt, path, &raw);
  if (!st.ok()) {
    std::cerr << "starling-dbtool: cannot open " << path << ": " << st.ToString() << "\n";
    return 1;
  }
  std::unique_ptr<leveldb::DB> db(raw);
  if (command == "put-raw") {
    std::string value;
    if (!args.count("key") || !args.count("hex") ||
        !Unhex(args["hex"].as<std::string>(), &value)) {
      std::cerr << "starling-dbtool: put-raw needs --key and an even-length --hex\n";
      return 2;
    }
    std::string key = args["key"].as<std::string>();
    int kind = args["kind"].as<int>();
    if (kind < 0 || kind > 255) {
      std::cerr << "starling-dbtool: --kind must be 0..255\n";
      return 2;
    }
    std::string row = kind == 0 ? LevelDbEngine::HeadRow(key)
                                : LevelDbEngine::ElementRow(key, static_cast<uint8_t>(kind),
                                                            args["elem"].as<std::string>());
    leveldb::WriteOptions wo;
    wo.sync = true;
    st = db->Put(wo, row, value);
    if (!st.ok()) {
      std::cerr << "starling-dbtool: write failed: " << st.ToString() << "\n";
      return 1;
    }
    return 0;
  }
  if (command != "keys" && command != "rows" && command != "count") {
    std::cerr << "starling-dbtool: unknown command '" << command << "'\n";
    return 2;
  }
  uint64_t keys = 0, quarantined = 0;
  std::unique_ptr<leveldb::Iterator> it(db->NewIterator(leveldb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view row(it->key().data(), it->key().size());
    std::string_view value(it->value().data(), it->value().size());
    if (row.starts_with('Q')) ++quarantined;
    std::string_view key, elem;
    uint8_t kind = 0;
    bool head = LevelDbEngine::ParseDataRow(row, &key, &kind, &elem) && kind == 0;
    if (head) ++keys;
    if (command == "rows") std::cout << Hex(row) << " " << Hex(value) << "\n";
    if (command == "keys" && head) std::cout << key << "\n";
  }
  if (!it->status().ok()) {
    std::cerr << "starling-dbtool: read failed: " << it->status().ToString() << "\n";
    return 1;
  }
  if (command == "count") std::cout << "keys " << keys << "\nquarantined " << quarantined << "\n";
  return 0;
}

}  // namespace
}  // namespace starling::storage

int main(int argc, char** argv) { return starling::storage::Run(argc, argv); }
