// Work on the worker threads: one attempt of a step's commands, or one artifact fetch. Results go
// to the next turn as Completions; nothing here touches the scheduling state.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "compiler/duration_text.h"
#include "runtime/argv_text.h"
#include "runtime/durable_file.h"
#include "runtime/executor_impl.h"
#include "runtime/leftover_commands.h"

namespace asmplan {

void Executor::Impl::AppendToLog(int i, const std::string& text) const {
  if (text.empty()) return;
  std::string path = AbsLog(i);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;  // a missing log must not fail the step; the runner reports its own errors
  // asmplan's `==` lines start a line, also after a command's last line without a newline.
  const std::string out = text.rfind("==", 0) == 0 && EndsMidLine(path, fd) ? "\n" + text : text;
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::write(fd, out.data() + done, out.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
}

namespace {

std::string Describe(const std::string& argv, const CommandResult& r, Millis timeout_ms) {
  std::string cmd = "`" + argv + "`";
  if (r.spawn_failed) return cmd + " could not start: " + r.error;
  if (r.timed_out) return cmd + " timed out after " + FormatDuration(timeout_ms);
  if (r.interrupted) return cmd + " was interrupted";
  if (r.term_signal != 0) return cmd + " was killed by signal " + std::to_string(r.term_signal);
  return cmd + " exited with " + std::to_string(r.exit_code);
}

std::string Mib(long long bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return buf;
}

/// What a fetch stage is doing, for the live view: "FILE: 3.0 MiB of 8.0 MiB, 2.0 MiB/s, 3s left".
std::string FetchProgressText(const FetchProgress& p) {
  if (p.stage != "download") return p.message;
  std::string s = p.message.empty() ? "" : p.message + ": ";
  s += Mib(p.bytes);
  if (p.total >= 0) s += " of " + Mib(p.total);
  if (p.bytes_per_sec > 0) s += ", " + Mib(static_cast<long long>(p.bytes_per_sec)) + "/s";
  if (p.eta_seconds >= 0) {
    s += ", " + FormatDuration(static_cast<Millis>(p.eta_seconds + 0.5) * 1000) + " left";
  }
  return s;
}

}  // namespace

std::string Executor::Impl::AbsLog(int i) const {
  return opt_.state_dir + "/" + runs_[i].record.log_path;
}

void Executor::Impl::PostJob(uint64_t mark, Job job) {
  pool_->Post([this, mark, job = std::move(job)] {
    // A command starts only once the journal says its step is running: written (a kill -9 of
    // asmplan loses nothing the kernel has) and, against a power loss, durable. For a step that
    // resume would run again anyway, only what its start rests on must be durable first (see
    // MayStartBeforeSync): its command starts and its own records are synced while it runs (a
    // power loss before that runs it again on resume, which its `idempotent` or `retry` says is
    // safe). Any other job waits for the disk first.
    std::string err;
    uint64_t before = job.durable_before == 0 ? mark : job.durable_before;
    if (env_.journal->DurableThrough(before) || env_.journal->SyncThrough(before, &err)) {
      Complete(job.run(mark), false);
    } else {
      Completion c;
      c.step = job.step;
      c.journal_error = err;
      Complete(std::move(c), false);
    }
    TurnOnWorker();
  });
}

void Executor::Impl::Complete(Completion c, bool wake) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    completions_.push_back(std::move(c));
  }
  if (wake) cv_.notify_all();
}

Executor::Impl::Completion Executor::Impl::RunAttempt(int i, int attempt,
                                                      std::vector<std::vector<std::string>> argvs,
                                                      uint64_t mark) {
  const Step& step = plan_.steps[i];
  Completion c;
  c.kind = Completion::Kind::kAttempt;
  c.step = i;
  // When PostJob did not make the journal through `mark` durable (the step may run again), the
  // writer's thread does once the first command has started (on_started, or after it for a runner
  // that does not say so), and nothing waits for it but what rests on it: a dependent's command,
  // or this step's next command (a failed sync stops the attempt there), or the run's end.
  auto sync_later = [this, mark] {
    if (!env_.journal->DurableThrough(mark)) env_.journal->SyncLater(mark);
  };
  auto make_durable = [this, &c, mark] {
    std::string err;
    if (!env_.journal->DurableThrough(mark) && !env_.journal->SyncThrough(mark, &err))
      c.journal_error = err;
  };
  // With secrets in play, output is captured and redacted before it reaches the log.
  bool capture = !secrets_.empty();
  Millis start = env_.clock->NowMs();
  for (const auto& argv : argvs) {
    std::string text = secrets_.Redact(ArgvText(argv));
    // The log gets the header with the command's first output or its failure: a silent command
    // that succeeds writes nothing, and its log file is never created.
    std::string header = "== attempt " + std::to_string(attempt) + ": " + text + "\n";
    CommandSpec spec;
    spec.argv = argv;
    spec.cwd = opt_.state_dir + "/workspace";
    spec.env = opt_.env;
    // Marks the command as this run's: a resume after a kill -9 finds it if it still runs.
    spec.env[kStateDirVariable] = state_mark_;
    spec.env[kStepVariable] = step.id;
    spec.log_path = capture ? "" : AbsLog(i);
    spec.log_preamble = header;
    spec.cancel = &cancel_;
    if (step.timeout_ms > 0) {
      spec.timeout_ms = step.timeout_ms - (env_.clock->NowMs() - start);
      if (spec.timeout_ms <= 0) spec.timeout_ms = 1;
    }
    spec.on_started = sync_later;
    c.result = env_.runner->Run(spec);
    if (c.result.not_started && &argv == &argvs.front()) {
      c.nothing_ran = true;
      return c;
    }
    if (!c.result.spawn_failed) sync_later();
    // The runner could not write the log (the output came back instead): said as a warning.
    if (!c.result.spawn_failed && !c.result.error.empty()) c.detail = c.result.error;
    // Captured (secrets, or a log that could not be written): redacted, then appended.
    std::string rest = secrets_.Redact(c.result.output);
    if (c.result.logged) header.clear();
    if (!rest.empty()) {
      AppendToLog(i, header + rest);
      header.clear();
    }
    c.result.output.clear();
    if (!c.result.ok()) {
      c.error = Describe(text, c.result, step.timeout_ms);
      // What it printed last usually says why: quoted, as a failed guard's command is.
      // Logged output has no secrets to hide: with secrets, output is captured (`rest`).
      std::string said = LastOutputLine(!rest.empty()     ? rest
                                        : c.result.logged ? c.result.output_tail
                                                          : "");
      AppendToLog(i, header + "== " + c.error + "\n");
      if (!said.empty()) c.error += ": " + said;
      return c;
    }
    // The next command waits for the disk: if the step's start could not be recorded, it does
    // not start (see JournalBroke).
    if (&argv != &argvs.back()) make_durable();
    if (!c.journal_error.empty()) return c;
  }
  // A log an earlier attempt began would end with its failure: a later success says so there.
  if (attempt > 1 && ::access(AbsLog(i).c_str(), F_OK) == 0)
    AppendToLog(i, "== attempt " + std::to_string(attempt) + " succeeded\n");
  c.ok = true;
  return c;
}

Executor::Impl::Completion Executor::Impl::AskAtPrompt(int i) {
  const Step& step = plan_.steps[i];
  Completion c;
  c.kind = Completion::Kind::kConfirm;
  c.step = i;
  std::lock_guard<std::mutex> lock(prompt_mu_);
  if (withdraw_prompts_.load()) return c;
  env_.reporter->Pause();
  c.ok = env_.confirmer->Ask(step.id, step.confirm, withdraw_prompts_);
  env_.reporter->Resume();
  return c;
}

Executor::Impl::Completion Executor::Impl::RunFetch(int i) {
  const Step& step = plan_.steps[i];
  Completion c;
  c.kind = Completion::Kind::kFetch;
  c.step = i;
  const Artifact* artifact = nullptr;
  for (const Artifact& a : plan_.artifacts) {
    if (a.name == step.fetch) artifact = &a;
  }
  if (!artifact || !env_.fetcher) {
    c.error = artifact ? "no artifact fetcher is available to fetch `" + step.fetch + "`"
                       : "the plan has no artifact `" + step.fetch + "`";
    return c;
  }
  FetchContext ctx;
  ctx.cache_dir = opt_.state_dir + "/cache";
  ctx.workspace_dir = opt_.state_dir + "/workspace";
  ctx.cancel = &cancel_;
  // A new stage is journaled; download progress within a stage goes to the view once a second.
  auto last = std::make_shared<std::pair<std::string, Millis>>("", 0);
  ctx.on_progress = [this, i, last](const FetchProgress& p) {
    Millis now = env_.clock->NowMs();
    bool new_stage = p.stage != last->first;
    if (!new_stage && now - last->second < 1000) return;
    *last = {p.stage, now};
    Completion stage;
    stage.kind = Completion::Kind::kFetchStage;
    stage.step = i;
    stage.error = p.stage;
    stage.detail = FetchProgressText(p);
    stage.warning = p.warning;
    stage.journal = new_stage;
    Complete(std::move(stage));
  };
  std::string err;
  c.ok = artifact && env_.fetcher->Fetch(*artifact, ctx, &err);
  c.error = secrets_.Redact(err);
  AppendToLog(i, "== fetch " + step.fetch + (c.ok ? ": done\n" : ": " + c.error + "\n"));
  return c;
}

}  // namespace asmplan
