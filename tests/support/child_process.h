// Running a real executable from a test: argv (no shell), extra environment, captured output.
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace asmplan::testing {

struct ChildResult {
  int exit_code = -1;  ///< the exit status, or 128+signal, or -1 if it could not start
  std::string out;     ///< everything written to stdout
  std::string err;     ///< everything written to stderr
};

namespace child_process_detail {
inline std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}
}  // namespace child_process_detail

/// Runs argv[0] (a path) with argv, this process's environment plus `env` (overriding), stdin
/// from /dev/null; stdout and stderr go through files in `scratch_dir` so a chatty child never
/// blocks. Waits for it to end.
inline ChildResult RunChild(const std::vector<std::string>& argv,
                            const std::map<std::string, std::string>& env,
                            const std::string& scratch_dir) {
  // Everything the child needs is built before fork: a threaded parent may not allocate after.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry = *e;
    if (env.count(entry.substr(0, entry.find('='))) == 0) env_strings.push_back(entry);
  }
  for (const auto& [key, value] : env) env_strings.push_back(key + "=" + value);
  std::vector<char*> envp, args;
  for (std::string& s : env_strings) envp.push_back(&s[0]);
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (std::string& s : argv_copy) args.push_back(&s[0]);
  args.push_back(nullptr);
  const std::string out_path = scratch_dir + "/child.stdout",
                    err_path = scratch_dir + "/child.stderr";
  int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int in_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ChildResult result;
  pid_t pid = (out_fd >= 0 && err_fd >= 0 && in_fd >= 0) ? fork() : -1;
  if (pid == 0) {
    dup2(in_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  for (int fd : {out_fd, err_fd, in_fd}) {
    if (fd >= 0) close(fd);
  }
  if (pid < 0) return result;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = child_process_detail::Slurp(out_path);
  result.err = child_process_detail::Slurp(err_path);
  return result;
}

}  // namespace asmplan::testing
