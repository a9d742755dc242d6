// Finding the commands a killed executor left running, by the state directory's mark in their
// environment: over a /proc laid out in a temp directory, and over the real one.
#include "runtime/leftover_commands.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "runtime/durable_file.h"
#include "tests/support/temp_dir.h"

namespace asmplan {
namespace {

/// Writes a fake /proc/PID with `environ` (NUL-separated), comm and a stat line.
void FakeProcess(const TempDir& proc, int pid, const std::string& comm, char state, int pgid,
                 unsigned long long start_ticks, const std::vector<std::string>& environ,
                 unsigned long flags = 4194560) {
  std::string dir = proc / std::to_string(pid), err;
  ASSERT_TRUE(MakeDirectories(dir, &err)) << err;
  auto nul = [](const std::vector<std::string>& fields) {
    std::string out;
    for (const std::string& f : fields) out += f + '\0';
    return out;
  };
  std::string stat = std::to_string(pid) + " (" + comm + ") " + state + " 1 " +
                     std::to_string(pgid) + " 1 0 -1 " + std::to_string(flags) +
                     " 0 0 0 0 0 0 0 0 20 0 1 0 " + std::to_string(start_ticks) + " 0 0\n";
  ASSERT_TRUE(WriteFileAtomic(dir + "/stat", stat, &err)) << err;
  ASSERT_TRUE(WriteFileAtomic(dir + "/environ", nul(environ), &err)) << err;
  ASSERT_TRUE(WriteFileAtomic(dir + "/comm", comm + "\n", &err)) << err;
}

// A command between its spawn and its exec, left so by a kill -9 of asmplan, shows asmplan's own
// environment (its memory is asmplan's until the exec): a process of this binary that was forked
// and has not exec'd is unsure, so resume looks again. One that exec'd (another asmplan, say
// `status`) is not, nor is another program's forked child.
TEST(LeftoverCommandsTest, AChildOfAsmplanBeforeItsExecIsUnsure) {
  TempDir proc;
  std::string err;
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self);
  ASSERT_GT(n, 0);
  const std::string self_exe(self, static_cast<size_t>(n));
  const unsigned long forked = 0x00400140, execd = 0x00400100;
  FakeProcess(proc, 700, "asmplan", 'S', 700, 0, {"PATH=/usr/bin"}, forked);
  FakeProcess(proc, 701, "asmplan", 'S', 701, 0, {"PATH=/usr/bin"}, execd);
  FakeProcess(proc, 702, "sshd", 'S', 702, 0, {"PATH=/usr/bin"}, forked);
  FakeProcess(proc, 703, "asmplan", 'S', 703, 0, {"PATH=/usr/bin"}, forked);
  ASSERT_EQ(::symlink(self_exe.c_str(), (proc / "700/exe").c_str()), 0);
  // Its binary was replaced since (asmplan upgraded between the kill and the resume).
  ASSERT_EQ(::symlink((self_exe + " (deleted)").c_str(), (proc / "703/exe").c_str()), 0);
  ASSERT_EQ(::symlink(self_exe.c_str(), (proc / "701/exe").c_str()), 0);
  ASSERT_EQ(::symlink("/usr/sbin/sshd", (proc / "702/exe").c_str()), 0);
  ProcessScan scan = FindLeftoverCommands("/srv/state", proc.path());
  EXPECT_EQ(scan.error, "");
  EXPECT_EQ(scan.unsure, 2);
  EXPECT_TRUE(scan.commands.empty());
}

TEST(LeftoverCommandsTest, FindsLiveProcessesMarkedWithTheStateDirectory) {
  TempDir proc;
  std::string err;
  long hz = ::sysconf(_SC_CLK_TCK);
  ASSERT_TRUE(WriteFileAtomic(proc / "uptime", "1000.00 1500.00\n", &err)) << err;
  const std::string mark = "ASMPLAN_STATE_DIR=/srv/state";
  // Started 990 s after boot: running for 10 s. Its name holds ") (" like a hostile comm.
  FakeProcess(proc, 4321, "istio) (ctl", 'S', 4321, 990ULL * hz,
              {"PATH=/usr/bin", mark, "ASMPLAN_STEP=install"});
  FakeProcess(proc, 77, "sleep", 'R', 70, 999ULL * hz, {mark, "ASMPLAN_STEP=restart[payments]"});
  FakeProcess(proc, 500, "kubectl", 'Z', 500, 0, {mark, "ASMPLAN_STEP=x"});  // a zombie
  FakeProcess(proc, 501, "kubectl", 'S', 501, 0,
              {"ASMPLAN_STATE_DIR=/srv/state2", "ASMPLAN_STEP=x"});
  FakeProcess(proc, 502, "bash", 'S', 502, 0, {mark});  // no ASMPLAN_STEP
  FakeProcess(proc, 503, "bash", 'S', 503, 0,
              {"ASMPLAN_STATE_DIR=/srv/state/sub", "ASMPLAN_STEP=x"});
  // An empty environment: a process in the middle of an exec (unsure), or a kernel thread (not).
  FakeProcess(proc, 600, "dd", 'R', 600, 0, {});
  FakeProcess(proc, 2, "kthreadd", 'S', 0, 0, {}, 0x00208040);
  ASSERT_TRUE(MakeDirectories(proc / "self", &err));
  ProcessScan scan = FindLeftoverCommands("/srv/state", proc.path());
  EXPECT_EQ(scan.error, "");
  EXPECT_EQ(scan.unsure, 1);
  const std::vector<LeftoverCommand>& found = scan.commands;
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].pid, 77);
  EXPECT_EQ(found[0].pgid, 70);
  EXPECT_EQ(found[0].step, "restart[payments]");
  EXPECT_EQ(found[0].program, "sleep");
  EXPECT_EQ(found[0].running_ms, 1000);
  EXPECT_EQ(found[1].pid, 4321);
  EXPECT_EQ(found[1].pgid, 4321);
  EXPECT_EQ(found[1].step, "install");
  EXPECT_EQ(found[1].program, "istio) (ctl");
  EXPECT_EQ(found[1].running_ms, 10000);
  EXPECT_TRUE(FindLeftoverCommands("/srv/other", proc.path()).commands.empty());
  ProcessScan missing = FindLeftoverCommands("/srv/state", proc / "missing");
  EXPECT_TRUE(missing.commands.empty());
  EXPECT_EQ(missing.error,
            "cannot list processes in " + (proc / "missing") + ": No such file or directory");
}

TEST(LeftoverCommandsTest, FindsARealProcessUntilItEnds) {
  TempDir state;
  std::string mark = CanonicalDirectory(state.path());
  std::string env_dir = std::string("ASMPLAN_STATE_DIR=") + mark, env_step = "ASMPLAN_STEP=a";
  std::string prog = "/bin/sleep", arg = "30";
  char* argv[] = {prog.data(), arg.data(), nullptr};
  char* envp[] = {env_dir.data(), env_step.data(), nullptr};
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, prog.c_str(), nullptr, &attr, argv, envp), 0);
  posix_spawnattr_destroy(&attr);
  // posix_spawn returns as the child's exec switches address space, a moment before the kernel
  // records where the new environment is: until then /proc/PID/environ reads empty.
  std::vector<LeftoverCommand> found;
  for (int i = 0; i < 500 && found.empty(); ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    found = FindLeftoverCommands(mark).commands;
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].pid, pid);
  EXPECT_EQ(found[0].pgid, pid);
  EXPECT_EQ(found[0].step, "a");
  EXPECT_EQ(found[0].program, "sleep");
  EXPECT_GE(found[0].running_ms, 0);
  EXPECT_LT(found[0].running_ms, 60000);
  EXPECT_TRUE(FindLeftoverCommands(mark).commands.empty());  // reaped: gone
}

TEST(LeftoverCommandsTest, CanonicalDirectoryIsTheSameForEverySpelling) {
  TempDir dir;
  std::string err;
  ASSERT_TRUE(MakeDirectories(dir / "real/state", &err));
  ASSERT_EQ(::symlink((dir / "real").c_str(), (dir / "link").c_str()), 0);
  std::string canonical = CanonicalDirectory(dir / "real/state");
  EXPECT_EQ(CanonicalDirectory(dir / "link/state"), canonical);
  EXPECT_EQ(CanonicalDirectory(dir / "link/../real/./state/"), canonical);
  EXPECT_EQ(canonical.find("/link"), std::string::npos);
  EXPECT_EQ(CanonicalDirectory("/nonexistent/x"), "/nonexistent/x");
}

}  // namespace
}  // namespace asmplan
