// libFuzzer target for the RESP parser (built only with -DSTARLING_FUZZ=ON, `make fuzz`).
//
// Input layout: byte 0 picks limits and the auth flag, bytes 1-2 seed the cuts, the rest is
// the byte stream a client sends. Checked on every input, besides "no crash, no
// out-of-bounds read" (ASan and UBSan are on in this build):
//   1. the stream read whole, cut at random places, and one byte at a time gives the same
//      commands and the same error;
//   2. every command has at least one argument and every error has its Redis text;
//   3. the parsed commands, encoded again as multibulk, parse back to themselves;
//   4. with a tiny query-buffer limit the commands are a prefix of the unlimited run, and
//      equal to it unless that limit was what stopped the parser.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/random.h"
#include "server/resp/resp_parser.h"
#include "server/resp/resp_test_util.h"

namespace {

using starling::Prng;
using namespace starling::server::resp;

[[noreturn]] void Die(const char* what, const Outcome& a, const Outcome& b) {
  std::fprintf(stderr, "resp_parser_fuzz: %s\n", what);
  std::cerr << "  expected " << a << "\n  got      " << b << "\n";
  std::abort();
}

std::vector<size_t> RandomCuts(Prng& rng, size_t size) {
  std::vector<size_t> cuts;
  for (size_t off = 0;;) {
    off += 1 + rng.Uniform(rng.Bernoulli(0.7) ? 4 : 64);
    if (off >= size) {
      return cuts;
    }
    cuts.push_back(off);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) {
    return 0;
  }
  const uint8_t knobs = data[0];
  const uint64_t seed = data[1] | (uint64_t{data[2]} << 8);
  const std::string_view input(reinterpret_cast<const char*>(data + 3), size - 3);

  ParserLimits limits;
  if (knobs & 1) {
    limits.max_inline_len = 1 + seed % 80;
  }
  if (knobs & 2) {
    limits.max_bulk_len = static_cast<int64_t>(seed % 200);
  }
  if (knobs & 4) {
    limits.max_multibulk_len = static_cast<int64_t>(seed % 12);
  }
  const bool auth_required = (knobs & 8) != 0;
  if (knobs & 16) {
    limits.unauth_max_bulk_len = static_cast<int64_t>(seed % 40);
    limits.unauth_max_multibulk_len = knobs >> 5;
  }

  const Outcome whole = RunPieces({input}, limits, auth_required);
  Prng rng(seed * 0x9e3779b97f4a7c15ULL + knobs);
  const Outcome split =
      RunPieces(CutAt(input, RandomCuts(rng, input.size())), limits, auth_required);
  if (!(split == whole)) {
    Die("random cuts differ from the whole input", whole, split);
  }
  const Outcome bytewise = RunPieces(Bytewise(input), limits, auth_required);
  if (!(bytewise == whole)) {
    Die("one byte at a time differs from the whole input", whole, bytewise);
  }

  for (const auto& cmd : whole.commands) {
    if (cmd.empty()) {
      Die("empty command returned", whole, whole);
    }
  }
  if (whole.error != ParseError::kNone && whole.error != ParseError::kExpectedDollar &&
      whole.error_text != ParseErrorText(whole.error)) {
    Die("error text does not match its code", whole, whole);
  }
  if (whole.error == ParseError::kExpectedDollar &&
      whole.error_text.rfind("Protocol error: expected '$', got '", 0) != 0) {
    Die("bad expected-$ text", whole, whole);
  }

  if (!whole.commands.empty()) {
    const std::string encoded = EncodeCommands(whole.commands);
    const Outcome again = RunPieces({encoded}, ParserLimits{});
    if (!(again == Outcome{whole.commands, ParseError::kNone, ""})) {
      Die("re-encoded commands do not parse back", Outcome{whole.commands, {}, ""}, again);
    }
  }

  ParserLimits tiny = limits;
  tiny.max_query_buffer = 1 + seed % 64;
  const Outcome limited =
      RunPieces(CutAt(input, RandomCuts(rng, input.size())), tiny, auth_required);
  if (limited.error == ParseError::kQueryBufferLimit) {
    if (limited.commands.size() > whole.commands.size() ||
        !std::equal(limited.commands.begin(), limited.commands.end(), whole.commands.begin())) {
      Die("query-buffer limit run is not a prefix", whole, limited);
    }
  } else if (!(limited == whole)) {
    Die("query-buffer limit changed the result without firing", whole, limited);
  }
  return 0;
}
