// `asmplan run` on a real terminal (a pseudo-terminal): the live view with colors, NO_COLOR, and
// the confirm prompt answered at the keyboard.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

namespace asmplan {
namespace {

struct TerminalRun {
  int exit_code = -1;
  std::string screen;  ///< everything written to the terminal
};

/// Runs `asmplan ARGS` with stdin, stdout and stderr on a new pseudo-terminal; answers `answer`
/// when a `[y/N]` prompt appears (and, with `answer_once`, the file it names exists in `cwd`);
/// gives up (SIGKILL) after 60 s.
TerminalRun RunOnTerminal(const std::vector<std::string>& args, const std::string& cwd,
                          const std::vector<std::string>& extra_env, const std::string& answer,
                          const std::string& answer_once = "") {
  TerminalRun run;
  int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) return run;
  std::string slave_name = ::ptsname(master);
  std::vector<std::string> argv = {std::string(ASMPLAN_BIN_DIR) + "/asmplan"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string var = *e;
    if (var.rfind("NO_COLOR=", 0) != 0 && var.rfind("TERM=", 0) != 0) env.push_back(var);
  }
  bool term = false;
  for (const std::string& var : extra_env) term |= var.rfind("TERM=", 0) == 0;
  if (!term) env.push_back("TERM=xterm");  // whatever the test's own terminal is
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> argp, envp;
  for (std::string& a : argv) argp.push_back(&a[0]);
  for (std::string& e : env) envp.push_back(&e[0]);
  argp.push_back(nullptr);
  envp.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setsid();
    int slave = ::open(slave_name.c_str(), O_RDWR);  // becomes the controlling terminal
    if (slave < 0 || ::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::dup2(slave, 0);
    ::dup2(slave, 1);
    ::dup2(slave, 2);
    ::execve(argp[0], argp.data(), envp.data());
    ::_exit(127);
  }
  bool answered = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 100) > 0) {
      char buf[4096];
      ssize_t n = ::read(master, buf, sizeof buf);
      if (n <= 0) break;  // EIO: the last holder of the terminal is gone
      run.screen.append(buf, static_cast<size_t>(n));
    }
    if (!answered && run.screen.find("[y/N] ") != std::string::npos &&
        (answer_once.empty() || ::access((cwd + "/" + answer_once).c_str(), F_OK) == 0)) {
      std::string line = answer + "\n";
      answered = ::write(master, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      break;
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(master);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

const char kPlan[] = R"(plan tty {
  title "A run watched on a terminal"
  step warm_up {
    run sleep 1.5
  }
  step gate after warm_up {
    confirm "Traffic looks healthy?"
  }
}
)";

class TerminalTest : public ::testing::Test {
 protected:
  void SetUp() override { std::ofstream(dir_ / "tty.asmplan") << kPlan; }
  TerminalRun Run(const std::vector<std::string>& env, const std::string& answer) {
    return RunOnTerminal({"run", "tty.asmplan", "--state-dir", "state"}, dir_.path(), env, answer);
  }
  TempDir dir_;
};

TEST_F(TerminalTest, LiveViewInColorAndAConfirmedGate) {
  TerminalRun r = Run({}, "y");
  EXPECT_EQ(r.exit_code, 0) << r.screen;
  // The running step is drawn live (cyan), then erased and scrolled as a green `ok` line.
  EXPECT_NE(r.screen.find("\x1b[36m> warm_up  "), std::string::npos) << r.screen;
  EXPECT_NE(r.screen.find("running attempt 1: sleep 1.5"), std::string::npos) << r.screen;
  EXPECT_NE(r.screen.find("\x1b[J"), std::string::npos) << r.screen;
  EXPECT_NE(r.screen.find("\x1b[32mok      \x1b[0m warm_up"), std::string::npos) << r.screen;
  // The live block is erased before the prompt (not after, which would wipe the prompt).
  EXPECT_NE(r.screen.find("\x1b[1A\x1b[Jgate: Traffic looks healthy? [y/N] "), std::string::npos)
      << r.screen;
  EXPECT_NE(r.screen.find("\x1b[32mok      \x1b[0m gate"), std::string::npos) << r.screen;
}

// TERM=dumb moves no cursor and shows no color: one line per event, as when piped; the gate still
// asks on the terminal.
TEST_F(TerminalTest, ADumbTerminalGetsLinesWithoutEscapes) {
  TerminalRun r = Run({"TERM=dumb"}, "y");
  EXPECT_EQ(r.exit_code, 0) << r.screen;
  EXPECT_EQ(r.screen.find('\x1b'), std::string::npos) << r.screen;
  EXPECT_NE(r.screen.find("ok       warm_up"), std::string::npos) << r.screen;
  EXPECT_NE(r.screen.find("gate: Traffic looks healthy? [y/N] "), std::string::npos) << r.screen;
}

TEST_F(TerminalTest, NoColorAndARefusedGateStopsResumably) {
  TerminalRun r = Run({"NO_COLOR=1"}, "n");
  EXPECT_EQ(r.exit_code, 3) << r.screen;
  EXPECT_NE(r.screen.find("> warm_up  "), std::string::npos) << r.screen;  // still live
  EXPECT_EQ(r.screen.find("\x1b[3"), std::string::npos) << r.screen;       // but no colors
  EXPECT_NE(r.screen.find("was not confirmed at the prompt; continue with `asmplan resume "
                          "--state-dir "),
            std::string::npos)
      << r.screen;
  EXPECT_NE(r.screen.find(" --approve gate` when ready"), std::string::npos) << r.screen;
  TerminalRun again = RunOnTerminal({"resume", "--state-dir", "state", "--approve", "gate"},
                                    dir_.path(), {"NO_COLOR=1"}, "");
  EXPECT_EQ(again.exit_code, 0) << again.screen;
  EXPECT_EQ(again.screen.find("[y/N]"), std::string::npos) << again.screen;
}

// The run goes on while the question waits: a step beside the gate runs to its end meanwhile,
// and its `ok` line scrolls once the prompt is answered, not into the middle of it.
TEST_F(TerminalTest, OtherStepsGoOnWhileThePromptWaits) {
  std::ofstream(dir_ / "beside.asmplan")
      << "plan beside {\n  step gate {\n    confirm \"Go?\"\n  }\n  step other {\n    run sh -c "
         "\"sleep 1; touch other-done\"\n  }\n}\n";
  TerminalRun r = RunOnTerminal({"run", "beside.asmplan", "--state-dir", "beside-state"},
                                dir_.path(), {"NO_COLOR=1"}, "y",
                                "beside-state/workspace/other-done");  // commands run there
  EXPECT_EQ(r.exit_code, 0) << r.screen;
  size_t prompt = r.screen.find("gate: Go? [y/N] ");
  size_t other = r.screen.find("ok       other");
  ASSERT_NE(prompt, std::string::npos) << r.screen;
  ASSERT_NE(other, std::string::npos) << r.screen;
  EXPECT_LT(prompt, other) << r.screen;
  EXPECT_NE(r.screen.find("ok       gate"), std::string::npos) << r.screen;
}

// The prompt shows its text escaped, as `show` and every message do: a color code or a bidi
// override in it cannot make the question on the terminal differ from what the reviewer read.
TEST_F(TerminalTest, ThePromptShowsControlAndBidiCharactersEscaped) {
  std::ofstream(dir_ / "odd.asmplan")
      << "plan odd {\n  step gate {\n    confirm \"Proceed \\u001b[31mred\\u001b[0m or "
         "\\u202eon\\u202c?\"\n  }\n}\n";
  TerminalRun r = RunOnTerminal({"run", "odd.asmplan", "--state-dir", "odd-state"}, dir_.path(),
                                {"NO_COLOR=1"}, "n");
  EXPECT_EQ(r.exit_code, 3) << r.screen;
  EXPECT_NE(r.screen.find("gate: Proceed \\x1b[31mred\\x1b[0m or \\u202eon\\u202c? [y/N] "),
            std::string::npos)
      << r.screen;
  EXPECT_EQ(r.screen.find("\x1b[31m"), std::string::npos) << r.screen;
  EXPECT_EQ(r.screen.find("\u202e"), std::string::npos) << r.screen;
}

}  // namespace
}  // namespace asmplan
