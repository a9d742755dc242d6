#include "sandbox/mesh.h"

namespace asmplan::sandbox {

using nlohmann::json;

std::string ProxyImage(const std::string& version) {
  return "gcr.io/gke-release/asm/proxyv2:" + version;
}

std::string ImageTag(const std::string& image) {
  size_t colon = image.rfind(':');
  size_t slash = image.rfind('/');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return "";
  return image.substr(colon + 1);
}

bool NamespaceWantsInjection(const json& ns_object) {
  json labels = ns_object.value("metadata", json::object()).value("labels", json::object());
  if (labels.value("istio-injection", "") == "disabled") return false;
  return labels.value("istio-injection", "") == "enabled" || labels.contains("istio.io/rev");
}

void InjectSidecar(const MeshState& mesh, json* pod) {
  json& meta = (*pod)["metadata"];
  json annotations = meta.value("annotations", json::object());
  if (annotations.value("sidecar.istio.io/inject", "") == "false") return;
  json& containers = (*pod)["spec"]["containers"];
  for (const json& c : containers) {
    if (c.value("name", "") == "istio-proxy") return;
  }
  containers.push_back({{"name", "istio-proxy"},
                        {"image", ProxyImage(mesh.version)},
                        {"args", {"proxy", "sidecar"}},
                        {"ports", {{{"containerPort", 15090}, {"name", "http-envoy-prom"}}}}});
  meta["annotations"]["sidecar.istio.io/status"] =
      json({{"version", mesh.version}, {"containers", {"istio-proxy"}}}).dump();
  meta["labels"]["security.istio.io/tlsMode"] = "istio";
}

json MakeDeployment(const std::string& ns, const std::string& name, int replicas,
                    const json& containers, const json& labels) {
  json pod_labels = labels;
  pod_labels["app"] = name;
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", {{"app", name}}}}},
          {"spec",
           {{"replicas", replicas},
            {"selector", {{"matchLabels", {{"app", name}}}}},
            {"strategy",
             {{"type", "RollingUpdate"},
              {"rollingUpdate", {{"maxSurge", "25%"}, {"maxUnavailable", "25%"}}}}},
            {"template",
             {{"metadata", {{"labels", pod_labels}}}, {"spec", {{"containers", containers}}}}}}}};
}

json MakeReplicaSet(const std::string& ns, const std::string& name, int replicas,
                    const json& containers) {
  json rs = MakeDeployment(ns, name, replicas, containers, {});
  rs["kind"] = "ReplicaSet";
  rs["spec"].erase("strategy");
  return rs;
}

std::vector<json> ControlPlaneDeployments(const std::string& version) {
  json labels = {{"istio.io/rev", "default"}, {"sandbox.asmplan/version", version}};
  json istiod_labels = labels;
  istiod_labels["istio"] = "pilot";
  json gateway_labels = labels;
  gateway_labels["istio"] = "ingressgateway";
  json istiod = MakeDeployment(
      "istio-system", "istiod", 1,
      {{{"name", "discovery"}, {"image", "gcr.io/gke-release/asm/pilot:" + version}}},
      istiod_labels);
  json gateway =
      MakeDeployment("istio-system", "istio-ingressgateway", 1,
                     {{{"name", "istio-proxy"}, {"image", ProxyImage(version)}}}, gateway_labels);
  return {istiod, gateway};
}

}  // namespace asmplan::sandbox
