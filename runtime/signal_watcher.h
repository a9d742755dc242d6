// SIGINT and SIGTERM, handled on a thread of their own: the signals are blocked in every thread
// and taken with sigtimedwait(), so no code runs in signal context (nothing async-signal-unsafe
// can happen) and the handler may lock, log and call into the executor.
#pragma once

#include <atomic>
#include <functional>
#include <thread>

namespace asmplan {

class SignalWatcher {
 public:
  /// `on_signal(signal, hard)`: the first SIGINT/SIGTERM has hard = false; a second SIGINT (or
  /// SIGTERM) has hard = true. Construct before starting any other thread: the mask is inherited.
  explicit SignalWatcher(std::function<void(int, bool)> on_signal);
  /// Stops the thread and restores the previous signal mask.
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  /// The first signal received, or 0.
  int received() const { return first_.load(); }

 private:
  void Loop();

  std::function<void(int, bool)> on_signal_;
  std::atomic<bool> stop_{false};
  std::atomic<int> first_{0};
  std::thread thread_;
};

}  // namespace asmplan
