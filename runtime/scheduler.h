// Which steps may start: a step is ready when all its dependencies are done (a count of pending
// dependencies per step, decremented as they finish; never a rescan), and it starts when fewer
// than `jobs` steps are active and its group is below its `parallel` limit.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/plan_model.h"

namespace asmplan {

class Scheduler {
 public:
  /// `plan` must outlive the scheduler; `jobs` >= 1.
  Scheduler(const Plan& plan, int jobs);

  /// Index of step `id` in Plan::steps, or -1.
  int IndexOf(const std::string& id) const;
  /// Marks a step done before the run starts (succeeded or skipped earlier), in any order.
  /// It never starts. It releases its dependents once its own dependencies are done: a step that
  /// runs again (`--rerun`) holds back everything after it, also through steps already done.
  void MarkDone(int step);
  /// Pops every step that may start now, in plan order, and counts them active; with `only`, just
  /// those for which it is true (the others stay ready).
  std::vector<int> TakeStartable(const std::function<bool(int)>& only = nullptr);
  /// The first `n` ready steps in plan order: those TakeStartable() takes next as slots free,
  /// unless their group is full.
  std::vector<int> FirstReady(size_t n) const;
  /// Whether a step for which `pred` is true is ready (a scan of the ready steps).
  bool HasReady(const std::function<bool(int)>& pred) const;
  /// An active step ended. When `done` (succeeded or skipped) its dependents may become ready.
  void Finish(int step, bool done);

  /// How many times a finished step made steps ready (Finish() when done, MarkDone()).
  uint64_t releases() const { return releases_; }
  /// releases() when `step` became ready (through steps done before, too); 0 = ready from the
  /// start.
  uint64_t ReadyAt(int step) const { return ready_at_[step]; }

  int active() const { return active_; }
  bool has_ready() const { return !ready_.empty(); }

 private:
  void Release(int step);

  const Plan& plan_;
  int jobs_;
  int active_ = 0;
  std::unordered_map<std::string, int> index_;
  std::vector<int> pending_deps_;
  std::vector<std::vector<int>> dependents_;
  std::vector<int> group_of_;     ///< index into group_limit_, or -1
  std::vector<int> group_limit_;  ///< 0 = no own limit
  std::vector<int> group_active_;
  std::vector<bool> done_;
  std::vector<bool> done_before_;  ///< MarkDone(): passes its dependencies' release on
  std::vector<int> releasing_;     ///< Release()'s work list
  uint64_t releases_ = 0;
  std::vector<uint64_t> ready_at_;
  std::set<int> ready_;
};

}  // namespace asmplan
