// Real processes through the real runner: exit codes, output, environment, working directory,
// spawn failures, timeouts that reach grandchildren, interrupts, and concurrent use.
#include "runtime/posix_command_runner.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

namespace asmplan {
namespace {

namespace fs = std::filesystem;

class PosixCommandRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/asmplan-runner-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  CommandResult Run(std::vector<std::string> argv, Millis timeout_ms = 0) {
    CommandSpec spec;
    spec.argv = std::move(argv);
    spec.timeout_ms = timeout_ms;
    return runner_->Run(spec);
  }
  static std::string Slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  /// Waits (bounded) for a file that a child writes, and returns its content.
  static std::string AwaitFile(const fs::path& p) {
    for (int i = 0; i < 500 && (!fs::exists(p) || fs::file_size(p) == 0); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return Slurp(p);
  }
  /// True when `pid` is gone or a zombie; waits (bounded) because the kernel kills asynchronously.
  static bool ProcessDead(pid_t pid) {
    for (int i = 0; i < 500; ++i) {
      std::string stat = Slurp("/proc/" + std::to_string(pid) + "/stat");
      size_t paren = stat.rfind(')');
      if (stat.empty() || (paren != std::string::npos && stat.substr(paren + 2, 1) == "Z"))
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  std::unique_ptr<CommandRunner> runner_ = NewPosixCommandRunner();
  fs::path dir_;
};

TEST_F(PosixCommandRunnerTest, ReportsExitCodes) {
  EXPECT_EQ(Run({"true"}).exit_code, 0);
  EXPECT_TRUE(Run({"true"}).ok());
  CommandResult r = Run({"sh", "-c", "exit 7"});
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.term_signal, 0);
}

// on_started is called once the command runs and before Run() waits for it: here the command
// ends only after on_started has seen it start (else it times out).
TEST_F(PosixCommandRunnerTest, CallsOnStartedWhileTheCommandRuns) {
  CommandSpec spec;
  spec.argv = {"sh", "-c", "touch started; while [ ! -e go ]; do sleep 0.01; done"};
  spec.cwd = dir_.string();
  spec.timeout_ms = 10000;
  int calls = 0;
  bool saw_start = false;
  spec.on_started = [&] {
    ++calls;
    for (int i = 0; i < 500 && !saw_start; ++i) {
      saw_start = fs::exists(dir_ / "started");
      if (!saw_start) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::ofstream(dir_ / "go").put('\n');
  };
  CommandResult r = runner_->Run(spec);
  EXPECT_TRUE(r.ok()) << r.error << (r.timed_out ? " (timed out)" : "");
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(saw_start);
  // A command that cannot start is not "started".
  spec.argv = {"no-such-program-asmplan"};
  EXPECT_TRUE(runner_->Run(spec).spawn_failed);
  EXPECT_EQ(calls, 1);
}

// The timeout counts from the spawn: time spent in on_started (an fdatasync on a busy disk) is
// not added to it. Here on_started takes longer than the whole timeout, so the command is stopped
// as soon as it returns, not a whole timeout later.
TEST_F(PosixCommandRunnerTest, TheTimeoutCountsFromTheSpawnNotFromOnStarted) {
  CommandSpec spec;
  spec.argv = {"sleep", "30"};
  spec.timeout_ms = 1000;
  std::chrono::steady_clock::time_point returned;
  spec.on_started = [&returned] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    returned = std::chrono::steady_clock::now();
  };
  CommandResult r = runner_->Run(spec);
  auto after = std::chrono::steady_clock::now() - returned;
  EXPECT_TRUE(r.timed_out);
  // Stopped at once after on_started; counted from its return, a whole second later.
  EXPECT_LT(after, std::chrono::milliseconds(700));
}

TEST_F(PosixCommandRunnerTest, ReportsTheSignalThatEndedTheCommand) {
  CommandResult r = Run({"sh", "-c", "kill -KILL $$"});
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_EQ(r.term_signal, SIGKILL);
  EXPECT_FALSE(r.timed_out);
}

TEST_F(PosixCommandRunnerTest, CapturesStdoutAndStderr) {
  CommandResult r = Run({"sh", "-c", "echo out; echo err >&2"});
  EXPECT_EQ(r.output, "out\nerr\n");
}

// kubectl prints warnings on stderr while its JSON goes to stdout: kept apart, both arrive whole,
// also when the command writes more stderr than a pipe holds before any stdout.
TEST_F(PosixCommandRunnerTest, KeepsStderrApartWhenAsked) {
  CommandSpec spec;
  spec.argv = {"sh", "-c", "echo warn >&2; head -c 200000 /dev/zero | tr '\\0' w >&2; echo out"};
  spec.stderr_apart = true;
  CommandResult r = runner_->Run(spec);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, "out\n");
  EXPECT_EQ(r.error_output.substr(0, 5), "warn\n");
  EXPECT_EQ(r.error_output.size(), 200005u);
  // With a log file the flag changes nothing: both streams reach the log, in order.
  spec.argv = {"sh", "-c", "echo out; echo err >&2"};
  spec.log_path = (dir_ / "apart.log").string();
  r = runner_->Run(spec);
  EXPECT_EQ(Slurp(dir_ / "apart.log"), "out\nerr\n");
  EXPECT_EQ(r.error_output, "");
}

// Beyond 1 MiB the end of stderr is kept (it says why the command failed), after a note; a
// background process still holding stderr does not keep Run() waiting.
TEST_F(PosixCommandRunnerTest, KeepsTheEndOfAFloodOfStderr) {
  CommandSpec spec;
  spec.argv = {"sh", "-c",
               "head -c 3000000 /dev/zero | tr '\\0' w >&2; echo; echo 'the reason' >&2; exit 3"};
  spec.stderr_apart = true;
  CommandResult r = runner_->Run(spec);
  EXPECT_EQ(r.exit_code, 3);
  const std::string note = "[asmplan: stderr truncated, its first 1951435 bytes dropped]\n";
  EXPECT_EQ(r.error_output.substr(0, note.size()), note);
  EXPECT_EQ(r.error_output.size(), note.size() + (size_t{1} << 20));
  EXPECT_EQ(r.error_output.substr(r.error_output.size() - 11), "the reason\n");
  EXPECT_EQ(r.output, "\n");

  spec.argv = {"sh", "-c", "echo out; sleep 30 >&2 & echo $! > bg.pid"};
  spec.cwd = dir_.string();
  auto start = std::chrono::steady_clock::now();
  r = runner_->Run(spec);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(r.output, "out\n");
  kill(std::stoi(Slurp(dir_ / "bg.pid")), SIGKILL);
}

TEST_F(PosixCommandRunnerTest, CapturesLargeOutputCompletely) {
  CommandResult r = Run({"head", "-c", "3000000", "/dev/zero"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output.size(), 3000000u);
}

TEST_F(PosixCommandRunnerTest, PassesArgumentsVerbatimWithoutAShell) {
  CommandResult r = Run({"printf", "%s|", "a b", "$HOME", "*", "'q'"});
  EXPECT_EQ(r.output, "a b|$HOME|*|'q'|");
}

TEST_F(PosixCommandRunnerTest, StdinIsEmptyAndNoDescriptorsLeak) {
  EXPECT_EQ(Run({"cat"}).output, "");
  // 3 is a reader of the command's own output pipe (so that it outlives a killed asmplan); ls
  // itself opens one descriptor (4) to read the directory.
  EXPECT_EQ(Run({"ls", "/proc/self/fd"}).output, "0\n1\n2\n3\n4\n");
  std::string ends = Run({"sh", "-c", "readlink /proc/$$/fd/1 /proc/$$/fd/3"}).output;
  EXPECT_EQ(ends.rfind("pipe:[", 0), 0u) << ends;
  size_t nl = ends.find('\n');
  ASSERT_NE(nl, std::string::npos) << ends;
  EXPECT_EQ(ends.substr(0, nl + 1), ends.substr(nl + 1)) << ends;  // the same pipe
}

TEST_F(PosixCommandRunnerTest, AppendsToTheLogFileAfterThePreamble) {
  CommandSpec spec;
  spec.log_path = (dir_ / "step.log").string();
  spec.log_preamble = "== first\n";
  spec.argv = {"sh", "-c", "echo one; echo two >&2"};
  EXPECT_TRUE(runner_->Run(spec).logged);
  spec.log_preamble = "== second\n";
  spec.argv = {"echo", "three"};
  CommandResult r = runner_->Run(spec);
  EXPECT_TRUE(r.logged);
  EXPECT_EQ(r.output, "");
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(Slurp(dir_ / "step.log"), "== first\none\ntwo\n== second\nthree\n");
  // The end of what this command printed, without the preamble, also when it went to the log.
  EXPECT_EQ(r.output_tail, "three\n");
  spec.argv = {"sh", "-c", "head -c 10000 /dev/zero | tr '\\0' x; echo; echo last"};
  EXPECT_EQ(runner_->Run(spec).output_tail, std::string(4096 - 6, 'x') + "\nlast\n");
}

// A preamble starts its own line, also after a command whose last line had no newline.
TEST_F(PosixCommandRunnerTest, APreambleStartsALineAfterOutputWithoutANewline) {
  CommandSpec spec;
  spec.log_path = (dir_ / "step.log").string();
  spec.log_preamble = "== first\n";
  spec.argv = {"printf", "one"};
  EXPECT_TRUE(runner_->Run(spec).logged);
  spec.log_preamble = "== second\n";
  spec.argv = {"echo", "two"};
  EXPECT_TRUE(runner_->Run(spec).logged);
  EXPECT_EQ(Slurp(dir_ / "step.log"), "== first\none\n== second\ntwo\n");
}

// Creating a file can cost a millisecond: a command that prints nothing gets no log file.
TEST_F(PosixCommandRunnerTest, ASilentCommandCreatesNoLogFile) {
  CommandSpec spec;
  spec.log_path = (dir_ / "step.log").string();
  spec.log_preamble = "== attempt 1: true\n";
  spec.argv = {"true"};
  CommandResult r = runner_->Run(spec);
  EXPECT_TRUE(r.ok());
  EXPECT_FALSE(r.logged);
  EXPECT_FALSE(fs::exists(dir_ / "step.log"));
  spec.argv = {"sh", "-c", "exit 3"};
  r = runner_->Run(spec);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.logged);
  EXPECT_FALSE(fs::exists(dir_ / "step.log"));
}

// A log that cannot be written once the command runs: the output is kept in the result instead,
// and the error names the log.
TEST_F(PosixCommandRunnerTest, OutputIsKeptWhenTheLogCannotBeWritten) {
  fs::create_directories(dir_ / "logs");
  CommandSpec spec;
  spec.log_path = (dir_ / "logs" / "step.log").string();
  spec.argv = {"sh", "-c", "rmdir " + (dir_ / "logs").string() + " && echo said"};
  CommandResult r = runner_->Run(spec);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_FALSE(r.logged);
  EXPECT_EQ(r.output, "said\n");
  EXPECT_EQ(r.error, "cannot write log file " + spec.log_path + ": No such file or directory");
}

TEST_F(PosixCommandRunnerTest, UnwritableLogFileIsASpawnFailure) {
  CommandSpec spec;
  spec.argv = {"true"};
  spec.log_path = (dir_ / "missing" / "step.log").string();
  CommandResult r = runner_->Run(spec);
  EXPECT_TRUE(r.spawn_failed);
  EXPECT_EQ(r.error, "cannot open log file " + spec.log_path + ": No such file or directory");
}

TEST_F(PosixCommandRunnerTest, OverridesAndInheritsTheEnvironment) {
  setenv("ASMPLAN_TEST_INHERITED", "kept", 1);
  setenv("ASMPLAN_TEST_OVERRIDDEN", "old", 1);
  CommandSpec spec;
  spec.argv = {"sh", "-c", "echo $ASMPLAN_TEST_INHERITED $ASMPLAN_TEST_OVERRIDDEN $ASMPLAN_NEW"};
  spec.env = {{"ASMPLAN_TEST_OVERRIDDEN", "new"}, {"ASMPLAN_NEW", "x y"}};
  EXPECT_EQ(runner_->Run(spec).output, "kept new x y\n");
}

TEST_F(PosixCommandRunnerTest, SecretsAreNotInheritedButAnOverrideIsPassed) {
  setenv("ASMPLAN_SECRET_TOKEN", "s3cr3t-inherited", 1);
  CommandSpec spec;
  spec.argv = {"env"};
  spec.env = {{"ASMPLAN_SECRET_GIVEN", "passed-on-purpose"}};
  std::string out = runner_->Run(spec).output;
  unsetenv("ASMPLAN_SECRET_TOKEN");
  EXPECT_EQ(out.find("s3cr3t-inherited"), std::string::npos) << out;
  EXPECT_NE(out.find("ASMPLAN_SECRET_GIVEN=passed-on-purpose\n"), std::string::npos) << out;
  EXPECT_NE(out.find("PATH="), std::string::npos) << out;
}

TEST_F(PosixCommandRunnerTest, LooksTheProgramUpOnTheCommandsOwnPath) {
  fs::path tool = dir_ / "mytool";
  std::ofstream(tool) << "#!/bin/sh\necho mytool ran\n";
  fs::permissions(tool, fs::perms::owner_all);
  CommandSpec spec;
  spec.argv = {"mytool"};
  spec.env = {{"PATH", dir_.string() + ":/usr/bin:/bin"}};
  CommandResult r = runner_->Run(spec);
  EXPECT_EQ(r.output, "mytool ran\n") << r.error;
}

// A relative PATH entry is relative to the command's working directory, where execvp would look.
TEST_F(PosixCommandRunnerTest, ARelativePathEntryIsLookedUpInTheWorkingDirectory) {
  fs::create_directories(dir_ / "work" / "bin");
  std::ofstream(dir_ / "work" / "bin" / "mytool") << "#!/bin/sh\necho from work/bin\n";
  fs::permissions(dir_ / "work" / "bin" / "mytool", fs::perms::owner_all);
  CommandSpec spec;
  spec.argv = {"mytool"};
  spec.cwd = (dir_ / "work").string();
  spec.env = {{"PATH", "bin:/usr/bin:/bin"}};
  CommandResult r = runner_->Run(spec);
  EXPECT_EQ(r.output, "from work/bin\n") << r.error;
  // A relative working directory too (the default state directory is .asmplan/NAME).
  fs::path here = fs::current_path();
  fs::current_path(dir_);
  spec.cwd = "work";
  r = runner_->Run(spec);
  fs::current_path(here);
  EXPECT_EQ(r.output, "from work/bin\n") << r.error;
}

TEST_F(PosixCommandRunnerTest, RunsInTheWorkingDirectory) {
  CommandSpec spec;
  spec.argv = {"pwd"};
  spec.cwd = dir_.string();
  EXPECT_EQ(runner_->Run(spec).output, fs::canonical(dir_).string() + "\n");
  // A relative program path is relative to the working directory.
  fs::create_directories(dir_ / "bin");
  std::ofstream(dir_ / "bin" / "tool") << "#!/bin/sh\necho relative\n";
  fs::permissions(dir_ / "bin" / "tool", fs::perms::owner_all);
  spec.argv = {"bin/tool"};
  EXPECT_EQ(runner_->Run(spec).output, "relative\n");
}

TEST_F(PosixCommandRunnerTest, MissingProgramIsASpawnFailureWithAClearMessage) {
  CommandResult r = Run({"asmplan-no-such-tool", "get", "pods"});
  EXPECT_TRUE(r.spawn_failed);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error, "asmplan-no-such-tool: no such file on PATH");
  r = Run({(dir_ / "nope").string()});
  EXPECT_TRUE(r.spawn_failed);
  EXPECT_EQ(r.error, (dir_ / "nope").string() + ": no such file or directory");
}

TEST_F(PosixCommandRunnerTest, NonExecutableProgramIsASpawnFailure) {
  std::ofstream(dir_ / "plain") << "echo hi\n";
  CommandResult r = Run({(dir_ / "plain").string()});
  EXPECT_TRUE(r.spawn_failed);
  EXPECT_EQ(r.error, (dir_ / "plain").string() + ": permission denied");
}

TEST_F(PosixCommandRunnerTest, MissingWorkingDirectoryIsASpawnFailure) {
  CommandSpec spec;
  spec.argv = {"true"};
  spec.cwd = (dir_ / "gone").string();
  CommandResult r = runner_->Run(spec);
  EXPECT_TRUE(r.spawn_failed);
  EXPECT_EQ(r.error, "working directory " + spec.cwd + ": no such directory");
  EXPECT_TRUE(Run({""}).spawn_failed);
  EXPECT_TRUE(Run({}).spawn_failed);
}

TEST_F(PosixCommandRunnerTest, TimeoutKillsTheWholeProcessGroupIncludingGrandchildren) {
  std::string pidfile = (dir_ / "grandchild.pid").string();
  CommandResult r = Run({"sh", "-c", "sleep 300 & echo $! > " + pidfile + "; wait"}, 1000);
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.term_signal, SIGTERM);
  pid_t grandchild = std::stoi(Slurp(pidfile));
  EXPECT_TRUE(ProcessDead(grandchild));
}

TEST_F(PosixCommandRunnerTest, TimeoutEscalatesToSigkillWhenSigtermIsIgnored) {
  CommandResult r = Run({"sh", "-c", "trap '' TERM; sleep 300 & wait; wait"}, 1000);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.term_signal, SIGKILL);
}

TEST_F(PosixCommandRunnerTest, AFinishedCommandsOutputArrivesEvenIfABackgroundChildHoldsThePipe) {
  CommandResult r = Run({"sh", "-c", "echo done; sleep 2 &"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, "done\n");
}

// Output goes through a pipe; a background process the command leaves behind must neither die of
// SIGPIPE nor lose what it writes after the command exits.
TEST_F(PosixCommandRunnerTest, ABackgroundChildKeepsWritingToTheLog) {
  CommandSpec spec;
  spec.log_path = (dir_ / "step.log").string();
  spec.log_preamble = "== a\n";
  std::string done = (dir_ / "done").string();
  spec.argv = {"sh", "-c", "(sleep 0.5; echo late; touch " + done + ") & echo now"};
  CommandResult r = runner_->Run(spec);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_FALSE(fs::exists(done));  // Run() did not wait for the background process
  AwaitFile(done);
  for (int i = 0; i < 500 && Slurp(dir_ / "step.log") != "== a\nnow\nlate\n"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(Slurp(dir_ / "step.log"), "== a\nnow\nlate\n");
}

// A command that writes without pause still meets its deadline.
TEST_F(PosixCommandRunnerTest, AFloodingCommandStillTimesOut) {
  CommandSpec spec;
  spec.log_path = "/dev/null";
  spec.argv = {"yes"};
  spec.timeout_ms = 300;
  CommandResult r = runner_->Run(spec);
  EXPECT_TRUE(r.timed_out);
  EXPECT_LT(r.duration_ms, 60000);
}

TEST_F(PosixCommandRunnerTest, InterruptAllSignalsRunningGroupsAndLaterRunsStillWork) {
  std::string started = (dir_ / "started").string();
  CommandResult result;
  std::thread t([&] { result = Run({"sh", "-c", "sleep 300 & echo $! > " + started + "; wait"}); });
  pid_t grandchild = std::stoi(AwaitFile(started));
  runner_->InterruptAll(SIGTERM);
  t.join();
  EXPECT_TRUE(result.interrupted);
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.term_signal, SIGTERM);
  EXPECT_TRUE(ProcessDead(grandchild));
  CommandResult after = Run({"echo", "still works"});
  EXPECT_FALSE(after.interrupted);
  EXPECT_EQ(after.output, "still works\n");
}

// The executor sets its cancel flag and then interrupts: a command whose spawn comes after that
// must not start (the race that let a `sleep 30` outlive a SIGINT).
TEST_F(PosixCommandRunnerTest, ACancelledSpecIsNotStarted) {
  std::atomic<bool> cancel{true};
  CommandSpec spec;
  spec.argv = {"touch", (dir_ / "ran").string()};
  spec.cancel = &cancel;
  CommandResult r = runner_->Run(spec);
  EXPECT_TRUE(r.interrupted);
  EXPECT_TRUE(r.not_started);
  EXPECT_FALSE(r.spawn_failed);
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(fs::exists(dir_ / "ran"));
  cancel = false;
  EXPECT_TRUE(runner_->Run(spec).ok());
  EXPECT_TRUE(fs::exists(dir_ / "ran"));
}

// A command that had exited on its own before an interrupt came, while Run() was still busy with
// its output (here: opening a log that is a FIFO nobody reads yet), was not stopped by it: its
// result is its own exit, not "interrupted", so the executor does not take a finished command for
// an unfinished one.
TEST_F(PosixCommandRunnerTest, ACommandThatExitedBeforeAnInterruptIsNotInterrupted) {
  std::string fifo = (dir_ / "log.fifo").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::string pidfile = (dir_ / "pid").string();
  CommandSpec spec;
  spec.argv = {"sh", "-c", "echo $$ > " + pidfile + "; echo said"};
  spec.log_path = fifo;
  CommandResult result;
  std::thread t([&] { result = runner_->Run(spec); });
  pid_t pid = std::stoi(AwaitFile(pidfile));
  EXPECT_TRUE(ProcessDead(pid));  // a zombie: exited, not yet reaped by Run()
  runner_->InterruptAll(SIGTERM);
  std::ifstream reader(fifo);  // lets Run() open the log, finish and return
  std::string log((std::istreambuf_iterator<char>(reader)), std::istreambuf_iterator<char>());
  t.join();
  EXPECT_FALSE(result.interrupted);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(log, "said\n");
  // One still running when the interrupt comes is interrupted, as before.
  spec.log_path.clear();
  spec.argv = {"sh", "-c", "echo $$ > " + pidfile + "; exec sleep 30"};
  fs::remove(pidfile);
  std::thread t2([&] { result = runner_->Run(spec); });
  AwaitFile(pidfile);
  runner_->InterruptAll(SIGTERM);
  t2.join();
  EXPECT_TRUE(result.interrupted);
}

// Threads spawning without pause while interrupts come (each kills what runs, so the workers
// spawn again at once), then the executor's final interrupt (cancel flag, then InterruptAll):
// every command either is not started or is stopped. One spawned between the cancel check and
// its registration, if the runner missed the interrupt, would run on for its 30 s.
TEST_F(PosixCommandRunnerTest, NoCommandEscapesAnInterruptWhileOthersSpawn) {
  for (int trial = 0; trial < 8; ++trial) {
    std::atomic<bool> cancel{false};
    auto worker = [&](CommandResult* last) {
      for (;;) {
        CommandSpec spec;
        spec.argv = {"sleep", "30"};
        spec.cancel = &cancel;
        *last = runner_->Run(spec);
        if (!last->interrupted) return;                               // a sleep ran its 30 s
        if (last->exit_code == -1 && last->term_signal == 0) return;  // not started: done
      }
    };
    auto begin = std::chrono::steady_clock::now();
    CommandResult results[4];
    std::vector<std::thread> threads;
    for (CommandResult& r : results) threads.emplace_back(worker, &r);
    for (int round = 0; round < 40; ++round) {
      std::this_thread::sleep_for(std::chrono::milliseconds(3));
      runner_->InterruptAll(SIGTERM);
    }
    // The workers are spawning again right after a round: come back while they are.
    std::this_thread::sleep_for(std::chrono::microseconds(50 + 150 * trial));
    cancel = true;
    runner_->InterruptAll(SIGTERM);
    for (std::thread& t : threads) t.join();
    EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(20)) << trial;
    for (const CommandResult& r : results) {
      EXPECT_TRUE(r.interrupted) << trial;
      EXPECT_FALSE(r.spawn_failed) << trial;
    }
  }
}

TEST_F(PosixCommandRunnerTest, RunsFromSeveralThreadsAtOnce) {
  auto worker = [this](std::string tag, int* good) {
    for (int i = 0; i < 25; ++i) {
      CommandSpec spec;
      spec.argv = {"sh", "-c", "echo $TAG-$N"};
      spec.env = {{"TAG", tag}, {"N", std::to_string(i)}};
      if (runner_->Run(spec).output == tag + "-" + std::to_string(i) + "\n") ++*good;
    }
  };
  int good_a = 0, good_b = 0;
  std::thread a(worker, "a", &good_a), b(worker, "b", &good_b);
  a.join();
  b.join();
  EXPECT_EQ(good_a, 25);
  EXPECT_EQ(good_b, 25);
}

// Commands spawned at once from several threads: one command's output pipe must not stay open in
// another's child for a moment, or a silent command that ends in that moment looks as if it left a
// background process holding its output (a log file with only its header, and a `cat` to copy it).
TEST_F(PosixCommandRunnerTest, SilentCommandsRunAtOnceCreateNoLogFiles) {
  auto worker = [this](int thread, int* logged) {
    for (int i = 0; i < 150; ++i) {
      CommandSpec spec;
      spec.argv = {"true"};
      spec.log_path = (dir_ / (std::to_string(thread) + "-" + std::to_string(i) + ".log")).string();
      spec.log_preamble = "== attempt 1: true\n";
      if (runner_->Run(spec).logged) ++*logged;
    }
  };
  int logged[4] = {};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back(worker, t, &logged[t]);
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(logged[0] + logged[1] + logged[2] + logged[3], 0);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 0);
}

}  // namespace
}  // namespace asmplan
