// Kubernetes API errors and the `Status` objects that carry them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace asmplan::sandbox {

struct ApiError {
  int code = 500;
  std::string reason;   ///< NotFound, AlreadyExists, BadRequest, Invalid, ...
  std::string message;  ///< what kubectl prints after `Error from server (<reason>):`
  std::string name;     ///< details.name
  std::string kind;     ///< details.kind (plural resource)
};

/// `pods "x" not found` (404).
ApiError NotFound(const std::string& qualified_resource, const std::string& name);
/// `pods "x" already exists` (409).
ApiError AlreadyExists(const std::string& qualified_resource, const std::string& name);
/// A 400 BadRequest with the message.
ApiError BadRequest(const std::string& message);
/// A 422 Invalid for the object.
ApiError Invalid(const std::string& qualified_resource, const std::string& name,
                 const std::string& message);

/// The `Status` object for an error.
nlohmann::json StatusObject(const ApiError& error);

}  // namespace asmplan::sandbox
