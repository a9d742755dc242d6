// A clock that only moves when told to, or when something sleeps on it.
#pragma once

#include <mutex>

#include "runtime/clock.h"

namespace asmplan {

class FakeClock : public Clock {
 public:
  explicit FakeClock(Millis start_wall_ms = 1'800'000'000'000) : wall_start_(start_wall_ms) {}
  Millis NowMs() override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  Millis WallMs() override {
    std::lock_guard<std::mutex> lock(mu_);
    return wall_start_ + now_;
  }
  /// Sleeping advances the fake time at once.
  void SleepMs(Millis ms) override { Advance(ms); }
  void Advance(Millis ms) {
    std::lock_guard<std::mutex> lock(mu_);
    if (ms > 0) now_ += ms;
  }

 private:
  std::mutex mu_;
  Millis wall_start_;
  Millis now_ = 0;
};

}  // namespace asmplan
