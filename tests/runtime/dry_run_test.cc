// `asmplan resume --dry-run`'s text: what resume would do with each step, from its record.
#include "runtime/dry_run.h"

#include <gtest/gtest.h>

namespace asmplan {
namespace {

Step MakeStep(const std::string& id, std::vector<std::vector<std::string>> run) {
  Step s;
  s.id = id;
  s.run = std::move(run);
  return s;
}

StepRecord Rec(StepState state, int attempts = 1, int exit_code = -1) {
  StepRecord r;
  r.state = state;
  r.attempts = attempts;
  r.exit_code = exit_code;
  return r;
}

Guard Verify() {
  Guard g;
  g.kind = GuardKind::kPodsAllReady;
  g.ns = "payments";
  return g;
}

TEST(ResumeDryRunTest, EachStepSaysWhatResumeWouldDoWithIt) {
  Plan plan;
  plan.name = "p";
  plan.sha256 = std::string(64, 'a');
  Step done = MakeStep("done", {{"echo", "done"}});
  Step skipped = MakeStep("skipped", {{"echo", "skipped"}});
  Step failed = MakeStep("failed", {{"echo", "failed"}});
  Step gate = MakeStep("gate", {{"echo", "gate"}});
  gate.confirm = "go?";
  Step waiting = MakeStep("waiting", {{"kubectl", "rollout", "restart"}});
  waiting.wait_until = {{Verify(), 600000, 10000}};
  waiting.verify = {Verify()};
  waiting.require = {Verify()};
  Step settle = MakeStep("settle", {{"istioctl", "install"}});
  settle.verify = {Verify()};
  Step idem = MakeStep("idem", {{"echo", "idem"}});
  idem.idempotent = true;
  Step retried = MakeStep("retried", {{"echo", "retried"}});
  retried.retries = 2;
  retried.verify = {Verify()};
  Step pending = MakeStep("pending", {{"echo", "pending"}});
  Step again = MakeStep("again", {{"echo", "again"}});
  plan.steps = {done, skipped, failed, gate, waiting, settle, idem, retried, pending, again};
  Checkpoint cp;
  cp.steps["done"] = Rec(StepState::kSucceeded, 1, 0);
  cp.steps["skipped"] = Rec(StepState::kSkipped, 0);
  cp.steps["failed"] = Rec(StepState::kFailed, 2, 1);
  cp.steps["gate"] = Rec(StepState::kAwaitingConfirmation, 0);
  cp.steps["waiting"] = Rec(StepState::kRunning, 1, 0);
  cp.steps["settle"] = Rec(StepState::kRunning, 1, -1);
  cp.steps["idem"] = Rec(StepState::kRunning, 1, -1);
  cp.steps["retried"] = Rec(StepState::kRunning, 1, -1);
  cp.steps["again"] = Rec(StepState::kSucceeded, 1, 0);
  ResumePreview preview;
  preview.state_dir = "/srv/state";
  preview.checkpoint = &cp;
  preview.rerun = {"again"};
  std::string out = ResumeDryRunText(plan, "/srv/state/workspace", preview);
  const std::string expected[] = {
      "# resume of plan p (sha256 " + plan.sha256 +
          ") in /srv/state: what `asmplan resume` would do\n"
          "# commands run in /srv/state/workspace\n",
      "# step done: done (succeeded); not run again\n# step skipped: done (skipped); not run "
      "again\n"
      "# step failed: failed; runs again (attempt 3)\necho failed\n",
      "# step gate: stopped at its confirm gate; asks again\n#   confirm \"go?\"\necho gate\n",
      "# step waiting: was waiting when the run stopped: its require is checked again (if it does "
      "not hold, the run stops, exit 3), then its waits (full timeouts) and verify; its commands "
      "do not run again\n#   require pods in ns \"payments\" all ready\n"
      "#   done: kubectl rollout restart\n#   wait until pods in ns \"payments\" all ready",
      "# step settle: was running when the run stopped: succeeded if its verify holds now; "
      "otherwise the run stops and asks for --rerun or --mark-done\nistioctl install\n",
      "# step idem: was running when the run stopped and has no verify guard: it runs again "
      "(idempotent)\necho idem\n",
      "# step retried: was running when the run stopped: succeeded if its verify holds now; "
      "otherwise it runs again (has retry)\n",
      "# step pending: runs\necho pending\n# step again: runs again (--rerun)\necho again\n",
  };
  size_t at = 0;
  for (const std::string& part : expected) {
    size_t found = out.find(part, at);
    EXPECT_NE(found, std::string::npos) << part << "\n---\n" << out;
    if (found != std::string::npos) at = found;
  }
  EXPECT_EQ(out.find("echo done"), std::string::npos) << out;
  EXPECT_EQ(out.find("echo skipped"), std::string::npos) << out;
  EXPECT_EQ(out.find("\nkubectl rollout restart"), std::string::npos) << out;

  // Without a require there is none to check again; --approve and --yes pass a gate.
  plan.steps[4].require.clear();
  preview.approved = {"gate"};
  out = ResumeDryRunText(plan, "/srv/state/workspace", preview);
  EXPECT_NE(out.find("# step waiting: was waiting when the run stopped: its waits (full timeouts) "
                     "and verify; its commands do not run again\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("# step gate: stopped at its confirm gate; proceeds (--approve)\n"),
            std::string::npos)
      << out;
  preview.approved.clear();
  preview.assume_yes = true;
  out = ResumeDryRunText(plan, "/srv/state/workspace", preview);
  EXPECT_NE(out.find("# step gate: stopped at its confirm gate; proceeds (--yes)\n"),
            std::string::npos)
      << out;
}

TEST(ResumeDryRunTest, SaysWhatWouldStopResume) {
  Plan plan;
  plan.name = "p";
  plan.steps = {MakeStep("a", {{"sleep", "30"}})};
  Checkpoint cp;
  cp.steps["a"] = Rec(StepState::kRunning);
  ResumePreview preview;
  preview.state_dir = "/srv/state";
  preview.checkpoint = &cp;
  preview.lock_holder = 4242;
  LeftoverCommand left;
  left.pid = 77;
  left.step = "a";
  left.program = "sleep";
  preview.leftovers = {left};
  preview.missing_secret = "secret parameter `token` has no value: set ASMPLAN_SECRET_TOKEN";
  std::string out = ResumeDryRunText(plan, "/srv/state/workspace", preview);
  EXPECT_NE(out.find("# pid 4242 runs it now (it holds the lock): resume is refused (exit 4) until "
                     "it ends\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("# pid 77 (sleep, step a) is a command the killed run left running: resume "
                     "waits up to 10s for it to end, and refuses if it has not\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("# secret parameter `token` has no value: set ASMPLAN_SECRET_TOKEN: resume is "
                     "refused (exit 2) until it is set\n"),
            std::string::npos)
      << out;
}

}  // namespace
}  // namespace asmplan
