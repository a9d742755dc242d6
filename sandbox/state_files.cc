#include "sandbox/state_files.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

namespace asmplan::sandbox {

bool WriteFileAtomically(const std::string& path, const std::string& content, std::string* err) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) {
      *err = "cannot write " + tmp + ": " + std::strerror(errno);
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    *err = "cannot rename " + tmp + " to " + path + ": " + std::strerror(errno);
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

std::string KubeconfigText(const std::string& user_server, const std::string& admin_server) {
  std::string out = "apiVersion: v1\nkind: Config\nclusters:\n";
  for (const auto& [name, server] :
       {std::pair<const char*, const std::string&>{"sandbox-user", user_server},
        {"sandbox-admin", admin_server}}) {
    out += std::string("- name: ") + name + "\n  cluster:\n    server: " + server + "\n";
  }
  out += "contexts:\n";
  for (const char* name : {"sandbox-user", "sandbox-admin"}) {
    out += std::string("- name: ") + name + "\n  context:\n    cluster: " + name +
           "\n    user: sandbox-operator\n";
  }
  out +=
      "current-context: sandbox-admin\n"
      "users:\n- name: sandbox-operator\n  user:\n    token: sandbox-dummy-token\n";
  return out;
}

std::string SandboxJsonText(const SandboxInfo& info) {
  nlohmann::json j = {{"pid", info.pid},
                      {"user_server", info.user_server},
                      {"admin_server", info.admin_server},
                      {"release_base", info.user_server + "/releases"},
                      {"kubeconfig", info.kubeconfig},
                      {"bin_dir", info.bin_dir}};
  return j.dump(2) + "\n";
}

}  // namespace asmplan::sandbox
