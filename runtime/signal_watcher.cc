#include "runtime/signal_watcher.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>

namespace asmplan {
namespace {

bool Ignored(int sig) {
  struct sigaction current {};
  return ::sigaction(sig, nullptr, &current) == 0 && current.sa_handler == SIG_IGN;
}

}  // namespace

SignalWatcher::SignalWatcher(std::function<void(int, bool)> on_signal)
    : on_signal_(std::move(on_signal)) {
  sigemptyset(&watched_);
  sigaddset(&watched_, SIGINT);
  sigaddset(&watched_, SIGTERM);
  // The terminal closed: the steps' own process groups never see it, so the run stops them. Not
  // when SIGHUP is ignored: `nohup asmplan run ...` asked for the run to outlive the terminal.
  bool hup = !Ignored(SIGHUP);
  if (hup) sigaddset(&watched_, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &watched_, nullptr);
  // A parent may have left SIGINT or SIGTERM ignored (a shell's background job ignores SIGINT);
  // an ignored signal is discarded, so take the default action back: blocked, it only reaches
  // our signalfd.
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGTERM, SIG_DFL);
  signal_fd_ = ::signalfd(-1, &watched_, SFD_CLOEXEC);
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
  thread_ = std::thread([this] { Loop(); });
}

SignalWatcher::~SignalWatcher() {
  stop_.store(true);
  // Wakes the thread at once (a run's exit must not wait for a polling slice).
  if (stop_fd_ >= 0) {
    uint64_t one = 1;
    ssize_t n = ::write(stop_fd_, &one, sizeof one);
    (void)n;
  }
  thread_.join();
  if (signal_fd_ >= 0) ::close(signal_fd_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
  // Signals that arrived after the run ended stay pending and take effect when unblocked, which
  // is what the operator asked for.
  pthread_sigmask(SIG_UNBLOCK, &watched_, nullptr);
}

int SignalWatcher::Next() {
  if (signal_fd_ < 0 || stop_fd_ < 0) {
    // Without the descriptors (out of them): poll for stop_ every 100ms.
    timespec slice{0, 100 * 1000 * 1000};
    return sigtimedwait(&watched_, nullptr, &slice);
  }
  pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  // Stopping wins: a signal left unread stays pending for when the mask is restored.
  if (::poll(fds, 2, -1) <= 0 || (fds[1].revents & POLLIN) || !(fds[0].revents & POLLIN)) return 0;
  signalfd_siginfo info{};
  if (::read(signal_fd_, &info, sizeof info) != static_cast<ssize_t>(sizeof info)) return 0;
  return static_cast<int>(info.ssi_signo);
}

void SignalWatcher::Loop() {
  while (!stop_.load()) {
    int sig = Next();
    if (sig <= 0) continue;  // stopping, a timeout or EINTR
    if (stop_.load()) {
      // Taken just as the run ended: make it pending again for the process, as if never read.
      ::kill(::getpid(), sig);
      return;
    }
    int expected = 0;
    bool first = first_.compare_exchange_strong(expected, sig);
    on_signal_(sig, !first);
  }
}

}  // namespace asmplan
