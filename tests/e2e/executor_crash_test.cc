// Kills `asmplan run`/`resume` with SIGKILL at random moments, resumes each time at once (while
// commands the killed one started may still run: resume waits for them), and checks that the
// checkpoint always loads, no step's command ever ran twice, and the run completes.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "runtime/checkpoint_journal.h"
#include "tests/e2e/executor_process.h"
#include "tests/support/armed_journal.h"
#include "tests/support/temp_dir.h"

namespace asmplan {
namespace {

constexpr int kSteps = 10;
constexpr int kKills = 50;

// Step i appends one line to markers/i with dd and is verified by the marker being non-empty.
// `idempotent`: so that resume settles or re-runs it without asking. Even steps sleep, then append
// (two argvs); odd ones append at the end of one command that runs for a while first, so a kill
// often leaves it running, to append after the executor is gone: resume must wait for it.
// Otherwise every step is one such command: resume settles a step cut off while running by its
// verify (it holds once the command resume waits for has appended), and asks only about a step
// whose command never started (killed between its journaled start and the spawn).
Plan MarkerPlan(const TempDir& dir, bool idempotent) {
  Plan plan;
  plan.name = "crash";
  for (int i = 0; i < kSteps; ++i) {
    Step s;
    s.id = "s" + std::to_string(i);
    // A binary tree: s1 and s2 after s0, s3 and s4 after s1, ...: steps run in parallel.
    if (i > 0) s.after = {"s" + std::to_string((i - 1) / 2)};
    std::string marker = dir / ("markers/" + s.id);
    if (i % 2 == 0 && idempotent) {
      s.run = {{"sleep", "0.01"},
               {"dd", "if=" + (dir / "line"), "of=" + marker, "oflag=append", "conv=notrunc",
                "status=none"}};
    } else {
      s.run = {{"sh", "-c",
                std::string(i % 2 == 0 ? "sleep 0.01" : "sleep 0.05") +
                    " && exec dd if=\"$0\" of=\"$1\" oflag=append conv=notrunc status=none",
                dir / "line", marker}};
    }
    Guard verify;
    verify.kind = GuardKind::kCommandSucceeds;
    verify.argv = {"test", "-s", marker};
    s.verify = {verify};
    s.idempotent = idempotent;
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

struct CrashResult {
  int asked = 0;  ///< sessions that stopped to ask about a step
  int arms = 0;   ///< `arm` records in the last run's journal
};

// Runs the marker plan under kills; `jobs` as `--jobs`.
CrashResult CrashLoop(bool idempotent, int jobs, int kills_wanted) {
  TempDir dir;
  std::string err;
  EXPECT_TRUE(WriteFileAtomic(dir / "line", "x\n", &err));
  EXPECT_TRUE(testing::WritePlanFile(MarkerPlan(dir, idempotent), dir / "plan.yaml"));
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> delay_us(0, 250'000);
  int kills = 0, completed = 0, round = 0, asked = 0;
  std::vector<std::string> rerun;  // what resume asked about, as the operator answers it
  auto state = [&] { return dir / ("state" + std::to_string(round)); };
  auto fresh = [&] {
    ++round;
    EXPECT_TRUE(MakeDirectories(dir / "markers", &err));
    for (int i = 0; i < kSteps; ++i) ::unlink((dir / ("markers/s" + std::to_string(i))).c_str());
  };
  auto args = [&] {
    if (::access((state() + "/journal").c_str(), F_OK) != 0)
      return std::vector<std::string>{"run",   dir / "plan.yaml", "--state-dir",
                                      state(), "--jobs",          std::to_string(jobs)};
    std::vector<std::string> a = {"resume", "--state-dir", state(), "--jobs", std::to_string(jobs)};
    for (const std::string& id : rerun) a.insert(a.end(), {"--rerun", id});
    return a;
  };
  fresh();
  while (kills < kills_wanted) {
    // What this session may ask about: steps the journal has running now, and, when it ends in a
    // torn record, steps it has armed (see ResolveArms). Not an armed step otherwise: on this
    // boot, its `running` record would be there had it started.
    std::set<std::string> may_ask;
    Checkpoint before;
    if (LoadJournal(state() + "/journal", &before, &err)) {
      for (const auto& [id, rec] : before.steps) {
        if (rec.state == StepState::kRunning) may_ask.insert(id);
      }
      for (const auto& [id, boot] : before.armed) {
        if (before.torn_tail) may_ask.insert(id);
      }
    }
    testing::AsmplanProcess p(args(), dir.path());
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
    p.Signal(SIGKILL);
    int code = p.Wait();
    // Not waiting for the commands it left running: the next resume must find them and wait.
    if (code == 128 + SIGKILL) ++kills;
    bool asking = code == 3 && !idempotent;
    EXPECT_TRUE(code == 0 || code == 128 + SIGKILL || asking)
        << "exit " << code << ", its output last:\n"
        << OutputTail(dir / "asmplan.out");
    if (code != 0 && code != 128 + SIGKILL && !asking) return {asked, 0};
    Checkpoint cp;
    if (::access((state() + "/journal").c_str(), F_OK) == 0) {
      EXPECT_TRUE(LoadJournal(state() + "/journal", &cp, &err)) << err;
    }
    rerun.clear();  // a session got past the question, was killed first, or asks again
    for (int i = 0; i < kSteps; ++i) {
      std::string id = "s" + std::to_string(i);
      int lines = Lines(dir / ("markers/" + id));
      EXPECT_LE(lines, 1) << id << " ran twice (kill " << kills << ")";
      if (cp.steps.count(id) && cp.steps[id].state == StepState::kSucceeded) {
        EXPECT_EQ(lines, 1) << id << " succeeded without running";
      }
      // Asked only about a step whose command never ran: --rerun is then the right answer.
      if (asking && cp.steps.count(id) && cp.steps[id].state == StepState::kRunning) {
        EXPECT_EQ(lines, 0) << id << " was asked about after it ran";
        EXPECT_EQ(may_ask.count(id), 1u) << id << " was asked about, but had not started";
        rerun.push_back(id);
      }
    }
    if (asking) {
      ++asked;
      EXPECT_FALSE(rerun.empty()) << OutputTail(dir / "asmplan.out");
    }
    if (::testing::Test::HasFailure()) return {asked, 0};
    if (code == 0) {
      for (int i = 0; i < kSteps; ++i) EXPECT_EQ(Lines(dir / ("markers/s" + std::to_string(i))), 1);
      ++completed;
      fresh();
    }
  }
  // The last run, resumed without interference, completes with every step run exactly once.
  for (int code = -1; code != 0;) {
    testing::AsmplanProcess last(args(), dir.path());
    code = last.Wait();
    Checkpoint cp;
    if (code == 3 && !idempotent && LoadJournal(state() + "/journal", &cp, &err)) {
      rerun.clear();
      for (const auto& [id, rec] : cp.steps) {
        if (rec.state == StepState::kRunning) rerun.push_back(id);
      }
      if (!rerun.empty()) continue;
    }
    EXPECT_EQ(code, 0) << OutputTail(dir / "asmplan.out");
    break;
  }
  for (int i = 0; i < kSteps; ++i) EXPECT_EQ(Lines(dir / ("markers/s" + std::to_string(i))), 1);
  CrashResult out{asked, ArmRecords(state() + "/journal")};
  std::printf("kills: %d, runs completed between kills: %d, questions answered: %d\n", kills,
              completed, asked);
  return out;
}

TEST(ExecutorCrashTest, SigkillAtRandomMomentsNeverRunsAStepTwice) {
  EXPECT_EQ(CrashLoop(/*idempotent=*/true, /*jobs=*/4, kKills).asked, 0);
}

// Steps that must not run twice, run one at a time: the steps waiting for the slot are armed
// (their start journaled ahead, see JournalRecord::kArm). A kill on this boot leaves an armed step
// that never started as it was: it runs on resume, and nobody is asked about it (CrashLoop checks
// each question against the journal before it). Resume asks only about a step killed between its
// journaled start and its spawn.
TEST(ExecutorCrashTest, SigkillWithArmedStepsNeverRunsAStepTwiceNorAsksAboutOneNotStarted) {
  EXPECT_GT(CrashLoop(/*idempotent=*/false, /*jobs=*/1, 30).arms, 0);
}

}  // namespace
}  // namespace asmplan
