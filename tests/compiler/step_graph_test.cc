#include "compiler/step_graph.h"

#include <gtest/gtest.h>

namespace asmplan {
namespace {

TEST(StepGraphTest, TiesGoToTheEarliestDeclared) {
  // 0 and 3 are ready at once; 2 waits on 3; 1 waits on 0.
  StepGraph g{{{}, {0}, {3}, {}}};
  std::vector<int> order, cycle;
  ASSERT_TRUE(TopologicalOrder(g, &order, &cycle));
  EXPECT_EQ(order, (std::vector<int>{0, 1, 3, 2}));
}

TEST(StepGraphTest, SameGraphSameOrderWhateverTheEdgeOrder) {
  StepGraph a{{{}, {}, {0, 1}, {2, 1}}};
  StepGraph b{{{}, {}, {1, 0}, {1, 2}}};
  std::vector<int> oa, ob, cycle;
  ASSERT_TRUE(TopologicalOrder(a, &oa, &cycle));
  ASSERT_TRUE(TopologicalOrder(b, &ob, &cycle));
  EXPECT_EQ(oa, ob);
  EXPECT_EQ(oa, (std::vector<int>{0, 1, 2, 3}));
}

TEST(StepGraphTest, FindsACycle) {
  StepGraph g{{{}, {3}, {1}, {2}, {0}}};
  std::vector<int> order, cycle;
  EXPECT_FALSE(TopologicalOrder(g, &order, &cycle));
  EXPECT_EQ(cycle, (std::vector<int>{1, 3, 2, 1}));
}

TEST(StepGraphTest, SelfDependencyIsACycle) {
  StepGraph g{{{0}}};
  std::vector<int> order, cycle;
  EXPECT_FALSE(TopologicalOrder(g, &order, &cycle));
  EXPECT_EQ(cycle, (std::vector<int>{0, 0}));
}

}  // namespace
}  // namespace asmplan
