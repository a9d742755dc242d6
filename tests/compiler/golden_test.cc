// Golden files: testdata/fail_*.asmplan and ok_*.asmplan, each with the exact diagnostics it must
// produce (NAME.diag) and, for ok_*, the exact compiled plan (NAME.yaml). A first line
// `# args: --set A=B --values FILE` passes those bindings. ASMPLAN_REGOLDEN=1 rewrites the
// expected files from the current output instead of comparing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "compiler/compiled_plan_io.h"
#include "compiler/compiler.h"

namespace asmplan {
namespace {

const std::string kDir = std::string(ASMPLAN_SOURCE_DIR) + "/tests/compiler/";

/// Reads paths relative to tests/compiler/, so diagnostics show short, stable paths.
class TestdataReader : public FileReader {
 public:
  bool Read(const std::string& path, std::string* content, std::string* err) override {
    return disk_.Read(path.rfind('/', 0) == 0 ? path : kDir + path, content, err);
  }

 private:
  DiskFileReader disk_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

bool Regolden() {
  const char* v = std::getenv("ASMPLAN_REGOLDEN");
  return v && std::string(v) == "1";
}

/// The bindings from a `# args:` first line.
CompileInput InputFor(const std::string& name, const std::string& source) {
  CompileInput in{"testdata/" + name, {}, "", nullptr};
  if (source.rfind("# args:", 0) != 0) return in;
  std::istringstream args(source.substr(7, source.find('\n') - 7));
  std::string flag, value;
  while (args >> flag) {
    args >> value;
    (flag == "--set" ? in.sets.push_back(value) : void(in.values_path = value));
  }
  return in;
}

std::vector<std::string> Cases(const std::string& prefix) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kDir + "testdata")) {
    std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && entry.path().extension() == ".asmplan") names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

/// Compiles one case, compares (or rewrites) its golden files; returns the diagnostic names.
std::set<std::string> CheckCase(const std::string& name, bool expect_ok) {
  std::string base = kDir + "testdata/" + name.substr(0, name.size() - 8);
  TestdataReader reader;
  CompileInput in = InputFor(name, ReadFile(kDir + "testdata/" + name));
  in.reader = &reader;
  Plan plan;
  Diagnostics diags;
  bool ok = CompilePlan(in, &plan, &diags);
  EXPECT_EQ(ok, expect_ok) << name << "\n" << diags.Render();
  std::map<std::string, std::string> outputs{{".diag", diags.Render()}};
  if (ok) outputs[".yaml"] = WriteCompiledPlan(&plan);
  for (const auto& [ext, actual] : outputs) {
    if (Regolden()) {
      WriteFile(base + ext, actual);
    } else {
      EXPECT_EQ(actual, ReadFile(base + ext))
          << name << ext << " differs (ASMPLAN_REGOLDEN=1 rewrites)";
    }
  }
  std::set<std::string> names;
  for (const Diagnostic& d : diags.all()) names.insert(d.name);
  return names;
}

TEST(GoldenTest, EveryDiagnosticNameIsCovered) {
  std::set<std::string> seen;
  for (const std::string& name : Cases("fail_")) {
    std::set<std::string> names = CheckCase(name, false);
    seen.insert(names.begin(), names.end());
  }
  for (const std::string& name : Cases("ok_")) {
    std::set<std::string> names = CheckCase(name, true);
    seen.insert(names.begin(), names.end());
  }
  const char* kAll[] = {
      "syntax-error",       "empty-file",          "invalid-utf8",          "nesting-too-deep",
      "invalid-escape",     "duplicate-statement", "unknown-step",          "duplicate-step",
      "dependency-cycle",   "missing-param",       "unknown-param",         "type-mismatch",
      "unknown-artifact",   "invalid-duration",    "wait-without-timeout",  "invalid-k8s-name",
      "unreadable-file",    "unverified-artifact", "unused-param",          "use-cycle",
      "secret-in-source",   "secret-not-allowed",  "invalid-interpolation", "duplicate-param",
      "duplicate-binding",  "invalid-values",      "invalid-set",           "shadowed-param",
      "invalid-number",     "invalid-name",        "empty-command",         "invalid-guard",
      "missing-url",        "invalid-sha256",      "invalid-path",          "invalid-public-key",
      "conflicting-verify", "missing-public-key",  "duplicate-artifact",    "invalid-value"};
  for (const char* name : kAll)
    EXPECT_TRUE(seen.count(name)) << "no golden covers [" << name << "]";
}

}  // namespace
}  // namespace asmplan
