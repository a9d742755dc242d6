// Secret values: substituted into what runs, replaced by *** in everything written.
#include "runtime/secrets.h"

#include <gtest/gtest.h>

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

// Megabytes of output made of a secret (`yes $TOKEN`): every copy is redacted, none is left.
TEST(SecretsTest, RedactsLargeOutputWhole) {
  Secrets s;
  s.Add("tok", "SEKRIT");
  std::string out;
  for (int i = 0; i < 1'000'000; ++i) out += "SEKRIT\n";
  std::string redacted = s.Redact(out);
  EXPECT_EQ(redacted.find("SEKRIT"), std::string::npos);
  EXPECT_EQ(redacted.size(), 4'000'000u);
  EXPECT_EQ(redacted.substr(0, 8), "***\n***\n");
}

}  // namespace
}  // namespace asmplan
