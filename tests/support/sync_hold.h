// Holds back a JournalWriter's fdatasyncs, to see what goes on while one is under way.
#pragma once

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "runtime/checkpoint_journal.h"

namespace asmplan {

// SyncLater() no longer pauses. After Hold(), each fdatasync of `journal` waits for Release(), up
// to 5 s (so code that waits for the sync is slow rather than stuck). Wait() waits until one is
// held. `journal` must outlive it.
class SyncHold {
 public:
  explicit SyncHold(JournalWriter& journal) : journal_(journal) {
    // The journal's own thread syncs at once, so the sync a test holds is the one it means.
    journal.set_later_pause_for_test(std::chrono::milliseconds(0));
    journal.set_fdatasync_for_test([this](int fd) {
      std::unique_lock<std::mutex> lock(mu_);
      if (hold_) {
        held_ = true;
        cv_.notify_all();
        cv_.wait_for(lock, std::chrono::seconds(5), [this] { return !hold_; });
        held_ = false;
      }
      return ::fdatasync(fd);
    });
  }
  ~SyncHold() {
    Release();
    journal_.set_fdatasync_for_test(nullptr);  // waits for a sync under way
  }
  SyncHold(const SyncHold&) = delete;
  SyncHold& operator=(const SyncHold&) = delete;
  void Hold() {
    std::lock_guard<std::mutex> lock(mu_);
    hold_ = true;
  }
  bool Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(5), [this] { return held_; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    hold_ = false;
    cv_.notify_all();
  }

 private:
  JournalWriter& journal_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false, held_ = false;
};

}  // namespace asmplan
