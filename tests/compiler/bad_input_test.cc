// Hostile input: each must end in diagnostics, never a crash, hang or exhausted memory.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <random>

#include "compiler/compiler.h"
#include "tests/support/scratch_dir.h"

namespace asmplan {
namespace {

/// Compiles `text` as file "in.asmplan"; returns the names of the diagnostics.
std::vector<std::string> CompileText(const std::string& text) {
  MemoryFileReader files;
  files.files["in.asmplan"] = text;
  Plan plan;
  Diagnostics diags;
  EXPECT_FALSE(CompilePlan(CompileInput{"in.asmplan", {}, "", &files}, &plan, &diags));
  EXPECT_FALSE(diags.Render().empty());
  std::vector<std::string> names;
  for (const Diagnostic& d : diags.all()) names.push_back(d.name);
  return names;
}

std::string NestedParens(int depth) {
  return "plan p {\n step a {\n  verify " + std::string(depth, '(') + "context is \"x\"" +
         std::string(depth, ')') + "\n }\n}\n";
}

TEST(BadInputTest, EmptyFile) {
  EXPECT_EQ(CompileText(""), std::vector<std::string>{"empty-file"});
  EXPECT_EQ(CompileText("\n\n# nothing\n"), std::vector<std::string>{"empty-file"});
}

TEST(BadInputTest, BinaryGarbage) {
  std::mt19937 rng(42);
  std::string garbage;
  for (int i = 0; i < 100000; ++i) garbage += static_cast<char>(rng() & 0xff);
  EXPECT_EQ(CompileText(garbage), std::vector<std::string>{"invalid-utf8"});
}

TEST(BadInputTest, ValidUtf8GarbageStopsAfterBoundedErrors) {
  std::mt19937 rng(7);
  std::string garbage;
  for (int i = 0; i < 200000; ++i) garbage += static_cast<char>(1 + rng() % 127);
  std::vector<std::string> names = CompileText(garbage);
  EXPECT_LE(names.size(), Diagnostics::kMaxErrors);
  EXPECT_EQ(names[0], "syntax-error");
}

TEST(BadInputTest, InvalidUtf8) {
  EXPECT_EQ(CompileText("plan p { title \"\xc3\x28\" }"), std::vector<std::string>{"invalid-utf8"});
  // Overlong encoding of `/` and a UTF-16 surrogate are not UTF-8 either.
  EXPECT_EQ(CompileText("plan p {\xc0\xaf}"), std::vector<std::string>{"invalid-utf8"});
  EXPECT_EQ(CompileText("plan p {\xed\xa0\x80}"), std::vector<std::string>{"invalid-utf8"});
}

TEST(BadInputTest, HundredThousandNestedParentheses) {
  EXPECT_EQ(CompileText(NestedParens(100000)), std::vector<std::string>{"nesting-too-deep"});
  EXPECT_EQ(CompileText(NestedParens(101)), std::vector<std::string>{"nesting-too-deep"});
}

TEST(BadInputTest, HundredNestedParenthesesAreFine) {
  MemoryFileReader files;
  files.files["in.asmplan"] = NestedParens(100);
  Plan plan;
  Diagnostics diags;
  EXPECT_TRUE(CompilePlan(CompileInput{"in.asmplan", {}, "", &files}, &plan, &diags))
      << diags.Render();
}

TEST(BadInputTest, ManyNots) {
  std::string nots;
  for (int i = 0; i < 100000; ++i) nots += "not ";
  EXPECT_EQ(CompileText("plan p {\n step a { verify " + nots + "context is \"x\" }\n}\n"),
            std::vector<std::string>{"nesting-too-deep"});
}

TEST(BadInputTest, TenMegabyteLine) {
  std::string line = "plan p { title \"" + std::string(10 << 20, 'a') + "\" step";
  EXPECT_EQ(CompileText(line), std::vector<std::string>{"syntax-error"});
  EXPECT_EQ(CompileText(std::string(10 << 20, 'x')), std::vector<std::string>{"syntax-error"});
}

TEST(BadInputTest, PlanThatUsesItself) {
  EXPECT_EQ(CompileText("use \"in.asmplan\" { }\n"), std::vector<std::string>{"use-cycle"});
  MemoryFileReader files;
  files.files["a.asmplan"] = "use \"b.asmplan\" { }\n";
  files.files["b.asmplan"] = "use \"a.asmplan\" { }\n";
  Plan plan;
  Diagnostics diags;
  EXPECT_FALSE(CompilePlan(CompileInput{"a.asmplan", {}, "", &files}, &plan, &diags));
  EXPECT_NE(diags.Render().find("`a.asmplan` uses `b.asmplan`"), std::string::npos)
      << diags.Render();
}

/// Runs the built `asmplan` with `args`; returns its exit status.
int RunAsmplan(const std::string& args) {
  std::string cmd = std::string(ASMPLAN_BIN_DIR) + "/asmplan " + args + " >/dev/null 2>&1";
  int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(BadInputTest, BinaryExitsTwoOnHostileFiles) {
  testing::ScratchDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::ofstream(dir.File("parens.asmplan")) << NestedParens(100000);
  std::ofstream(dir.File("long.asmplan")) << std::string(10 << 20, 'x');
  std::ofstream(dir.File("self.asmplan")) << "use \"self.asmplan\" { }\n";
  std::ofstream(dir.File("empty.asmplan")) << "";
  for (const char* name : {"parens", "long", "self", "empty"}) {
    EXPECT_EQ(RunAsmplan("check " + dir.File(std::string(name) + ".asmplan")), 2) << name;
  }
  EXPECT_EQ(RunAsmplan("check " + dir.File("missing.asmplan")), 1);
}

}  // namespace
}  // namespace asmplan
