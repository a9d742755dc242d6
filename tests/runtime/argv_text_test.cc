// Rendering commands for people: argv quoting, and the line of output a failure quotes.
#include "runtime/argv_text.h"

#include <gtest/gtest.h>

#include "runtime/secrets.h"

namespace asmplan {
namespace {

TEST(ArgvTextTest, QuotesOnlyWhatAShellWouldChange) {
  EXPECT_EQ(ArgvText({"kubectl", "get", "pods", "-n", "my ns"}), "kubectl get pods -n 'my ns'");
  EXPECT_EQ(ArgvText({"echo", "it's", ""}), "echo 'it'\\''s' ''");
  EXPECT_EQ(ArgvText({"--set=a.b/c:d,e@f%g+h"}), "--set=a.b/c:d,e@f%g+h");
  // A newline or another control character: bash's $'...', so the command stays on one line.
  EXPECT_EQ(ArgvText({"echo", "multi\nline", "tab\there", "it's \\ \x01"}),
            "echo $'multi\\nline' $'tab\\there' $'it\\'s \\\\ \\x01'");
}

TEST(ArgvTextTest, LastOutputLinesAreTheLastNonEmptyLinesInOrderRedactedWhole) {
  EXPECT_EQ(LastOutputLines("a\n\n  b  \nprogress 10%\rprogress 90%\n \n", 5),
            (std::vector<std::string>{"a", "b", "progress 90%"}));
  EXPECT_EQ(LastOutputLines("a\nb\nc", 2), (std::vector<std::string>{"b", "c"}));
  EXPECT_TRUE(LastOutputLines("\n\n", 3).empty());
  Secrets secrets;
  secrets.Add("key", "-----BEGIN KEY-----\nABCDEF\n-----END KEY-----");
  EXPECT_EQ(LastOutputLines("x\n-----BEGIN KEY-----\nABCDEF\n-----END KEY-----\ny\n", 3, &secrets),
            (std::vector<std::string>{"x", "***", "y"}));
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

// A secret is redacted before the line is cut: the cut at 297 bytes would go through it and leave
// its first bytes, which no later redaction recognises. Only the quoted line is redacted.
TEST(ArgvTextTest, LastOutputLineRedactsSecretsBeforeTheCut) {
  Secrets secrets;
  secrets.Add("token", "TOPSECRET-0123456789");
  std::string line = std::string(290, '0') + "TOPSECRET-0123456789";
  EXPECT_EQ(LastOutputLine(line), std::string(290, '0') + "TOPSECR...");
  EXPECT_EQ(LastOutputLine("earlier TOPSECRET-0123456789\n" + line, &secrets),
            std::string(290, '0') + "***");
  EXPECT_EQ(LastOutputLine(std::string(400, 'x') + "TOPSECRET-0123456789", &secrets),
            std::string(297, 'x') + "...");
  // A secret of several lines (a PEM key) that ends in the last line: none of it is quoted.
  Secrets pem;
  pem.Add("key", "s3cr3t-Value\nline2-of-secret");
  EXPECT_EQ(LastOutputLine("error: guard-err s3cr3t-Value\nline2-of-secret\n", &pem),
            "error: guard-err ***");
  EXPECT_EQ(LastOutputLine("s3cr3t-Value\nline2-of-secret", &pem), "***");
  EXPECT_EQ(LastOutputLine("line2-of-secret, said twice\n", &pem), "line2-of-secret, said twice");
}

}  // namespace
}  // namespace asmplan
