#include "runtime/line_reporter.h"

#include <ctime>
#include <mutex>
#include <vector>

#include "compiler/duration_text.h"
#include "compiler/quoted_string.h"

namespace asmplan {
namespace {

const char* ColorOf(ExecEvent::Type t) {
  switch (t) {
    case ExecEvent::Type::kStepSucceeded:
      return "\x1b[32m";
    case ExecEvent::Type::kStepFailed:
    case ExecEvent::Type::kAttemptFailed:
    case ExecEvent::Type::kInterrupted:
      return "\x1b[31m";
    case ExecEvent::Type::kStepAwaiting:
    case ExecEvent::Type::kWaiting:
      return "\x1b[33m";
    default:
      return "";
  }
}

}  // namespace

std::string Printable(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  static const char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    auto u = static_cast<unsigned char>(c);
    std::uint32_t cp = 0;
    size_t len = 0;
    if (c == '\t') {
      out += ' ';
    } else if ((u < 0x20 && c != '\n') || u == 0x7f) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else if (u >= 0x80 && (len = DecodeUtf8(text, i, &cp)) > 1 &&
               (cp <= 0x9f || IsBidiControl(cp) || cp == 0x200e || cp == 0x200f || cp == 0x61c)) {
      // A C1 control (U+009B is a CSI to many terminals), or a bidi control or mark that makes
      // the line read in another order than it is written: shown as \uXXXX, as `show` does.
      AppendEscapedCodePoint(cp, &out);
      i += len - 1;
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

class LineReporter : public ProgressReporter {
 public:
  LineReporter(std::FILE* out, bool color) : out_(out), color_(color) {}

  void OnEvent(const ExecEvent& e) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (e.type == ExecEvent::Type::kWaiting || e.type == ExecEvent::Type::kFetchStage) {
      // Every poll (or download progress report) comes here; a line is worth printing only when
      // the answer (or the stage) changed.
      std::string& last = waiting_[e.step];
      if (last == e.message) return;
      last = e.message;
    }
    std::string line = ClockText(e.wall_ms) + " ";
    std::string word = EventWord(e.type);
    word.resize(std::max<size_t>(word.size(), 8), ' ');
    const char* color = color_ ? ColorOf(e.type) : "";
    line += *color ? std::string(color) + word + "\x1b[0m" : word;
    line += " " + Printable(Body(e));
    // Held while a prompt has the terminal, so the question stays on its line.
    if (paused_) {
      held_.push_back(std::move(line));
      return;
    }
    std::fprintf(out_, "%s\n", line.c_str());
    std::fflush(out_);
  }
  void Pause() override {
    std::lock_guard<std::mutex> lock(mu_);
    paused_ = true;
  }
  void Resume() override {
    std::lock_guard<std::mutex> lock(mu_);
    paused_ = false;
    for (const std::string& line : held_) std::fprintf(out_, "%s\n", line.c_str());
    held_.clear();
    std::fflush(out_);
  }

 private:
  static std::string Body(const ExecEvent& e) {
    std::string s = e.step;
    bool timed = e.type == ExecEvent::Type::kStepSucceeded ||
                 e.type == ExecEvent::Type::kStepFailed || e.type == ExecEvent::Type::kStepSkipped;
    if (timed) s += " (" + FormatDuration(e.elapsed_ms) + ")";
    if (!e.message.empty()) s += (s.empty() ? "" : ": ") + e.message;
    for (const std::string& d : e.details) s += "\n           " + d;
    if (!e.log_path.empty() && e.type == ExecEvent::Type::kStepFailed) {
      s += "\n           log: " + e.log_path;
    }
    return s;
  }

  std::mutex mu_;
  std::FILE* out_;
  bool color_;
  std::map<std::string, std::string> waiting_;
  bool paused_ = false;
  std::vector<std::string> held_;  ///< lines of events that came while paused
};

}  // namespace

std::string ClockText(Millis wall_ms) {
  std::time_t t = static_cast<std::time_t>(wall_ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

const char* EventWord(ExecEvent::Type type) {
  switch (type) {
    case ExecEvent::Type::kRunStarted:
      return "begin";
    case ExecEvent::Type::kStepStarted:
      return "started";
    case ExecEvent::Type::kStepSkipped:
      return "skipped";
    case ExecEvent::Type::kAttemptStarted:
      return "running";
    case ExecEvent::Type::kAttemptFailed:
      return "retry";
    case ExecEvent::Type::kFetchStage:
      return "fetch";
    case ExecEvent::Type::kWaiting:
      return "waiting";
    case ExecEvent::Type::kStepSucceeded:
      return "ok";
    case ExecEvent::Type::kStepFailed:
      return "FAILED";
    case ExecEvent::Type::kStepAwaiting:
      return "awaiting";
    case ExecEvent::Type::kNote:
      return "note";
    case ExecEvent::Type::kInterrupted:
      return "stop";
    case ExecEvent::Type::kRunFinished:
      return "end";
  }
  return "";
}

std::unique_ptr<ProgressReporter> NewLineReporter(std::FILE* out, bool color) {
  return std::make_unique<LineReporter>(out, color);
}

}  // namespace asmplan
