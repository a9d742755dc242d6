// The `fetch` step kind through the executor, with a scripted fetcher: each stage journaled once,
// download progress shown (file, bytes, rate, time left) but not journaled, the `verify none`
// warning surfaced and journaled, and a refused artifact failing the step before its commands.
#include <gtest/gtest.h>

#include "tests/runtime/executor_harness.h"

namespace asmplan {
namespace {

/// Reports the stages it was given, advancing the fake clock between them, then answers `ok`.
class ScriptedFetcher : public ArtifactFetcher {
 public:
  ScriptedFetcher(FakeClock& clock, std::vector<FetchProgress> stages, bool ok, std::string error)
      : clock_(clock), stages_(std::move(stages)), ok_(ok), error_(std::move(error)) {}
  bool Fetch(const Artifact& artifact, const FetchContext& ctx, std::string* err) override {
    fetched.push_back(artifact.name);
    cache_dir = ctx.cache_dir;
    for (const FetchProgress& p : stages_) {
      if (ctx.on_progress) ctx.on_progress(p);
      clock_.Advance(400);
    }
    bool ok = ok_ && static_cast<int>(fetched.size()) > fail_first;
    if (!ok) *err = error_;
    return ok;
  }
  int fail_first = 0;  ///< the first this many fetches fail even when `ok`
  std::vector<std::string> fetched;
  std::string cache_dir;

 private:
  FakeClock& clock_;
  std::vector<FetchProgress> stages_;
  bool ok_;
  std::string error_;
};

FetchProgress Download(long long bytes) {
  FetchProgress p;
  p.stage = "download";
  p.message = "istio-1.5.10-asm.2-linux-amd64.tar.gz";
  p.bytes = bytes << 20;
  p.total = 8 << 20;
  p.bytes_per_sec = 2 << 20;
  p.eta_seconds = static_cast<double>(8 - bytes) / 2;
  return p;
}

Plan FetchPlan(bool verify_none = false) {
  Plan plan;
  plan.name = "fetching";
  Artifact a;
  a.name = "release";
  a.url = "http://127.0.0.1:1/istio.tar.gz";
  a.verify_none = verify_none;
  plan.artifacts = {a};
  Step fetch = MakeStep("get_release", {}, {{"ls", "istio"}});
  fetch.fetch = "release";
  plan.steps = {fetch, MakeStep("install", {"get_release"})};
  return plan;
}

std::vector<std::string> FetchJournal(const Checkpoint& cp) {
  std::vector<std::string> out;
  for (const JournalRecord& r : cp.history) {
    if (r.kind == JournalRecord::Kind::kFetch) out.push_back(r.step + " " + r.text);
  }
  return out;
}

std::vector<ExecEvent> EventsOf(RecordingReporter& reporter, ExecEvent::Type type) {
  std::vector<ExecEvent> out;
  for (const ExecEvent& e : reporter.events) {
    if (e.type == type) out.push_back(e);
  }
  return out;
}

TEST(ExecutorFetchTest, JournalsEachStageOnceAndShowsDownloadProgress) {
  ExecutorHarness h;
  // Five progress reports 400 ms apart: the view gets the first and those a second or more later.
  ScriptedFetcher fetcher(
      h.clock,
      {Download(0), Download(1), Download(2), Download(3), Download(4),
       FetchProgress::Stage("verify", "signature by key SHA256:ab12"),
       FetchProgress::Stage("extract", "istio-1.5.10"), FetchProgress::Stage("done", "")},
      true, "");
  h.fetcher = &fetcher;
  RunResult r = h.Run(FetchPlan());
  ASSERT_EQ(r.outcome, RunResult::Outcome::kSucceeded) << r.summary;
  EXPECT_EQ(fetcher.fetched, std::vector<std::string>{"release"});
  EXPECT_EQ(fetcher.cache_dir, h.dir / "cache");
  EXPECT_EQ(FetchJournal(h.Load()),
            (std::vector<std::string>{"get_release download", "get_release verify",
                                      "get_release extract", "get_release done"}));
  std::vector<std::string> downloads;
  for (const ExecEvent& e : EventsOf(h.reporter, ExecEvent::Type::kFetchStage)) {
    if (e.message == "download") {
      ASSERT_EQ(e.details.size(), 1u);
      downloads.push_back(e.details[0]);
    }
  }
  EXPECT_EQ(downloads,
            (std::vector<std::string>{
                "istio-1.5.10-asm.2-linux-amd64.tar.gz: 0.0 MiB of 8.0 MiB, 2.0 MiB/s, 4s left",
                "istio-1.5.10-asm.2-linux-amd64.tar.gz: 3.0 MiB of 8.0 MiB, 2.0 MiB/s, 3s left"}));
  EXPECT_TRUE(EventsOf(h.reporter, ExecEvent::Type::kNote).empty());
  // The step's commands ran after its fetch, then the next step.
  EXPECT_EQ(h.runner.commands_ran(), (std::vector<std::string>{"ls istio", "do install"}));
}

TEST(ExecutorFetchTest, VerifyNoneWarnsInTheViewAndTheJournal) {
  ExecutorHarness h;
  ScriptedFetcher fetcher(
      h.clock,
      {Download(8),
       FetchProgress::Stage("verify",
                            "artifact release is not verified: the plan says `verify none`", true),
       FetchProgress::Stage("extract", "istio"), FetchProgress::Stage("done", "")},
      true, "");
  h.fetcher = &fetcher;
  ASSERT_EQ(h.Run(FetchPlan(true)).outcome, RunResult::Outcome::kSucceeded);
  std::vector<ExecEvent> notes = EventsOf(h.reporter, ExecEvent::Type::kNote);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].step, "get_release");
  EXPECT_EQ(notes[0].message,
            "WARNING: artifact release is not verified: the plan says `verify none`");
  std::vector<std::string> journal = FetchJournal(h.Load());
  ASSERT_EQ(journal.size(), 4u);
  EXPECT_EQ(journal[1],
            "get_release verify: WARNING: artifact release is not verified: the plan says "
            "`verify none`");
}

TEST(ExecutorFetchTest, ARefusedArtifactFailsTheStepBeforeItsCommands) {
  ExecutorHarness h;
  ScriptedFetcher fetcher(h.clock, {Download(8), FetchProgress::Stage("verify", "")}, false,
                          "istio.tar.gz: signature does not verify with key SHA256:ab12");
  h.fetcher = &fetcher;
  RunResult r = h.Run(FetchPlan());
  EXPECT_EQ(r.outcome, RunResult::Outcome::kFailed);
  EXPECT_NE(r.summary.find("get_release"), std::string::npos) << r.summary;
  EXPECT_NE(r.summary.find("signature does not verify"), std::string::npos) << r.summary;
  EXPECT_TRUE(h.runner.commands_ran().empty());
  Checkpoint cp = h.Load();
  EXPECT_EQ(cp.steps["get_release"].state, StepState::kFailed);
  EXPECT_EQ(cp.steps.count("install") ? cp.steps["install"].state : StepState::kPending,
            StepState::kPending);
}

// A step's `retry N backoff D` covers its fetch: a mirror's bad moment does not fail the run.
// A fetch-only step counts its fetches as attempts.
TEST(ExecutorFetchTest, AFailedFetchIsRetriedWithTheStepsRetries) {
  ExecutorHarness h;
  ScriptedFetcher fetcher(h.clock, {Download(8)}, true, "HTTP 503 from the mirror");
  fetcher.fail_first = 2;
  h.fetcher = &fetcher;
  Plan plan = FetchPlan();
  plan.steps[0].run.clear();
  plan.steps[0].retries = 2;
  plan.steps[0].backoff_ms = 10'000;
  RunResult r = h.Run(plan);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kSucceeded) << r.summary;
  EXPECT_EQ(fetcher.fetched.size(), 3u);
  EXPECT_EQ(h.Load().steps["get_release"].attempts, 3);
  std::vector<ExecEvent> retried = EventsOf(h.reporter, ExecEvent::Type::kAttemptFailed);
  ASSERT_EQ(retried.size(), 2u);
  EXPECT_EQ(retried[0].message, "HTTP 503 from the mirror; fetching again in 10s (retry 1 of 2)");
  EXPECT_EQ(retried[1].message, "HTTP 503 from the mirror; fetching again in 20s (retry 2 of 2)");
  // Out of retries, it fails.
  ExecutorHarness h2;
  ScriptedFetcher failing(h2.clock, {Download(8)}, false, "HTTP 503 from the mirror");
  h2.fetcher = &failing;
  EXPECT_EQ(h2.Run(plan).outcome, RunResult::Outcome::kFailed);
  EXPECT_EQ(failing.fetched.size(), 3u);
}

// A fetch-only step's fetch is its attempt: journaled as running before it starts (so `status`
// shows it, with its attempts and time), and a resume after a kill fetches again without asking,
// retry or not, as a fetch is safe to repeat. A step of guards only gets a duration too.
TEST(ExecutorFetchTest, AFetchOnlyStepIsRunningWhileItFetchesAndFetchesAgainOnResume) {
  ExecutorHarness h;
  StepRecord seen;
  class Peeking : public ArtifactFetcher {
   public:
    explicit Peeking(ExecutorHarness* h, StepRecord* seen) : h_(h), seen_(seen) {}
    bool Fetch(const Artifact&, const FetchContext&, std::string*) override {
      *seen_ = h_->Load().steps["get_release"];
      h_->clock.Advance(3000);
      return true;
    }

   private:
    ExecutorHarness* h_;
    StepRecord* seen_;
  } fetcher(&h, &seen);
  h.fetcher = &fetcher;
  Plan plan = FetchPlan();
  plan.steps[0].run.clear();
  plan.steps[1].run.clear();
  plan.steps[1].require = {CommandGuard("ok")};
  RunResult r = h.Run(plan);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kSucceeded) << r.summary;
  EXPECT_EQ(seen.state, StepState::kRunning);
  EXPECT_EQ(seen.attempts, 1);
  EXPECT_GT(seen.started_ms, 0);
  Checkpoint cp = h.Load();
  EXPECT_EQ(cp.steps["get_release"].ended_ms - cp.steps["get_release"].started_ms, 3000);
  EXPECT_GT(cp.steps["install"].started_ms, 0);  // guards only: a duration all the same

  ExecutorHarness again;
  ScriptedFetcher scripted(again.clock, {}, true, "");
  again.fetcher = &scripted;
  StepRecord cut_off;
  cut_off.state = StepState::kRunning;
  cut_off.attempts = 1;
  r = again.Run(plan, {{"get_release", cut_off}});
  EXPECT_EQ(r.outcome, RunResult::Outcome::kSucceeded) << r.summary;
  EXPECT_EQ(scripted.fetched.size(), 1u);
  EXPECT_EQ(again.Load().steps["get_release"].attempts, 2);
}

TEST(ExecutorFetchTest, AFetchStepWithoutAFetcherFailsWithAMessage) {
  ExecutorHarness h;
  RunResult r = h.Run(FetchPlan());
  EXPECT_EQ(r.outcome, RunResult::Outcome::kFailed);
  EXPECT_NE(r.summary.find("no artifact fetcher is available to fetch `release`"),
            std::string::npos)
      << r.summary;
}

}  // namespace
}  // namespace asmplan
