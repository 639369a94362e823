#include "dst/world.h"

#include <cstdio>

#include "lattice/hash.h"

namespace starling::dst {

void Trace::Mix(uint64_t v) {
  uint64_t x = h_ ^ v;
  h_ = SplitMix64(x);
}

void Trace::Mix(std::string_view s) { Mix(lattice::Hash64(s)); }

void Trace::Print(int64_t now_us, const std::string& line) {
  std::printf("%10.3f %s\n", static_cast<double>(now_us) / 1000.0, line.c_str());
}

World::World(uint64_t seed, bool print_trace) : random_(seed), trace_(print_trace) {}

void World::At(int64_t t_us, std::function<void()> fn) {
  queue_.push(Event{std::max(t_us, now_us_), next_seq_++, std::move(fn)});
}

void World::RunUntil(int64_t until_us) {
  while (!queue_.empty() && queue_.top().t <= until_us) {
    Event e = std::move(const_cast<Event&>(queue_.top()));
    queue_.pop();
    now_us_ = e.t;
    e.fn();
  }
  now_us_ = std::max(now_us_, until_us);
}

void SimTransport::Send(const gossip::NodeId& to, std::string bytes) {
  world_.Send(from_, to, std::move(bytes));
}

void World::Send(int from, const std::string& to_id, std::string bytes) {
  auto it = index_of.find(to_id);
  if (it == index_of.end())
    return;
  int to = it->second;
  uint64_t seq = ++link_send_seq[{from, to}];
  trace_.Mix(0x5e);
  trace_.Mix(static_cast<uint64_t>(now_us_));
  trace_.Mix(static_cast<uint64_t>(from) * 16 + static_cast<uint64_t>(to));
  trace_.Mix(bytes);
  if (blocked[from][to]) {
    Cover("msg_partitioned");
    return;
  }
  if (random_.Bernoulli(net.drop)) {
    Cover("msg_drop");
    if (trace_.printing()) {
      trace_.Print(now_us_, "net drop n" + std::to_string(from + 1) + "->n" +
                                std::to_string(to + 1) + " " + std::to_string(bytes.size()) + "B");
    }
    return;
  }
  int copies = random_.Bernoulli(net.dup) ? 2 : 1;
  if (copies == 2)
    Cover("msg_dup");
  for (int c = 0; c < copies; ++c) {
    int64_t delay = net.base_us +
                    static_cast<int64_t>(random_.Uniform(static_cast<uint64_t>(net.jitter_us) + 1));
    if (random_.Bernoulli(net.tail)) {
      // Long tail: a delay spread over orders of magnitude up to tail_max_us.
      double f = random_.NextDouble();
      delay += static_cast<int64_t>(static_cast<double>(net.tail_max_us) * f * f * f);
      Cover("msg_delay_tail");
    }
    // NOLINTNEXTLINE(bugprone-use-after-move): only the last copy moves, after every other read.
    std::string b = c + 1 < copies ? bytes : std::move(bytes);
    After(delay, [this, from, to, seq, b = std::move(b)]() mutable {
      deliver(from, to, std::move(b), seq);
    });
  }
}

}  // namespace starling::dst
