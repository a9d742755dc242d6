#include "runtime/signal_watcher.h"

#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <ctime>

namespace asmplan {
namespace {

sigset_t WatchedSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

SignalWatcher::SignalWatcher(std::function<void(int, bool)> on_signal)
    : on_signal_(std::move(on_signal)) {
  sigset_t set = WatchedSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // A parent may have left them ignored (a shell's background job ignores SIGINT); an ignored
  // signal is discarded, so take the default action back: blocked, it only reaches sigtimedwait.
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGTERM, SIG_DFL);
  thread_ = std::thread([this] { Loop(); });
}

SignalWatcher::~SignalWatcher() {
  stop_.store(true);
  thread_.join();
  // Signals that arrived after the run ended stay pending and take effect when unblocked, which
  // is what the operator asked for.
  sigset_t set = WatchedSignals();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

void SignalWatcher::Loop() {
  sigset_t set = WatchedSignals();
  // Polls stop_ every 100ms; sigtimedwait returns at once when a signal is pending.
  timespec slice{0, 100 * 1000 * 1000};
  while (!stop_.load()) {
    int sig = sigtimedwait(&set, nullptr, &slice);
    if (sig <= 0) continue;  // EAGAIN (timeout) or EINTR
    int expected = 0;
    bool first = first_.compare_exchange_strong(expected, sig);
    on_signal_(sig, !first);
  }
}

}  // namespace asmplan
