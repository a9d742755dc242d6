// Which steps may start, in particular around steps already done before a resumed run.
#include "runtime/scheduler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/runtime/executor_harness.h"

namespace asmplan {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// a -> b -> c, and d after a. b was done before the run, a runs again: c and d wait for a, in
// whatever order the done steps are marked.
TEST(SchedulerTest, AStepDoneBeforePassesItsDependenciesReleaseOn) {
  Plan plan;
  plan.steps = {MakeStep("a"), MakeStep("b", {"a"}), MakeStep("c", {"b"}), MakeStep("d", {"a"})};
  Scheduler s(plan, 4);
  s.MarkDone(1);
  EXPECT_THAT(s.TakeStartable(), ElementsAre(0));
  EXPECT_THAT(s.TakeStartable(), IsEmpty());
  EXPECT_EQ(s.releases(), 0u);
  s.Finish(0, true);
  // a's end made both ready, c through b: the executor tells so a step whose dependency's end
  // may not be durable yet.
  EXPECT_EQ(s.releases(), 1u);
  EXPECT_EQ(s.ReadyAt(2), 1u);
  EXPECT_EQ(s.ReadyAt(3), 1u);
  EXPECT_EQ(s.ReadyAt(0), 0u);  // ready from the start
  EXPECT_THAT(s.TakeStartable(), ElementsAre(2, 3));
  s.Finish(3, true);  // d's end made no step ready
  EXPECT_EQ(s.releases(), 1u);
}

// Taking only some of the ready steps leaves the others ready, within the same limit of jobs.
TEST(SchedulerTest, TakingOnlySomeLeavesTheOthersReady) {
  Plan plan;
  plan.steps = {MakeStep("a"), MakeStep("b"), MakeStep("c")};
  Scheduler s(plan, 2);
  auto odd = [](int i) { return i % 2 == 1; };
  EXPECT_TRUE(s.HasReady(odd));
  EXPECT_THAT(s.TakeStartable(odd), ElementsAre(1));
  EXPECT_FALSE(s.HasReady(odd));
  EXPECT_THAT(s.TakeStartable(), ElementsAre(0));  // one job left of two
  s.Finish(1, true);
  EXPECT_THAT(s.TakeStartable(), ElementsAre(2));
}

// A failed step holds back what comes after it, also through done steps.
TEST(SchedulerTest, AFailedStepHoldsBackWhatFollowsADoneStep) {
  Plan plan;
  plan.steps = {MakeStep("a"), MakeStep("b", {"a"}), MakeStep("c", {"b"})};
  Scheduler s(plan, 4);
  s.MarkDone(1);
  EXPECT_THAT(s.TakeStartable(), ElementsAre(0));
  s.Finish(0, false);
  EXPECT_THAT(s.TakeStartable(), IsEmpty());
  EXPECT_EQ(s.active(), 0);
}

// Releasing a long chain of done steps takes no stack depth per step.
TEST(SchedulerTest, ALongChainOfDoneStepsIsReleasedAtOnce) {
  const int n = 200'000;
  Plan plan;
  plan.steps.push_back(MakeStep("s0"));
  for (int i = 1; i < n; ++i)
    plan.steps.push_back(MakeStep("s" + std::to_string(i), {"s" + std::to_string(i - 1)}));
  plan.steps.push_back(MakeStep("last", {"s" + std::to_string(n - 1)}));
  Scheduler s(plan, 1);
  for (int i = n - 1; i >= 1; --i) s.MarkDone(i);  // any order
  EXPECT_THAT(s.TakeStartable(), ElementsAre(0));
  s.Finish(0, true);
  EXPECT_THAT(s.TakeStartable(), ElementsAre(n));
}

}  // namespace
}  // namespace asmplan
