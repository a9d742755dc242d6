// The compiler end to end through its public API, with in-memory files.
#include "compiler/compiler.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "compiler/compiled_plan_io.h"

namespace asmplan {
namespace {

class CompilerTest : public ::testing::Test {
 protected:
  /// Compiles `path` from the in-memory files; returns success, rendered diagnostics in diags_.
  bool Compile(const std::string& path, std::vector<std::string> sets = {},
               const std::string& values = "") {
    Diagnostics diags;
    CompileInput in{path, std::move(sets), values, &files_};
    bool ok = CompilePlan(in, &plan_, &diags);
    rendered_ = diags.Render();
    names_.clear();
    for (const Diagnostic& d : diags.all()) names_.push_back(d.name);
    return ok;
  }

  const Step* FindStep(const std::string& id) const {
    for (const Step& s : plan_.steps) {
      if (s.id == id) return &s;
    }
    return nullptr;
  }

  std::vector<std::string> Ids() const {
    std::vector<std::string> ids;
    for (const Step& s : plan_.steps) ids.push_back(s.id);
    return ids;
  }

  MemoryFileReader files_;
  Plan plan_;
  std::string rendered_;
  std::vector<std::string> names_;
};

TEST_F(CompilerTest, CompilesStepsArgvAndGuards) {
  files_.files["p.asmplan"] = R"(plan demo {
  title "demo ${ns}"
  param ns : string = "payments"
  param flags : list<string> = ["--a", "b c"]
  step one {
    run kubectl rollout restart deployment -n ${ns} ${flags}
    wait until pods in ns ${ns} all show 2/2 timeout 5m every 10s
    verify not (context is "x" or context is "y") and sidecars in ns ${ns} at version "1.5"
    retry 2 backoff 1m30s
    timeout 1h
    idempotent
  }
})";
  ASSERT_TRUE(Compile("p.asmplan")) << rendered_;
  EXPECT_EQ(plan_.name, "demo");
  EXPECT_EQ(plan_.title, "demo payments");
  ASSERT_EQ(plan_.steps.size(), 1u);
  const Step& s = plan_.steps[0];
  EXPECT_EQ(s.source, "p.asmplan:5");
  ASSERT_EQ(s.run.size(), 1u);
  EXPECT_EQ(s.run[0], (std::vector<std::string>{"kubectl", "rollout", "restart", "deployment", "-n",
                                                "payments", "--a", "b c"}));
  ASSERT_EQ(s.wait_until.size(), 1u);
  EXPECT_EQ(CanonicalText(s.wait_until[0].guard), "pods in ns \"payments\" all show 2/2");
  EXPECT_EQ(s.wait_until[0].timeout_ms, 300000);
  EXPECT_EQ(s.wait_until[0].every_ms, 10000);
  ASSERT_EQ(s.verify.size(), 1u);
  EXPECT_EQ(CanonicalText(s.verify[0]),
            "not (context is \"x\" or context is \"y\") and sidecars in ns \"payments\" at "
            "version \"1.5\"");
  EXPECT_EQ(s.retries, 2);
  EXPECT_EQ(s.backoff_ms, 90000);
  EXPECT_EQ(s.timeout_ms, 3600000);
  EXPECT_TRUE(s.idempotent);
}

TEST_F(CompilerTest, ExpandsForGroupsAndOrdersDeterministically) {
  files_.files["p.asmplan"] = R"(plan demo {
  param nss : list<string> = ["a", "b", "c"]
  step last after restart { confirm "done" }
  for ns in nss parallel 2 {
    step restart[${ns}] after first { run kubectl rollout restart deployment -n ${ns} }
  }
  step first { run echo first }
  step unrelated { run echo x }
})";
  ASSERT_TRUE(Compile("p.asmplan")) << rendered_;
  EXPECT_EQ(Ids(), (std::vector<std::string>{"first", "restart[a]", "restart[b]", "restart[c]",
                                             "last", "unrelated"}));
  ASSERT_EQ(plan_.groups.size(), 1u);
  EXPECT_EQ(plan_.groups[0].name, "restart");
  EXPECT_EQ(plan_.groups[0].parallel, 2);
  EXPECT_EQ(plan_.groups[0].steps.size(), 3u);
  EXPECT_EQ(FindStep("last")->after,
            (std::vector<std::string>{"restart[a]", "restart[b]", "restart[c]"}));
  EXPECT_EQ(FindStep("restart[b]")->group, "restart");
}

TEST_F(CompilerTest, EnvironmentFilesSetsAndValuesHavePrecedence) {
  files_.files["plans/base.asmplan"] = R"(plan demo {
  param a : string = "default"
  param b : string = "default"
  param c : int = 1
  param d : list<string>
  step s { run echo ${a} ${b} ${c} ${d} }
})";
  files_.files["plans/envs/e.asmplan"] =
      "use \"../base.asmplan\" {\n  b = \"env\"\n  c = 2\n  d = []\n}\n";
  files_.files["v.yaml"] = "c: 3\nd: [x, y]\n";
  ASSERT_TRUE(Compile("plans/envs/e.asmplan", {"d=p,q"}, "v.yaml")) << rendered_;
  EXPECT_EQ(plan_.steps[0].run[0],
            (std::vector<std::string>{"echo", "default", "env", "3", "p", "q"}));
  ASSERT_EQ(plan_.params.size(), 4u);
  EXPECT_EQ(plan_.params[0].source, "default");
  EXPECT_EQ(plan_.params[1].source, "plans/envs/e.asmplan:2");
  EXPECT_EQ(plan_.params[2].source, "v.yaml:1");
  EXPECT_EQ(plan_.params[2].value, "3");
  EXPECT_EQ(plan_.params[3].source, "--set");
  EXPECT_EQ(plan_.params[3].value, "[\"p\",\"q\"]");
  ASSERT_EQ(plan_.sources.size(), 3u);
  EXPECT_EQ(plan_.sources[0].path, "plans/envs/e.asmplan");
  EXPECT_EQ(plan_.sources[1].path, "plans/base.asmplan");
}

TEST_F(CompilerTest, SecretsStayReferencesAndCannotBeBound) {
  files_.files["p.asmplan"] = R"(plan demo {
  param token : string secret
  step s { run curl -H "Authorization: Bearer ${token}" x }
})";
  ASSERT_TRUE(Compile("p.asmplan")) << rendered_;
  EXPECT_EQ(plan_.steps[0].run[0][2], "Authorization: Bearer ${token}");
  ASSERT_EQ(plan_.params.size(), 1u);
  EXPECT_TRUE(plan_.params[0].secret);
  EXPECT_EQ(plan_.params[0].value, "");
  EXPECT_FALSE(Compile("p.asmplan", {"token=hunter2"}));
  EXPECT_EQ(names_, std::vector<std::string>{"secret-in-source"});
  EXPECT_EQ(rendered_.find("hunter2"), std::string::npos);
}

// The error that keeps a secret out of the plan names where it was written but does not quote the
// line: that would print the value, to a terminal or a CI log.
TEST_F(CompilerTest, ASecretWrittenInASourceIsNotQuotedBack) {
  files_.files["p.asmplan"] = R"(plan demo {
  param token : string = "hunter2-default" secret
  param pin : int = 20077 secret
  step s { run curl ${token} ${pin} }
})";
  files_.files["e.asmplan"] = R"(use "q.asmplan" {
  token = "hunter2-env"
  token = "hunter2-again"
})";
  files_.files["q.asmplan"] = R"(plan demo {
  param token : string secret
  step s { run curl ${token} }
})";
  files_.files["v.yaml"] = "token: hunter2-values\n";
  // Nor does any other error on such a line.
  EXPECT_FALSE(Compile("p.asmplan"));
  for (const char* name : {"secret-in-source", "type-mismatch"})
    EXPECT_NE(std::find(names_.begin(), names_.end(), name), names_.end()) << name;
  EXPECT_EQ(rendered_.find("20077"), std::string::npos) << rendered_;
  EXPECT_NE(rendered_.find("p.asmplan:2:26: error: secret parameter `token` cannot have a default"),
            std::string::npos)
      << rendered_;
  EXPECT_FALSE(Compile("e.asmplan"));
  EXPECT_NE(rendered_.find("e.asmplan:2:3: error: secret parameter `token` cannot be bound here"),
            std::string::npos)
      << rendered_;
  EXPECT_EQ(rendered_.find("hunter2"), std::string::npos) << rendered_;
  EXPECT_FALSE(Compile("q.asmplan", {}, "v.yaml"));
  EXPECT_NE(rendered_.find("v.yaml:1:1: error: secret parameter `token` cannot be bound here"),
            std::string::npos)
      << rendered_;
  EXPECT_EQ(rendered_.find("hunter2"), std::string::npos) << rendered_;
}

TEST_F(CompilerTest, CompilingTwiceGivesIdenticalBytes) {
  files_.files["p.asmplan"] = R"(plan demo {
  param nss : list<string> = ["a", "b"]
  for ns in nss { step r[${ns}] { run echo ${ns} } }
  step z after r { run echo z }
})";
  ASSERT_TRUE(Compile("p.asmplan")) << rendered_;
  std::string first = WriteCompiledPlan(&plan_);
  ASSERT_TRUE(Compile("p.asmplan")) << rendered_;
  EXPECT_EQ(WriteCompiledPlan(&plan_), first);
}

// Some editors save UTF-8 with a byte order mark: the plan is the same plan.
TEST_F(CompilerTest, AByteOrderMarkIsNotPartOfThePlan) {
  const std::string text = "plan demo {\n  step a { run echo a }\n}\n";
  files_.files["p.asmplan"] = text;
  ASSERT_TRUE(Compile("p.asmplan")) << rendered_;
  Plan plain = plan_;
  files_.files["p.asmplan"] = "\xEF\xBB\xBF" + text;
  ASSERT_TRUE(Compile("p.asmplan")) << rendered_;
  EXPECT_EQ(plan_.steps.size(), plain.steps.size());
  EXPECT_EQ(plan_.steps[0].run, plain.steps[0].run);
}

TEST_F(CompilerTest, ReportsEveryErrorNotJustTheFirst) {
  files_.files["p.asmplan"] = R"(plan demo {
  step a after nope { timeout 0s }
  step b { fetch missing }
})";
  EXPECT_FALSE(Compile("p.asmplan"));
  EXPECT_EQ(names_,
            (std::vector<std::string>{"invalid-duration", "unknown-artifact", "unknown-step"}));
}

// A syntax error in one item does not hide the next one's: each is reported, and the lines of a
// step whose `{` is missing do not add errors of their own.
TEST_F(CompilerTest, ReportsASyntaxErrorInEveryItem) {
  files_.files["p.asmplan"] = R"(plan p {
  titel "x"
  step s0 { rn true }
  step s1 after s0
    run true
  }
  step s2 {
    run true
    retri 3
  }
  step s3 { run true }
})";
  EXPECT_FALSE(Compile("p.asmplan"));
  std::vector<int> lines;
  for (size_t at = rendered_.find("p.asmplan:"); at != std::string::npos;
       at = rendered_.find("p.asmplan:", at + 1))
    lines.push_back(std::stoi(rendered_.substr(at + 10)));
  EXPECT_EQ(lines, (std::vector<int>{2, 3, 4, 9})) << rendered_;
}

// A bad parameter value, a duplicated statement and a step's own error come in one pass; a
// reference to the refused parameter adds no error of its own.
TEST_F(CompilerTest, ParameterAndStepErrorsComeInOnePass) {
  files_.files["p.asmplan"] = R"(plan p {
  param ns : string
  param every : duration = 5x
  param nss : list<string> = "a"
  step a {
    timeout 1m
    timeout 2m
    run kubectl get pods -n ${ns}
    wait until pods in ns ${ns} all ready every ${every}
  }
  for n in nss { step r[${n}] after a { run echo ${n} } }
  step b after r { run echo ${nope} }
})";
  EXPECT_FALSE(Compile("p.asmplan"));
  EXPECT_EQ(names_,
            (std::vector<std::string>{"duplicate-statement", "invalid-duration", "type-mismatch",
                                      "missing-param", "wait-without-timeout", "unknown-param"}))
      << rendered_;
}

// A required list bound to nothing makes a plan that does nothing: it compiles, with a warning.
TEST_F(CompilerTest, ARequiredListBoundToNothingIsWarned) {
  files_.files["p.asmplan"] = R"(plan p {
  param nss : list<string>
  param extra : list<string> = []
  for ns in nss { step r[${ns}] { run echo ${ns} } }
  for ns in extra { step x[${ns}] { run echo ${ns} } }
})";
  EXPECT_TRUE(Compile("p.asmplan", {"nss="})) << rendered_;
  EXPECT_EQ(names_, std::vector<std::string>{"empty-list"});
  EXPECT_NE(rendered_.find("p.asmplan:4:13: warning: `nss` is bound to an empty list (from --set)"),
            std::string::npos)
      << rendered_;
}

// A compiled plan given where a source goes is named as such, not as 20 syntax errors.
TEST_F(CompilerTest, ACompiledPlanIsNotASource) {
  files_.files["p.asmplan"] = "plan p {\n  step a { run echo a }\n}\n";
  ASSERT_TRUE(Compile("p.asmplan")) << rendered_;
  files_.files["p.yaml"] = WriteCompiledPlan(&plan_);
  files_.files["env.asmplan"] = "use \"p.yaml\" {\n}\n";
  EXPECT_FALSE(Compile("env.asmplan"));
  EXPECT_EQ(names_, std::vector<std::string>{"syntax-error"});
  EXPECT_NE(rendered_.find("p.yaml:1:1: error: this is a compiled plan, not a plan source"),
            std::string::npos)
      << rendered_;
}

// An item may end on the line that closes the plan.
TEST_F(CompilerTest, AnItemMayEndOnTheClosingLine) {
  files_.files["p.asmplan"] = "plan p {\n  title \"t\"\n  step a { run echo a } }\n";
  EXPECT_TRUE(Compile("p.asmplan")) << rendered_;
  files_.files["p.asmplan"] = "plan p {\n  title \"t\" }\n";
  EXPECT_TRUE(Compile("p.asmplan")) << rendered_;
}

// An unclosed `"""` is one error that says so, not a cascade over the rest of the file.
TEST_F(CompilerTest, AnUnclosedTripleQuoteIsOneError) {
  files_.files["p.asmplan"] =
      "plan p {\n  artifact a {\n    public_key \"\"\"\n      -----BEGIN PUBLIC KEY-----\n"
      "      MFkw\n  }\n  step s { run echo \"x\" }\n}\n";
  EXPECT_FALSE(Compile("p.asmplan"));
  EXPECT_NE(rendered_.find("p.asmplan:3:16: error: unexpected character `\"\"\"`"),
            std::string::npos)
      << rendered_;
  EXPECT_NE(rendered_.find("note: this `\"\"\"` string is never closed"), std::string::npos)
      << rendered_;
  EXPECT_LE(names_.size(), 2u) << rendered_;
}

// The body of a `for` over an empty list is checked all the same (with a sample value), and
// makes no step: a typo in restart_bare_pods must not wait for an environment with bare pods.
TEST_F(CompilerTest, TheBodyOfAForOverAnEmptyListIsChecked) {
  files_.files["p.asmplan"] = R"(plan p {
  param none : list<string> = []
  for v in none {
    step s[${v}] after nothere { run echo ${nope} }
  }
  step z after s { run true }
})";
  EXPECT_FALSE(Compile("p.asmplan"));
  EXPECT_EQ(names_, (std::vector<std::string>{"unknown-param", "unknown-step"})) << rendered_;
  files_.files["p.asmplan"] = R"(plan p {
  param none : list<string> = []
  for v in none { step s[${v}] { run echo ${v} } }
  step z after s { run true }
})";
  ASSERT_TRUE(Compile("p.asmplan")) << rendered_;
  EXPECT_EQ(Ids(), std::vector<std::string>{"z"});
  ASSERT_EQ(plan_.groups.size(), 1u);
  EXPECT_TRUE(plan_.groups[0].steps.empty());  // The sample step is no step: naming it is an
                                               // unknown step (it crashed the compiler).
  files_.files["p.asmplan"] = R"(plan p {
  param none : list<string> = []
  for v in none { step s[${v}] { run echo ${v} } }
  step z after s[sample] { run true }
})";
  EXPECT_FALSE(Compile("p.asmplan"));
  EXPECT_EQ(names_, (std::vector<std::string>{"unknown-step"})) << rendered_;
}

// A stray `}` between items, or a typo in the word that starts a file, is one error, not one per
// line of what follows.
TEST_F(CompilerTest, AStrayBraceOrAMisspeltStartIsOneError) {
  files_.files["p.asmplan"] =
      "plan p {\n  step a { confirm \"x\" }\n  }\n  step b {\n    run echo b\n"
      "    idempotent\n  }\n}\n";
  EXPECT_FALSE(Compile("p.asmplan"));
  EXPECT_EQ(names_, std::vector<std::string>{"syntax-error"}) << rendered_;
  EXPECT_NE(rendered_.find("p.asmplan:3:3: error: unexpected `}`"), std::string::npos) << rendered_;
  files_.files["p.asmplan"] = "pln p {\n  title \"t\"\n  step a { run true }\n}\n";
  EXPECT_FALSE(Compile("p.asmplan"));
  EXPECT_EQ(names_, std::vector<std::string>{"syntax-error"}) << rendered_;
  EXPECT_NE(rendered_.find("expected `plan NAME {` or `use \"PATH\" {` to start the file"),
            std::string::npos)
      << rendered_;
}

// A misspelt parameter is reported at its first use, not at each of them.
TEST_F(CompilerTest, AnUnknownParameterIsReportedOnce) {
  files_.files["p.asmplan"] = R"(plan p {
  param context : string = "c"
  step a { run echo ${contxt} }
  step b after a { require context is ${contxt}
    run x ${contxt} }
})";
  EXPECT_FALSE(Compile("p.asmplan"));
  EXPECT_EQ(names_, std::vector<std::string>{"unknown-param"}) << rendered_;
  EXPECT_NE(rendered_.find("p.asmplan:3:21: error: unknown parameter `contxt`"), std::string::npos)
      << rendered_;
}

TEST_F(CompilerTest, ReportsCyclePath) {
  files_.files["p.asmplan"] = "plan p {\n step a after b { }\n step b after a { }\n}\n";
  EXPECT_FALSE(Compile("p.asmplan"));
  EXPECT_NE(rendered_.find("dependency cycle: `a -> b -> a`"), std::string::npos) << rendered_;
}

// Every diagnostic at once: a cycle is reported beside a parameter's type error and an unknown
// parameter, not only once they are fixed.
TEST_F(CompilerTest, ACycleIsReportedWithTheOtherErrors) {
  files_.files["p.asmplan"] = R"(plan p {
  param n : int = "x"
  step a after b { run echo ${nope} }
  step b after a, missing { run true }
})";
  EXPECT_FALSE(Compile("p.asmplan"));
  std::vector<std::string> names = names_;
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"dependency-cycle", "type-mismatch", "unknown-param",
                                             "unknown-step"}))
      << rendered_;
  EXPECT_NE(rendered_.find("p.asmplan:3:8: error: dependency cycle: `a -> b -> a`"),
            std::string::npos)
      << rendered_;
}

}  // namespace
}  // namespace asmplan
