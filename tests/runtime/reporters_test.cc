// The three views of a run: one line per event (pipes), the live block (terminals) and JSON lines
// (`--events`), each written to a memory stream and read back.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "runtime/json_events_reporter.h"
#include "runtime/line_reporter.h"
#include "runtime/tty_reporter.h"
#include "tests/support/temp_dir.h"

namespace asmplan {
namespace {

constexpr Millis kWall = 1'800'000'000'000;

/// A FILE* whose contents can be read back.
class MemoryStream {
 public:
  MemoryStream() : file_(open_memstream(&buf_, &size_)) {}
  ~MemoryStream() {
    std::fclose(file_);
    std::free(buf_);
  }
  std::FILE* file() { return file_; }
  std::string Text() {
    std::fflush(file_);
    return std::string(buf_, size_);
  }

 private:
  char* buf_ = nullptr;
  size_t size_ = 0;
  std::FILE* file_;
};

ExecEvent Event(ExecEvent::Type type, const std::string& step, const std::string& message = "",
                std::vector<std::string> details = {}) {
  ExecEvent e;
  e.type = type;
  e.step = step;
  e.wall_ms = kWall;
  e.message = message;
  e.details = std::move(details);
  return e;
}

/// A terminal that stays `columns` wide.
std::function<int()> Width(int columns) {
  return [columns] { return columns; };
}

/// Drops the "HH:MM:SS " prefix of every line that has one (local time, so not compared).
std::string WithoutClock(const std::string& text) {
  std::string out;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    end = end == std::string::npos ? text.size() : end + 1;
    std::string line = text.substr(at, end - at);
    bool clock = line.size() >= 9 && line[2] == ':' && line[5] == ':' && line[8] == ' ' &&
                 std::isdigit(static_cast<unsigned char>(line[0]));
    out += clock ? line.substr(9) : line;
    at = end;
  }
  return out;
}

TEST(LineReporterTest, OneLinePerEventWithDurationsDetailsAndTheFailedLog) {
  MemoryStream out;
  auto r = NewLineReporter(out.file(), false);
  ExecEvent ok = Event(ExecEvent::Type::kStepSucceeded, "use_context");
  ok.elapsed_ms = 1200;
  r->OnEvent(ok);
  ExecEvent failed = Event(ExecEvent::Type::kStepFailed, "install",
                           "`istioctl install` exited with 1", {"first detail"});
  failed.elapsed_ms = 61000;
  failed.log_path = "/state/logs/install.log";
  r->OnEvent(failed);
  EXPECT_EQ(WithoutClock(out.Text()),
            "ok       use_context (1s200ms)\n"
            "FAILED   install (1m1s): `istioctl install` exited with 1\n"
            "           first detail\n"
            "           log: /state/logs/install.log\n");
  EXPECT_EQ(out.Text().find('\x1b'), std::string::npos);
}

TEST(LineReporterTest, AWaitingOrFetchLineOnlyWhenItChanges) {
  MemoryStream out;
  auto r = NewLineReporter(out.file(), false);
  for (int i = 0; i < 3; ++i) {
    r->OnEvent(Event(ExecEvent::Type::kWaiting, "restart[a]", "pods in ns \"a\" all show 2/2",
                     {"a/web-1: 1/2 ready"}));
  }
  r->OnEvent(Event(ExecEvent::Type::kWaiting, "restart[a]", "no pods in ns \"a\" terminating"));
  r->OnEvent(Event(ExecEvent::Type::kFetchStage, "get", "download", {"x.tar.gz: 1.0 MiB"}));
  r->OnEvent(Event(ExecEvent::Type::kFetchStage, "get", "download", {"x.tar.gz: 2.0 MiB"}));
  r->OnEvent(Event(ExecEvent::Type::kFetchStage, "get", "verify"));
  EXPECT_EQ(WithoutClock(out.Text()),
            "waiting  restart[a]: pods in ns \"a\" all show 2/2\n"
            "           a/web-1: 1/2 ready\n"
            "waiting  restart[a]: no pods in ns \"a\" terminating\n"
            "fetch    get: download\n"
            "           x.tar.gz: 1.0 MiB\n"
            "fetch    get: verify\n");
}

// On a terminal without cursor control (TERM=dumb), or when stdout is a pipe, lines that come
// while a prompt waits follow its answer instead of landing in the middle of the question.
TEST(LineReporterTest, EventsDuringAPromptComeAfterIt) {
  MemoryStream out;
  auto r = NewLineReporter(out.file(), false);
  r->Pause();
  r->OnEvent(Event(ExecEvent::Type::kStepSucceeded, "other"));
  EXPECT_EQ(out.Text(), "");
  r->Resume();
  EXPECT_NE(out.Text().find("ok       other"), std::string::npos) << out.Text();
}

TEST(LineReporterTest, ColorsOnlyWhenAsked) {
  MemoryStream plain, colored;
  NewLineReporter(plain.file(), false)->OnEvent(Event(ExecEvent::Type::kStepFailed, "x"));
  NewLineReporter(colored.file(), true)->OnEvent(Event(ExecEvent::Type::kStepFailed, "x"));
  EXPECT_EQ(plain.Text().find("\x1b["), std::string::npos);
  EXPECT_NE(colored.Text().find("\x1b[31mFAILED  \x1b[0m x"), std::string::npos) << colored.Text();
}

TEST(TtyReporterTest, DrawsRunningStepsAndErasesThemAsLinesScrollAbove) {
  MemoryStream out;
  auto r = NewTtyReporter(out.file(), Width(60), false);
  ExecEvent started = Event(ExecEvent::Type::kStepStarted, "restart[payments]");
  r->OnEvent(started);
  // Started events do not scroll: only the live block, one line.
  EXPECT_EQ(out.Text(), "> restart[payments]  0s  starting\n");
  ExecEvent waiting =
      Event(ExecEvent::Type::kWaiting, "restart[payments]", "pods in ns \"payments\" all show 2/2",
            {"payments/api-7d9f: 1/2 ready, istio-proxy not ready"});
  waiting.wall_ms = kWall + 75'000;
  r->OnEvent(waiting);
  std::string text = out.Text();
  // The one-line block is erased (cursor up 1, clear to end) and redrawn with the guard and why,
  // cut to the terminal's width (59 columns and a `~`, so the line never wraps).
  std::string second = text.substr(std::string("> restart[payments]  0s  starting\n").size());
  EXPECT_EQ(second,
            "\x1b[1A\x1b[J"
            "> restart[payments]  1m15s  waiting: pods in ns \"payments\"~\n"
            "    payments/api-7d9f: 1/2 ready, istio-proxy not ready\n");
  ExecEvent ok = Event(ExecEvent::Type::kStepSucceeded, "restart[payments]");
  ok.wall_ms = kWall + 80'000;
  ok.elapsed_ms = 80'000;
  r->OnEvent(ok);
  std::string third = out.Text().substr(text.size());
  // Two live lines erased; the finished step scrolls as a line; nothing is live any more.
  EXPECT_EQ(WithoutClock(third.substr(0, 7)), "\x1b[2A\x1b[J");
  EXPECT_NE(third.find("ok       restart[payments] (1m20s)\n"), std::string::npos) << third;
  EXPECT_EQ(third.find("> "), std::string::npos) << third;
}

// What commands and guards say reaches the terminal with its control bytes escaped (a `\r` or a
// color code would corrupt the view), and a line cut to the width never splits a character.
TEST(TtyReporterTest, ControlBytesAreEscapedAndCutsKeepWholeCharacters) {
  MemoryStream lines;
  NewLineReporter(lines.file(), false)
      ->OnEvent(Event(ExecEvent::Type::kNote, "s",
                      "50%\rdone \x1b[31mred\x1b[0m\tend \u009b2J \u00a0 \u202eevil\u202c\u200f"));
  // A bidi override would make the rest of the line read backwards: escaped too.
  EXPECT_EQ(WithoutClock(lines.Text()),
            "note     s: 50%\\x0ddone \\x1b[31mred\\x1b[0m end \\u009b2J \u00a0 "
            "\\u202eevil\\u202c\\u200f\n");
  MemoryStream out;
  auto r = NewTtyReporter(out.file(), Width(30), false);
  ExecEvent waiting = Event(ExecEvent::Type::kWaiting, "s", "\x1b[2Jé\r", {"ééééééééééééééééééé"});
  r->OnEvent(Event(ExecEvent::Type::kStepStarted, "s"));
  r->OnEvent(waiting);
  std::string text = out.Text();
  EXPECT_NE(text.find("waiting: \\x1b[2Jé"), std::string::npos) << text;
  EXPECT_EQ(text.find("\x1b[2J"), std::string::npos) << text;
  // "    " and 12 two-byte characters fit in 28 bytes; the 13th would be cut in half.
  EXPECT_NE(text.find("    " + std::string("éééééééééééé") + "~\n"), std::string::npos) << text;
}

TEST(TtyReporterTest, TicksUpdateElapsedTimeAndPauseHidesTheBlock) {
  MemoryStream out;
  auto r = NewTtyReporter(out.file(), Width(80), true);
  r->OnEvent(Event(ExecEvent::Type::kStepStarted, "gate"));
  size_t before = out.Text().size();
  r->OnTick(kWall + 3'000);
  std::string tick = out.Text().substr(before);
  EXPECT_NE(tick.find("> gate  3s  starting"), std::string::npos) << tick;
  EXPECT_NE(tick.find("\x1b[36m"), std::string::npos);  // colored when asked
  r->Pause();
  before = out.Text().size();
  r->OnTick(kWall + 4'000);
  EXPECT_EQ(out.Text().substr(before), "");  // a prompt owns the terminal
  r->Resume();
  EXPECT_NE(out.Text().substr(before).find("> gate"), std::string::npos);
}

// Steps go on while a prompt owns the terminal: what they report scrolls once it is answered, so
// no line lands in the middle of the question.
TEST(TtyReporterTest, EventsDuringAPromptScrollAfterIt) {
  MemoryStream out;
  auto r = NewTtyReporter(out.file(), Width(80), false);
  r->OnEvent(Event(ExecEvent::Type::kStepStarted, "other"));
  r->Pause();
  size_t before = out.Text().size();
  r->OnEvent(Event(ExecEvent::Type::kStepSucceeded, "other"));
  EXPECT_EQ(out.Text().substr(before), "");
  r->Resume();
  EXPECT_NE(out.Text().substr(before).find("ok       other"), std::string::npos) << out.Text();
}

// A resized terminal: the next draw cuts lines to the new width.
TEST(TtyReporterTest, ADrawAfterAResizeFitsTheNewWidth) {
  MemoryStream out;
  int columns = 80;
  auto r = NewTtyReporter(
      out.file(), [&columns] { return columns; }, false);
  r->OnEvent(Event(ExecEvent::Type::kStepStarted, "restart_sidecars_in_payments"));
  r->OnEvent(Event(ExecEvent::Type::kWaiting, "restart_sidecars_in_payments",
                   "pods in ns \"payments\" all show 2/2"));
  EXPECT_NE(out.Text().find("all show 2/2\n"), std::string::npos) << out.Text();
  columns = 40;
  size_t before = out.Text().size();
  r->OnTick(kWall + 1'000);
  std::string redrawn = out.Text().substr(before);
  EXPECT_NE(redrawn.find("> restart_sidecars_in_payments  1s  wa~\n"), std::string::npos)
      << redrawn;
}

TEST(JsonEventsReporterTest, EveryEventIsOneJsonObjectPerLine) {
  TempDir dir;
  std::string path = dir / "events.jsonl";
  std::string err;
  {
    auto r = NewJsonEventsReporter(path, &err);
    ASSERT_TRUE(r) << err;
    ExecEvent e = Event(ExecEvent::Type::kStepFailed, "b", "`do b` exited with 3", {"why"});
    e.elapsed_ms = 1200;
    e.attempt = 2;
    e.exit_code = 3;
    e.log_path = "/state/logs/b.log";
    r->OnEvent(e);
    r->OnEvent(Event(ExecEvent::Type::kNote, "b", std::string("bad \xff utf-8")));
  }
  std::ifstream in(path);
  std::string line;
  std::vector<nlohmann::json> lines;
  while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["event"], "step_failed");
  EXPECT_EQ(lines[0]["step"], "b");
  EXPECT_EQ(lines[0]["time_ms"], kWall);
  EXPECT_EQ(lines[0]["elapsed_ms"], 1200);
  EXPECT_EQ(lines[0]["attempt"], 2);
  EXPECT_EQ(lines[0]["exit_code"], 3);
  EXPECT_EQ(lines[0]["details"], nlohmann::json::array({"why"}));
  EXPECT_EQ(lines[0]["log"], "/state/logs/b.log");
  EXPECT_EQ(lines[1]["event"], "note");
  EXPECT_EQ(lines[1]["message"], "bad \xEF\xBF\xBD utf-8");  // replaced, not thrown
  ExecEvent started = Event(ExecEvent::Type::kRunStarted, "", "run");
  started.attempt = 12;  // the plan's steps
  nlohmann::json j = nlohmann::json::parse(EventJson(started));
  EXPECT_EQ(j["steps"], 12);
  EXPECT_EQ(j["attempt"], 0);
}

TEST(JsonEventsReporterTest, AppendsAndRefusesAnUnwritablePath) {
  TempDir dir;
  std::string path = dir / "events.jsonl";
  std::string err;
  for (int i = 0; i < 2; ++i) {
    auto r = NewJsonEventsReporter(path, &err);
    ASSERT_TRUE(r) << err;
    r->OnEvent(Event(ExecEvent::Type::kRunStarted, "", "run"));
  }
  std::ifstream in(path);
  std::string a, b, c;
  EXPECT_TRUE(std::getline(in, a) && std::getline(in, b));
  EXPECT_FALSE(std::getline(in, c));
  EXPECT_FALSE(NewJsonEventsReporter(dir / "missing/events.jsonl", &err));
  EXPECT_EQ(err.rfind("cannot open events file " + (dir / "missing/events.jsonl") + ": ", 0), 0u)
      << err;
}

// A failed write is kept to be told at the end, and nothing is written after it (a later line
// would follow a partial one).
TEST(JsonEventsReporterTest, AFailedWriteIsToldAndEndsTheFile) {
  std::string err;
  auto r = NewJsonEventsReporter("/dev/full", &err);
  ASSERT_TRUE(r) << err;
  EXPECT_EQ(r->Problem(), "");
  r->OnEvent(Event(ExecEvent::Type::kRunStarted, "", "run"));
  r->OnEvent(Event(ExecEvent::Type::kRunFinished, "", "run"));
  EXPECT_EQ(
      r->Problem(),
      "events file /dev/full is incomplete: writing event 1 failed (No space left on device), "
      "and no later event was written");
  std::vector<std::unique_ptr<ProgressReporter>> both;
  both.push_back(NewLineReporter(stdout, false));
  both.push_back(std::move(r));
  EXPECT_EQ(NewTeeReporter(std::move(both))->Problem().rfind("events file /dev/full", 0), 0u);
}

}  // namespace
}  // namespace asmplan
