#include "cli/run_support.h"

#include <dirent.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "cli/commands.h"
#include "compiler/compiled_plan_file.h"
#include "compiler/compiled_plan_io.h"
#include "compiler/compiler.h"
#include "runtime/durable_file.h"
#include "runtime/json_events_reporter.h"
#include "runtime/line_reporter.h"
#include "runtime/tty_reporter.h"

namespace asmplan::cli {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

int LoadPlanArgument(const std::string& file, const std::vector<std::string>& sets,
                     const std::string& values, Plan* plan, std::string* text) {
  if (EndsWith(file, ".asmplan")) {
    CompileInput in{file, sets, values, nullptr};
    Diagnostics diags;
    bool ok = CompilePlan(in, plan, &diags);
    std::fputs(diags.Render().c_str(), stderr);
    if (!ok) return InputUnreadable(diags, file) ? kExitFailure : kExitInvalid;
    *text = WriteCompiledPlan(plan);
    return kExitOk;
  }
  if (!sets.empty() || !values.empty()) {
    std::fprintf(stderr,
                 "%s: error: --set and --values apply to .asmplan sources only; a "
                 "compiled plan has every parameter resolved\n",
                 file.c_str());
    return kExitInvalid;
  }
  // As `show` reads it: a file, a pipe (`run <(asmplan compile ...)`) or "-"; not a device such
  // as /dev/zero, which never ends.
  std::string err;
  PlanFileStatus status = LoadCompiledPlanFile(file, plan, &err, text);
  if (status == PlanFileStatus::kOk) return kExitOk;
  std::fprintf(stderr, "%s: error: %s\n", file == "-" ? "<stdin>" : file.c_str(), err.c_str());
  return status == PlanFileStatus::kUnreadable ? kExitFailure : kExitInvalid;
}

std::string DefaultStateDir(const Plan& plan) { return ".asmplan/" + plan.name; }

bool FindStateDir(std::string* dir, std::string* err) {
  std::vector<std::string> found;
  if (DIR* d = ::opendir(".asmplan")) {
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != ".." &&
          ::access((".asmplan/" + name + "/journal").c_str(), F_OK) == 0) {
        found.push_back(".asmplan/" + name);
      }
    }
    ::closedir(d);
  }
  std::sort(found.begin(), found.end());
  if (found.size() == 1) {
    *dir = found[0];
    return true;
  }
  if (found.empty()) {
    *err = "no run found under .asmplan/ in the current directory; pass --state-dir DIR";
  } else {
    *err = "several runs under .asmplan/:";
    for (const std::string& f : found) *err += " " + f;
    *err += "; pass --state-dir DIR";
  }
  return false;
}

bool EnoughOpenFiles(int jobs, std::string* err) {
  const rlim_t need = 64 + 4 * static_cast<rlim_t>(jobs);
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= need) return true;
  // Only as far as needed: the commands inherit it, and some close every descriptor up to it.
  if (limit.rlim_max >= need) {
    limit.rlim_cur = need;
    if (::setrlimit(RLIMIT_NOFILE, &limit) == 0) return true;
  }
  *err = "--jobs " + std::to_string(jobs) + " needs about " + std::to_string(need) +
         " open files, and this process may have only " + std::to_string(limit.rlim_max) +
         " (ulimit -Hn): give a smaller --jobs";
  return false;
}

bool TerminalConfirmer::CanAsk() { return ::isatty(0) && ::isatty(2); }

bool TerminalConfirmer::Ask(const std::string& step, const std::string& question,
                            const std::atomic<bool>& withdrawn) {
  // Escaped as every other message is: the text answered is the text the reviewer read.
  std::fprintf(stderr, "%s: %s [y/N] ", Printable(step).c_str(), Printable(question).c_str());
  std::fflush(stderr);
  std::string answer;
  // Polls so that a withdrawal (a signal, handled on another thread) can end the wait.
  for (;;) {
    if (withdrawn.load()) {
      // Unanswered: the run stopped meanwhile (what stopped it follows on the next line).
      std::fprintf(stderr, "(not answered: the run is stopping)\n");
      return false;
    }
    pollfd p{0, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    char c = 0;
    if (::read(0, &c, 1) != 1 || c == '\n') break;
    answer.push_back(c);
  }
  return answer == "y" || answer == "Y" || answer == "yes";
}

std::unique_ptr<ProgressReporter> MakeReporter(const std::string& events_path, std::string* err) {
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  // TERM=dumb (an editor's shell, a CI log viewer) moves no cursor and shows no color: lines.
  bool tty = ::isatty(1) && !(term && std::string(term) == "dumb");
  bool color = tty && !(no_color && *no_color);
  std::vector<std::unique_ptr<ProgressReporter>> all;
  if (tty) {
    auto width = [] {
      winsize ws{};
      return ::ioctl(1, TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 80;
    };
    all.push_back(NewTtyReporter(stdout, width, color));
  } else {
    all.push_back(NewLineReporter(stdout, false));
  }
  if (!events_path.empty()) {
    auto events = NewJsonEventsReporter(events_path, err);
    if (!events) return nullptr;
    all.push_back(std::move(events));
  }
  return NewTeeReporter(std::move(all));
}

}  // namespace asmplan::cli
