#include "sandbox/istioctl/kubeconfig.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <sstream>
#include <vector>

namespace asmplan::sandbox::istioctl {
namespace {

std::vector<std::string> KubeconfigFiles(const std::string& flag) {
  if (!flag.empty()) return {flag};
  const char* env = std::getenv("KUBECONFIG");
  std::vector<std::string> files;
  if (env != nullptr && *env != '\0') {
    std::stringstream list(env);
    std::string file;
    while (std::getline(list, file, ':')) {
      if (!file.empty()) files.push_back(file);
    }
    return files;
  }
  const char* home = std::getenv("HOME");
  if (home != nullptr) files.push_back(std::string(home) + "/.kube/config");
  return files;
}

/// `section`'s entry called `name` (e.g. clusters[name=x].cluster), from the first file having
/// it; a null node when there is none.
YAML::Node FindNamed(const std::vector<YAML::Node>& docs, const std::string& section,
                     const std::string& field, const std::string& name) {
  for (const YAML::Node& doc : docs) {
    const YAML::Node list = doc[section];
    if (!list || !list.IsSequence()) continue;
    for (const YAML::Node& entry : list) {
      const YAML::Node entry_name = entry["name"];
      // A missing key reads as an invalid node: test it (operator bool) before its type.
      if (entry_name && entry_name.IsScalar() && entry_name.Scalar() == name && entry[field] &&
          entry[field].IsMap()) {
        return entry[field];
      }
    }
  }
  return YAML::Node(YAML::NodeType::Null);
}

std::string Scalar(const YAML::Node& node, const std::string& key) {
  if (!node || !node.IsMap()) return "";
  const YAML::Node value = node[key];
  return value && value.IsScalar() ? value.Scalar() : "";
}

/// Loads every kubeconfig file there is; an explicitly named file must exist.
bool LoadDocs(const std::string& flag, std::vector<YAML::Node>* docs, std::string* err) {
  for (const std::string& file : KubeconfigFiles(flag)) {
    try {
      docs->push_back(YAML::LoadFile(file));
    } catch (const YAML::BadFile&) {
      if (!flag.empty()) return (*err = "stat " + file + ": no such file or directory", false);
    } catch (const YAML::Exception& e) {
      *err = "error loading config file \"" + file + "\": " + e.what();
      return false;
    }
  }
  return true;
}

bool ResolveFromDocs(const std::vector<YAML::Node>& docs, const std::string& context,
                     ClusterEndpoint* endpoint, std::string* err) {
  endpoint->context = context;
  for (const YAML::Node& doc : docs) {
    if (endpoint->context.empty()) endpoint->context = Scalar(doc, "current-context");
  }
  if (endpoint->context.empty()) {
    *err = "invalid configuration: no configuration has been provided";
    return false;
  }
  YAML::Node ctx = FindNamed(docs, "contexts", "context", endpoint->context);
  if (!ctx || !ctx.IsMap()) {
    *err = "context was not found for specified context: " + endpoint->context;
    return false;
  }
  const std::string cluster = Scalar(ctx, "cluster");
  endpoint->server = Scalar(FindNamed(docs, "clusters", "cluster", cluster), "server");
  if (endpoint->server.empty()) {
    *err = "invalid configuration: no server found for cluster \"" + cluster + "\"";
    return false;
  }
  endpoint->token = Scalar(FindNamed(docs, "users", "user", Scalar(ctx, "user")), "token");
  return true;
}

}  // namespace

bool ResolveCluster(const std::string& kubeconfig_path, const std::string& context,
                    ClusterEndpoint* endpoint, std::string* err) {
  std::vector<YAML::Node> docs;
  if (!LoadDocs(kubeconfig_path, &docs, err)) return false;
  try {
    return ResolveFromDocs(docs, context, endpoint, err);
  } catch (const YAML::Exception& e) {
    // A kubeconfig of the wrong shape (a scalar where a map belongs, say).
    *err = std::string("invalid kubeconfig: ") + e.what();
    return false;
  }
}

}  // namespace asmplan::sandbox::istioctl
