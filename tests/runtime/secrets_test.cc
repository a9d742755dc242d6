// Secret values: substituted into what runs, replaced by *** in everything written.
#include "runtime/secrets.h"

#include <gtest/gtest.h>

#include "runtime/argv_text.h"

namespace asmplan {
namespace {

TEST(SecretsTest, RedactsEveryOccurrenceLongestFirst) {
  Secrets s;
  s.Add("short", "abc");
  s.Add("long", "xabcx");
  EXPECT_EQ(s.Redact("xabcx abc abcabc"), "*** *** ******");
  EXPECT_EQ(s.Redact("nothing here"), "nothing here");
  EXPECT_EQ(s.Redact(""), "");
  EXPECT_EQ(s.Substitute("--token=${short} ${long}${short} ${other}"),
            "--token=abc xabcxabc ${other}");
}

// A value as asmplan shows it: shell-quoted in an argv, JSON-quoted in a guard, escaped for a
// terminal. Each form is redacted, not just the raw value.
TEST(SecretsTest, RedactsTheValueInEveryFormItIsShown) {
  Secrets s;
  s.Add("tok", "it's \"q\"\x01x");
  EXPECT_EQ(s.Redact("login --token $'it\\'s \"q\"\\x01x'"), "login --token $'***'");
  Secrets plain;
  plain.Add("tok", "it's");  // in an argument whose other part has a newline
  EXPECT_EQ(plain.Redact(ArgvText({"--token=it's\n"})), "$'--token=***\\n'");
  EXPECT_EQ(plain.Redact(ArgvText({"--token=it's"})), "'--token=***'");
  EXPECT_EQ(s.Redact("command [\"login\", \"it's \\\"q\\\"\\u0001x\"] succeeds"),
            "command [\"login\", \"***\"] succeeds");
  EXPECT_EQ(s.Redact("shown: it's \"q\"\\u0001x"), "shown: ***");  // VisibleText
  EXPECT_EQ(s.Redact("said: it's \"q\"\\x01x"), "said: ***");      // Printable
  EXPECT_EQ(s.Redact("raw it's \"q\"\x01x"), "raw ***");
}

// Megabytes of output made of a secret (`yes $TOKEN`): every copy is redacted, none is left.
TEST(SecretsTest, RedactsLargeOutputWhole) {
  Secrets s;
  s.Add("tok", "SEK'RIT");  // two forms: raw and shell-quoted
  std::string out;
  for (int i = 0; i < 1'000'000; ++i) out += "SEK'RIT\n";
  std::string redacted = s.Redact(out);
  EXPECT_EQ(redacted.find("SEK"), std::string::npos);
  EXPECT_EQ(redacted.size(), 4'000'000u);
  EXPECT_EQ(redacted.substr(0, 8), "***\n***\n");
}

}  // namespace
}  // namespace asmplan
