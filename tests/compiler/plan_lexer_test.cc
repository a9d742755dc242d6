// The hand-written lexer must produce exactly the tokens of the grammar's generated lexer.
#include "compiler/plan_lexer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "AsmPlanLexer.h"

namespace asmplan {
namespace {

/// "TYPE@LINE:COL[START,STOP]=TEXT" for every token up to EOF.
std::vector<std::string> Describe(antlr4::TokenSource* source) {
  std::vector<std::string> out;
  while (true) {
    std::unique_ptr<antlr4::Token> t = source->nextToken();
    if (t->getType() == antlr4::Token::EOF) break;
    std::ostringstream s;
    s << t->getType() << "@" << t->getLine() << ":" << t->getCharPositionInLine() << "["
      << t->getStartIndex() << "," << t->getStopIndex() << "]=" << t->getText();
    out.push_back(s.str());
  }
  return out;
}

/// Lexes `text` with both lexers; false if either reports an error (then tokens may differ).
bool BothLex(const std::string& text, std::vector<std::string>* ours,
             std::vector<std::string>* generated) {
  bool ok = true;
  PlanLexer lexer(text, [&ok](int, int, const std::string&) { ok = false; });
  *ours = Describe(&lexer);
  antlr4::ANTLRInputStream input(text);
  asmplan_gen::AsmPlanLexer reference(&input);
  reference.removeErrorListeners();
  *generated = Describe(&reference);
  return ok && reference.getNumberOfSyntaxErrors() == 0;
}

std::vector<std::string> SampleSources() {
  std::vector<std::string> texts;
  std::string root = ASMPLAN_SOURCE_DIR;
  for (const char* dir :
       {"/plans", "/plans/envs", "/tests/compiler/testdata", "/tests/compiler/testdata/env"}) {
    for (const auto& e : std::filesystem::directory_iterator(root + dir)) {
      if (e.path().extension() != ".asmplan" || e.path().filename() == "fail_invalid_utf8.asmplan")
        continue;
      std::ifstream in(e.path());
      std::stringstream buf;
      buf << in.rdbuf();
      texts.push_back(buf.str());
    }
  }
  return texts;
}

TEST(PlanLexerTest, MatchesTheGeneratedLexerOnEveryPlan) {
  std::vector<std::string> texts = SampleSources();
  ASSERT_GT(texts.size(), 20u);
  for (const std::string& text : texts) {
    std::vector<std::string> ours, generated;
    if (!BothLex(text, &ours, &generated)) continue;
    EXPECT_EQ(ours, generated) << text;
  }
}

TEST(PlanLexerTest, MatchesOnTrickyWords) {
  const char* cases[] = {
      "a=b c: d= e:f --x=${y}: ${a b}c $ {x} ${unclosed",
      "name=[\"a\"] x:y:z= w\r\nq",
      "\"\"\"multi\nline\"\"\" \"\" \"esc\\\"aped\" \"\"\"\"",
      "plan planx plan-x x_plan pods2/2 é ünï ${é}",
      "a#comment\n#x\n  b\t;c",
  };
  for (const char* text : cases) {
    std::vector<std::string> ours, generated;
    EXPECT_TRUE(BothLex(text, &ours, &generated)) << text;
    EXPECT_EQ(ours, generated) << text;
  }
}

TEST(PlanLexerTest, MatchesOnRandomText) {
  // Random mixes of the characters that matter; inputs with lexer errors are skipped.
  const std::string alphabet = "ab $={}:[],;#\"\\\n\t()<>-/.é";
  std::mt19937 rng(1);
  int compared = 0;
  for (int n = 0; n < 3000; ++n) {
    std::string text;
    for (int i = 0; i < 40; ++i) {
      size_t k = rng() % (alphabet.size() - 1);
      text += alphabet[k];
      if (alphabet[k] == '\xc3') text += alphabet[k + 1];  // keep é whole
    }
    std::vector<std::string> ours, generated;
    if (!BothLex(text, &ours, &generated)) continue;
    ++compared;
    ASSERT_EQ(ours, generated) << text;
  }
  EXPECT_GT(compared, 100);
}

}  // namespace
}  // namespace asmplan
