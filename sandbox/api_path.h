// Parsing of Kubernetes API paths: /api/v1/namespaces/<ns>/pods/<name>/<subresource>, ...
#pragma once

#include <string>

#include "sandbox/resources.h"

namespace asmplan::sandbox {

struct ApiPath {
  enum class Kind { kUnknown, kGroupVersion, kResource };
  Kind kind = Kind::kUnknown;
  std::string group;
  std::string version;
  const ResourceInfo* resource = nullptr;  ///< for kResource
  std::string ns;                          ///< "" for cluster-scoped or all-namespace requests
  std::string name;                        ///< "" for collections
  std::string subresource;                 ///< status, scale, log, ...
  std::string resource_name;               ///< the plural as requested (for 404 messages)
};

/// Parses a path under /api or /apis. kUnknown for anything else (or unknown resources).
ApiPath ParseApiPath(const std::string& path);

}  // namespace asmplan::sandbox
