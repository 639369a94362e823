// Instantaneous rates for INFO (instantaneous_ops_per_sec, instantaneous_input_kbps, ...),
// computed as Redis computes them (trackInstantaneousMetric in server.c): every
// kSamplePeriodUs the node records the rate of a counter since the previous sample into a
// ring of kSamples; the reported rate is the mean of the ring.
//
// Deterministic: times are arguments (the node passes its Clock's monotonic time from
// Node::OnTimer), never read here. Single-threaded (the node's thread). Header only.
#pragma once

#include <array>
#include <cstdint>

namespace starling::server {

class InstantMetric {
 public:
  static constexpr int kSamples = 16;

  // Records the rate of `value` (a counter that only grows, or restarts from zero after a
  // statistics reset) since the previous call. The first call only sets the baseline.
  void Sample(int64_t now_us, uint64_t value) {
    if (last_us_ >= 0 && now_us > last_us_) {
      uint64_t delta = value >= last_value_ ? value - last_value_ : 0;
      samples_[static_cast<size_t>(next_)] =
          static_cast<double>(delta) * 1e6 / static_cast<double>(now_us - last_us_);
      next_ = (next_ + 1) % kSamples;
      if (count_ < kSamples)
        ++count_;
    }
    last_us_ = now_us;
    last_value_ = value;
  }

  // Mean rate per second over the recorded samples; 0 before two samples.
  double PerSecond() const {
    if (count_ == 0)
      return 0;
    double sum = 0;
    for (int i = 0; i < count_; ++i)
      sum += samples_[static_cast<size_t>(i)];
    return sum / count_;
  }

  void Reset() { *this = InstantMetric(); }

 private:
  std::array<double, kSamples> samples_{};
  int next_ = 0;
  int count_ = 0;
  int64_t last_us_ = -1;
  uint64_t last_value_ = 0;
};

// The node's sampled metrics (INFO stats and memory).
struct ServerMetrics {
  static constexpr int64_t kSamplePeriodUs = 100'000;  // Redis samples every 100 ms

  InstantMetric ops;         // total_commands_processed
  InstantMetric net_input;   // total_net_input_bytes
  InstantMetric net_output;  // total_net_output_bytes
  int64_t last_sample_us = -1;
  int64_t last_memory_sample_us = -1;
  size_t peak_memory = 0;  // used_memory_peak

  void Reset() { *this = ServerMetrics(); }
};

}  // namespace starling::server
