// Rendering commands for people: argv quoting, and the line of output a failure quotes.
#include "runtime/argv_text.h"

#include <gtest/gtest.h>

namespace asmplan {
namespace {

TEST(ArgvTextTest, QuotesOnlyWhatAShellWouldChange) {
  EXPECT_EQ(ArgvText({"kubectl", "get", "pods", "-n", "my ns"}), "kubectl get pods -n 'my ns'");
  EXPECT_EQ(ArgvText({"echo", "it's", ""}), "echo 'it'\\''s' ''");
  EXPECT_EQ(ArgvText({"--set=a.b/c:d,e@f%g+h"}), "--set=a.b/c:d,e@f%g+h");
}

TEST(ArgvTextTest, LastOutputLineIsTheLastNonEmptyLineTrimmed) {
  EXPECT_EQ(LastOutputLine("Warning: x\n  Error from server (NotFound)  \n\n \r\n"),
            "Error from server (NotFound)");
  EXPECT_EQ(LastOutputLine(""), "");
  EXPECT_EQ(LastOutputLine("\n \n\t\n"), "");
  EXPECT_EQ(LastOutputLine("one line"), "one line");
  // A progress bar redrawn with \r: its last state.
  EXPECT_EQ(LastOutputLine("10%\r50%\r100% failed\n"), "100% failed");
}

TEST(ArgvTextTest, LastOutputLineIsCutAtACharacterBoundary) {
  std::string line = std::string(296, 'a') + "é" + std::string(10, 'b');  // é is 2 bytes at 296
  std::string said = LastOutputLine(line);
  EXPECT_EQ(said, std::string(296, 'a') + "...");
  EXPECT_EQ(LastOutputLine(std::string(300, 'x')), std::string(300, 'x'));
  // A tail that starts inside a character: its stray continuation bytes are dropped.
  EXPECT_EQ(LastOutputLine(std::string("\xa9") + "tail"), "tail");
}

}  // namespace
}  // namespace asmplan
