// asmplan run | resume | status: execute a plan with a durable checkpoint, continue it, show it.
// Thin: options in, a RunSession with the real runner, kubectl guards and fetcher, exit code out.
//
// The state directory defaults to `.asmplan/<plan name>` under the current directory (run);
// resume and status use the only run found under `.asmplan/` unless --state-dir names one.
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "cli/commands.h"
#include "cli/run_support.h"
#include "compiler/compiled_plan_io.h"
#include "runtime/artifact/artifact_fetcher.h"
#include "runtime/checkpoint_journal.h"
#include "runtime/dry_run.h"
#include "runtime/durable_file.h"
#include "runtime/kubectl_guard_evaluator.h"
#include "runtime/leftover_commands.h"
#include "runtime/line_reporter.h"
#include "runtime/posix_command_runner.h"
#include "runtime/run_session.h"
#include "runtime/secrets.h"
#include "runtime/signal_watcher.h"
#include "runtime/state_lock.h"
#include "runtime/status_table.h"

namespace asmplan::cli {
namespace {

struct RunOptions {
  std::string file;
  std::string state_dir;
  int jobs = 4;
  bool dry_run = false;
  bool yes = false;
  std::vector<std::string> approve;
  std::string events;
  std::vector<std::string> sets;
  std::string values;
  // resume only
  std::vector<std::string> rerun;
  std::string mark_done;
  std::string reason;
  bool force = false;
  bool accept_changes = false;
};

int ExitCodeOf(SessionStatus s) {
  switch (s) {
    case SessionStatus::kSucceeded:
      return kExitOk;
    case SessionStatus::kFailed:
      return kExitFailure;
    case SessionStatus::kInvalid:
      return kExitInvalid;
    case SessionStatus::kAwaiting:
      return kExitAwaiting;
    case SessionStatus::kLocked:
      return kExitLocked;
    case SessionStatus::kPlanChanged:
      return kExitPlanChanged;
    case SessionStatus::kInterrupted:
      return kExitInterrupted;
  }
  return kExitFailure;
}

void Finish(int code) {
  if (code != kExitOk) throw CLI::RuntimeError(code);
}

/// Whether `path` is `dir` or inside it, with symlinks in the parts that exist resolved, also a
/// link to a file not there yet (appending through it would create that file).
bool InsideDirectory(const std::string& path, const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p = fs::absolute(path);
  for (int hops = 0; hops < 40 && fs::is_symlink(p, ec); ++hops) {
    fs::path target = fs::read_symlink(p, ec);
    if (ec) break;
    p = target.is_absolute() ? target : p.parent_path() / target;
  }
  p = fs::weakly_canonical(p, ec);
  fs::path d = fs::weakly_canonical(fs::absolute(dir), ec);
  auto it = p.begin();
  for (const fs::path& part : d) {
    if (part.empty()) continue;  // a trailing separator
    if (it == p.end() || *it != part) return false;
    ++it;
  }
  return true;
}

/// Whether `path` is an asmplan checkpoint journal (another run's, say): events appended to it
/// would make that run's checkpoint unreadable.
bool IsJournal(const std::string& path) {
  // Only a regular file is opened to look: a FIFO would block, a terminal would take keystrokes.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  std::ifstream in(path, std::ios::binary);
  char head[17] = {};
  return in.read(head, sizeof head) && std::string(head, sizeof head) == "asmplan journal v";
}

/// Whether `path` is another name (a hard link) of a file in `dir`: the journal, a log.
bool LinksIntoDirectory(const std::string& path, const std::string& dir) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || st.st_nlink < 2) return false;
  namespace fs = std::filesystem;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    struct stat other {};
    if (::lstat(it->path().c_str(), &other) == 0 && other.st_dev == st.st_dev &&
        other.st_ino == st.st_ino)
      return true;
  }
  return false;
}

/// Wires the real services and signals around one session; returns its exit code.
template <typename Start>
int WithServices(const RunOptions& o, Start start) {
  std::mutex mu;
  Executor* current = nullptr;
  std::atomic<bool> signalled{false};
  // Before any other thread exists, so that every thread inherits the blocked signals.
  SignalWatcher watcher([&](int sig, bool hard) {
    std::lock_guard<std::mutex> lock(mu);
    // Interrupt() sets `signalled` itself, between recording the signal (so a guard query the
    // flag stops is seen as stopped by it, not as a guard that does not hold) and signalling the
    // commands (so a query that is starting is signalled too). Without an executor, here.
    if (current) current->Interrupt(sig, hard);
    signalled.store(true);
  });
  std::string err;
  if (!EnoughOpenFiles(o.jobs, &err)) {
    std::fprintf(stderr, "error: %s\n", err.c_str());
    return kExitInvalid;
  }
  // Appending events to the journal (or anything the run keeps) would destroy the checkpoint.
  if (!o.events.empty() && InsideDirectory(o.events, o.state_dir)) {
    std::fprintf(stderr,
                 "error: --events %s is inside the state directory %s: give a file outside it\n",
                 o.events.c_str(), o.state_dir.c_str());
    return kExitInvalid;
  }
  if (!o.events.empty() && LinksIntoDirectory(o.events, o.state_dir)) {
    std::fprintf(stderr,
                 "error: --events %s is a hard link to a file of the state directory %s: give "
                 "another file\n",
                 o.events.c_str(), o.state_dir.c_str());
    return kExitInvalid;
  }
  if (!o.events.empty() && IsJournal(o.events)) {
    std::fprintf(stderr,
                 "error: --events %s is an asmplan checkpoint journal (another run's): give "
                 "another file\n",
                 o.events.c_str());
    return kExitInvalid;
  }
  std::unique_ptr<ProgressReporter> reporter = MakeReporter(o.events, &err);
  if (!reporter) {
    std::fprintf(stderr, "error: %s\n", err.c_str());
    return kExitFailure;
  }
  std::unique_ptr<CommandRunner> runner = NewPosixCommandRunner();
  KubectlOptions kubectl;
  kubectl.cancel = &signalled;  // set once Interrupt() ran: no query starts after a signal
  kubectl.command_cwd = o.state_dir + "/workspace";  // where the steps' commands run
  std::unique_ptr<GuardEvaluator> guards =
      NewKubectlGuardEvaluator(*runner, SystemClock(), kubectl);
  std::unique_ptr<ArtifactFetcher> fetcher = NewArtifactFetcher();
  TerminalConfirmer confirmer;
  SessionServices svc;
  svc.env.runner = runner.get();
  svc.env.clock = &SystemClock();
  svc.env.guards = guards.get();
  svc.env.fetcher = fetcher.get();
  svc.env.reporter = reporter.get();
  svc.env.confirmer = &confirmer;
  svc.env.interrupted = &signalled;
  svc.getenv = [](const char* name) { return std::getenv(name); };
  svc.interrupted = &signalled;
  svc.on_executor = [&](Executor* e) {
    std::lock_guard<std::mutex> lock(mu);
    current = e;
    // A signal that came during setup still stops the run.
    if (e && watcher.received()) e->Interrupt(watcher.received(), false);
  };
  SessionResult r = start(svc);
  if (!r.note.empty()) std::fprintf(stderr, "note: %s\n", r.note.c_str());
  // The run's own outcome stands (the journal has every transition); the events file does not.
  std::string events_problem = reporter->Problem();
  if (!events_problem.empty()) std::fprintf(stderr, "warning: %s\n", events_problem.c_str());
  if (!r.message.empty()) {
    // What commands and guards said, with its control bytes escaped for the terminal.
    std::fprintf(stderr, "%s%s", r.status == SessionStatus::kSucceeded ? "" : "error: ",
                 Printable(r.message).c_str());
    if (r.message.back() != '\n') std::fputc('\n', stderr);
  }
  return ExitCodeOf(r.status);
}

RunRequest Request(const RunOptions& o) {
  RunRequest r;
  r.state_dir = o.state_dir;
  r.jobs = o.jobs;
  r.assume_yes = o.yes;
  r.approved.insert(o.approve.begin(), o.approve.end());
  return r;
}

int DoRun(RunOptions o) {
  Plan plan;
  std::string text;
  if (int code = LoadPlanArgument(o.file, o.sets, o.values, &plan, &text)) return code;
  if (o.state_dir.empty()) o.state_dir = DefaultStateDir(plan);
  if (o.dry_run) {
    // Checked as the run checks it: a preview must not pass what the run refuses.
    ResumeRequest names;
    names.approved.insert(o.approve.begin(), o.approve.end());
    if (std::string problem = UnknownStepError(plan, names); !problem.empty()) {
      std::fprintf(stderr, "error: %s\n", problem.c_str());
      return kExitInvalid;
    }
    if (std::string problem = NotForNewRun(o.state_dir); !problem.empty()) {
      std::fprintf(stderr, "error: %s\n", problem.c_str());
      return kExitInvalid;
    }
    // Checked, never shown: the run refuses to start without them.
    std::string missing;
    Secrets().Load(
        plan, [](const char* name) { return std::getenv(name); }, &missing);
    std::fputs(DryRunText(plan, AbsolutePath(o.state_dir) + "/workspace", missing).c_str(), stdout);
    return kExitOk;
  }
  RunRequest req = Request(o);
  return WithServices(o,
                      [&](const SessionServices& svc) { return StartRun(plan, text, req, svc); });
}

/// A run as its state directory holds it, read without taking its lock.
struct RunOnDisk {
  Plan plan;
  Checkpoint cp;
  long lock_holder = -1;                   ///< LockHolder()
  std::vector<LeftoverCommand> leftovers;  ///< when killed: its commands still running
};

/// Reads the run in o->state_dir (the only run under .asmplan/ when not given) for `status` and
/// `resume --dry-run`. kExitOk, or the exit code after saying what is wrong.
int ReadRun(RunOptions* o, RunOnDisk* run) {
  std::string err;
  if (o->state_dir.empty() && !FindStateDir(&o->state_dir, &err)) {
    std::fprintf(stderr, "error: %s\n", err.c_str());
    return kExitInvalid;
  }
  if (::access((o->state_dir + "/journal").c_str(), F_OK) != 0) {
    std::fprintf(stderr, "error: no run in %s (it has no journal)\n", o->state_dir.c_str());
    return kExitInvalid;
  }
  // Asked before the journal is read: a run that ends in between shows its finish record, not
  // "killed".
  run->lock_holder = LockHolder(o->state_dir);
  // A checkpoint that cannot be read is bad input (exit 2), not a failed step.
  bool pending = false;  // an --accept-changes a crash cut off: resume finishes it
  if (!LoadJournal(o->state_dir + "/journal", &run->cp, &err) ||
      !ReadStoredPlan(o->state_dir, run->cp.plan_sha256, &run->plan, &pending, &err)) {
    std::fprintf(stderr, "error: %s\n", err.c_str());
    return kExitInvalid;
  }
  // As resume will see them: steps armed before the machine restarted may have started. (A live
  // run's armed steps wait for a slot; its journal may end in a write under way.)
  if (run->lock_holder <= 0) ResolveArms(&run->cp, BootId());
  // A live executor may be writing the end right now: that is not a torn record.
  if (run->cp.torn_tail && run->lock_holder <= 0) {
    std::fprintf(stderr,
                 "note: the journal ends in a torn record (the executor was killed writing it); "
                 "resume cuts it off and keeps its bytes in %s\n",
                 TornTailPath(o->state_dir + "/journal", run->cp.valid_bytes).c_str());
  }
  // A killed run's commands may outlive it (resume waits for them, then refuses).
  if (run->lock_holder == 0) run->leftovers = FindCutOffCommands(o->state_dir, run->cp).commands;
  return kExitOk;
}

int DoStatus(RunOptions o) {
  RunOnDisk run;
  if (int code = ReadRun(&o, &run)) return code;
  std::fputs(
      StatusTable(run.plan, run.cp, SystemClock().WallMs(), run.lock_holder, run.leftovers).c_str(),
      stdout);
  return kExitOk;
}

/// `resume --dry-run`: what resume would do with each step, from the checkpoint; changes nothing.
int DoResumeDryRun(RunOptions o) {
  if (!o.file.empty() || !o.mark_done.empty() || o.accept_changes) {
    std::fprintf(stderr,
                 "error: --dry-run shows what resume would do with the run's own plan; it cannot "
                 "be combined with FILE, --mark-done or --accept-changes\n");
    return kExitInvalid;
  }
  RunOnDisk run;
  if (int code = ReadRun(&o, &run)) return code;
  ResumePreview preview;
  preview.state_dir = AbsolutePath(o.state_dir);
  preview.checkpoint = &run.cp;
  preview.lock_holder = run.lock_holder;
  preview.leftovers = run.leftovers;
  ResumeRequest names;
  names.rerun = o.rerun;
  names.approved.insert(o.approve.begin(), o.approve.end());
  if (std::string problem = UnknownStepError(run.plan, names); !problem.empty()) {
    std::fprintf(stderr, "error: %s\n", problem.c_str());
    return kExitInvalid;
  }
  preview.rerun.insert(o.rerun.begin(), o.rerun.end());
  preview.approved = names.approved;
  preview.assume_yes = o.yes;
  // Checked, never shown: resume refuses to start without them.
  Secrets secrets;
  secrets.Load(
      run.plan, [](const char* name) { return std::getenv(name); }, &preview.missing_secret);
  std::fputs(ResumeDryRunText(run.plan, preview.state_dir + "/workspace", preview).c_str(), stdout);
  return kExitOk;
}

int DoResume(RunOptions o) {
  if (o.dry_run) return DoResumeDryRun(o);
  std::string err;
  if (o.state_dir.empty() && !FindStateDir(&o.state_dir, &err)) {
    std::fprintf(stderr, "error: %s\n", err.c_str());
    return kExitInvalid;
  }
  Plan plan;
  std::string text;
  if (!o.file.empty()) {
    if (int code = LoadPlanArgument(o.file, o.sets, o.values, &plan, &text)) return code;
  }
  ResumeRequest req;
  static_cast<RunRequest&>(req) = Request(o);
  req.plan = o.file.empty() ? nullptr : &plan;
  req.accept_changes = o.accept_changes;
  req.rerun = o.rerun;
  req.mark_done = o.mark_done;
  req.reason = o.reason;
  req.force = o.force;
  return WithServices(o, [&](const SessionServices& svc) { return ResumeRun(req, svc); });
}

/// Refuses an empty --state-dir, which would otherwise quietly mean the default one (and an empty
/// --events, quietly no events file: an unset variable, say).
CLI::Validator NotEmpty() {
  return CLI::Validator(
      [](std::string& text) { return text.empty() ? std::string("must not be empty") : ""; }, "");
}

void AddCommon(CLI::App* cmd, RunOptions* o, const char* state_dir_help) {
  cmd->add_option("--state-dir", o->state_dir, state_dir_help)->check(NotEmpty());
  cmd->add_option("--jobs,-j", o->jobs, "steps active at once, 1 to 1000 (default 4)")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            size_t used = 0;
            int n = 0;
            try {
              n = std::stoi(text, &used);
            } catch (const std::exception&) {
              used = 0;
            }
            if (used == 0 || used != text.size() || n < 1 || n > 1000)
              return "expects a whole number from 1 to 1000, got `" + text + "`";
            return "";
          },
          "1..1000"));
  cmd->add_flag("--yes,-y", o->yes, "proceed at every confirm gate");
  // Repeatable options take one value each: `--approve gate plan.yaml` leaves plan.yaml as FILE.
  cmd->add_option("--approve", o->approve, "proceed at the confirm gate of STEP (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--events", o->events, "append every event as a JSON line to FILE")
      ->check(NotEmpty());
  cmd->add_option("--set", o->sets, "bind a parameter when FILE is a .asmplan source")
      ->allow_extra_args(false);
  cmd->add_option("--values", o->values, "bind parameters from a YAML file (.asmplan sources)");
}

}  // namespace

void RegisterRunCommands(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* run = app.add_subcommand("run", "run a plan (.asmplan source or compiled YAML)");
  run->add_option("FILE", o->file,
                  "the plan: a .asmplan source, or a compiled plan (- reads it from stdin)")
      ->required();
  run->add_flag("--dry-run,-n", o->dry_run, "print every command as it would run; change nothing");
  AddCommon(run, o.get(), "the run's state directory (default: .asmplan/<plan name>)");
  run->callback([o] { Finish(DoRun(*o)); });

  CLI::App* resume = app.add_subcommand("resume", "continue a run from its checkpoint");
  resume->add_option("FILE", o->file, "the plan again, when it changed (see --accept-changes)");
  AddCommon(resume, o.get(), "the run's state directory (default: the only run under .asmplan/)");
  resume->add_flag("--dry-run,-n", o->dry_run,
                   "print what resume would do with each step, and its commands; change nothing");
  resume->add_option("--rerun", o->rerun, "run STEP again even if it succeeded (repeatable)")
      ->allow_extra_args(false);
  CLI::Option* mark_done =
      resume->add_option("--mark-done", o->mark_done, "record STEP as done (its verify must hold)");
  resume->add_option("--reason", o->reason, "why STEP is marked done (journaled)")
      ->needs(mark_done);
  resume->add_flag("--force", o->force, "with --mark-done: even if its verify does not hold")
      ->needs(mark_done);
  resume->add_flag("--accept-changes", o->accept_changes,
                   "continue with a changed plan when only never-started steps changed");
  resume->callback([o] {
    if (!o->mark_done.empty() && o->reason.empty()) {
      std::fprintf(stderr, "error: --mark-done needs --reason TEXT (it is journaled)\n");
      Finish(kExitInvalid);
    }
    Finish(DoResume(*o));
  });

  CLI::App* status = app.add_subcommand("status", "show a run's steps from its checkpoint");
  status->add_option("--state-dir", o->state_dir, "the run's state directory")->check(NotEmpty());
  status->callback([o] { Finish(DoStatus(*o)); });
}

}  // namespace asmplan::cli
