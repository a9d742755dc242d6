// The step machine: each step moves require/skip -> confirm -> fetch -> commands -> wait ->
// verify. Guard phases are answered by GuardTick(), which asks the GuardEvaluator once for every
// guard that is due.
#include <algorithm>
#include <limits>
#include <memory>

#include "compiler/duration_text.h"
#include "runtime/argv_text.h"
#include "runtime/executor_impl.h"

namespace asmplan {
namespace {

std::string Quoted(const Guard& g) { return "`" + CanonicalText(g) + "`"; }

}  // namespace

bool Executor::Impl::IsGuardPhase(Phase p) const {
  return p == Phase::kSettle || p == Phase::kRecheck || p == Phase::kCheck || p == Phase::kWait ||
         p == Phase::kVerify;
}

void Executor::Impl::Begin(int i) {
  StepRun& run = runs_[i];
  run.started_ms = env_.clock->NowMs();
  run.began_wall_ms = env_.clock->WallMs();
  if (run.initial == StepState::kRunning) --carried_waiting_;
  live_.insert(i);
  Emit(ExecEvent::Type::kStepStarted, i, "");
  if (run.initial != StepState::kRunning) return Enter(i, Phase::kCheck);
  // Its commands had completed (their success is journaled before the waits): the run stopped
  // while it waited or verified, so it goes on from there, with its waits' full timeouts, once
  // its `require` holds again (kubectl may point at another cluster since).
  if (run.record.exit_code == 0 && !plan_.steps[i].run.empty()) {
    Emit(ExecEvent::Type::kNote, i,
         "its commands had completed when the run stopped; waiting and verifying again");
    return Enter(i, Phase::kRecheck);
  }
  Enter(i, Phase::kSettle);
}

// After a signal no guard is asked (its queries are stopped), and after a journal failure what a
// guard says could not be recorded: a step that would start polling ends as it is, and resume asks
// again. Without that it would wait for an answer that never comes, or that is lost.
void Executor::Impl::Enter(int i, Phase phase) {
  const Step& step = plan_.steps[i];
  StepRun& run = runs_[i];
  run.phase = phase;
  run.due_ms = env_.clock->NowMs();
  run.guards.clear();
  run.query_retries = 0;
  auto add = [&](const std::vector<Guard>& gs) {
    for (const Guard& g : gs) run.guards.push_back(secrets_.Substitute(g));
  };
  switch (phase) {
    case Phase::kSettle:
      // Settled only if it is done the way a finished run would have left it: its verify and
      // its waits hold (a rollout's new image can be in place while its pods are not ready).
      add(step.verify);
      if (run.guards.empty()) return ApplySettle(i, {});
      for (const WaitUntil& w : step.wait_until) run.guards.push_back(secrets_.Substitute(w.guard));
      run.status = "settling: checking verify and waits";
      break;
    case Phase::kRecheck:
      add(step.require);
      run.status = "checking require again";
      if (run.guards.empty()) return Enter(i, Phase::kWait);
      break;
    case Phase::kCheck:
      add(step.require);
      add(step.skip_if);
      run.status = "checking require and skip if";
      if (run.guards.empty()) return Enter(i, Phase::kConfirm);
      break;
    case Phase::kConfirm:
      // Nothing has run yet: after a failure elsewhere or a signal, this step does not start.
      if (Halted() || failed_ || held_) return Abandon(i);
      if (step.confirm.empty()) return Enter(i, Phase::kFetch);
      return ConfirmGate(i);
    case Phase::kFetch:
      if (step.fetch.empty()) return Enter(i, Phase::kCommands);
      ++run.fetch_tries;
      if (step.run.empty()) {
        // A fetch is a fetch-only step's attempt: journaled as running before it is posted, as a
        // command attempt is, so `status` shows it and a resume after a kill fetches again.
        if (!run.ran_commands) run.record.started_ms = run.began_wall_ms;
        run.ran_commands = true;
        ++run.record.attempts;
        run.record.state = StepState::kRunning;
        run.record.exit_code = -1;
        run.record.message.clear();
        Record(i);
      }
      run.status = "fetching " + step.fetch;
      ++in_flight_;
      to_post_.push_back({i, [this, i](uint64_t) { return RunFetch(i); }});
      return;
    case Phase::kCommands:
      if (step.run.empty()) return Enter(i, Phase::kWait);
      return StartAttempt(i);
    case Phase::kWait:
      if (run.wait_index >= step.wait_until.size()) return Enter(i, Phase::kVerify);
      run.guards.push_back(secrets_.Substitute(step.wait_until[run.wait_index].guard));
      run.wait_started_ms = run.due_ms;
      // Named as written (a secret as its ${name}), as in every other message.
      run.recorder =
          std::make_unique<FlightRecorder>(step.wait_until[run.wait_index].guard, run.due_ms);
      // The first look comes at least one interval after the commands: what they set in motion
      // (a rollout's new pods) is not visible the instant kubectl returns, and a guard checked
      // then can hold on the old state. It falls on the poll grid, as every later look does.
      if (run.wait_index == 0 && !step.run.empty()) {
        const WaitUntil& w = step.wait_until[0];
        run.due_ms = std::min(NextPoll(AddDuration(run.due_ms, w.every_ms), w.every_ms),
                              AddDuration(run.due_ms, w.timeout_ms));
      }
      run.status = "waiting until " + CanonicalText(step.wait_until[run.wait_index].guard);
      break;
    case Phase::kVerify:
      add(step.verify);
      run.status = "verifying";
      if (run.guards.empty()) return Succeed(i, StepState::kSucceeded, "");
      break;
    default:
      return;
  }
  // A guard phase: not begun once halted.
  if (Halted()) Abandon(i);
}

void Executor::Impl::GuardTick() {
  Millis now = env_.clock->NowMs();
  std::vector<Guard> guards;  // copies: the steps may move on while the tick is out
  std::vector<std::pair<int, size_t>> owners;
  std::vector<int> live(live_.begin(), live_.end());
  for (int i : live) {
    StepRun& run = runs_[i];
    if (run.due_ms > now) continue;
    if (run.phase == Phase::kBackoff && run.refetch) {
      run.refetch = false;
      if (stopping_) {
        Abandon(i);
      } else {
        Enter(i, Phase::kFetch);
      }
    } else if (run.phase == Phase::kBackoff) {
      StartAttempt(i);
    } else if (IsGuardPhase(run.phase) && !tick_out_) {
      guards.insert(guards.end(), run.guards.begin(), run.guards.end());
      owners.emplace_back(i, run.guards.size());
    }
  }
  if (owners.empty()) return;
  // One call for every due guard (the evaluator shares one query per resource kind), on a thread
  // of its own: this one goes on applying completions, starting steps and journaling meanwhile.
  // One tick at a time, as kubectl's load is: guards due while it is out go in the next one.
  ++in_flight_;
  tick_out_ = true;
  auto tick = std::make_shared<Completion>();
  tick->kind = Completion::Kind::kGuards;
  tick->owners = std::move(owners);
  auto asked_guards = std::make_shared<std::vector<Guard>>(std::move(guards));
  guard_pool_->Post([this, tick, asked_guards] {
    std::vector<const Guard*> asked;
    for (const Guard& g : *asked_guards) asked.push_back(&g);
    tick->observations = env_.guards->Evaluate(asked);
    if (tick->observations.size() != asked.size()) {
      GuardObservation bad;
      bad.error = true;
      bad.summary = "the guard evaluator returned " + std::to_string(tick->observations.size()) +
                    " results for " + std::to_string(asked.size()) + " guards";
      tick->observations.assign(asked.size(), bad);
    }
    Complete(std::move(*tick));
  });
}

void Executor::Impl::OnGuards(const Completion& c) {
  // A signal during the queries may have stopped them: what they saw is not an answer. This
  // loop turn handles the interrupt and ends these steps as they are (Interrupt() sets signal_
  // before it stops anything).
  bool stopped = signal_.load() != 0;
  tick_out_ = false;
  size_t at = 0;
  for (auto [i, count] : c.owners) {
    std::vector<GuardObservation> mine(c.observations.begin() + at,
                                       c.observations.begin() + at + count);
    at += count;
    if (!stopped && IsGuardPhase(runs_[i].phase)) ApplyObservations(i, mine);
  }
}

Millis Executor::Impl::NextPoll(Millis at, Millis every) const {
  every = std::max<Millis>(every, 1);
  if (at <= anchor_ms_) return anchor_ms_;
  Millis steps = (at - anchor_ms_ - 1) / every + 1;
  return steps > (std::numeric_limits<Millis>::max() - anchor_ms_) / every
             ? std::numeric_limits<Millis>::max()
             : anchor_ms_ + steps * every;
}

void Executor::Impl::ApplyObservations(int i, const std::vector<GuardObservation>& obs) {
  const Step& step = plan_.steps[i];
  // A wait polls on; the checks made once (require, skip if, verify, settle) ask again a few
  // times when a query failed, so one API error does not fail a step whose work is done.
  if (runs_[i].phase != Phase::kWait && RetryFailedQueries(i, obs)) return;
  switch (runs_[i].phase) {
    case Phase::kSettle:
      return ApplySettle(i, obs);
    case Phase::kRecheck:
      return ApplyRecheck(i, obs);
    case Phase::kCheck:
      return ApplyCheck(i, obs);
    case Phase::kWait:
      return ApplyWait(i, obs[0]);
    case Phase::kVerify:
      for (size_t k = 0; k < obs.size(); ++k) {
        if (!obs[k].holds) return Fail(i, UnmetGuardText("verify", step.verify[k], obs[k]));
      }
      return Succeed(i, StepState::kSucceeded, "");
    default:
      return;
  }
}

bool Executor::Impl::RetryFailedQueries(int i, const std::vector<GuardObservation>& obs) {
  constexpr int kQueryRetries = 3;  // after 2 s, 4 s and 8 s
  constexpr Millis kFirstDelay = 2'000;
  StepRun& run = runs_[i];
  auto failed =
      std::find_if(obs.begin(), obs.end(), [](const GuardObservation& o) { return o.error; });
  if (failed == obs.end() || run.query_retries >= kQueryRetries) return false;
  Millis delay = kFirstDelay << run.query_retries;
  ++run.query_retries;
  Emit(ExecEvent::Type::kNote, i,
       "a guard query failed (" + failed->summary + "); asking again in " + FormatDuration(delay) +
           " (" + std::to_string(run.query_retries) + " of " + std::to_string(kQueryRetries) + ")");
  run.due_ms = AddDuration(env_.clock->NowMs(), delay);
  return true;
}

void Executor::Impl::ApplySettle(int i, const std::vector<GuardObservation>& obs) {
  const Step& step = plan_.steps[i];
  bool holds = !obs.empty() && std::all_of(obs.begin(), obs.end(),
                                           [](const GuardObservation& o) { return o.holds; });
  if (holds) {
    return Succeed(i, StepState::kSucceeded,
                   step.wait_until.empty()
                       ? "settled: it was running when the run stopped and its verify holds"
                       : "settled: it was running when the run stopped and its verify and waits "
                         "hold");
  }
  std::string why = obs.empty()               ? "it has no verify guard"
                    : step.wait_until.empty() ? "its verify does not hold"
                                              : "its verify and waits do not all hold";
  if (RunsAgainAfterAStop(step)) {
    Emit(ExecEvent::Type::kNote, i,
         "was running when the run stopped and " + why + "; running it again (" +
             (step.idempotent    ? "idempotent"
              : step.retries > 0 ? "has retry"
                                 : "a fetch is safe to repeat") +
             ")");
    return Enter(i, Phase::kCheck);
  }
  Await(i, StepState::kRunning,
        "step `" + step.id + "` was running when the run stopped and " + why +
            "; it is neither idempotent nor retried, so decide: `" + opt_.resume_command +
            " --rerun " + step.id + "` to run it again, or `" + opt_.resume_command +
            " --mark-done " + step.id + " --reason TEXT --force` if it completed (--force: " +
            (obs.empty() ? "no verify can confirm it" : "its verify does not hold now") + ")");
}

void Executor::Impl::ApplyRecheck(int i, const std::vector<GuardObservation>& obs) {
  const Step& step = plan_.steps[i];
  for (size_t k = 0; k < obs.size(); ++k) {
    if (obs[k].holds) continue;
    // It stays `running` with its commands done: once the cause is fixed (kubectl pointed back at
    // the right cluster), the next resume goes on waiting without running its commands again.
    return Await(i, StepState::kRunning,
                 "step `" + step.id + "` was waiting when the run stopped, but now " +
                     UnmetGuardText("its require", step.require[k], obs[k]) +
                     "; put that right and continue with `" + opt_.resume_command + "`");
  }
  Enter(i, Phase::kWait);
}

void Executor::Impl::ApplyCheck(int i, const std::vector<GuardObservation>& obs) {
  const Step& step = plan_.steps[i];
  size_t n = step.require.size();
  for (size_t k = 0; k < n; ++k) {
    if (!obs[k].holds) return Fail(i, UnmetGuardText("require", step.require[k], obs[k]));
  }
  for (size_t k = n; k < obs.size(); ++k) {
    const Guard& g = step.skip_if[k - n];
    if (obs[k].error) return Fail(i, UnmetGuardText("skip if", g, obs[k]));
    if (obs[k].holds) return Succeed(i, StepState::kSkipped, "skip if " + Quoted(g) + " holds");
  }
  Enter(i, Phase::kConfirm);
}

void Executor::Impl::ApplyWait(int i, const GuardObservation& obs) {
  const Step& step = plan_.steps[i];
  StepRun& run = runs_[i];
  const WaitUntil& wait = step.wait_until[run.wait_index];
  Millis now = env_.clock->NowMs();
  run.recorder->Record(now, obs);
  if (obs.holds) {
    ++run.wait_index;
    return Enter(i, Phase::kWait);
  }
  run.status = "waiting until " + CanonicalText(wait.guard) + ": " + obs.summary;
  Emit(ExecEvent::Type::kWaiting, i, CanonicalText(wait.guard) + ": " + obs.summary,
       DetailsBeyondSummary(obs));
  Millis deadline = AddDuration(run.wait_started_ms, wait.timeout_ms);
  if (now >= deadline) {
    return Fail(i, run.recorder->TimeoutMessage(now - run.wait_started_ms));
  }
  // The next point of the poll grid at least half an interval away: an interval apart on average,
  // and at the same instants as every other wait with this interval.
  run.due_ms = std::min(
      NextPoll(AddDuration(now, std::max<Millis>(wait.every_ms, 2) / 2), wait.every_ms), deadline);
}

void Executor::Impl::ConfirmGate(int i) {
  const Step& step = plan_.steps[i];
  if (opt_.assume_yes || opt_.approved.count(step.id)) {
    Emit(ExecEvent::Type::kNote, i,
         std::string("confirmed by ") + (opt_.assume_yes ? "--yes" : "--approve") + ": " +
             step.confirm);
    return Enter(i, Phase::kFetch);
  }
  if (env_.confirmer && env_.confirmer->CanAsk()) {
    // Asked on a worker: while the operator reads the question, other steps run, poll and are
    // journaled (their waits' timeouts go on).
    runs_[i].status = "awaiting an answer at the prompt";
    ++in_flight_;
    to_post_.push_back({i, [this, i](uint64_t) { return AskAtPrompt(i); }});
    return;
  }
  Await(i, StepState::kAwaitingConfirmation,
        "step `" + step.id + "` awaits confirmation: \"" + step.confirm + "\"; continue with `" +
            opt_.resume_command + " --approve " + step.id + "` (or --yes)");
}

void Executor::Impl::OnConfirm(int i, const Completion& c) {
  const Step& step = plan_.steps[i];
  // Withdrawn (or answered just after) a signal, a failure elsewhere or a held run: nothing has
  // run, and the gate asks again on resume.
  if (Halted() || failed_ || held_ || signal_.load() != 0) return Abandon(i);
  if (c.ok) return Enter(i, Phase::kFetch);
  Await(i, StepState::kAwaitingConfirmation,
        "step `" + step.id + "` was not confirmed at the prompt; continue with `" +
            opt_.resume_command + " --approve " + step.id + "` when ready");
}

void Executor::Impl::StartAttempt(int i) {
  const Step& step = plan_.steps[i];
  StepRun& run = runs_[i];
  if (Halted()) return Abandon(i);
  run.before_attempt = std::make_unique<StepRecord>(run.record);
  run.ran_before_attempt = run.ran_commands;
  if (!run.ran_commands) run.record.started_ms = run.began_wall_ms;
  run.ran_commands = true;
  run.phase = Phase::kCommands;
  ++run.session_attempts;
  ++run.record.attempts;
  run.record.state = StepState::kRunning;
  run.record.exit_code = -1;   // 0 only once this attempt's commands succeed
  run.record.message.clear();  // it told how the last attempt ended, or "rerun requested"
  // Numbered over every session of the run, as `status` counts them.
  run.status = "running attempt " + std::to_string(run.record.attempts);
  // Journaled before the command is posted: the command starts once the journal says so (see
  // PostJob).
  Record(i);
  std::vector<std::vector<std::string>> argvs = step.run;
  for (auto& argv : argvs) {
    for (std::string& a : argv) a = secrets_.Substitute(a);
  }
  // What the live view and the log show: "attempt 2: kubectl rollout restart ... (+1 more)".
  std::string what = "attempt " + std::to_string(run.record.attempts);
  if (!argvs.empty()) what += ": " + ArgvText(argvs[0]);
  if (argvs.size() > 1) what += " (+" + std::to_string(argvs.size() - 1) + " more)";
  Emit(ExecEvent::Type::kAttemptStarted, i, what);
  ++in_flight_;
  int attempt = run.record.attempts;
  auto job = [this, i, attempt, argvs = std::move(argvs)](uint64_t mark) mutable {
    return RunAttempt(i, attempt, std::move(argvs), mark);
  };
  // An armed step's start rests on its `arm` record: its dependencies ended before it was armed.
  // (Armed steps start in a later turn than the one that armed them, with their first attempt.)
  const bool armed = run.armed_mark != 0;
  if (armed) {
    --armed_waiting_;
    if (!env_.journal->DurableThrough(run.armed_mark)) {
      arm_depth_ = std::min(arm_depth_ * 2, kMaxArmDepth);
    } else if (env_.clock->NowMs() - run.armed_ms > kArmAgedMs) {
      arm_depth_ = 1;
    }
  }
  uint64_t before = armed ? run.armed_mark : MayStartBeforeSync(i) ? rests_on_mark_ : 0;
  run.armed_mark = 0;
  to_post_.push_back({i, std::move(job), before});
}

void Executor::Impl::ArmNext() {
  const int limit = opt_.jobs * arm_depth_;
  if (opt_.boot_id.empty() || armed_waiting_ >= limit || !sched_.has_ready()) return;
  for (int i : sched_.FirstReady(static_cast<size_t>(limit))) {
    const Step& step = plan_.steps[i];
    StepRun& run = runs_[i];
    // Only a step whose commands start as soon as it begins, and which resume would not simply
    // run again (those start before their records are durable anyway).
    if (run.armed_mark != 0 || run.phase != Phase::kIdle || run.initial == StepState::kRunning ||
        step.run.empty() || !step.require.empty() || !step.skip_if.empty() ||
        !step.confirm.empty() || !step.fetch.empty() || RunsAgainAfterAStop(step))
      continue;
    JournalRecord r;
    r.kind = JournalRecord::Kind::kArm;
    r.wall_ms = env_.clock->WallMs();
    r.step = step.id;
    env_.journal->Append(r);
    run.armed_mark = kArming;
    run.armed_ms = env_.clock->NowMs();
    arming_.push_back(i);
    if (++armed_waiting_ >= limit) return;
  }
}

bool Executor::Impl::MayStartBeforeSync(int i) const {
  // Running it twice is safe by the plan's word, and what its start rests on (the session record,
  // its dependencies' ends) was written by an earlier turn: not so in the session's first turn,
  // nor in the turn that made it ready (the end of a dependency, perhaps through steps done
  // before). Its own earlier attempts do not count: a power loss that takes them runs it again.
  return RunsAgainAfterAStop(plan_.steps[i]) && rests_on_mark_ != 0 &&
         sched_.ReadyAt(i) <= releases_before_turn_;
}

void Executor::Impl::OnAttempt(int i, const Completion& c) {
  const Step& step = plan_.steps[i];
  StepRun& run = runs_[i];
  std::unique_ptr<StepRecord> before = std::move(run.before_attempt);
  if (c.nothing_ran && before) {
    // A signal came between the journaled start and the spawn: the journal says again what it
    // said before, so resume does not settle or ask about a command that never ran.
    run.record = *before;
    run.ran_commands = run.ran_before_attempt;
    Record(i);
    return Abandon(i);
  }
  if (!c.detail.empty()) Emit(ExecEvent::Type::kNote, i, "WARNING: " + c.detail);
  if (c.ok) {
    run.record.exit_code = 0;
    // Journaled when guards follow: a resume then goes on waiting instead of settling.
    if (!step.wait_until.empty() || !step.verify.empty()) Record(i);
    return Enter(i, Phase::kWait);
  }
  // Left as the journal has it (exit code -1: commands not done), which is what resume goes by;
  // an interrupted command may exit 0 (one that traps SIGTERM) with its work half done.
  if (c.result.interrupted || stopping_) return Abandon(i);
  // 0 means "commands done" to resume: a failed attempt never records it (a timed-out command
  // that traps SIGTERM exits 0).
  int exit_code = c.result.exit_code == 0 ? -1 : c.result.exit_code;
  run.record.exit_code = exit_code;
  if (BackOff(i, run.session_attempts, c.error, false)) return;
  Fail(i, c.error, exit_code);
}

bool Executor::Impl::BackOff(int i, int failures, const std::string& error, bool refetch) {
  const Step& step = plan_.steps[i];
  StepRun& run = runs_[i];
  if (failures > step.retries || journal_broken_) return false;
  Millis delay = step.backoff_ms;  // doubled per failure, at most the largest duration
  for (int k = 1; k < std::min(failures, 64); ++k) delay = AddDuration(delay, delay);
  Emit(ExecEvent::Type::kAttemptFailed, i,
       error + "; " + (refetch ? "fetching again" : "retrying") + " in " + FormatDuration(delay) +
           " (retry " + std::to_string(failures) + " of " + std::to_string(step.retries) + ")");
  run.phase = Phase::kBackoff;
  run.refetch = refetch;
  run.due_ms = AddDuration(env_.clock->NowMs(), delay);
  run.status = "retrying in " + FormatDuration(delay);
  return true;
}

void Executor::Impl::OnFetch(int i, const Completion& c) {
  if (c.ok) return Enter(i, Phase::kCommands);
  if (stopping_) return Abandon(i);
  if (BackOff(i, runs_[i].fetch_tries, c.error, true)) return;
  Fail(i, c.error);
}

}  // namespace asmplan
