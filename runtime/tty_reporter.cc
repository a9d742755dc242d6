#include "runtime/tty_reporter.h"

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "compiler/duration_text.h"
#include "runtime/line_reporter.h"

namespace asmplan {
namespace {

class TtyReporter : public ProgressReporter {
 public:
  TtyReporter(std::FILE* out, std::function<int()> width, bool color)
      : out_(out),
        width_of_(std::move(width)),
        color_(color),
        lines_(NewLineReporter(out, color)) {}

  void OnEvent(const ExecEvent& e) override {
    std::lock_guard<std::mutex> lock(mu_);
    Clear();
    Track(e);
    if (e.type != ExecEvent::Type::kWaiting && e.type != ExecEvent::Type::kAttemptStarted &&
        e.type != ExecEvent::Type::kStepStarted) {
      lines_->OnEvent(e);  // scrolls above the live block (held while paused)
    }
    now_ms_ = e.wall_ms;
    Draw();
  }
  void OnTick(Millis wall_ms) override {
    std::lock_guard<std::mutex> lock(mu_);
    now_ms_ = wall_ms;
    Clear();
    Draw();
  }
  void Pause() override {
    std::lock_guard<std::mutex> lock(mu_);
    Clear();
    // Flushed now: the prompt goes to stderr, and an erase flushed after it would wipe it.
    std::fflush(out_);
    paused_ = true;
    lines_->Pause();
  }
  void Resume() override {
    std::lock_guard<std::mutex> lock(mu_);
    paused_ = false;
    lines_->Resume();
    Draw();
  }

 private:
  struct Live {
    Millis started_ms = 0;
    std::string doing;
    std::string detail;
  };

  void Track(const ExecEvent& e) {
    switch (e.type) {
      case ExecEvent::Type::kStepStarted:
        live_[e.step] = Live{e.wall_ms, "starting", ""};
        return;
      case ExecEvent::Type::kAttemptStarted:
        live_[e.step].doing = "running " + e.message;
        live_[e.step].detail.clear();
        return;
      case ExecEvent::Type::kFetchStage:
        live_[e.step].doing = "fetch: " + e.message;
        live_[e.step].detail = e.details.empty() ? "" : e.details[0];
        return;
      case ExecEvent::Type::kWaiting:
        live_[e.step].doing = "waiting: " + e.message;
        live_[e.step].detail = e.details.empty() ? "" : e.details[0];
        return;
      case ExecEvent::Type::kAttemptFailed:
        live_[e.step].doing = "retrying";
        return;
      case ExecEvent::Type::kStepSucceeded:
      case ExecEvent::Type::kStepFailed:
      case ExecEvent::Type::kStepSkipped:
      case ExecEvent::Type::kStepAwaiting:
        live_.erase(e.step);
        return;
      default:
        return;
    }
  }

  /// One screen line: control bytes escaped, cut to the width at a UTF-8 character boundary.
  std::string Fit(const std::string& text) const {
    std::string s = Printable(text);
    for (char& c : s) {
      if (c == '\n') c = ' ';
    }
    if (static_cast<int>(s.size()) <= width_ - 1) return s;
    size_t cut = static_cast<size_t>(width_ - 2);
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    return s.substr(0, cut) + "~";
  }

  void Draw() {
    if (paused_) return;
    drawn_ = 0;
    int width = width_of_();  // asked at every draw: the terminal may have been resized
    width_ = width < 20 ? 80 : width;
    for (const auto& [step, l] : live_) {
      std::string head =
          "> " + step + "  " + FormatDuration((now_ms_ - l.started_ms) / 1000 * 1000);
      std::string line = Fit(head + "  " + l.doing);
      std::fprintf(out_, "%s%s%s\n", color_ ? "\x1b[36m" : "", line.c_str(),
                   color_ ? "\x1b[0m" : "");
      ++drawn_;
      if (!l.detail.empty()) {
        std::fprintf(out_, "%s\n", Fit("    " + l.detail).c_str());
        ++drawn_;
      }
    }
    std::fflush(out_);
  }

  void Clear() {
    // Move up over the live block and erase it, so scrolled lines take its place.
    if (drawn_ > 0) std::fprintf(out_, "\x1b[%dA\x1b[J", drawn_);
    drawn_ = 0;
  }

  std::mutex mu_;
  std::FILE* out_;
  std::function<int()> width_of_;
  int width_ = 80;
  bool color_;
  std::unique_ptr<ProgressReporter> lines_;
  std::map<std::string, Live> live_;
  Millis now_ms_ = 0;
  int drawn_ = 0;
  bool paused_ = false;
};

}  // namespace

std::unique_ptr<ProgressReporter> NewTtyReporter(std::FILE* out, std::function<int()> width,
                                                 bool color) {
  return std::make_unique<TtyReporter>(out, std::move(width), color);
}

}  // namespace asmplan
