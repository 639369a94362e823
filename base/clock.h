// Clock: the only way time reaches the deterministic core (DESIGN.md section 2).
//
// Core code never calls std::chrono clocks. It is handed a Clock at construction: the
// SystemClock in production, a ManualClock in tests and the simulator. A Clock is used by
// one thread (the event loop, or the simulator's single thread).
#pragma once

#include <cstdint>

namespace starling {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, microseconds since the Unix epoch. May jump back and forth (NTP, skew);
  // the hybrid logical clock (lattice/hlc.h) turns it into something monotone.
  virtual int64_t WallMicros() const = 0;
  // Monotonic time in microseconds from an arbitrary origin; for timers and timeouts.
  virtual int64_t MonoMicros() const = 0;

  int64_t WallMillis() const { return WallMicros() / 1000; }
  int64_t MonoMillis() const { return MonoMicros() / 1000; }
};

// The real clocks of the machine. Used only by process mains and I/O drivers.
class SystemClock final : public Clock {
 public:
  int64_t WallMicros() const override;
  int64_t MonoMicros() const override;
};

// A clock moved by hand: unit tests and the simulator. Wall time may be set to go backwards
// to model clock jumps; monotonic time only advances.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t wall_micros = 1'700'000'000'000'000, int64_t mono_micros = 0)
      : wall_(wall_micros), mono_(mono_micros) {}
  int64_t WallMicros() const override { return wall_; }
  int64_t MonoMicros() const override { return mono_; }
  // Advances both clocks by `micros` (>= 0).
  void Advance(int64_t micros) {
    wall_ += micros;
    mono_ += micros;
  }
  // Sets only the wall clock: skew and jumps.
  void SetWall(int64_t wall_micros) { wall_ = wall_micros; }

 private:
  int64_t wall_;
  int64_t mono_;
};

}  // namespace starling
