// Decodes the Kubernetes protobuf envelope (`k8s\0` + runtime.Unknown) that kubectl's typed
// `create` generators send, for the kinds they create here: ClusterRoleBinding and Namespace.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace asmplan::sandbox {

/// True when the Content-Type names the Kubernetes protobuf encoding.
bool IsProtobufContentType(const std::string& content_type);

/// Decodes the body to the equivalent JSON object (apiVersion, kind, metadata, ...).
/// False with a message for malformed bodies or kinds without a decoder.
bool DecodeProtobufObject(const std::string& body, nlohmann::json* out, std::string* err);

}  // namespace asmplan::sandbox
