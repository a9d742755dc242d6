// `asmplan status`: the checkpoint as a table.
#include "runtime/status_table.h"

#include <gmock/gmock.h>

namespace asmplan {
namespace {

using ::testing::HasSubstr;

JournalRecord Session(Millis at) {
  JournalRecord r;
  r.kind = JournalRecord::Kind::kSession;
  r.wall_ms = at;
  r.text = "run";
  r.number = 42;
  r.host = "h";
  return r;
}

Checkpoint WithRunningStep() {
  Checkpoint cp;
  cp.plan_sha256 = std::string(64, 'a');
  StepRecord running;
  running.state = StepState::kRunning;
  running.attempts = 1;
  running.started_ms = 10'000;
  cp.steps["a"] = running;
  cp.history.push_back(Session(9'000));
  return cp;
}

Plan OneStep() {
  Plan plan;
  plan.name = "p";
  Step a;
  a.id = "a";
  a.run = {{"do", "a"}};
  plan.steps = {a};
  return plan;
}

// A running step whose commands are done is waiting (or verifying): the note says so.
TEST(StatusTableTest, ARunningStepWhoseCommandsAreDoneIsWaiting) {
  Checkpoint cp = WithRunningStep();
  cp.steps["a"].exit_code = 0;
  EXPECT_THAT(StatusTable(OneStep(), cp, 70'000), HasSubstr("commands done; waiting\n"));
}

// A session without a finish record is running or was killed: who holds the lock tells which.
TEST(StatusTableTest, TheLockTellsARunningSessionFromAKilledOne) {
  Checkpoint cp = WithRunningStep();
  EXPECT_THAT(StatusTable(OneStep(), cp, 70'000, 4242),
              HasSubstr("last session: run by pid 42 on h, running (pid 4242 holds its lock)"));
  EXPECT_THAT(StatusTable(OneStep(), cp, 70'000, 0),
              HasSubstr("last session: run by pid 42 on h, killed (no process holds its lock; "
                        "resume continues it)"));
  EXPECT_THAT(StatusTable(OneStep(), cp, 70'000, -1), HasSubstr(", running or killed"));
  // The steps of a killed run stopped at a time no record tells: no duration, and what resume
  // does with them.
  EXPECT_THAT(StatusTable(OneStep(), cp, 70'000, 0),
              HasSubstr("a     running  1                   stopped when its run ended; resume "
                        "asks for --rerun or --mark-done\n"));
  cp.steps["a"].exit_code = 0;
  EXPECT_THAT(StatusTable(OneStep(), cp, 70'000, 0),
              HasSubstr("stopped after its commands, while waiting\n"));
}

// A step whose session was interrupted stopped with it: its duration does not grow with the time
// `status` is asked; a step of a session that may still run counts up to now.
TEST(StatusTableTest, AStepOfAnEndedSessionIsTimedToItsEnd) {
  Checkpoint cp = WithRunningStep();
  EXPECT_THAT(StatusTable(OneStep(), cp, 70'000), HasSubstr("a     running  1         1m\n"));
  JournalRecord finish;
  finish.kind = JournalRecord::Kind::kFinish;
  finish.wall_ms = 12'000;
  finish.text = "interrupted";
  cp.history.push_back(finish);
  std::string table = StatusTable(OneStep(), cp, 3'600'000);
  EXPECT_THAT(table, HasSubstr("last session: run by pid 42 on h, interrupted"));
  EXPECT_THAT(table, HasSubstr("a     running  1         2s        stopped when its run ended; "
                               "resume asks for --rerun or --mark-done\n"));
  // A later session that ended without settling it does not stretch it to that end.
  cp.history.push_back(Session(100'000));
  finish.wall_ms = 200'000;
  cp.history.push_back(finish);
  EXPECT_THAT(StatusTable(OneStep(), cp, 3'600'000),
              HasSubstr("a     running  1         2s        stopped when its run ended; "
                        "resume asks for --rerun or --mark-done\n"));
}

// A step stopped in its commands says what resume will do with it, by its verify and whether it
// may run again (retry or idempotent).
TEST(StatusTableTest, AStepStoppedInItsCommandsSaysWhatResumeDoes) {
  Checkpoint cp = WithRunningStep();
  JournalRecord finish;
  finish.kind = JournalRecord::Kind::kFinish;
  finish.wall_ms = 12'000;
  cp.history.push_back(finish);
  Plan plan = OneStep();
  plan.steps[0].idempotent = true;
  EXPECT_THAT(StatusTable(plan, cp, 20'000), HasSubstr("ended; resume runs it again\n"));
  Guard g;
  g.kind = GuardKind::kPodsAllReady;
  g.ns = "x";
  plan.steps[0].verify = {g};
  EXPECT_THAT(StatusTable(plan, cp, 20'000),
              HasSubstr("resume settles it by its verify, running it again if they do not "
                        "hold\n"));
  plan.steps[0].idempotent = false;
  EXPECT_THAT(StatusTable(plan, cp, 20'000),
              HasSubstr("resume settles it by its verify, asking for --rerun or --mark-done if "
                        "they do not hold\n"));
}

}  // namespace
}  // namespace asmplan
