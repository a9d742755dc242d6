#include "compiler/guard_text.h"

#include <gtest/gtest.h>

#include "tests/compiler/sample_plans.h"

namespace asmplan {
namespace {

using testing::SampleGuard;

const GuardKind kAllKinds[] = {
    GuardKind::kPodsAllReady,
    GuardKind::kPodsAllShow,
    GuardKind::kNoPodsTerminating,
    GuardKind::kDeploymentRolledOut,
    GuardKind::kContextIs,
    GuardKind::kClusterRoleBindingExists,
    GuardKind::kSidecarsAtVersion,
    GuardKind::kControlPlaneAtVersion,
    GuardKind::kCommandSucceeds,
    GuardKind::kAnd,
    GuardKind::kOr,
    GuardKind::kNot,
};

TEST(GuardTextTest, EveryKindRoundTrips) {
  for (GuardKind kind : kAllKinds) {
    const Guard guard = SampleGuard(kind);
    const std::string text = CanonicalText(guard);
    Guard parsed;
    std::string err;
    ASSERT_TRUE(ParseGuardText(text, &parsed, &err)) << text << ": " << err;
    EXPECT_EQ(parsed, guard) << text;
    EXPECT_EQ(CanonicalText(parsed), text);
  }
}

TEST(GuardTextTest, CanonicalTextOfEachKind) {
  EXPECT_EQ(CanonicalText(SampleGuard(GuardKind::kPodsAllReady)),
            R"(pods in ns "istio-system" all ready)");
  EXPECT_EQ(CanonicalText(SampleGuard(GuardKind::kPodsAllShow)),
            R"(pods in ns "pay\"ments" all show 2/2)");
  EXPECT_EQ(CanonicalText(SampleGuard(GuardKind::kNoPodsTerminating)),
            R"(no pods in ns "istio-system" terminating)");
  EXPECT_EQ(CanonicalText(SampleGuard(GuardKind::kDeploymentRolledOut)),
            R"(deployment "istiod-1-5-10" in ns "istio-system" rolled out)");
  EXPECT_EQ(CanonicalText(SampleGuard(GuardKind::kContextIs)),
            R"(context is "onprem 'staging' user")");
  EXPECT_EQ(CanonicalText(SampleGuard(GuardKind::kClusterRoleBindingExists)),
            R"(clusterrolebinding "cluster-admin-binding" exists)");
  EXPECT_EQ(CanonicalText(SampleGuard(GuardKind::kSidecarsAtVersion)),
            R"(sidecars in ns "frontend" at version "1.5.10-asm.2")");
  EXPECT_EQ(CanonicalText(SampleGuard(GuardKind::kControlPlaneAtVersion)),
            "istio control plane at version \"${asm_version}\\n✓\"");
  EXPECT_EQ(CanonicalText(SampleGuard(GuardKind::kCommandSucceeds)),
            R"(command ["kubectl", "get", "ns", "it's \"quoted\"", "${token}"] succeeds)");
  EXPECT_EQ(CanonicalText(SampleGuard(GuardKind::kNot)),
            R"(not not pods in ns "pay\"ments" all show 2/2)");
  EXPECT_EQ(CanonicalText(SampleGuard(GuardKind::kAnd)),
            R"((clusterrolebinding "cluster-admin-binding" exists or not command ["kubectl", )"
            R"("get", "ns", "it's \"quoted\"", "${token}"] succeeds) and not (pods in ns )"
            R"("istio-system" all ready and context is "onprem 'staging' user") and deployment )"
            R"("istiod-1-5-10" in ns "istio-system" rolled out)");
}

TEST(GuardTextTest, NestedJunctionsKeepTheirShape) {
  Guard inner_and;
  inner_and.kind = GuardKind::kAnd;
  inner_and.operands = {SampleGuard(GuardKind::kPodsAllReady), SampleGuard(GuardKind::kContextIs)};
  Guard outer;
  outer.kind = GuardKind::kAnd;
  outer.operands = {inner_and, SampleGuard(GuardKind::kNoPodsTerminating)};
  Guard parsed;
  std::string err;
  ASSERT_TRUE(ParseGuardText(CanonicalText(outer), &parsed, &err)) << err;
  EXPECT_EQ(parsed, outer);
  EXPECT_EQ(parsed.operands[0].kind, GuardKind::kAnd);
}

TEST(GuardTextTest, EmptyCommandArgv) {
  Guard g;
  g.kind = GuardKind::kCommandSucceeds;
  EXPECT_EQ(CanonicalText(g), "command [] succeeds");
  Guard parsed;
  std::string err;
  ASSERT_TRUE(ParseGuardText("command [] succeeds", &parsed, &err)) << err;
  EXPECT_EQ(parsed, g);
}

TEST(GuardTextTest, MalformedTextIsRefusedWithAColumn) {
  struct Case {
    const char* text;
    const char* err;
  };
  const Case cases[] = {
      {"", "column 1: expected a guard"},
      {"pods in ns \"a\" all", "column 19: expected `show`"},
      {"pods in ns \"a\" all show 2", "column 26: expected `/`"},
      {"pods in ns \"a\" all show x/2", "column 25: expected a number"},
      {"pods in ns a all ready", "column 12: expected a double-quoted string"},
      {"context is \"a", "column 14: unterminated quoted string"},
      {"context is \"a\" and context is \"b\" or context is \"c\"",
       "column 35: mixed `and` and `or` need parentheses"},
      {"(context is \"a\"", "column 16: expected `)`"},
      {"context is \"a\" trailing", "column 16: unexpected text after the guard"},
      {"command [\"a\" \"b\"] succeeds", "column 14: expected `]`"},
      {"contexts is \"a\"", "column 1: expected a guard"},
  };
  for (const Case& c : cases) {
    Guard g;
    std::string err;
    EXPECT_FALSE(ParseGuardText(c.text, &g, &err)) << c.text;
    EXPECT_EQ(err, c.err) << c.text;
  }
}

TEST(GuardTextTest, AlternatingJunctionsTwoHundredDeepRoundTrip) {
  // What `a or b and (a or b and (...))` nested 100 deep in a source becomes: 200 levels.
  Guard guard = SampleGuard(GuardKind::kContextIs);
  for (int i = 0; i < 200; ++i) {
    Guard outer;
    outer.kind = i % 2 ? GuardKind::kOr : GuardKind::kAnd;
    outer.operands = {SampleGuard(GuardKind::kPodsAllReady), std::move(guard)};
    guard = std::move(outer);
  }
  const std::string text = CanonicalText(guard);
  Guard parsed;
  std::string err;
  ASSERT_TRUE(ParseGuardText(text, &parsed, &err)) << err;
  EXPECT_EQ(parsed, guard);
}

TEST(GuardTextTest, DeepNestingIsRefusedNotACrash) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "not (";
  Guard g;
  std::string err;
  EXPECT_FALSE(ParseGuardText(deep, &g, &err));
  EXPECT_NE(err.find("guard nested too deeply"), std::string::npos) << err;

  std::string ok;
  for (int i = 0; i < kMaxGuardDepth / 2; ++i) ok += "not ";
  ok += "context is \"a\"";
  EXPECT_TRUE(ParseGuardText(ok, &g, &err)) << err;
}

}  // namespace
}  // namespace asmplan
