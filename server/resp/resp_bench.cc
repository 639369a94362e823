// Micro-benchmarks of the RESP hot paths: parsing a pipeline of small commands as
// redis-benchmark sends them, and writing the usual small replies. Not a test; run by hand:
//   build-resp/server/resp/resp_bench
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "server/resp/resp_parser.h"
#include "server/resp/resp_writer.h"

namespace starling::server::resp {
namespace {

std::string SetPipeline(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    char key[32];
    const int len = std::snprintf(key, sizeof(key), "key:%012d", i);
    out += "*3\r\n$3\r\nSET\r\n$" + std::to_string(len) + "\r\n" + std::string(key, len) +
           "\r\n$3\r\nxxx\r\n";
  }
  return out;
}

// One read holding `pipeline` commands, then Next() until the parser needs more.
void ParsePipeline(benchmark::State& state) {
  const std::string batch = SetPipeline(static_cast<int>(state.range(0)));
  ParserLimits limits;
  Parser parser(&limits);
  size_t commands = 0;
  for (auto _ : state) {
    std::span<char> dst = parser.PrepareRead();
    std::memcpy(dst.data(), batch.data(), batch.size());
    parser.CommitRead(batch.size());
    while (parser.Next() == ParseResult::kCommand) {
      benchmark::DoNotOptimize(parser.args().data());
      ++commands;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(commands));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * batch.size()));
}
BENCHMARK(ParsePipeline)->Arg(1)->Arg(16)->Arg(128);

void ParseInline(benchmark::State& state) {
  std::string batch;
  for (int i = 0; i < 16; ++i) {
    batch += "SET key:" + std::to_string(i) + " \"some value\"\r\n";
  }
  ParserLimits limits;
  Parser parser(&limits);
  for (auto _ : state) {
    std::span<char> dst = parser.PrepareRead();
    std::memcpy(dst.data(), batch.data(), batch.size());
    parser.CommitRead(batch.size());
    while (parser.Next() == ParseResult::kCommand) {
      benchmark::DoNotOptimize(parser.args().data());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * 16));
}
BENCHMARK(ParseInline);

void WriteReplies(benchmark::State& state) {
  ReplyWriter w;
  const std::string value(state.range(0), 'x');
  for (auto _ : state) {
    w.Clear();
    for (int i = 0; i < 16; ++i) {
      w.Write(Canned::kOk);
      w.Integer(123456 + i);
      w.Bulk(value);
    }
    benchmark::DoNotOptimize(w.buffer().data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * 48));
}
BENCHMARK(WriteReplies)->Arg(3)->Arg(100);

}  // namespace
}  // namespace starling::server::resp

BENCHMARK_MAIN();
