// SIGINT, SIGTERM and SIGHUP, handled on a thread of their own: the signals are blocked in every
// thread and read from a signalfd, so no code runs in signal context (nothing async-signal-unsafe
// can happen) and the handler may lock, log and call into the executor.
#pragma once

#include <signal.h>

#include <atomic>
#include <functional>
#include <thread>

namespace asmplan {

class SignalWatcher {
 public:
  /// `on_signal(signal, hard)`: the first SIGINT/SIGTERM/SIGHUP has hard = false; a second one
  /// has hard = true. Construct before starting any other thread: the mask is inherited.
  explicit SignalWatcher(std::function<void(int, bool)> on_signal);
  /// Stops the thread and restores the previous signal mask.
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  /// The first signal received, or 0.
  int received() const { return first_.load(); }

 private:
  void Loop();
  /// Waits for a watched signal; returns it, or <= 0 when woken to stop (or interrupted).
  int Next();

  std::function<void(int, bool)> on_signal_;
  std::atomic<bool> stop_{false};
  std::atomic<int> first_{0};
  sigset_t watched_;    ///< SIGINT, SIGTERM, and SIGHUP unless it was ignored (nohup)
  int signal_fd_ = -1;  ///< reads the watched signals
  int stop_fd_ = -1;    ///< an eventfd written by the destructor to wake the thread
  std::thread thread_;
};

}  // namespace asmplan
