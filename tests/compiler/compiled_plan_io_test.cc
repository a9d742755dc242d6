#include "compiler/compiled_plan_io.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <random>

#include "compiler/guard_text.h"
#include "compiler/sha256.h"
#include "tests/compiler/sample_plans.h"

namespace asmplan {
namespace {

using testing::FullPlan;

// Recomputes the sha256 line of `text` so its content is accepted and the parser is exercised.
std::string Rehash(const std::string& text) {
  const size_t start = text.find("\nsha256: \"") + 1;
  const size_t end = text.find('\n', start) + 1;
  const std::string rest = text.substr(end);
  Sha256 sha;
  sha.Update(std::string_view(text).substr(0, start));
  sha.Update(rest);
  return text.substr(0, start) + "sha256: \"" + sha.HexDigest() + "\"\n" + rest;
}

TEST(CompiledPlanIoTest, WriteThenReadGivesAnEqualPlan) {
  Plan plan = FullPlan();
  const std::string text = WriteCompiledPlan(&plan);
  Plan read;
  std::string err;
  ASSERT_TRUE(ReadCompiledPlan(text, &read, &err)) << err << "\n" << text;
  EXPECT_EQ(read.sha256, plan.sha256);
  EXPECT_EQ(read.name, plan.name);
  EXPECT_EQ(read.title, plan.title);
  ASSERT_EQ(read.params.size(), plan.params.size());
  for (size_t i = 0; i < plan.params.size(); ++i) {
    EXPECT_EQ(read.params[i].name, plan.params[i].name);
    EXPECT_EQ(read.params[i].type, plan.params[i].type);
    EXPECT_EQ(read.params[i].value, plan.params[i].value);
    EXPECT_EQ(read.params[i].source, plan.params[i].source);
    EXPECT_EQ(read.params[i].secret, plan.params[i].secret);
  }
  ASSERT_EQ(read.artifacts.size(), plan.artifacts.size());
  for (size_t i = 0; i < plan.artifacts.size(); ++i) {
    const Artifact& a = read.artifacts[i];
    const Artifact& b = plan.artifacts[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.url, b.url);
    EXPECT_EQ(a.signature_url, b.signature_url);
    EXPECT_EQ(a.public_key_pem, b.public_key_pem);
    EXPECT_EQ(a.key_fingerprint, b.key_fingerprint);
    EXPECT_EQ(a.sha256, b.sha256);
    EXPECT_EQ(a.extract_to, b.extract_to);
    EXPECT_EQ(a.verify_none, b.verify_none);
  }
  ASSERT_EQ(read.groups.size(), plan.groups.size());
  for (size_t i = 0; i < plan.groups.size(); ++i) {
    EXPECT_EQ(read.groups[i].name, plan.groups[i].name);
    EXPECT_EQ(read.groups[i].parallel, plan.groups[i].parallel);
    EXPECT_EQ(read.groups[i].steps, plan.groups[i].steps);
  }
  ASSERT_EQ(read.steps.size(), plan.steps.size());
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& a = read.steps[i];
    const Step& b = plan.steps[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.group, b.group);
    EXPECT_EQ(a.source, b.source);
    EXPECT_EQ(a.after, b.after);
    EXPECT_EQ(a.require, b.require);
    EXPECT_EQ(a.skip_if, b.skip_if);
    EXPECT_EQ(a.fetch, b.fetch);
    EXPECT_EQ(a.run, b.run);
    EXPECT_EQ(a.timeout_ms, b.timeout_ms);
    EXPECT_EQ(a.retries, b.retries);
    EXPECT_EQ(a.backoff_ms, b.backoff_ms);
    ASSERT_EQ(a.wait_until.size(), b.wait_until.size());
    for (size_t w = 0; w < a.wait_until.size(); ++w) {
      EXPECT_EQ(a.wait_until[w].guard, b.wait_until[w].guard);
      EXPECT_EQ(a.wait_until[w].timeout_ms, b.wait_until[w].timeout_ms);
      EXPECT_EQ(a.wait_until[w].every_ms, b.wait_until[w].every_ms);
    }
    EXPECT_EQ(a.verify, b.verify);
    EXPECT_EQ(a.idempotent, b.idempotent);
    EXPECT_EQ(a.confirm, b.confirm);
  }
  ASSERT_EQ(read.sources.size(), plan.sources.size());
  for (size_t i = 0; i < plan.sources.size(); ++i) {
    EXPECT_EQ(read.sources[i].path, plan.sources[i].path);
    EXPECT_EQ(read.sources[i].sha256, plan.sources[i].sha256);
  }
  // Writing what was read gives the same bytes again.
  EXPECT_EQ(WriteCompiledPlan(&read), text);
}

TEST(CompiledPlanIoTest, WritingTwiceGivesIdenticalBytes) {
  Plan a = FullPlan();
  Plan b = FullPlan();
  const std::string first = WriteCompiledPlan(&a);
  EXPECT_EQ(WriteCompiledPlan(&b), first);
  EXPECT_EQ(WriteCompiledPlan(&a), first);
  EXPECT_EQ(a.sha256.size(), 64u);
}

TEST(CompiledPlanIoTest, TheLayoutReadsTopToBottom) {
  Plan plan = FullPlan();
  const std::string text = WriteCompiledPlan(&plan);
  EXPECT_EQ(text.rfind("# compiled by asmplan ", 0), 0u) << text;
  EXPECT_NE(text.find("from \"plans/envs/staging.asmplan\"; do not edit"), std::string::npos);
  EXPECT_NE(
      text.find("\nsha256: \"" + plan.sha256 + "\"\nformat_version: 1\nplan: \"asm_downgrade\""),
      std::string::npos);
  EXPECT_NE(text.find("    value: [\"frontend\", \"pay\\\"ments\"]\n"), std::string::npos);
  EXPECT_NE(text.find("  - name: \"db_password\"\n    type: \"string\"\n    secret: true\n"
                      "    source: \"--set\"\n"),
            std::string::npos);
  EXPECT_NE(text.find("    public_key: |\n      -----BEGIN PUBLIC KEY-----\n"), std::string::npos);
  EXPECT_NE(text.find("    public_key: \"no final newline\"\n"), std::string::npos);
  EXPECT_NE(text.find("      - [\"kubectl\", \"rollout\", \"restart\", \"deployment\", \"-n\", "
                      "\"pay\\\"ments\"]\n"),
            std::string::npos);
  EXPECT_NE(text.find("    timeout: \"1h30m\"\n    retry: 3\n    backoff: \"1s500ms\"\n"),
            std::string::npos);
  EXPECT_NE(text.find("      - guard: 'pods in ns \"pay\\\"ments\" all show 2/2'\n"
                      "        timeout: \"20m\"\n        every: \"15s\"\n"),
            std::string::npos);
  EXPECT_NE(text.find("    require:\n      - 'context is \"onprem ''staging'' user\"'\n"),
            std::string::npos);
}

TEST(CompiledPlanIoTest, YamlCppReadsTheSameValues) {
  Plan plan = FullPlan();
  const std::string text = WriteCompiledPlan(&plan);
  YAML::Node root = YAML::Load(text);
  EXPECT_EQ(root["sha256"].as<std::string>(), plan.sha256);
  EXPECT_EQ(root["plan"].as<std::string>(), plan.name);
  EXPECT_EQ(root["title"].as<std::string>(), plan.title);
  EXPECT_EQ(root["params"][1]["value"][1].as<std::string>(), "pay\"ments");
  EXPECT_EQ(root["params"][4]["value_text"].as<std::string>(), "not json\nat all");
  EXPECT_EQ(root["artifacts"][0]["public_key"].as<std::string>(), plan.artifacts[0].public_key_pem);
  EXPECT_EQ(root["groups"][0]["parallel"].as<int>(), 2);
  const YAML::Node step = root["steps"][4];
  EXPECT_EQ(step["id"].as<std::string>(), plan.steps[4].id);
  EXPECT_EQ(step["run"][1].as<std::vector<std::string>>(), plan.steps[4].run[1]);
  EXPECT_EQ(step["run"].size(), 2u);
  EXPECT_EQ(step["require"][0].as<std::string>(), CanonicalText(plan.steps[4].require[0]));
  EXPECT_EQ(step["wait_until"][0]["guard"].as<std::string>(),
            CanonicalText(plan.steps[4].wait_until[0].guard));
  EXPECT_EQ(step["timeout"].as<std::string>(), "1h30m");
  EXPECT_EQ(step["confirm"].as<std::string>(), plan.steps[4].confirm);
  EXPECT_EQ(root["sources"][1]["path"].as<std::string>(), "plans/asm-downgrade.asmplan");
}

TEST(CompiledPlanIoTest, AnEditedPlanIsRefused) {
  Plan plan = FullPlan();
  const std::string text = WriteCompiledPlan(&plan);
  const size_t at = text.find("\"1h30m\"");
  ASSERT_NE(at, std::string::npos);
  std::string edited = text;
  edited[at + 2] = '2';  // 1h30m -> 2h30m
  Plan read;
  std::string err;
  EXPECT_FALSE(ReadCompiledPlan(edited, &read, &err));
  EXPECT_EQ(
      err.rfind("compiled plan content does not match its sha256 (recorded " + plan.sha256, 0), 0u)
      << err;
  // The header comment is covered too.
  edited = text;
  edited[2] = 'C';
  EXPECT_FALSE(ReadCompiledPlan(edited, &read, &err));
  EXPECT_NE(err.find("does not match its sha256"), std::string::npos);
}

TEST(CompiledPlanIoTest, EveryByteIsCoveredExceptTheHashLine) {
  Plan plan = FullPlan();
  const std::string text = WriteCompiledPlan(&plan);
  const size_t hash_line = text.find("\nsha256: ") + 1;
  Plan read;
  std::string err;
  for (size_t i = 0; i < text.size(); i += 7) {
    if (i >= hash_line && i < hash_line + 75) continue;
    std::string edited = text;
    edited[i] = edited[i] == 'x' ? 'y' : 'x';
    EXPECT_FALSE(ReadCompiledPlan(edited, &read, &err)) << "byte " << i;
  }
}

TEST(CompiledPlanIoTest, TruncatedPlansAreRefusedAtEveryLength) {
  Plan plan = FullPlan();
  const std::string text = WriteCompiledPlan(&plan);
  Plan read;
  std::string err;
  for (size_t n = 0; n < text.size(); ++n) {
    EXPECT_FALSE(ReadCompiledPlan(text.substr(0, n), &read, &err)) << n;
    EXPECT_FALSE(err.empty());
  }
}

TEST(CompiledPlanIoTest, TruncatedButRehashedPlansGetALineNumberNotACrash) {
  Plan plan = FullPlan();
  const std::string text = WriteCompiledPlan(&plan);
  const size_t body = text.find("\nformat_version") + 1;
  Plan read;
  std::string err;
  for (size_t n = body; n < text.size(); ++n) {
    if (ReadCompiledPlan(Rehash(text.substr(0, n)), &read, &err)) {
      // A cut at a line end among the steps can be a shorter valid plan (optional fields).
      EXPECT_TRUE(text[n - 1] == '\n' || text[n] == '\n') << n;
      EXPECT_GT(n, text.find("\nsteps:")) << n;
      continue;
    }
    EXPECT_TRUE(err.rfind("compiled plan line ", 0) == 0 ||
                err.rfind("compiled plan is inconsistent: ", 0) == 0)
        << n << ": " << err;
  }
}

TEST(CompiledPlanIoTest, MutatedButRehashedPlansNeverCrash) {
  Plan plan = FullPlan();
  const std::string text = WriteCompiledPlan(&plan);
  const size_t body = text.find("\nformat_version") + 1;
  const std::string interesting = "\"'\\[], :-\n #|0a\x7f\xc3\xff";
  std::mt19937 random(20261127);
  Plan read;
  std::string err;
  for (int i = 0; i < 2000; ++i) {
    std::string mutated = text;
    for (int edits = 1 + random() % 3; edits > 0; --edits) {
      const size_t at = body + random() % (mutated.size() - body);
      const char c = interesting[random() % interesting.size()];
      switch (random() % 3) {
        case 0:
          mutated[at] = c;
          break;
        case 1:
          mutated.insert(at, 1, c);
          break;
        default:
          mutated.erase(at, 1 + random() % 40);
          break;
      }
    }
    if (!ReadCompiledPlan(Rehash(mutated), &read, &err)) {
      EXPECT_EQ(err.rfind("compiled plan ", 0), 0u) << err;
    }
  }
}

TEST(CompiledPlanIoTest, MalformedBodiesNameTheLine) {
  Plan plan = FullPlan();
  const std::string text = WriteCompiledPlan(&plan);
  struct Case {
    std::string from, to, message;
  };
  const Case cases[] = {
      {"format_version: 1", "format_version: 2", "line 4: unsupported format_version `2`"},
      {"    timeout: \"1h30m\"", "    timeout: \"90 minutes\"", "is not a duration"},
      {"    retry: 3", "    retry: x", "`retry` must be a whole number"},
      {"      - 'context is", "      - 'context was", "invalid guard: column 9: expected `is`"},
      {"    idempotent: true", "    idempotent: yes", "`idempotent` is written only as `true`"},
      {"    fetch: \"istio_release\"", "    fetch: istio_release", "expected a double-quoted"},
      {"    fetch: \"istio_release\"", "    fetch: \"istio_release\"\n    bogus: 1",
       "unexpected line after the steps"},
      {"plan: ", "name: ", "expected `plan:` at column 1"},
  };
  for (const Case& c : cases) {
    std::string edited = text;
    const size_t at = edited.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    edited.replace(at, c.from.size(), c.to);
    Plan read;
    std::string err;
    EXPECT_FALSE(ReadCompiledPlan(Rehash(edited), &read, &err)) << c.to;
    EXPECT_EQ(err.rfind("compiled plan line ", 0), 0u) << err;
    EXPECT_NE(err.find(c.message), std::string::npos) << err;
  }
}

// The plan's name names its default state directory: a hand-edited one that is a path is refused
// even with a matching hash.
TEST(CompiledPlanIoTest, APlanNameThatIsAPathIsRefused) {
  Plan plan = FullPlan();
  plan.name = "../../escaped";
  std::string text = WriteCompiledPlan(&plan);
  Plan read;
  std::string err;
  EXPECT_FALSE(ReadCompiledPlan(text, &read, &err));
  EXPECT_EQ(err,
            "compiled plan is inconsistent: plan name `../../escaped` is not letters, digits, `_` "
            "and `-`");
}

TEST(CompiledPlanIoTest, AnInconsistentPlanIsRefusedEvenWithAMatchingHash) {
  Plan plan = FullPlan();
  std::string text = WriteCompiledPlan(&plan);
  const std::string from = "after: [\"use_context\", ";
  text.replace(text.find(from), from.size(), "after: [\"use_kontext\", ");
  Plan read;
  std::string err;
  EXPECT_FALSE(ReadCompiledPlan(Rehash(text), &read, &err));
  EXPECT_EQ(err,
            "compiled plan is inconsistent: step `install_control_plane` runs after step "
            "`use_kontext`, which is not an earlier step");
}

// What the compiler refuses, a hand-edited plan with a recomputed hash cannot bring in: it is
// refused when loaded (by `show`, `run`), not when its step comes to run or fetch halfway through a
// run.
TEST(CompiledPlanIoTest, AHandEditedCommandOrArtifactIsRefusedWhenLoaded) {
  Plan plan = FullPlan();
  const std::string text = WriteCompiledPlan(&plan);
  auto refusal = [&](const std::string& from, const std::string& to) {
    std::string edited = text;
    size_t at = edited.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) edited.replace(at, from.size(), to);
    Plan read;
    std::string err;
    EXPECT_FALSE(ReadCompiledPlan(Rehash(edited), &read, &err)) << from;
    return err;
  };
  EXPECT_EQ(refusal("      - [\"kubectl\", \"config\", \"use-context\", \"onprem-staging-user\"]",
                    "      - []"),
            "compiled plan is inconsistent: step `use_context` has an empty command");
  EXPECT_EQ(refusal("extract_to: \"work\"", "extract_to: \"../../etc\""),
            "compiled plan is inconsistent: artifact `istio_release` extracts to `../../etc`, not "
            "a relative path inside the workspace");
  EXPECT_EQ(refusal("    extract_to: \"tools\"\n", ""),
            "compiled plan is inconsistent: artifact `tools` extracts to ``, not a relative path "
            "inside the workspace");
  EXPECT_EQ(refusal("    verify_none: true\n", ""),
            "compiled plan is inconsistent: artifact `tools` is never verified (no signature, no "
            "sha256, no `verify none`)");
}

TEST(CompiledPlanIoTest, AMissingHashLineIsNamed) {
  Plan read;
  std::string err;
  EXPECT_FALSE(ReadCompiledPlan("", &read, &err));
  EXPECT_EQ(
      err,
      "compiled plan line 1: expected `sha256: \"<64 hex digits>\"` after the header comments");
  EXPECT_FALSE(ReadCompiledPlan("# a\n# b\nplan: x\n", &read, &err));
  EXPECT_EQ(err.rfind("compiled plan line 3: expected `sha256:", 0), 0u) << err;
  EXPECT_FALSE(ReadCompiledPlan(std::string("\0\xff\xfe garbage", 12), &read, &err));
}

// Two files that are not compiled plans in the usual way are named: one checked out with CRLF
// line ends, and a plan source.
TEST(CompiledPlanIoTest, ACrlfPlanAndAPlanSourceAreNamedAsSuch) {
  Plan plan = testing::FullPlan(), read;
  std::string text = WriteCompiledPlan(&plan), crlf, err;
  for (char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  EXPECT_FALSE(ReadCompiledPlan(crlf, &read, &err));
  EXPECT_NE(err.find("the file has Windows line ends, CRLF"), std::string::npos) << err;
  EXPECT_FALSE(ReadCompiledPlan("# staging\nuse \"../base.asmplan\" {\n}\n", &read, &err));
  EXPECT_NE(err.find("this looks like a plan source"), std::string::npos) << err;
}

TEST(CompiledPlanIoTest, AnEmptyPlanRoundTrips) {
  Plan plan;
  plan.name = "empty";
  const std::string text = WriteCompiledPlan(&plan);
  EXPECT_NE(text.find("\nsteps: []\n"), std::string::npos) << text;
  Plan read;
  std::string err;
  ASSERT_TRUE(ReadCompiledPlan(text, &read, &err)) << err;
  EXPECT_EQ(WriteCompiledPlan(&read), text);
}

TEST(CompiledPlanIoTest, AWidePlanRoundTrips) {
  Plan plan = testing::WidePlan(500);
  const std::string text = WriteCompiledPlan(&plan);
  Plan read;
  std::string err;
  ASSERT_TRUE(ReadCompiledPlan(text, &read, &err)) << err;
  ASSERT_EQ(read.steps.size(), 500u);
  EXPECT_EQ(read.steps[499].run, plan.steps[499].run);
  EXPECT_EQ(read.groups[0].steps, plan.groups[0].steps);
  EXPECT_EQ(WriteCompiledPlan(&read), text);
}

}  // namespace
}  // namespace asmplan
