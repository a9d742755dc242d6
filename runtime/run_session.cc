#include "runtime/run_session.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "compiler/compiled_plan_io.h"
#include "compiler/duration_text.h"
#include "compiler/plan_summary.h"
#include "runtime/durable_file.h"
#include "runtime/leftover_commands.h"
#include "runtime/line_reporter.h"
#include "runtime/plan_diff.h"
#include "runtime/state_lock.h"

namespace asmplan {
namespace {

SessionResult Error(SessionStatus status, std::string message) {
  SessionResult r;
  r.status = status;
  r.message = std::move(message);
  return r;
}

SessionStatus StatusOf(RunResult::Outcome o) {
  switch (o) {
    case RunResult::Outcome::kSucceeded:
      return SessionStatus::kSucceeded;
    case RunResult::Outcome::kFailed:
      return SessionStatus::kFailed;
    case RunResult::Outcome::kAwaiting:
      return SessionStatus::kAwaiting;
    case RunResult::Outcome::kInterrupted:
      return SessionStatus::kInterrupted;
  }
  return SessionStatus::kFailed;
}

/// Tells the operator `message` now, as a note event; false when there is no reporter to say it.
bool Say(const SessionServices& svc, const std::string& message) {
  if (svc.env.reporter == nullptr || svc.env.clock == nullptr) return false;
  ExecEvent e;
  e.type = ExecEvent::Type::kNote;
  e.wall_ms = svc.env.clock->WallMs();
  e.message = message;
  svc.env.reporter->OnEvent(e);
  return true;
}

/// Secrets shorter than this are warned about: their redaction hides ordinary text too.
constexpr size_t kShortSecret = 6;
/// The lock, the executor's inputs, and what the session says at the end.
struct Session {
  std::unique_ptr<StateLock> lock;
  std::unique_ptr<JournalWriter> journal;
  Secrets secrets;
  SessionResult result;
  std::string boot_id;  ///< journaled with the session (v3 journals only); arms steps when known

  /// Adds `text` to what is said when the run starts.
  void Note(const std::string& text) { result.note += (result.note.empty() ? "" : "; ") + text; }
  /// Loads the secrets of `plan`; notes those short enough to hide ordinary text when redacted.
  bool LoadSecrets(const Plan& plan, const SessionServices& svc, std::string* err) {
    if (!secrets.Load(plan, svc.getenv, err)) return false;
    if (svc.env.guards) svc.env.guards->SetSecrets(secrets);
    for (const std::string& name : secrets.ShorterThan(kShortSecret)) {
      Note("secret `" + name + "` is shorter than " + std::to_string(kShortSecret) +
           " characters: wherever its value appears in output, logs, events or the journal, even "
           "inside other words, it is shown as ***");
    }
    return true;
  }
};

/// The step of `plan` named `id`, or nullptr.
const Step* FindStep(const Plan& plan, const std::string& id) {
  auto it = std::find_if(plan.steps.begin(), plan.steps.end(),
                         [&](const Step& st) { return st.id == id; });
  return it == plan.steps.end() ? nullptr : &*it;
}

/// Every step `--rerun` and `--mark-done` name is in `plan`, and every `--approve` names one with a
/// confirm gate, checked before anything is journaled (a typo must not leave an accepted plan
/// change behind).
bool CheckStepNames(const Plan& plan, const ResumeRequest& req, Session* s) {
  std::string err = UnknownStepError(plan, req);
  if (!err.empty()) s->result = Error(SessionStatus::kInvalid, err);
  return err.empty();
}

std::string HoldsARun(const std::string& dir) {
  return "state directory " + dir + " holds a run already; continue it with `asmplan resume " +
         "--state-dir " + dir + "`, or start afresh with another --state-dir";
}

bool Lock(const std::string& dir, Session* s) {
  std::string err;
  if (!MakeDirectories(dir, &err)) {
    s->result = Error(SessionStatus::kFailed, err);
    return false;
  }
  bool other = false;
  std::string note;
  s->lock = StateLock::Acquire(dir, &other, &note, &err);
  if (!note.empty()) s->Note(note);
  if (!s->lock) s->result = Error(other ? SessionStatus::kLocked : SessionStatus::kFailed, err);
  return s->lock != nullptr;
}

SessionResult Execute(const Plan& plan, const RunRequest& req, const SessionServices& svc,
                      Session* s, const std::unordered_map<std::string, StepRecord>& initial,
                      const char* session) {
  ExecutorEnv env = svc.env;
  env.journal = s->journal.get();
  env.secrets = &s->secrets;
  ExecutorOptions opt;
  opt.state_dir = req.state_dir;
  opt.jobs = req.jobs;
  opt.assume_yes = req.assume_yes;
  opt.approved = req.approved;
  opt.session = session;
  opt.boot_id = s->boot_id;
  // Absolute, so the hint works pasted in any directory.
  opt.resume_command = "asmplan resume --state-dir " + DisplayWord(AbsolutePath(req.state_dir));
  // Said when it happens (a lock taken over, changes accepted), not after the run.
  if (!s->result.note.empty() && Say(svc, s->result.note)) s->result.note.clear();
  Executor exec(plan, env, opt);
  if (svc.on_executor) svc.on_executor(&exec);
  RunResult r = exec.Run(initial);
  if (svc.on_executor) svc.on_executor(nullptr);
  SessionResult out = s->result;
  out.status = StatusOf(r.outcome);
  out.message = r.summary;
  return out;
}

/// A directory with nothing in it, not a symlink to one (what a start killed before its journal
/// leaves of logs/ and workspace/).
bool IsEmptyDirectory(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  DIR* d = fd < 0 ? nullptr : ::fdopendir(fd);
  if (d == nullptr) {
    if (fd >= 0) ::close(fd);
    return false;
  }
  bool empty = true;
  while (const dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) empty = false;
  }
  ::closedir(d);
  return empty;
}

}  // namespace

std::string NotForNewRun(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return "";
  if (!S_ISDIR(st.st_mode)) return "--state-dir " + dir + " is not a directory";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    return "cannot list state directory " + dir + ": " + std::strerror(errno) +
           " (a run must see what is in it before writing there)";
  }
  std::vector<std::string> names;
  bool lock = false, plan = false, journal = false;
  while (const dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    // A new file system's lost+found is not someone's work.
    if (name == "." || name == ".." || name == "lost+found") continue;
    lock = lock || name == "lock";
    plan = plan || name == "plan.yaml";
    journal = journal || name == "journal";
    bool temporary = name.rfind("plan.yaml.tmp.", 0) == 0 || name.rfind("journal.tmp.", 0) == 0;
    // A new run makes logs/ and workspace/ before its plan and journal: empty, they are a start's.
    bool started = (name == "logs" || name == "workspace") && IsEmptyDirectory(dir + "/" + name);
    if (name != "lock" && name != "plan.yaml" && !temporary && !started) names.push_back(name);
  }
  ::closedir(d);
  if (journal) return HoldsARun(dir);
  if (plan && !lock) names.push_back("plan.yaml");  // a killed run's has its lock beside it
  if (names.empty()) return "";
  std::sort(names.begin(), names.end());
  std::string list;
  for (size_t i = 0; i < names.size() && i < 3; ++i) list += (i ? ", `" : "`") + names[i] + "`";
  if (names.size() > 3) list += " and " + std::to_string(names.size() - 3) + " more";
  return "state directory " + dir + " is not empty and holds no asmplan run (it has " + list +
         "): a run would write over what is there; choose a new or empty directory";
}

/// "the plan has no step `ID`", and when ID names a `for` group, which steps it has (at most 5).
std::string NoStepText(const Plan& plan, const std::string& id) {
  std::string text = "the plan has no step `" + id + "`";
  std::string steps;
  size_t count = 0;
  for (const Step& s : plan.steps) {
    if (s.group == id && ++count <= 5) steps += (steps.empty() ? "`" : ", `") + s.id + "`";
  }
  if (count > 5) steps += " and " + std::to_string(count - 5) + " more";
  if (count > 0) text += "; it is a group of steps, name one of them: " + steps;
  return text;
}

std::string UnknownStepError(const Plan& plan, const ResumeRequest& req) {
  std::vector<std::pair<const char*, std::string>> named;
  for (const std::string& id : req.rerun) named.emplace_back("--rerun", id);
  if (!req.mark_done.empty()) named.emplace_back("--mark-done", req.mark_done);
  for (const auto& [option, id] : named) {
    if (!FindStep(plan, id)) return std::string(option) + ": " + NoStepText(plan, id);
  }
  // One would be silently ignored: the step is either run again or recorded as done.
  for (const std::string& id : req.rerun) {
    if (id == req.mark_done)
      return "--rerun " + id + " and --mark-done " + id + " contradict each other: give one";
  }
  for (const std::string& id : req.approved) {
    const Step* step = FindStep(plan, id);
    if (!step) return "--approve: " + NoStepText(plan, id);
    if (step->confirm.empty())
      return "--approve: the plan has no step `" + id + "` with a confirm gate";
  }
  return "";
}

SessionResult StartRun(const Plan& plan, const std::string& plan_text, const RunRequest& req,
                       const SessionServices& svc) {
  Session s;
  std::string err;
  if (!s.LoadSecrets(plan, svc, &err)) return Error(SessionStatus::kInvalid, err);
  ResumeRequest approvals;
  approvals.approved = req.approved;
  if (!CheckStepNames(plan, approvals, &s)) return s.result;
  std::string unfit = NotForNewRun(req.state_dir);
  if (!unfit.empty()) return Error(SessionStatus::kInvalid, unfit);
  if (!Lock(req.state_dir, &s)) return s.result;
  s.boot_id = BootId();
  std::string journal = req.state_dir + "/journal";
  if (::access(journal.c_str(), F_OK) == 0) {  // one that started since NotForNewRun looked
    return Error(SessionStatus::kInvalid, HoldsARun(req.state_dir));
  }
  // The executor's logs/ and workspace/ are made here without a sync of their own: the renames of
  // the plan and the journal below sync the directory, and their entries with it. (The executor
  // makes them, and says why it cannot, when they are missing.) Left empty by a start that was
  // killed or failed before its journal, they do not keep the directory from a new run.
  for (const char* sub : {"/logs", "/workspace"}) ::mkdir((req.state_dir + sub).c_str(), 0755);
  // The plan is stored first: a journal never exists without the plan it is bound to.
  if (!WriteFileAtomic(req.state_dir + "/plan.yaml", plan_text, &err)) {
    return Error(SessionStatus::kFailed, err);
  }
  s.journal = JournalWriter::Create(journal, plan.sha256, &err);
  if (!s.journal) return Error(SessionStatus::kFailed, err);
  return Execute(plan, req, svc, &s, {}, "run");
}

}  // namespace asmplan

namespace asmplan {
namespace {

JournalRecord Rec(JournalRecord::Kind kind, Clock* clock, const std::string& step = "") {
  JournalRecord r;
  r.kind = kind;
  r.wall_ms = clock->WallMs();
  r.step = step;
  return r;
}

/// Loads STATE/plan.yaml, finishing an --accept-changes that a crash interrupted: the new plan
/// waits in plan.next.yaml until the journal's accept record is durable. A plan.yaml that is not
/// the run's is bad input (exit 2), as for `status`.
bool LoadStoredPlan(const std::string& dir, const std::string& bound_sha, Plan* plan,
                    SessionResult* result) {
  std::string err;
  bool pending = false;
  if (!ReadStoredPlan(dir, bound_sha, plan, &pending, &err)) {
    *result = Error(SessionStatus::kInvalid, err);
    return false;
  }
  std::string path = dir + "/plan.yaml", next = dir + "/plan.next.yaml";
  if (pending && (::rename(next.c_str(), path.c_str()) != 0 || !SyncDirectory(dir, &err))) {
    *result = Error(SessionStatus::kFailed,
                    err.empty() ? "cannot rename " + next + ": " + strerror(errno) : err);
    return false;
  }
  return true;
}

}  // namespace

bool ReadStoredPlan(const std::string& dir, const std::string& bound_sha, Plan* plan, bool* pending,
                    std::string* err) {
  std::string text;
  std::string path = dir + "/plan.yaml", next = dir + "/plan.next.yaml";
  *pending = false;
  if (!ReadWholeFile(path, &text, err) || !ReadCompiledPlan(text, plan, err)) {
    // Not a plan someone compiles: the run's own copy of the one it was started with.
    const std::string_view recompile = kCompileAgain;
    if (err->size() > recompile.size() &&
        err->compare(err->size() - recompile.size(), recompile.size(), recompile) == 0) {
      err->resize(err->size() - recompile.size());
      *err += "; put back the plan the run was started with (sha256 " + bound_sha.substr(0, 12) +
              "...)";
    }
    *err = path + ": " + *err;
    return false;
  }
  if (plan->sha256 == bound_sha) return true;
  Plan waiting;
  std::string ignored;
  if (ReadWholeFile(next, &text, &ignored) && ReadCompiledPlan(text, &waiting, &ignored) &&
      waiting.sha256 == bound_sha) {
    *plan = std::move(waiting);
    *pending = true;
    return true;
  }
  *err = path + " (" + plan->sha256.substr(0, 12) +
         ") is not the plan this run's journal is bound to (" + bound_sha.substr(0, 12) +
         "): the state directory's plan was replaced; put back the one the run was started with";
  return false;
}

namespace {

/// Whether the run may continue with the given plan: none of the steps that differ has started,
/// and --accept-changes says so. Checked before anything is journaled or cut.
bool ChangesAllowed(const ResumeRequest& req, const Checkpoint& cp, const Plan& plan, Session* s) {
  std::vector<StepChange> changes = DiffSteps(plan, *req.plan);
  std::string started;
  for (const StepChange& c : changes) {
    auto it = cp.steps.find(c.step);
    // Started: a command ran, or its outcome is recorded. A step stopped at its confirm gate or
    // by its `require` ran nothing, and may change.
    StepState state = it == cp.steps.end() ? StepState::kPending : it->second.state;
    if (it != cp.steps.end() && (it->second.attempts > 0 || state == StepState::kRunning ||
                                 state == StepState::kSucceeded || state == StepState::kSkipped)) {
      started +=
          (started.empty() ? "" : ", ") + c.step + " (" + StepStateName(it->second.state) + ")";
    }
  }
  std::string what = "the plan differs from the one this run started with (run " +
                     plan.sha256.substr(0, 12) + ", given " + req.plan->sha256.substr(0, 12) +
                     "); steps that differ: " + (changes.empty() ? "none" : ChangeList(changes));
  if (!started.empty()) {
    s->result = Error(SessionStatus::kPlanChanged,
                      what + "; already started: " + started +
                          ", so this run cannot continue with it; start a new run with another "
                          "--state-dir");
    return false;
  }
  if (!req.accept_changes) {
    s->result = Error(SessionStatus::kPlanChanged,
                      what +
                          "; none of them has started: pass --accept-changes to continue "
                          "with the new plan");
    return false;
  }
  return true;
}

/// Switches the run over to the given plan (ChangesAllowed() said it may).
bool AcceptChanges(const ResumeRequest& req, const SessionServices& svc, Plan* plan, Session* s) {
  std::vector<StepChange> changes = DiffSteps(*plan, *req.plan);
  Plan copy = *req.plan;
  std::string err, next = req.state_dir + "/plan.next.yaml";
  if (!WriteFileAtomic(next, WriteCompiledPlan(&copy), &err)) {
    s->result = Error(SessionStatus::kFailed, err);
    return false;
  }
  JournalRecord r = Rec(JournalRecord::Kind::kAcceptChanges, svc.env.clock);
  r.text = copy.sha256;
  s->journal->Append(r);
  if (!s->journal->Sync(&err) ||
      ::rename(next.c_str(), (req.state_dir + "/plan.yaml").c_str()) != 0 ||
      !SyncDirectory(req.state_dir, &err)) {
    s->result = Error(SessionStatus::kFailed, err.empty() ? "cannot replace plan.yaml" : err);
    return false;
  }
  s->Note("continuing with the changed plan; changed steps: " + ChangeList(changes));
  *plan = std::move(copy);
  return true;
}

/// Journals --rerun (its step names checked by CheckStepNames).
void Rerun(const ResumeRequest& req, const SessionServices& svc, Checkpoint* cp, Session* s) {
  for (const std::string& id : req.rerun) {
    s->journal->Append(Rec(JournalRecord::Kind::kRerun, svc.env.clock, id));
    StepRecord& rec = cp->steps[id];
    rec.state = StepState::kPending;
    rec.message = "rerun requested";
    JournalRecord r = Rec(JournalRecord::Kind::kStep, svc.env.clock, id);
    r.record = rec;
    s->journal->Append(r);
  }
}

std::string VerifyProblem(const Step& step, const SessionServices& svc, const Secrets& secrets) {
  if (step.verify.empty()) return "it has no verify guard to confirm it";
  std::vector<Guard> guards;
  for (const Guard& g : step.verify) guards.push_back(secrets.Substitute(g));
  std::vector<const Guard*> ptrs;
  for (const Guard& g : guards) ptrs.push_back(&g);
  std::vector<GuardObservation> obs = svc.env.guards->Evaluate(ptrs);
  if (obs.size() != step.verify.size()) return "the guard evaluator gave no answer";
  for (size_t i = 0; i < step.verify.size(); ++i) {
    if (!obs[i].holds) return secrets.Redact(UnmetGuardText("verify", step.verify[i], obs[i]));
  }
  return "";
}

/// --mark-done without --force is refused, before anything is journaled, unless the step's verify
/// holds now (its name checked by CheckStepNames).
bool MarkDoneAllowed(const Plan& plan, const ResumeRequest& req, const SessionServices& svc,
                     Session* s) {
  if (req.mark_done.empty() || req.force) return true;
  std::string problem = VerifyProblem(*FindStep(plan, req.mark_done), svc, s->secrets);
  if (problem.empty()) return true;
  s->result = Error(SessionStatus::kFailed, "cannot mark `" + req.mark_done + "` done: " + problem +
                                                "\npass --force to mark it done anyway");
  return false;
}

/// Journals --mark-done (allowed by MarkDoneAllowed).
void MarkDone(const ResumeRequest& req, const SessionServices& svc, Checkpoint* cp, Session* s) {
  const std::string& id = req.mark_done;
  JournalRecord m = Rec(JournalRecord::Kind::kMarkDone, svc.env.clock, id);
  m.text = s->secrets.Redact(req.reason);
  m.number = req.force ? 1 : 0;
  s->journal->Append(m);
  StepRecord& rec = cp->steps[id];
  rec.state = StepState::kSucceeded;
  rec.ended_ms = svc.env.clock->WallMs();
  rec.message = "marked done" + std::string(req.force ? " (forced)" : "") + ": " + m.text;
  JournalRecord r = Rec(JournalRecord::Kind::kStep, svc.env.clock, id);
  r.record = rec;
  s->journal->Append(r);
  s->Note("marked `" + id + "` done" +
          (req.force ? " without checking its verify (--force)" : ", its verify holds") + ": " +
          m.text);
}

constexpr Millis kLeftoverPollMs = 100;
/// A look that finds none, while some process reads with an empty environment (one in the middle
/// of an exec shows none for a moment), is repeated this often, this far apart.
constexpr int kLeftoverRescans = 5;
constexpr Millis kLeftoverRescanMs = 20;

/// One line per command: "\n  pid 9392 (kubectl), step a, running for 3s". Not its arguments:
/// they may hold a secret's value, perhaps one since rotated, which no redaction would know.
std::string CommandList(const std::vector<LeftoverCommand>& commands, const Secrets& secrets) {
  std::string listed;
  for (const LeftoverCommand& c : commands) {
    listed +=
        "\n  pid " + std::to_string(c.pid) +
        (c.program.empty() ? "" : " (" + Printable(secrets.Redact(c.program)) + ")") + ", step " +
        Printable(c.step) +
        (c.running_ms >= 0 ? ", running for " + FormatDuration(c.running_ms / 1000 * 1000) : "");
  }
  return listed;
}

/// Before resume acts: a command that a killed executor started for a step it left `running` may
/// still run on this host, and settling that step, or starting it again, beside it would act
/// twice. Waits up to kLeftoverGraceMs for such commands to end (saying so; a signal stops the
/// wait), then refuses (exit 4, like a held lock), naming each and how to stop it.
bool NoLeftoverCommands(const ResumeRequest& req, const SessionServices& svc, const Checkpoint& cp,
                        Session* s) {
  bool cut_off = std::any_of(cp.steps.begin(), cp.steps.end(), [](const auto& step) {
    return step.second.state == StepState::kRunning;
  });
  if (!cut_off || svc.env.clock == nullptr) return true;
  // Commands on another host cannot be seen from here: said, not assumed away.
  std::string host;
  for (const JournalRecord& r : cp.history) {
    if (r.kind == JournalRecord::Kind::kSession) host = r.host;
  }
  if (!host.empty() && host != HostName()) {
    Say(svc, "the last session ran on host " + Printable(host) +
                 ": commands it left running there cannot be seen from here");
  }
  Clock* clock = svc.env.clock;
  auto scan = [&] {
    ProcessScan found = FindCutOffCommands(req.state_dir, cp);
    for (int i = 0; i < kLeftoverRescans && found.commands.empty() && found.unsure > 0; ++i) {
      clock->SleepMs(kLeftoverRescanMs);
      found = FindCutOffCommands(req.state_dir, cp);
    }
    return found;
  };
  auto interrupted = [&] {
    if (svc.interrupted == nullptr || !svc.interrupted->load()) return false;
    s->result = Error(SessionStatus::kInterrupted,
                      "interrupted while waiting for the killed run's commands to end; nothing "
                      "was done");
    return true;
  };
  ProcessScan first = scan();
  if (!first.error.empty()) {
    Say(svc, "cannot look for commands the killed run left running (" + first.error +
                 "): going on without knowing");
    return true;
  }
  std::vector<LeftoverCommand> left = first.commands;
  if (left.empty()) return true;
  Say(svc, "waiting up to " + FormatDuration(kLeftoverGraceMs) +
               " for commands the killed run left running to end:" + CommandList(left, s->secrets));
  for (Millis deadline = clock->NowMs() + kLeftoverGraceMs;
       !left.empty() && clock->NowMs() < deadline;) {
    if (interrupted()) return false;
    clock->SleepMs(kLeftoverPollMs);
    left = scan().commands;
  }
  if (interrupted()) return false;
  if (left.empty()) return true;
  std::string kill = "kill -TERM --";
  std::vector<long> groups;
  for (const LeftoverCommand& c : left) {
    // Never group 1 (kill -1 is every process) nor ours.
    if (c.pgid <= 1 || c.pgid == ::getpgrp() ||
        std::find(groups.begin(), groups.end(), c.pgid) != groups.end())
      continue;
    groups.push_back(c.pgid);
    kill += " -" + std::to_string(c.pgid);
  }
  std::string stop = groups.empty() ? "stop them"
                                    : "stop them (`" + kill + "`; `pgrep -a -g " +
                                          std::to_string(groups[0]) + "` shows a group first)";
  s->result = Error(SessionStatus::kLocked,
                    "commands started by a killed run in " + AbsolutePath(req.state_dir) +
                        " are still running:" + CommandList(left, s->secrets) +
                        "\nresuming now would act beside them: wait for them to end, or " + stop +
                        ", then resume again");
  return false;
}

}  // namespace

SessionResult ResumeRun(const ResumeRequest& req, const SessionServices& svc) {
  Session s;
  // A mistyped --state-dir must not leave a new directory, or a lock file, behind.
  struct stat st {};
  std::string err, journal = req.state_dir + "/journal";
  const char* missing = ::stat(req.state_dir.c_str(), &st) != 0 ? "no such directory"
                        : !S_ISDIR(st.st_mode)                  ? "not a directory"
                        : ::access(journal.c_str(), F_OK) != 0  ? "it has no journal"
                                                                : nullptr;
  if (missing != nullptr) {
    return Error(SessionStatus::kInvalid, "no run to resume in " + req.state_dir + " (" + missing +
                                              "); start one with `asmplan run`");
  }
  if (!Lock(req.state_dir, &s)) return s.result;
  Checkpoint cp;
  // A checkpoint that cannot be read is bad input (exit 2), not a failed step.
  if (!LoadJournal(journal, &cp, &err)) return Error(SessionStatus::kInvalid, err);
  std::string boot = BootId();
  // Records a v2 journal has no room for are not added to it.
  if (cp.version >= 3) s.boot_id = boot;
  std::vector<std::string> maybe = ResolveArms(&cp, boot);
  if (!maybe.empty()) {
    std::string listed;
    for (const std::string& id : maybe) listed += (listed.empty() ? "" : ", ") + id;
    const char* why = boot.empty() ? "this machine's boot ID cannot be read"
                      : cp.boot_id == boot
                          ? "the journal ends in a torn record, which a failed disk write can leave"
                          : "the machine restarted since the last session, or this is another one";
    s.Note(std::string(maybe.size() == 1 ? "a step" : "steps") +
           " about to start when the run stopped may have started (" + why + "): " + listed +
           "; each is settled as a step cut off while running");
  }
  Plan plan;
  if (!LoadStoredPlan(req.state_dir, cp.plan_sha256, &plan, &s.result)) return s.result;
  // Everything that can refuse this resume is checked against the plan it would run before
  // anything is journaled: a refusal leaves no accepted plan change behind.
  bool changed = req.plan && req.plan->sha256 != plan.sha256;
  const Plan& target = changed ? *req.plan : plan;
  if (!CheckStepNames(target, req, &s)) return s.result;
  if (!s.LoadSecrets(target, svc, &err)) return Error(SessionStatus::kInvalid, err);
  if (!NoLeftoverCommands(req, svc, cp, &s)) return s.result;
  if (!MarkDoneAllowed(target, req, svc, &s)) return s.result;
  if (changed && !ChangesAllowed(req, cp, plan, &s)) return s.result;
  // Only now that nothing refuses this resume is a torn tail cut off (its bytes kept aside).
  s.journal = JournalWriter::OpenForAppend(journal, cp.valid_bytes, &err);
  if (!s.journal) return Error(SessionStatus::kFailed, err);
  if (cp.torn_tail) {
    s.Note(
        "ignored a torn last journal record (the executor was killed writing it); its bytes are "
        "kept in " +
        s.journal->kept_tail());
  }
  if (changed && !AcceptChanges(req, svc, &plan, &s)) return s.result;
  // Journaled as running, as they are settled: a session that ends before deciding them leaves
  // them so (its finish record would otherwise make their arms look never started).
  for (const std::string& id : maybe) {
    JournalRecord r = Rec(JournalRecord::Kind::kStep, svc.env.clock, id);
    r.record = cp.steps[id];
    if (r.record.log_path.empty()) r.record.log_path = Executor::LogPathFor(id);
    s.journal->Append(r);
  }
  Rerun(req, svc, &cp, &s);
  if (!req.mark_done.empty()) MarkDone(req, svc, &cp, &s);
  if (!s.journal->Sync(&err)) return Error(SessionStatus::kFailed, err);
  return Execute(plan, req, svc, &s, cp.steps, "resume");
}

}  // namespace asmplan
