// Internal to the executor (executor*.cc): the scheduling state and its step machine.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <utility>

#include "runtime/executor.h"
#include "runtime/flight_recorder.h"
#include "runtime/scheduler.h"
#include "runtime/worker_pool.h"

namespace asmplan {

class Executor::Impl {
 public:
  Impl(const Plan& plan, ExecutorEnv env, ExecutorOptions options);
  RunResult Run(const std::unordered_map<std::string, StepRecord>& initial);
  void Interrupt(int signal, bool hard);

 private:
  enum class Phase {
    kIdle,      ///< not started this session
    kSettle,    ///< was running when a previous session died: evaluating `verify`
    kRecheck,   ///< resumed into its waits: evaluating `require` again first
    kCheck,     ///< evaluating `require` and `skip if`
    kConfirm,   ///< at the confirm gate
    kFetch,     ///< a worker fetches the artifact
    kCommands,  ///< a worker runs one attempt
    kBackoff,   ///< waiting before the next attempt
    kWait,      ///< polling wait_until[wait_index]
    kVerify,    ///< evaluating `verify`
    kEnded,     ///< reached a final state (or stopped) this session
  };
  /// One step's state during this session.
  struct StepRun {
    Phase phase = Phase::kIdle;
    StepRecord record;
    StepState initial = StepState::kPending;
    bool ran_commands = false;  ///< an attempt was started this session
    /// The record and ran_commands before the current attempt: restored when it never started.
    /// Held only while an attempt is out (a record each for 100k steps would cost 10 MiB).
    std::unique_ptr<StepRecord> before_attempt;
    bool ran_before_attempt = false;
    int session_attempts = 0;
    int fetch_tries = 0;   ///< fetches started this session (a step's `retry` covers them too)
    bool refetch = false;  ///< in kBackoff: what comes next is a fetch, not a command attempt
    size_t wait_index = 0;
    int query_retries = 0;     ///< failed guard queries retried in the current check phase
    Millis started_ms = 0;     ///< monotonic, when it started this session
    Millis began_wall_ms = 0;  ///< wall clock, when it started this session
    Millis due_ms = 0;         ///< monotonic, when its guards are polled or its backoff ends
    Millis wait_started_ms = 0;
    /// The mark of the journal write that armed it (JournalRecord::kArm), until it starts; 0 when
    /// not armed; kArming in the turn that arms it.
    uint64_t armed_mark = 0;
    Millis armed_ms = 0;                       ///< monotonic, when it was armed
    std::unique_ptr<FlightRecorder> recorder;  ///< of the current wait
    std::vector<Guard> guards;  ///< the guards of the current guard phase, secrets substituted
    std::string status;         ///< what it is doing, for the live view
  };
  /// A worker's result, applied in the next turn.
  struct Completion {
    enum class Kind { kAttempt, kFetch, kFetchStage, kGuards, kConfirm };
    Kind kind = Kind::kAttempt;
    int step = 0;
    bool ok = false;       ///< kConfirm: answered yes
    CommandResult result;  ///< of the failing (or last) command
    std::string error;     ///< a failure in words (redacted); for kFetchStage the stage
    /// kFetchStage: what the stage is doing (file, bytes, rate, ETA); kAttempt: a log write error
    std::string detail;
    bool warning = false;  ///< kFetchStage: `detail` is a warning (`verify none`)
    bool journal = false;  ///< kFetchStage: a new stage (journaled), not just progress
    /// The journal could not be made durable: the job did not run, or (a command started before
    /// the sync, see Job::durable_before) only its first command did.
    std::string journal_error;
    bool nothing_ran = false;  ///< kAttempt: its first command was not started (interrupted)
    /// kGuards: (step, number of its guards) in the order of `observations`
    std::vector<std::pair<int, size_t>> owners;
    std::vector<GuardObservation> observations;
  };

  // executor.cc: the loop.
  void Initialize(const std::unordered_map<std::string, StepRecord>& initial);
  void StartSession();
  void Drain();
  void HandleInterrupt();
  /// Abandons the live steps that are not inside a worker job (those end when their job does).
  void AbandonIdleSteps();
  /// One turn of the loop: apply completions, start steps, tick guards, journal. Under turn_mu_.
  /// Returns whether the run is finished.
  bool Turn();
  /// On a worker after its completion: runs turns while completions wait, unless another thread
  /// is in one (which looks at the completions again after it).
  void TurnOnWorker();
  bool HasCompletions();
  /// What the main loop knew when its turn ended.
  struct WaitPlan {
    Millis deadline = -1;  ///< NextDeadline()
    bool in_flight = false;
    bool stopping = false;
  };
  /// The main loop's wait for a completion, a signal, a deadline or the end of the run.
  void WaitForWork(const WaitPlan& plan);
  Millis NextDeadline() const;
  bool Finished() const;
  /// Interrupted, or the journal failed: no guard phase starts.
  bool Halted() const { return stopping_ || journal_broken_; }
  /// Whether a step carried over from the last run is still being settled or its require checked
  /// again: nothing new starts before they are known to be sound.
  bool Settling() const;
  RunResult Summarize();
  uint64_t WriteJournal();  ///< this turn's records to the file; 0 when the journal broke
  void SyncJournal(uint64_t mark);
  void JournalBroke(const std::string& err);

  // executor_phases.cc: the step machine.
  void Begin(int i);
  void Enter(int i, Phase phase);
  bool IsGuardPhase(Phase p) const;
  void GuardTick();
  void OnGuards(const Completion& c);
  /// The first point of the poll grid of interval `every` at or after `at`: the waits of all steps
  /// with one interval poll at the same instants, so their queries share one tick.
  Millis NextPoll(Millis at, Millis every) const;
  void ApplyObservations(int i, const std::vector<GuardObservation>& obs);
  void ApplySettle(int i, const std::vector<GuardObservation>& obs);
  void ApplyRecheck(int i, const std::vector<GuardObservation>& obs);
  bool RetryFailedQueries(int i, const std::vector<GuardObservation>& obs);
  /// Backs off before retry number `failures` of a step's commands or fetch, if it has retries
  /// left: says so and returns true.
  bool BackOff(int i, int failures, const std::string& error, bool refetch);
  void ApplyCheck(int i, const std::vector<GuardObservation>& obs);
  void ApplyWait(int i, const GuardObservation& obs);
  void ConfirmGate(int i);
  void OnConfirm(int i, const Completion& c);
  void StartAttempt(int i);
  void OnAttempt(int i, const Completion& c);
  void OnFetch(int i, const Completion& c);
  void Succeed(int i, StepState state, const std::string& message);
  void Fail(int i, const std::string& message, int exit_code = -1);
  void Await(int i, StepState state, const std::string& message);
  void Abandon(int i);
  void Record(int i);
  void Emit(ExecEvent::Type type, int i, const std::string& message,
            std::vector<std::string> details = {});

  // executor_jobs.cc: work done on worker threads.
  /// `mark`: the journal mark to make durable once the first command has started, if it is not.
  Completion RunAttempt(int i, int attempt, std::vector<std::vector<std::string>> argvs,
                        uint64_t mark);
  Completion RunFetch(int i);
  Completion AskAtPrompt(int i);
  /// Work for a worker, posted at the end of the turn that journaled its step's start.
  struct Job {
    int step = 0;
    /// Gets the mark of that turn's journal write (see RunAttempt).
    std::function<Completion(uint64_t mark)> run;
    /// What must be durable before the job starts: 0 = everything up to that turn's write, its
    /// step's start among it. For a step that resume would run again anyway, only what its start
    /// rests on (see MayStartBeforeSync), so its command starts while the journal is synced.
    uint64_t durable_before = 0;
  };
  /// Whether step i's command may start before this turn's records are durable.
  bool MayStartBeforeSync(int i) const;
  /// Arms the ready steps that start next as job slots free (see JournalRecord::kArm): their
  /// `arm` records are synced while the running steps run, so each starts without waiting for the
  /// disk. Only steps that go straight to their commands and would be asked about after a stop.
  /// At most jobs * arm_depth_ of them, in plan order.
  void ArmNext();
  void PostJob(uint64_t mark, Job job);
  /// Queues `c` for the next turn; `wake`: wakes the main loop for it.
  void Complete(Completion c, bool wake = true);
  std::string AbsLog(int i) const;

  /// Appends to the step's log (created if need be); a log that cannot be written is skipped.
  void AppendToLog(int i, const std::string& text) const;

  const Plan& plan_;
  ExecutorEnv env_;
  ExecutorOptions opt_;
  std::string state_mark_;  ///< the state directory, canonical: ASMPLAN_STATE_DIR of commands
  Secrets no_secrets_;
  const Secrets& secrets_;
  Scheduler sched_;
  std::vector<StepRun> runs_;
  bool tick_out_ = false;  ///< a tick is on guard_pool_: guards due meanwhile go in the next
  Millis anchor_ms_ = 0;   ///< monotonic, the run's start: the origin of the poll grid
  /// Posted with the next journal write, dropped if it fails.
  std::vector<Job> to_post_;
  std::vector<int> arming_;  ///< steps armed this turn: their armed_mark is its write's
  static constexpr uint64_t kArming = UINT64_MAX;
  int armed_waiting_ = 0;  ///< steps armed and not started: at most jobs * arm_depth_
  /// How many steps per job are armed ahead: 1, doubled (up to kMaxArmDepth) each time an armed
  /// step's arm was not yet durable when it started, back to 1 when one was armed more than
  /// kArmAgedMs before it started. Steps of a few milliseconds need several turns' arms in one
  /// group commit (see JournalWriter::SyncLater); slower ones arm one each, so a power loss
  /// leaves few steps to settle that never started. 16 covers the sync thread's cycle (its 5 ms
  /// pause, then an fdatasync that now and then takes a few ms) for steps of half a millisecond:
  /// with 8, a 10k-step run of `true` at -j1 waited for the disk before one step in 17 (0.3 s of
  /// its 8.7), with 16 before 6 of them.
  int arm_depth_ = 1;
  static constexpr int kMaxArmDepth = 16;
  static constexpr Millis kArmAgedMs = 100;
  int in_flight_ = 0;
  /// The mark of the last turn that made a step ready (a dependency's end), or of the session's
  /// first turn (its record) when later; 0 before it: what the start of a step ready before this
  /// turn rests on.
  uint64_t rests_on_mark_ = 0;
  uint64_t written_mark_ = 0;          ///< the mark of the last turn's journal write; 0 before it
  uint64_t releases_before_turn_ = 0;  ///< sched_.releases() when this turn began
  bool stopping_ = false;              ///< interrupted: start nothing, end guard phases
  bool failed_ = false;                ///< a step failed: start nothing new
  /// A step carried over from the last run needs a decision, or does not hold its require now
  /// (kubectl may point at another cluster): start nothing new either.
  bool held_ = false;
  int carried_waiting_ = 0;  ///< steps carried over `running` from the last run, not begun yet
  bool journal_broken_ = false;
  std::string journal_error_;
  Millis last_tick_ms_ = 0;
  RunResult result_;
  std::set<int> live_;  ///< steps started and not yet ended this session

  /// One turn at a time, on the main thread or on a worker after its job (so a finished command's
  /// successor starts without a hand-off between threads): guards the scheduling state above
  /// (from runs_), which only turns touch. Jobs read plan_, opt_, secrets_ and log paths.
  std::mutex turn_mu_;
  bool finished_ = false;  ///< a turn found the run finished: no turn follows
  std::mutex mu_;          ///< guards what follows
  std::deque<Completion> completions_;
  Millis turn_deadline_ = -1;  ///< the earliest deadline workers' turns left since the main wait
  Millis main_deadline_ = -1;  ///< what the main loop waits until (-1: until woken)
  /// A worker's turn finished the run, or left nothing in flight: the main loop takes a turn.
  bool main_wanted_ = false;
  std::condition_variable cv_;
  std::atomic<int> signal_{0};
  std::atomic<bool> cancel_{false};  ///< set on interrupt: stops a fetch, and unspawned commands
  /// Set when nothing new starts any more (a signal, a failure, a held or broken run): an open
  /// confirm prompt is then withdrawn unanswered.
  std::atomic<bool> withdraw_prompts_{false};
  std::mutex prompt_mu_;  ///< one confirm prompt at a time on the terminal

  // Last, so that they are destroyed first: their threads, joined then, use the members above.
  std::unique_ptr<WorkerPool> pool_;
  /// Runs the guard ticks, one at a time, so a slow query holds up no completion, start or
  /// journal write (only the next tick).
  std::unique_ptr<WorkerPool> guard_pool_;
};

}  // namespace asmplan
