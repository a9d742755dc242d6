#include "sandbox/api_path.h"

#include <vector>

namespace asmplan::sandbox {

namespace {

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start < path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

}  // namespace

ApiPath ParseApiPath(const std::string& path) {
  ApiPath out;
  std::vector<std::string> s = Split(path);
  size_t i;
  if (s.size() >= 2 && s[0] == "api") {
    out.version = s[1];
    i = 2;
  } else if (s.size() >= 3 && s[0] == "apis") {
    out.group = s[1];
    out.version = s[2];
    i = 3;
  } else {
    return out;
  }
  if (i == s.size()) {
    out.kind = ApiPath::Kind::kGroupVersion;
    return out;
  }
  // namespaces/<ns>/<plural>/... is namespaced, except a namespace's own subresources.
  bool namespaced_path =
      s[i] == "namespaces" && s.size() >= i + 3 && s[i + 2] != "status" && s[i + 2] != "finalize";
  if (namespaced_path) {
    out.ns = s[i + 1];
    i += 2;
  }
  out.resource_name = s[i];
  out.resource = FindResource(out.group, out.version, s[i]);
  if (!out.resource || out.resource->namespaced != namespaced_path) {
    // Namespaced kinds may also be listed across namespaces (/api/v1/pods).
    if (!out.resource || namespaced_path || s.size() > i + 1) {
      out.resource = nullptr;
      return out;
    }
  }
  if (s.size() > i + 1) out.name = s[i + 1];
  if (s.size() > i + 2) out.subresource = s[i + 2];
  if (s.size() > i + 3) {
    out.resource = nullptr;
    return out;
  }
  out.kind = ApiPath::Kind::kResource;
  return out;
}

}  // namespace asmplan::sandbox
