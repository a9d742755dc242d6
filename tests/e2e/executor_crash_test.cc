// Kills `asmplan run`/`resume` with SIGKILL at random moments, resumes each time at once (while
// commands the killed one started may still run: resume waits for them), and checks that the
// checkpoint always loads, no step's command ever ran twice, and the run completes.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "runtime/checkpoint_journal.h"
#include "tests/e2e/executor_process.h"
#include "tests/support/temp_dir.h"

namespace asmplan {
namespace {

constexpr int kSteps = 10;
constexpr int kKills = 50;

// Step i appends one line to markers/i with dd and is verified by the marker being non-empty;
// idempotent so that resume settles or re-runs it without asking. Even steps sleep, then append
// (two argvs); odd ones append at the end of one command that runs for a while first, so a kill
// often leaves it running, to append after the executor is gone: resume must wait for it.
Plan MarkerPlan(const TempDir& dir) {
  Plan plan;
  plan.name = "crash";
  for (int i = 0; i < kSteps; ++i) {
    Step s;
    s.id = "s" + std::to_string(i);
    // A binary tree: s1 and s2 after s0, s3 and s4 after s1, ...: steps run in parallel.
    if (i > 0) s.after = {"s" + std::to_string((i - 1) / 2)};
    std::string marker = dir / ("markers/" + s.id);
    if (i % 2 == 0) {
      s.run = {{"sleep", "0.01"},
               {"dd", "if=" + (dir / "line"), "of=" + marker, "oflag=append", "conv=notrunc",
                "status=none"}};
    } else {
      s.run = {{"sh", "-c",
                "sleep 0.05 && exec dd if=\"$0\" of=\"$1\" oflag=append conv=notrunc status=none",
                dir / "line", marker}};
    }
    Guard verify;
    verify.kind = GuardKind::kCommandSucceeds;
    verify.argv = {"test", "-s", marker};
    s.verify = {verify};
    s.idempotent = true;
    plan.steps.push_back(s);
  }
  return plan;
}

int Lines(const std::string& path) {
  std::string text, err;
  if (!ReadWholeFile(path, &text, &err)) return 0;
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

// The last 2000 bytes of what the asmplan processes printed (all of them append to one file).
std::string OutputTail(const std::string& path) {
  std::string text, err;
  if (!ReadWholeFile(path, &text, &err)) return err;
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

TEST(ExecutorCrashTest, SigkillAtRandomMomentsNeverRunsAStepTwice) {
  TempDir dir;
  std::string err;
  ASSERT_TRUE(WriteFileAtomic(dir / "line", "x\n", &err));
  ASSERT_TRUE(testing::WritePlanFile(MarkerPlan(dir), dir / "plan.yaml"));
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> delay_us(0, 250'000);
  int kills = 0, completed = 0, round = 0;
  auto state = [&] { return dir / ("state" + std::to_string(round)); };
  auto fresh = [&] {
    ++round;
    ASSERT_TRUE(MakeDirectories(dir / "markers", &err));
    for (int i = 0; i < kSteps; ++i) ::unlink((dir / ("markers/s" + std::to_string(i))).c_str());
  };
  fresh();
  while (kills < kKills) {
    bool started = ::access((state() + "/journal").c_str(), F_OK) == 0;
    std::vector<std::string> args =
        started ? std::vector<std::string>{"resume", "--state-dir", state()}
                : std::vector<std::string>{"run", dir / "plan.yaml", "--state-dir", state()};
    testing::AsmplanProcess p(args, dir.path());
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
    p.Signal(SIGKILL);
    int code = p.Wait();
    // Not waiting for the commands it left running: the next resume must find them and wait.
    if (code == 128 + SIGKILL) ++kills;
    ASSERT_TRUE(code == 0 || code == 128 + SIGKILL) << "exit " << code << ", its output last:\n"
                                                    << OutputTail(dir / "asmplan.out");
    Checkpoint cp;
    if (::access((state() + "/journal").c_str(), F_OK) == 0) {
      ASSERT_TRUE(LoadJournal(state() + "/journal", &cp, &err)) << err;
    }
    for (int i = 0; i < kSteps; ++i) {
      std::string id = "s" + std::to_string(i);
      ASSERT_LE(Lines(dir / ("markers/" + id)), 1) << id << " ran twice (kill " << kills << ")";
      if (cp.steps.count(id) && cp.steps[id].state == StepState::kSucceeded) {
        ASSERT_EQ(Lines(dir / ("markers/" + id)), 1) << id << " succeeded without running";
      }
    }
    if (code == 0) {
      for (int i = 0; i < kSteps; ++i) ASSERT_EQ(Lines(dir / ("markers/s" + std::to_string(i))), 1);
      ++completed;
      fresh();
    }
  }
  // The last run, resumed without interference, completes with every step run exactly once.
  std::vector<std::string> args = {"resume", "--state-dir", state()};
  if (::access((state() + "/journal").c_str(), F_OK) != 0) {
    args = {"run", dir / "plan.yaml", "--state-dir", state()};
  }
  testing::AsmplanProcess last(args, dir.path());
  ASSERT_EQ(last.Wait(), 0);
  for (int i = 0; i < kSteps; ++i) EXPECT_EQ(Lines(dir / ("markers/s" + std::to_string(i))), 1);
  std::printf("kills: %d, runs completed between kills: %d\n", kills, completed);
}

}  // namespace
}  // namespace asmplan
