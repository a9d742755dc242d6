// Test support: run asmplan-sandbox as a real process (own temp dir, port 0, fresh
// KUBECACHEDIR), drive the real kubectl against it, and call its admin endpoints.
// Header-only and dependency-free (POSIX only), so any test binary can include it.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace asmplan::testing {

/// What a finished process left behind.
struct ProcessResult {
  int exit_code = -1;  ///< -1 when it was killed by a signal or timed out
  std::string out;
  std::string err;
};

/// Runs `argv` (argv[0] is a path) with the current environment plus `extra_env`
/// ("NAME=value", overriding), capturing stdout and stderr. Killed after `timeout_s`.
inline ProcessResult RunProcess(const std::vector<std::string>& argv,
                                const std::vector<std::string>& extra_env = {},
                                int timeout_s = 60) {
  ProcessResult result;
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) return result;
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    bool overridden = false;
    for (const std::string& x : extra_env) {
      if (entry.compare(0, x.find('=') + 1, x, 0, x.find('=') + 1) == 0) overridden = true;
    }
    if (!overridden) env_strings.push_back(entry);
  }
  env_strings.insert(env_strings.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> args, envp;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  for (const std::string& e : env_strings) envp.push_back(const_cast<char*>(e.c_str()));
  args.push_back(nullptr);
  envp.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    close(out_pipe[0]);
    close(err_pipe[0]);
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0 && std::chrono::steady_clock::now() < deadline) {
    if (poll(fds, 2, 100) <= 0) continue;
    for (pollfd& f : fds) {
      if (f.fd < 0 || !(f.revents & (POLLIN | POLLHUP))) continue;
      char buf[8192];
      ssize_t n = read(f.fd, buf, sizeof buf);
      if (n <= 0) {
        close(f.fd);
        f.fd = -1;
        --open_fds;
      } else {
        (&f == &fds[0] ? result.out : result.err).append(buf, static_cast<size_t>(n));
      }
    }
  }
  for (pollfd& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  if (open_fds > 0) kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  if (open_fds == 0 && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

/// A minimal HTTP/1.1 client for the sandbox's admin endpoints (loopback, Connection: close).
/// Returns the status code (0 on a connection failure) and fills `body`.
inline int HttpRequest(int port, const std::string& method, const std::string& path,
                       const std::string& request_body, std::string* body) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0) close(fd);
    return 0;
  }
  std::string request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                        "Content-Type: application/json\r\nConnection: close\r\n" +
                        "Content-Length: " + std::to_string(request_body.size()) + "\r\n\r\n" +
                        request_body;
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
    close(fd);
    return 0;
  }
  std::string response;
  char buf[65536];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;)
    response.append(buf, static_cast<size_t>(n));
  close(fd);
  size_t header_end = response.find("\r\n\r\n");
  if (response.compare(0, 9, "HTTP/1.1 ") != 0 || header_end == std::string::npos) return 0;
  if (body) *body = response.substr(header_end + 4);
  return std::atoi(response.c_str() + 9);
}

/// One asmplan-sandbox process, stopped (by pid) when this object goes away.
class SandboxProcess {
 public:
  SandboxProcess() = default;
  SandboxProcess(const SandboxProcess&) = delete;
  SandboxProcess& operator=(const SandboxProcess&) = delete;
  ~SandboxProcess() {
    Stop();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  /// The built asmplan-sandbox.
  static std::string Binary() { return std::string(ASMPLAN_BIN_DIR) + "/asmplan-sandbox"; }
  /// A shipped scenario, e.g. Scenario("demo") -> <source>/sandbox/scenarios/demo.yaml.
  static std::string Scenario(const std::string& name) {
    return std::string(ASMPLAN_SOURCE_DIR) + "/sandbox/scenarios/" + name + ".yaml";
  }

  /// Starts the sandbox on a scenario file and waits (up to 20 s) until its sandbox.json
  /// exists. `extra_args` go on the command line (e.g. {"--port", "18080"}).
  bool Start(const std::string& scenario_path, std::string* err,
             const std::vector<std::string>& extra_args = {}) {
    if (!MakeDir(err)) return false;
    std::vector<std::string> argv = {Binary(), "--scenario", scenario_path, "--state-dir", dir_};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    std::string log_path = dir_ + "/sandbox.log";
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (log >= 0) {
        dup2(log, 1);
        dup2(log, 2);
      }
      execv(args[0], args.data());
      _exit(127);
    }
    return WaitReady(err);
  }

  /// Writes `yaml` to <dir>/scenario.yaml and starts the sandbox on it.
  bool StartWithScenarioText(const std::string& yaml, std::string* err,
                             const std::vector<std::string>& extra_args = {}) {
    if (!MakeDir(err)) return false;
    std::ofstream(dir_ + "/scenario.yaml") << yaml;
    return Start(dir_ + "/scenario.yaml", err, extra_args);
  }

  /// SIGTERM, then SIGKILL after 10 s. Returns the exit code (-1 if killed or never started).
  int Stop() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 1000; ++i) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    pid_ = 0;
    return -1;
  }

  /// Environment for tools aimed at this sandbox: KUBECONFIG and a private KUBECACHEDIR.
  std::vector<std::string> Env() const {
    return {"KUBECONFIG=" + kubeconfig(), "KUBECACHEDIR=" + dir_ + "/kube-cache"};
  }
  /// Runs /usr/bin/kubectl with Env().
  ProcessResult Kubectl(const std::vector<std::string>& args, int timeout_s = 60) const {
    std::vector<std::string> argv = {"/usr/bin/kubectl"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, Env(), timeout_s);
  }
  /// kubectl against the user cluster (`--context sandbox-user`).
  ProcessResult UserKubectl(std::vector<std::string> args, int timeout_s = 60) const {
    args.insert(args.begin(), {"--context", "sandbox-user"});
    return Kubectl(args, timeout_s);
  }
  /// GET/POST an admin endpoint of the user cluster; returns the HTTP status.
  int Get(const std::string& path, std::string* body) const {
    return HttpRequest(user_port_, "GET", path, "", body);
  }
  int Post(const std::string& path, const std::string& json_body, std::string* body) const {
    return HttpRequest(user_port_, "POST", path, json_body, body);
  }

  const std::string& dir() const { return dir_; }
  std::string kubeconfig() const { return dir_ + "/kubeconfig"; }
  std::string sandbox_json() const { return dir_ + "/sandbox.json"; }
  int user_port() const { return user_port_; }
  int admin_port() const { return admin_port_; }
  pid_t pid() const { return pid_; }
  /// The sandbox's own log (its stdout and stderr).
  std::string Log() const { return ReadFile(dir_ + "/sandbox.log"); }

  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  bool MakeDir(std::string* err) {
    if (!dir_.empty()) return true;
    char tmpl[] = "/tmp/asmplan-sandbox-test-XXXXXX";
    if (!mkdtemp(tmpl)) {
      *err = "cannot create a temp dir";
      return false;
    }
    dir_ = tmpl;
    return true;
  }

  // The port of "<key>": "http://127.0.0.1:PORT" in sandbox.json.
  static int PortOf(const std::string& json, const std::string& key) {
    size_t at = json.find("\"" + key + "\"");
    if (at == std::string::npos) return 0;
    size_t colon = json.find("127.0.0.1:", at);
    return colon == std::string::npos ? 0 : std::atoi(json.c_str() + colon + 10);
  }

  bool WaitReady(std::string* err) {
    for (int i = 0; i < 2000; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        *err = "asmplan-sandbox exited early (" +
               std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + "): " + Log();
        return false;
      }
      std::string json = ReadFile(sandbox_json());
      if (!json.empty()) {
        user_port_ = PortOf(json, "user_server");
        admin_port_ = PortOf(json, "admin_server");
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    *err = "asmplan-sandbox did not write sandbox.json within 20 s: " + Log();
    return false;
  }

  std::string dir_;
  pid_t pid_ = 0;
  int user_port_ = 0;
  int admin_port_ = 0;
};

}  // namespace asmplan::testing
