#include "sandbox/sandbox_app.h"

#include <httplib.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include "sandbox/admin_routes.h"
#include "sandbox/api_server.h"
#include "sandbox/cluster.h"
#include "sandbox/release_server.h"
#include "sandbox/scenario.h"
#include "sandbox/state_files.h"

namespace asmplan::sandbox {

namespace {

// One simulated cluster with its HTTP server.
struct ClusterServer {
  ClusterServer(const Timings& timings, const MeshState& mesh, uint32_t seed)
      : cluster(timings, mesh, seed), api(cluster, stats) {}
  Cluster cluster;
  RequestStats stats;
  ApiServer api;
  httplib::Server http;
  std::thread thread;
  int port = 0;
};

// Every open watch holds a worker; kubectl wait --all opens one per pod.
void ConfigureServer(httplib::Server& http) {
  http.new_task_queue = [] { return new httplib::ThreadPool(64); };
  // Not SO_REUSEPORT (cpp-httplib's default): a second sandbox on a taken port must fail, not
  // silently share the port with the first.
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  http.set_payload_max_length(64 << 20);
}

bool Bind(ClusterServer& s, int port, std::string* err) {
  ConfigureServer(s.http);
  if (port == 0) {
    s.port = s.http.bind_to_any_port("127.0.0.1");
  } else {
    s.port = s.http.bind_to_port("127.0.0.1", port) ? port : -1;
  }
  if (s.port <= 0) {
    *err = "cannot listen on 127.0.0.1:" + std::to_string(port) + " (is the port taken?)";
    return false;
  }
  return true;
}

std::string DefaultIstioctl() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "istioctl";
  return (exe.parent_path() / ".." / "sandbox-bin" / "istioctl").lexically_normal().string();
}

bool WriteStateFiles(const SandboxOptions& o, const ClusterServer& user, const ClusterServer& admin,
                     std::string* err) {
  std::string dir = std::filesystem::absolute(o.state_dir).string();
  SandboxInfo info;
  info.pid = getpid();
  info.user_server = "http://127.0.0.1:" + std::to_string(user.port);
  info.admin_server = "http://127.0.0.1:" + std::to_string(admin.port);
  info.kubeconfig = dir + "/kubeconfig";
  std::string istioctl = o.istioctl.empty() ? DefaultIstioctl() : o.istioctl;
  info.bin_dir = std::filesystem::path(istioctl).parent_path().string();
  return WriteFileAtomically(info.kubeconfig, KubeconfigText(info.user_server, info.admin_server),
                             err) &&
         WriteFileAtomically(dir + "/sandbox.json", SandboxJsonText(info), err);
}

int WaitForSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

}  // namespace

int RunSandbox(const SandboxOptions& o) {
  Scenario scenario;
  std::string err;
  if (!LoadScenario(o.scenario, &scenario, &err)) {
    std::cerr << "asmplan-sandbox: " << err << "\n";
    return 2;
  }
  // Said now, not as an HTTP 500 when a plan first downloads a release.
  const std::string istioctl = o.istioctl.empty() ? DefaultIstioctl() : o.istioctl;
  std::error_code ec;
  std::string unusable = std::filesystem::is_directory(istioctl, ec)    ? "a directory"
                         : ::access(istioctl.c_str(), R_OK | X_OK) != 0 ? std::strerror(errno)
                                                                        : "";
  if (!unusable.empty()) {
    std::cerr << "asmplan-sandbox: cannot use " << istioctl
              << " as the simulated istioctl packed into releases: " << unusable
              << " (give --istioctl PATH)\n";
    return 2;
  }
  // Signals go to sigwait below, never to a server or controller thread.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::filesystem::create_directories(o.state_dir, ec);
  MeshState no_mesh;
  no_mesh.enabled = false;
  auto user = std::make_unique<ClusterServer>(scenario.timings, scenario.mesh, scenario.seed);
  auto admin = std::make_unique<ClusterServer>(scenario.timings, no_mesh, scenario.seed + 1);
  {
    std::lock_guard<std::mutex> lock(user->cluster.mu());
    user->cluster.LoadObjects(scenario.user_objects);
    // After the initial pods settled: a fault bites on pods that start later, so the cluster
    // looks healthy until the operator's restart (the scenario files promise as much).
    user->cluster.faults() = scenario.faults;
  }
  {
    std::lock_guard<std::mutex> lock(admin->cluster.mu());
    admin->cluster.LoadObjects(scenario.admin_objects);
  }
  if (!Bind(*user, o.port, &err) || !Bind(*admin, o.admin_port, &err)) {
    std::cerr << "asmplan-sandbox: " << err << "\n";
    return 1;
  }
  for (ClusterServer* s : {user.get(), admin.get()}) {
    s->api.Register(s->http);
    RegisterAdminRoutes(s->http, s->cluster, s->stats);
  }
  ReleaseConfig release{istioctl, (std::filesystem::absolute(o.state_dir) / "releases").string()};
  RegisterReleaseRoutes(user->http, release);
  for (ClusterServer* s : {user.get(), admin.get()}) {
    s->cluster.Start();
    s->thread = std::thread([s] { s->http.listen_after_bind(); });
  }
  if (!WriteStateFiles(o, *user, *admin, &err)) {
    std::cerr << "asmplan-sandbox: " << err << "\n";
  } else {
    WaitForSignal();
  }
  for (ClusterServer* s : {user.get(), admin.get()}) {
    s->cluster.Stop();  // ends open watches, so the server's workers can finish
    s->http.stop();
    if (s->thread.joinable()) s->thread.join();
  }
  return err.empty() ? 0 : 1;
}

}  // namespace asmplan::sandbox
