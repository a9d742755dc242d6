// `asmplan sandbox up|down|status`: the simulated cluster in the background, for rehearsals.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "runtime/artifact/downloader.h"
#include "sandbox/sandbox_launcher.h"
#include "sandbox/sandbox_summary.h"

namespace asmplan::cli {
namespace {

namespace fs = std::filesystem;

constexpr char kDefaultStateDir[] = ".asmplan/sandbox";
constexpr double kStopGraceSeconds = 10;

struct SandboxOptions {
  std::string scenario;
  std::string state_dir = kDefaultStateDir;
  int port = 0;
  double timeout_s = 60;
};

std::string AbsoluteDir(const std::string& dir) {
  std::error_code ec;
  fs::path abs = fs::absolute(dir, ec);
  return ec ? dir : abs.lexically_normal().string();
}

/// asmplan-sandbox lives beside the asmplan executable.
std::string SandboxExecutable() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? "asmplan-sandbox" : (self.parent_path() / "asmplan-sandbox").string();
}

int RunUp(const SandboxOptions& o) {
  sandbox::LaunchOptions launch;
  launch.sandbox_exe = SandboxExecutable();
  launch.scenario = o.scenario;
  launch.state_dir = AbsoluteDir(o.state_dir);
  launch.port = o.port;
  launch.ready_timeout_s = o.timeout_s;
  if (access(launch.sandbox_exe.c_str(), X_OK) != 0) {
    std::fprintf(stderr, "error: cannot find %s (it is built beside asmplan)\n",
                 launch.sandbox_exe.c_str());
    return kExitFailure;
  }
  sandbox::LaunchOutcome out = sandbox::LaunchSandbox(launch);
  using Kind = sandbox::LaunchOutcome::Kind;
  if (out.kind != Kind::kStarted) {
    std::fprintf(stderr, "error: %s\n", out.message.c_str());
    if (out.kind == Kind::kChildExited) return out.exit_code == 0 ? kExitFailure : out.exit_code;
    return kExitFailure;
  }
  const sandbox::LaunchedSandbox& s = out.sandbox;
  // Comment, then export lines: the output can be pasted or given to `eval`.
  std::printf("# sandbox running (pid %ld): user cluster %s, admin cluster %s, releases %s\n",
              s.pid, s.user_server.c_str(), s.admin_server.c_str(), s.release_base.c_str());
  std::printf("export KUBECONFIG=%s\n", s.kubeconfig.c_str());
  std::printf("export PATH=%s:$PATH\n", s.bin_dir.c_str());
  return kExitOk;
}

int RunDown(const SandboxOptions& o) {
  const std::string dir = AbsoluteDir(o.state_dir);
  sandbox::StopOutcome out;
  std::string err;
  if (!sandbox::StopSandbox(dir, kStopGraceSeconds, &out, &err)) {
    std::fprintf(stderr, "error: %s\n", err.c_str());
    return kExitFailure;
  }
  if (out.pid == 0) {
    std::printf("no sandbox running from %s\n", dir.c_str());
  } else {
    std::printf("sandbox stopped (pid %ld%s)\n", out.pid, out.killed ? ", killed" : "");
  }
  return kExitOk;
}

/// Fetches `user_server`/sandbox/state and summarizes it; false with `err` if unreachable. Through
/// the lazily loaded libcurl, so no asmplan command pays for an HTTP library at its start.
bool FetchSandboxSummary(const std::string& user_server, std::string* summary, std::string* err) {
  const std::string url = user_server + "/sandbox/state";
  std::string body;
  long status = 0;
  if (!HttpGet(url, /*timeout_s=*/30, /*max_bytes=*/256u << 20, &body, &status, err)) {
    *err = "GET " + url + ": " + *err;
    return false;
  }
  nlohmann::json state = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (status != 200 || !state.is_object()) {
    *err = "GET " + url + ": " +
           (status != 200 ? "status " + std::to_string(status) : "not a JSON object");
    return false;
  }
  try {
    *summary = sandbox::SummarizeSandboxState(state);
  } catch (const nlohmann::json::exception& e) {
    // A field of an unexpected type: say so rather than crash the status command.
    *err = "GET " + url + ": unexpected reply: " + e.what();
    return false;
  }
  return true;
}

int RunStatus(const SandboxOptions& o) {
  const std::string dir = AbsoluteDir(o.state_dir);
  long pid = sandbox::RunningSandboxPid(dir);
  sandbox::LaunchedSandbox s;
  std::string err;
  if (pid == 0 || !sandbox::ReadSandboxJson(dir, &s, &err) || s.pid != pid) {
    std::printf("sandbox: %s\nstate dir: %s\n", pid == 0 ? "stopped" : "starting", dir.c_str());
    return pid == 0 ? kExitFailure : kExitOk;
  }
  std::printf("sandbox: running\npid: %ld\nstate dir: %s\n", pid, dir.c_str());
  std::printf("user cluster: %s (context sandbox-user)\n", s.user_server.c_str());
  std::printf("admin cluster: %s (context sandbox-admin)\n", s.admin_server.c_str());
  std::printf("releases: %s\nkubeconfig: %s\n", s.release_base.c_str(), s.kubeconfig.c_str());
  std::string summary;
  if (FetchSandboxSummary(s.user_server, &summary, &err)) {
    std::fputs(summary.c_str(), stdout);
  } else {
    std::printf("state: unavailable (%s)\n", err.c_str());
  }
  return kExitOk;
}

void AddStateDirOption(CLI::App* command, SandboxOptions* options) {
  command
      ->add_option("--state-dir", options->state_dir,
                   "where the sandbox keeps its kubeconfig, sandbox.json and log")
      ->capture_default_str();
}

/// Sets `command` to run `run` and turn a non-zero result into the process exit code.
void OnRun(CLI::App* command, std::shared_ptr<SandboxOptions> options,
           int (*run)(const SandboxOptions&)) {
  command->callback([options, run] {
    const int code = run(*options);
    if (code != kExitOk) throw CLI::RuntimeError(code);
  });
}

}  // namespace

void RegisterSandboxCommands(CLI::App& app) {
  CLI::App* sandbox = app.add_subcommand(
      "sandbox", "Run a simulated cluster (API server, istioctl, releases) for rehearsals");
  sandbox->require_subcommand(1);
  auto options = std::make_shared<SandboxOptions>();

  CLI::App* up = sandbox->add_subcommand("up", "Start the sandbox in the background");
  up->add_option("--scenario", options->scenario, "scenario file (YAML)")->required();
  AddStateDirOption(up, options.get());
  up->add_option("--port", options->port, "user cluster port; 0 picks free ports")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  // Not CLI::PositiveNumber: NaN compares false with everything, and would pass.
  up->add_option("--timeout", options->timeout_s, "seconds to wait for it to be ready")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& text) {
            char* end = nullptr;
            double v = std::strtod(text.c_str(), &end);
            return *end == '\0' && v > 0 && v <= 3600 ? std::string()
                                                      : "must be seconds from above 0 to 3600";
          },
          "SECONDS"));
  up->footer(
      "Prints the `export KUBECONFIG=...` and `export PATH=...` lines to use.\n"
      "Exit status: 0 started, 2 bad scenario, 1 other failure (or already running).");
  OnRun(up, options, RunUp);

  CLI::App* down = sandbox->add_subcommand("down", "Stop the sandbox (SIGTERM, then SIGKILL)");
  AddStateDirOption(down, options.get());
  OnRun(down, options, RunDown);

  CLI::App* status = sandbox->add_subcommand("status", "Say whether the sandbox runs, and how");
  AddStateDirOption(status, options.get());
  status->footer("Exit status: 0 running (or starting), 1 stopped.");
  OnRun(status, options, RunStatus);
}

}  // namespace asmplan::cli
