#include "compiler/quoted_string.h"

#include <gtest/gtest.h>

#include "compiler/duration_text.h"

namespace asmplan {
namespace {

std::string Unquote(const std::string& text, std::string* err) {
  size_t pos = 0;
  std::string out;
  if (!ParseQuoted(text, &pos, &out, err)) return "<error>";
  if (pos != text.size()) return "<trailing>";
  return out;
}

TEST(QuotedStringTest, EscapesWhatJsonAndYamlNeed) {
  EXPECT_EQ(Quoted("plain"), "\"plain\"");
  EXPECT_EQ(Quoted("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(Quoted("\n\t\r\b\f"), R"("\n\t\r\b\f")");
  EXPECT_EQ(Quoted(std::string("\x01\x7f", 2)), R"("\u0001\u007f")");
  EXPECT_EQ(Quoted("ünï ✓ 🚀"), "\"ünï ✓ 🚀\"");
  EXPECT_EQ(Quoted("\xc2\x85 \xe2\x80\xa8 \xef\xbb\xbf"), R"("\u0085 \u2028 \ufeff")");
  EXPECT_EQ(Quoted("bad \xff \xc0\xaf \xed\xa0\x80"),
            R"("bad \ufffd \ufffd\ufffd \ufffd\ufffd\ufffd")");
}

// What a reviewer could not see, or would read wrongly, is written as an escape: a no-break space,
// a zero-width space, a right-to-left override (Trojan Source), a soft hyphen.
TEST(QuotedStringTest, EscapesInvisibleAndBidiCharacters) {
  EXPECT_EQ(Quoted("admin\u00a0"), R"("admin\u00a0")");
  // A tag character (above U+FFFF) is a surrogate pair, and reads back as itself.
  EXPECT_EQ(Quoted("x\U000E0041y"), R"("x\udb40\udc41y")");
  std::string err;
  EXPECT_EQ(Unquote(Quoted("x\U000E0041y"), &err), "x\U000E0041y") << err;
  EXPECT_EQ(Quoted("a\u200bb \u202e c\u2066 \u00ad"), R"("a\u200bb \u202e c\u2066 \u00ad")");
  EXPECT_TRUE(IsBidiControl(0x202e));
  EXPECT_FALSE(IsBidiControl(0x200b));
  EXPECT_EQ(FirstInvisible("prod-admin"), 0u);
  EXPECT_EQ(FirstInvisible("ünï ✓ prod\u3000"), 0x3000u);
  // For a terminal: newlines and tabs stay, the rest is shown escaped; `"` and `\` as they are.
  EXPECT_EQ(VisibleText("t\x1b]0;x\x07 \"q\" \\ é\u202e\tz\n\xff"),
            "t\\u001b]0;x\\u0007 \"q\" \\ é\\u202e\tz\n\\xff");
}

TEST(QuotedStringTest, RoundTripsValidUtf8) {
  const std::string samples[] = {
      "", "x", "a\"b\\c\n\t", std::string("\0\x1f", 2), "ünï ✓ 🚀 \xc2\x85", "${secret} 'q'"};
  for (const std::string& s : samples) {
    std::string err;
    EXPECT_EQ(Unquote(Quoted(s), &err), s) << err;
  }
}

TEST(QuotedStringTest, ReadsJsonEscapesAndRefusesBadOnes) {
  std::string err;
  EXPECT_EQ(Unquote(R"("\/\u00e9\ud83d\ude80")", &err), "/é🚀");
  EXPECT_EQ(Unquote(R"("\x41")", &err), "<error>");
  EXPECT_EQ(err, "invalid escape sequence in a quoted string");
  EXPECT_EQ(Unquote(R"("\ud83d")", &err), "<error>");
  EXPECT_EQ(Unquote(R"("\u12")", &err), "<error>");
  EXPECT_EQ(Unquote("\"a\nb\"", &err), "<error>");
  EXPECT_EQ(err, "raw control character in a quoted string");
  EXPECT_EQ(Unquote("\"abc", &err), "<error>");
  EXPECT_EQ(err, "unterminated quoted string");
  EXPECT_EQ(Unquote("\"abc\\", &err), "<error>");
  EXPECT_EQ(Unquote("abc", &err), "<error>");
}

TEST(DurationTextTest, FormatsReadably) {
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(10'000), "10s");
  EXPECT_EQ(FormatDuration(900'000), "15m");
  EXPECT_EQ(FormatDuration(5'400'000), "1h30m");
  EXPECT_EQ(FormatDuration(1500), "1s500ms");
  EXPECT_EQ(FormatDuration(250), "250ms");
  EXPECT_EQ(FormatDuration(129'600'000), "36h");
  EXPECT_EQ(FormatDuration(-60'000), "-1m");
}

TEST(DurationTextTest, ParsesBackExactly) {
  const Millis samples[] = {0,         1,
                            999,       1000,
                            61'001,    3'600'000,
                            5'400'000, 86'400'000 * 9LL + 7,
                            -1500,     9'000'000'000'000'000LL};
  for (Millis ms : samples) {
    Millis back = -42;
    EXPECT_TRUE(ParseDuration(FormatDuration(ms), &back)) << FormatDuration(ms);
    EXPECT_EQ(back, ms);
  }
  Millis ms = 0;
  EXPECT_TRUE(ParseDuration("2d", &ms));
  EXPECT_EQ(ms, 172'800'000);
  EXPECT_TRUE(ParseDuration("90s", &ms));
  EXPECT_EQ(ms, 90'000);
  for (const char* bad : {"", "-", "10", "s", "10x", "1m1h", "1s1s", "1 s", "99999999999999999999s",
                          "9999999999999999h"}) {
    EXPECT_FALSE(ParseDuration(bad, &ms)) << bad;
  }
}

}  // namespace
}  // namespace asmplan
