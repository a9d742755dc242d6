// The executor's scheduling loop: start ready steps, apply worker results, poll guards, journal
// (one write per loop turn, however many steps changed; made durable before any command it
// announces starts, or for a step that may run again, while it runs), then sleep until the next
// thing. A worker whose job ended takes the next turn itself when no other thread is in one, so
// the step that follows starts without waiting for this thread to be woken and scheduled (on a
// busy machine, a tenth of a millisecond each time).
#include "runtime/executor.h"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>

#include "compiler/sha256.h"
#include "runtime/durable_file.h"
#include "runtime/executor_impl.h"
#include "runtime/leftover_commands.h"
#include "runtime/state_lock.h"

namespace asmplan {
namespace {

// A live view wants elapsed times to move even when nothing happens.
constexpr Millis kTickMs = 1000;
// Sleeping on the Clock happens in slices so an interrupt is noticed soon.
constexpr Millis kSleepSliceMs = 200;

const char* SignalName(int sig) {
  return sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "SIGINT";
}

}  // namespace

Executor::Executor(const Plan& plan, ExecutorEnv env, ExecutorOptions options)
    : impl_(std::make_unique<Impl>(plan, env, std::move(options))) {}
Executor::~Executor() = default;

RunResult Executor::Run(const std::unordered_map<std::string, StepRecord>& initial) {
  return impl_->Run(initial);
}

void Executor::Interrupt(int signal, bool hard) { impl_->Interrupt(signal, hard); }

std::string Executor::LogPathFor(const std::string& step) {
  // Readable and one-to-one: "restart[payments]" -> "restart.payments". Only a name of plain
  // characters with plain indexes maps so; any other ("w[a/b]" and "w[a_b]" would both give
  // "w.a_b"), or a long one, gets part of its SHA-256 too, so two steps never share a log.
  auto plain = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  };
  size_t at = 0;
  auto word = [&] {
    size_t start = at;
    while (at < step.size() && plain(step[at])) ++at;
    return at > start;
  };
  bool exact = word();
  while (exact && at < step.size()) {
    exact = step[at++] == '[' && word() && at < step.size() && step[at++] == ']';
  }
  std::string name;
  for (char c : step) {
    if (plain(c)) {
      name.push_back(c);
    } else if (c == '[') {
      name.push_back('.');
    } else if (c != ']') {
      name.push_back('_');
    }
  }
  constexpr size_t kMaxName = 120;  // file names stop at 255 bytes
  if (name.size() > kMaxName) {
    name.resize(kMaxName);
    exact = false;
  }
  if (!exact) name += "~" + Sha256Hex(step).substr(0, 12);
  return "logs/" + name + ".log";
}

Executor::Impl::Impl(const Plan& plan, ExecutorEnv env, ExecutorOptions options)
    : plan_(plan),
      env_(env),
      opt_(std::move(options)),
      secrets_(env.secrets ? *env.secrets : no_secrets_),
      sched_(plan, opt_.jobs) {}

void Executor::Impl::Interrupt(int signal, bool hard) {
  // Terminate the process groups from this thread at once: a turn may be blocked (in a journal
  // sync, say).
  int expected = 0;
  bool first = signal_.compare_exchange_strong(expected, signal);
  cancel_.store(true);
  withdraw_prompts_.store(true);
  if (env_.interrupted) env_.interrupted->store(true);
  if (first || hard) env_.runner->InterruptAll(hard ? SIGKILL : SIGTERM);
  { std::lock_guard<std::mutex> lock(mu_); }
  cv_.notify_all();
}

RunResult Executor::Impl::Run(const std::unordered_map<std::string, StepRecord>& initial) {
  std::string err;
  if (!MakeDirectories(opt_.state_dir + "/logs", &err) ||
      !MakeDirectories(opt_.state_dir + "/workspace", &err)) {
    result_.outcome = RunResult::Outcome::kFailed;
    result_.summary = err + "\n";
    return result_;
  }
  state_mark_ = CanonicalDirectory(opt_.state_dir);
  Initialize(initial);
  StartSession();
  pool_ = std::make_unique<WorkerPool>(std::max(1, opt_.jobs));
  guard_pool_ = std::make_unique<WorkerPool>(1);
  last_tick_ms_ = anchor_ms_ = env_.clock->NowMs();
  for (;;) {
    WaitPlan wait;
    {
      std::lock_guard<std::mutex> turn(turn_mu_);
      {
        std::lock_guard<std::mutex> lock(mu_);
        main_wanted_ = false;  // this turn looks at what workers' turns left
      }
      if (finished_ || Turn()) {
        finished_ = true;
        break;
      }
      wait = {NextDeadline(), in_flight_ > 0, stopping_};
    }
    WaitForWork(wait);
  }
  pool_.reset();  // every job and tick has completed: Finished() requires in_flight_ == 0
  guard_pool_.reset();
  return Summarize();
}

bool Executor::Impl::Turn() {
  releases_before_turn_ = sched_.releases();
  // A sync on the journal's own thread (see RunAttempt) failed since the last turn: nothing that
  // this turn would start could be resumed truthfully.
  if (!journal_broken_ && !env_.journal->DurableThrough(0)) SyncJournal(0);
  Drain();
  if (signal_.load() != 0 && !stopping_) HandleInterrupt();
  if (!stopping_ && !failed_ && !journal_broken_ && !held_ && !Settling()) {
    // Steps carried over from the last run (running then) start first and alone: until they
    // are settled or their require checked again, nothing new starts (kubectl may point at
    // another cluster now).
    auto carried = [this](int i) { return runs_[i].initial == StepState::kRunning; };
    for (int i : carried_waiting_ > 0 && sched_.HasReady(carried) ? sched_.TakeStartable(carried)
                                                                  : sched_.TakeStartable())
      Begin(i);
    if (carried_waiting_ == 0) ArmNext();
  }
  // Carried steps that need a decision and nothing else (no verify to settle them by, neither
  // idempotent nor retried) ask no guard and run no command: once every other carried step has
  // begun (or nothing more will), all of them are named in this resume, also after one holds the
  // others, so the operator decides them at once.
  auto undecidable = [this](int i) {
    const Step& s = plan_.steps[i];
    return runs_[i].initial == StepState::kRunning && runs_[i].record.exit_code != 0 &&
           s.verify.empty() && !RunsAgainAfterAStop(s);
  };
  auto settleable = [this, &undecidable](int i) {
    return runs_[i].initial == StepState::kRunning && !undecidable(i);
  };
  if (carried_waiting_ > 0 && !stopping_ && !journal_broken_ &&
      (held_ || !sched_.HasReady(settleable))) {
    // Each ends at once (awaiting), freeing its slot; a batch comes out empty once other steps
    // hold every slot, and the rest wait for a later turn.
    for (std::vector<int> batch; !(batch = sched_.TakeStartable(undecidable)).empty();) {
      for (int i : batch) Begin(i);
    }
  }
  GuardTick();
  // A job's worker makes this turn's records durable (workers share that fdatasync), so this
  // thread goes on meanwhile; a turn that posts no job makes them durable here, if it wrote any
  // (the records of earlier turns are their jobs' to sync), unless it ends the run: then the
  // finish record's fdatasync, right after, makes them durable with it.
  std::vector<Job> jobs;
  jobs.swap(to_post_);
  uint64_t written_before = written_mark_;
  uint64_t mark = WriteJournal();
  for (int i : arming_) runs_[i].armed_mark = mark;  // 0 if the write failed: nothing starts
  arming_.clear();
  if (jobs.empty() && mark != written_before && !Finished()) SyncJournal(mark);
  if (mark != 0) written_mark_ = mark;
  if (mark != 0 && (rests_on_mark_ == 0 || sched_.releases() != releases_before_turn_))
    rests_on_mark_ = mark;
  for (Job& job : jobs) {
    if (!journal_broken_) {
      PostJob(mark, std::move(job));
      continue;
    }
    --in_flight_;
    Abandon(job.step);
  }
  Millis now = env_.clock->NowMs();
  if (now - last_tick_ms_ >= kTickMs) {
    env_.reporter->OnTick(env_.clock->WallMs());
    last_tick_ms_ = now;
  }
  // A signal this turn is handled before a finished run ends.
  if (signal_.load() != 0 && !stopping_) HandleInterrupt();
  if (stopping_ || failed_ || held_ || journal_broken_) withdraw_prompts_.store(true);
  return Finished();
}

void Executor::Impl::TurnOnWorker() {
  for (;;) {
    // Another thread in a turn looks at the completions again before it waits. (glibc's trylock
    // fails only when the lock is held; a spurious failure would leave the completion to the main
    // loop's next deadline, at most a second away while a job is out.)
    if (!turn_mu_.try_lock()) return;
    bool done = finished_;
    while (!done && HasCompletions()) done = Turn();
    finished_ = done;
    Millis deadline = done ? -1 : NextDeadline();
    // With nothing in flight the main loop waits on the Clock, not for a completion: it must
    // know (with a fake clock, its wait for a completion would take real time).
    bool idle = !done && in_flight_ == 0;
    turn_mu_.unlock();
    bool wake = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (done || idle) {
        wake = main_wanted_ = true;
      } else if (deadline >= 0 && (turn_deadline_ < 0 || deadline < turn_deadline_)) {
        turn_deadline_ = deadline;
        wake = main_deadline_ < 0 || deadline < main_deadline_;
      }
    }
    if (wake) cv_.notify_all();
    // A completion queued after the last turn above, by a thread that found the lock taken.
    if (done || !HasCompletions()) return;
  }
}

bool Executor::Impl::HasCompletions() {
  std::lock_guard<std::mutex> lock(mu_);
  return !completions_.empty();
}

void Executor::Impl::Initialize(const std::unordered_map<std::string, StepRecord>& initial) {
  runs_.resize(plan_.steps.size());
  for (size_t i = 0; i < plan_.steps.size(); ++i) {
    StepRun& run = runs_[i];
    auto it = initial.find(plan_.steps[i].id);
    if (it != initial.end()) run.record = it->second;
    run.initial = run.record.state;
    run.record.log_path = Executor::LogPathFor(plan_.steps[i].id);
    if (run.initial == StepState::kRunning) ++carried_waiting_;
    if (IsDone(run.record.state)) {
      sched_.MarkDone(static_cast<int>(i));
      run.phase = Phase::kEnded;
    }
  }
}

void Executor::Impl::StartSession() {
  JournalRecord r;
  r.kind = JournalRecord::Kind::kSession;
  r.wall_ms = env_.clock->WallMs();
  r.text = opt_.session;
  r.number = ::getpid();
  r.host = HostName();
  r.boot_id = opt_.boot_id;
  env_.journal->Append(r);
  ExecEvent e;
  e.type = ExecEvent::Type::kRunStarted;
  e.wall_ms = r.wall_ms;
  e.message = opt_.session;
  e.attempt = static_cast<int>(plan_.steps.size());
  env_.reporter->OnEvent(e);
}

void Executor::Impl::Drain() {
  std::deque<Completion> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch.swap(completions_);
  }
  for (Completion& c : batch) {
    if (c.kind == Completion::Kind::kFetchStage) {
      if (c.journal) {
        JournalRecord r;
        r.kind = JournalRecord::Kind::kFetch;
        r.wall_ms = env_.clock->WallMs();
        r.step = plan_.steps[c.step].id;
        r.text = c.warning ? c.error + ": WARNING: " + c.detail : c.error;
        env_.journal->Append(r);
      }
      if (c.warning) Emit(ExecEvent::Type::kNote, c.step, "WARNING: " + c.detail);
      std::vector<std::string> details;
      if (!c.detail.empty() && !c.warning) details.push_back(c.detail);
      Emit(ExecEvent::Type::kFetchStage, c.step, c.error, std::move(details));
      continue;
    }
    --in_flight_;
    if (c.kind == Completion::Kind::kGuards) {
      OnGuards(c);
      continue;
    }
    if (!c.journal_error.empty()) {
      JournalBroke(c.journal_error);
      Abandon(c.step);
      continue;
    }
    if (c.kind == Completion::Kind::kAttempt) {
      OnAttempt(c.step, c);
    } else if (c.kind == Completion::Kind::kConfirm) {
      OnConfirm(c.step, c);
    } else {
      OnFetch(c.step, c);
    }
  }
}

void Executor::Impl::HandleInterrupt() {
  stopping_ = true;
  int sig = signal_.load();
  JournalRecord r;
  r.kind = JournalRecord::Kind::kInterrupt;
  r.wall_ms = env_.clock->WallMs();
  r.number = sig;
  env_.journal->Append(r);
  ExecEvent e;
  e.type = ExecEvent::Type::kInterrupted;
  e.wall_ms = r.wall_ms;
  e.message = std::string("interrupted by ") + SignalName(sig) + ": stopping running steps";
  env_.reporter->OnEvent(e);
  // Steps not inside a worker job stop here; those in a job stop when their command ends (or
  // their prompt is withdrawn).
  AbandonIdleSteps();
}

void Executor::Impl::AbandonIdleSteps() {
  std::vector<int> idle(live_.begin(), live_.end());
  for (int i : idle) {
    Phase p = runs_[i].phase;
    if (p != Phase::kCommands && p != Phase::kFetch && p != Phase::kConfirm) Abandon(i);
  }
}

Millis Executor::Impl::NextDeadline() const {
  Millis deadline = -1;
  for (int i : live_) {
    const StepRun& r = runs_[i];
    // While a tick is out, guards wait for it: its completion wakes the loop.
    if (r.phase == Phase::kBackoff || (IsGuardPhase(r.phase) && !tick_out_)) {
      if (deadline < 0 || r.due_ms < deadline) deadline = r.due_ms;
    }
  }
  if (sched_.active() > 0) {
    Millis tick = last_tick_ms_ + kTickMs;
    if (deadline < 0 || tick < deadline) deadline = tick;
  }
  return deadline;
}

void Executor::Impl::WaitForWork(const WaitPlan& plan) {
  Millis deadline = plan.deadline;
  std::unique_lock<std::mutex> lock(mu_);
  // A worker's turn since this thread's last may have left an earlier deadline.
  if (turn_deadline_ >= 0 && (deadline < 0 || turn_deadline_ < deadline)) deadline = turn_deadline_;
  turn_deadline_ = -1;
  main_deadline_ = deadline;
  auto woken = [this, &plan] {
    return !completions_.empty() || (signal_.load() != 0 && !plan.stopping) || main_wanted_ ||
           (turn_deadline_ >= 0 && (main_deadline_ < 0 || turn_deadline_ < main_deadline_));
  };
  if (woken()) return;
  Millis now = env_.clock->NowMs();
  if (deadline >= 0 && deadline <= now) return;
  if (plan.in_flight) {
    // A worker will post a completion (or finish a turn); a real deadline bounds the wait.
    if (deadline < 0) {
      cv_.wait(lock, woken);
    } else {
      // At most an hour at a time: a deadline as far off as the longest duration would overflow
      // the condition variable's clock.
      cv_.wait_for(lock, std::chrono::milliseconds(std::min<Millis>(deadline - now, 3'600'000)),
                   woken);
    }
    return;
  }
  // Nothing in flight: only time (through the Clock, so a fake clock advances) or a signal.
  lock.unlock();
  if (deadline < 0) deadline = now + kSleepSliceMs;
  env_.clock->SleepMs(std::min(deadline - now, kSleepSliceMs));
}

bool Executor::Impl::Finished() const {
  if (in_flight_ > 0 || !to_post_.empty() || !live_.empty()) return false;
  return stopping_ || failed_ || held_ || journal_broken_ || !sched_.has_ready();
}

bool Executor::Impl::Settling() const {
  for (int i : live_) {
    if (runs_[i].phase == Phase::kSettle || runs_[i].phase == Phase::kRecheck) return true;
  }
  return false;
}

uint64_t Executor::Impl::WriteJournal() {
  if (journal_broken_) return 0;
  std::string err;
  uint64_t mark = env_.journal->Write(&err);
  if (mark == 0) JournalBroke(err);
  return mark;
}

void Executor::Impl::SyncJournal(uint64_t mark) {
  std::string err;
  if (!journal_broken_ && !env_.journal->SyncThrough(mark, &err)) JournalBroke(err);
}

void Executor::Impl::JournalBroke(const std::string& err) {
  if (journal_broken_) return;
  // Without a durable journal nothing may start: what runs could not be resumed truthfully.
  journal_broken_ = true;
  journal_error_ = err;
  cancel_.store(true);  // nor the next command of a running attempt, nor a fetch
  // Commands that run are left to finish, as after a failed step: one stopped halfway through a
  // change would be worse than one whose end is not journaled (resume settles it by its verify).
  // Steps waiting for guards or a retry stop now; what they would find could not be recorded.
  AbandonIdleSteps();
}

RunResult Executor::Impl::Summarize() {
  RunResult& r = result_;
  if (stopping_) {
    r.outcome = RunResult::Outcome::kInterrupted;
  } else if (failed_ || journal_broken_) {
    r.outcome = RunResult::Outcome::kFailed;
  } else if (!r.awaiting.empty()) {
    r.outcome = RunResult::Outcome::kAwaiting;
  }
  if (journal_broken_)
    r.summary = "the checkpoint journal failed: " + journal_error_ + "\n" + r.summary;
  if (stopping_) {
    int sig = signal_.load();
    r.summary += std::string("interrupted by ") + SignalName(sig) + "; continue with `" +
                 opt_.resume_command + "`\n";
  }
  if (failed_ && !stopping_ && !journal_broken_) {
    r.summary += "once the cause is fixed, continue with `" + opt_.resume_command +
                 "`: failed steps run again, finished ones do not\n";
  }
  static const char* kOutcome[] = {"succeeded", "failed", "awaiting", "interrupted"};
  JournalRecord fin;
  fin.kind = JournalRecord::Kind::kFinish;
  fin.wall_ms = env_.clock->WallMs();
  fin.text = kOutcome[static_cast<int>(r.outcome)];
  env_.journal->Append(fin);
  const bool was_broken = journal_broken_;
  SyncJournal(WriteJournal());
  if (journal_broken_ && !was_broken) {
    // The last records (the last steps' ends among them) may not have reached the disk: the run
    // did its work, but resume cannot know that for sure. Said, and not a success.
    r.summary = "the checkpoint journal failed: " + journal_error_ + "\n" + r.summary;
    if (r.outcome != RunResult::Outcome::kInterrupted) r.outcome = RunResult::Outcome::kFailed;
    fin.text = kOutcome[static_cast<int>(r.outcome)];
  }
  ExecEvent e;
  e.type = ExecEvent::Type::kRunFinished;
  e.wall_ms = fin.wall_ms;
  e.elapsed_ms = env_.clock->NowMs() - anchor_ms_;  // the session's duration
  e.message = fin.text;
  static const int kExitCode[] = {0, 1, 3, 130};  // what asmplan exits with (docs/executor.md)
  e.exit_code = kExitCode[static_cast<int>(r.outcome)];
  env_.reporter->OnEvent(e);
  if (r.outcome == RunResult::Outcome::kSucceeded) {
    r.summary = "run succeeded: " + std::to_string(plan_.steps.size()) +
                (plan_.steps.size() == 1 ? " step done\n" : " steps done\n");
  }
  return r;
}

}  // namespace asmplan
