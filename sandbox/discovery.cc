#include "sandbox/discovery.h"

#include <set>

#include "sandbox/resources.h"

namespace asmplan::sandbox {

using nlohmann::json;

json VersionInfo() {
  return {{"major", "1"},
          {"minor", "32"},
          {"gitVersion", "v1.32.2"},
          {"gitCommit", "0000000000000000000000000000000000000000"},
          {"gitTreeState", "clean"},
          {"buildDate", "2026-01-01T00:00:00Z"},
          {"goVersion", "go1.23.6"},
          {"compiler", "gc"},
          {"platform", "linux/amd64"}};
}

json CoreApiVersions() {
  return {{"kind", "APIVersions"},
          {"versions", {"v1"}},
          {"serverAddressByClientCIDRs",
           {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", "127.0.0.1"}}}}};
}

json ApiGroupList() {
  std::set<std::string> groups;
  for (const ResourceInfo& r : AllResources()) {
    if (!r.group.empty()) groups.insert(r.group);
  }
  json list = json::array();
  for (const std::string& g : groups) {
    json v = {{"groupVersion", g + "/v1"}, {"version", "v1"}};
    list.push_back({{"name", g}, {"versions", {v}}, {"preferredVersion", v}});
  }
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", list}};
}

json ResourceList(const std::string& group, const std::string& version) {
  json resources = json::array();
  static const json kVerbs = {"create", "delete", "deletecollection", "get",
                              "list",   "patch",  "update",           "watch"};
  for (const ResourceInfo& r : AllResources()) {
    if (r.group != group || r.version != version) continue;
    resources.push_back({{"name", r.plural},
                         {"singularName", r.singular},
                         {"namespaced", r.namespaced},
                         {"kind", r.kind},
                         {"verbs", kVerbs},
                         {"shortNames", r.short_names}});
    if (r.plural == "pods" || r.plural == "deployments" || r.plural == "replicasets" ||
        r.plural == "namespaces") {
      resources.push_back({{"name", r.plural + "/status"},
                           {"singularName", ""},
                           {"namespaced", r.namespaced},
                           {"kind", r.kind},
                           {"verbs", {"get", "patch", "update"}}});
    }
    if (r.plural == "deployments" || r.plural == "replicasets") {
      resources.push_back({{"name", r.plural + "/scale"},
                           {"singularName", ""},
                           {"namespaced", true},
                           {"group", "autoscaling"},
                           {"version", "v1"},
                           {"kind", "Scale"},
                           {"verbs", {"get", "patch", "update"}}});
    }
  }
  if (resources.empty()) return nullptr;
  std::string gv = group.empty() ? version : group + "/" + version;
  return {{"kind", "APIResourceList"},
          {"apiVersion", "v1"},
          {"groupVersion", gv},
          {"resources", resources}};
}

}  // namespace asmplan::sandbox
