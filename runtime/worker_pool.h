// A fixed set of threads running blocking jobs for the executor (commands and fetches on one
// pool, guard ticks on another).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace asmplan {

class WorkerPool {
 public:
  /// Starts `threads` (>= 1) threads.
  explicit WorkerPool(int threads);
  /// Waits for queued and running jobs to finish, then joins the threads.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Queues `job`; a free thread runs it.
  void Post(std::function<void()> job);

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool closing_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace asmplan
