#include "sandbox/api_error.h"

namespace asmplan::sandbox {

ApiError NotFound(const std::string& qualified_resource, const std::string& name) {
  return {404, "NotFound", qualified_resource + " \"" + name + "\" not found", name,
          qualified_resource.substr(0, qualified_resource.find('.'))};
}

ApiError AlreadyExists(const std::string& qualified_resource, const std::string& name) {
  return {409, "AlreadyExists", qualified_resource + " \"" + name + "\" already exists", name,
          qualified_resource.substr(0, qualified_resource.find('.'))};
}

ApiError BadRequest(const std::string& message) { return {400, "BadRequest", message, "", ""}; }

ApiError Invalid(const std::string& qualified_resource, const std::string& name,
                 const std::string& message) {
  return {422, "Invalid", qualified_resource + " \"" + name + "\" is invalid: " + message, name,
          qualified_resource.substr(0, qualified_resource.find('.'))};
}

nlohmann::json StatusObject(const ApiError& error) {
  nlohmann::json status = {
      {"kind", "Status"},    {"apiVersion", "v1"},       {"metadata", nlohmann::json::object()},
      {"status", "Failure"}, {"message", error.message}, {"reason", error.reason},
      {"code", error.code}};
  if (!error.name.empty() || !error.kind.empty()) {
    status["details"] = {{"name", error.name}, {"kind", error.kind}};
  }
  return status;
}

}  // namespace asmplan::sandbox
