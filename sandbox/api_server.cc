#include "sandbox/api_server.h"

#include <httplib.h>

#include <chrono>
#include <random>
#include <thread>

#include "sandbox/discovery.h"
#include "sandbox/patches.h"
#include "sandbox/protobuf_decode.h"
#include "sandbox/selectors.h"
#include "sandbox/sim_time.h"
#include "sandbox/tables.h"

namespace asmplan::sandbox {

using nlohmann::json;

void SendJson(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  // With a parameter, cpp-httplib leaves the body uncompressed: gzip of a 40 MB pod list costs
  // more than it saves on loopback. kubectl reads the media type alone.
  res.set_content(body, "application/json; charset=utf-8");
}

void SendError(httplib::Response& res, const ApiError& error) {
  SendJson(res, error.code, StatusObject(error).dump());
}

namespace {

bool WantsTable(const httplib::Request& req) {
  return req.get_header_value("Accept").find("as=Table") != std::string::npos;
}

bool ParseSelectors(const httplib::Request& req, Selector* labels, Selector* fields,
                    std::string* err) {
  return Selector::ParseLabels(req.get_param_value("labelSelector"), labels, err) &&
         Selector::ParseFields(req.get_param_value("fieldSelector"), fields, err);
}

bool ParseBody(const httplib::Request& req, json* out, ApiError* err) {
  std::string type = req.get_header_value("Content-Type");
  std::string message;
  if (IsProtobufContentType(type)) {
    if (DecodeProtobufObject(req.body, out, &message)) return true;
    *err = {415, "UnsupportedMediaType", message, "", ""};
    return false;
  }
  *out = json::parse(req.body, nullptr, false);
  if (out->is_discarded() || !out->is_object()) {
    *err = BadRequest("the body of the request was in an unknown format");
    return false;
  }
  return true;
}

json ScaleOf(const json& object) {
  json meta = object["metadata"];
  std::string selector = MatchLabelsText(object);
  return {{"kind", "Scale"},
          {"apiVersion", "autoscaling/v1"},
          {"metadata",
           {{"name", meta.value("name", "")},
            {"namespace", meta.value("namespace", "")},
            {"uid", meta.value("uid", "")},
            {"resourceVersion", meta.value("resourceVersion", "")},
            {"creationTimestamp", meta.value("creationTimestamp", "")}}},
          {"spec", {{"replicas", object["spec"].value("replicas", 1)}}},
          {"status",
           {{"replicas", object.contains("status") ? object["status"].value("replicas", 0) : 0},
            {"selector", selector}}}};
}

// `299 - "TEXT"` (RFC 7234 warn-code 299, "miscellaneous persistent warning"), as a real API
// server sends a deprecation warning; TEXT quoted, bytes below 0x20 made spaces (client-go drops
// a warning with other control characters or invalid UTF-8).
std::string WarningHeader(const std::string& text) {
  std::string quoted;
  for (char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  }
  return "299 - \"" + quoted + "\"";
}

// Namespace a request touches, for namespace-scoped faults.
std::string RequestNamespace(const std::string& path) {
  ApiPath p = ParseApiPath(path);
  if (p.kind != ApiPath::Kind::kResource) return "";
  return !p.ns.empty() ? p.ns : (p.resource->plural == "namespaces" ? p.name : "");
}

}  // namespace

void ApiServer::Register(httplib::Server& server) {
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    auto start = std::chrono::steady_clock::now();
    Handle(req, res);
    std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    stats_.RecordTiming(req.method, req.path, took.count());
  };
  const std::string pattern = R"((/version|/api|/apis|/openapi)(/.*)?)";
  server.Get(pattern, handler);
  server.Post(pattern, handler);
  server.Put(pattern, handler);
  server.Patch(pattern, handler);
  server.Delete(pattern, handler);
}

bool ApiServer::InjectFault(const httplib::Request& req, httplib::Response& res) {
  static thread_local std::mt19937 rng(std::random_device{}());
  std::string ns = RequestNamespace(req.path);
  int delay_ms;
  double rate;
  std::string warning;
  {
    std::lock_guard<std::mutex> lock(cluster_.mu());
    const FaultState& f = cluster_.faults();
    delay_ms = f.slow_namespace.empty() || f.slow_namespace == ns ? f.slow_delay_ms : 0;
    rate = f.api_error_namespace.empty() || f.api_error_namespace == ns ? f.api_error_rate : 0;
    if (f.warning_namespace.empty() || f.warning_namespace == ns) warning = f.warning_text;
  }
  if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  // Discovery and /version stay healthy: kubectl would otherwise only print cache errors.
  bool resource_request = ParseApiPath(req.path).kind == ApiPath::Kind::kResource;
  if (resource_request && !warning.empty()) res.set_header("Warning", WarningHeader(warning));
  if (!resource_request || rate <= 0) return false;
  if (std::uniform_real_distribution<double>(0, 1)(rng) >= rate) return false;
  SendError(res, {500, "InternalError",
                  "Internal error occurred: sandbox fault injection (api_errors)", "", ""});
  return true;
}

void ApiServer::Handle(const httplib::Request& req, httplib::Response& res) {
  std::string query =
      req.target.find('?') == std::string::npos ? "" : req.target.substr(req.target.find('?') + 1);
  stats_.Record(req.method, req.path, query);
  if (InjectFault(req, res)) return;
  if (req.path == "/version") return SendJson(res, 200, VersionInfo().dump());
  if (req.path == "/api") return SendJson(res, 200, CoreApiVersions().dump());
  if (req.path == "/apis") return SendJson(res, 200, ApiGroupList().dump());
  ApiPath path = ParseApiPath(req.path);
  if (path.kind == ApiPath::Kind::kGroupVersion) {
    json list = ResourceList(path.group, path.version);
    if (!list.is_null()) return SendJson(res, 200, list.dump());
  }
  if (path.kind == ApiPath::Kind::kResource) return HandleResource(path, req, res);
  SendError(res, {404, "NotFound", "the server could not find the requested resource", "", ""});
}

void ApiServer::HandleResource(const ApiPath& path, const httplib::Request& req,
                               httplib::Response& res) {
  const std::string& m = req.method;
  bool collection = path.name.empty();
  if (m == "GET" && collection) {
    std::string watch = req.get_param_value("watch");
    if (watch == "true" || watch == "1") return Watch(path, req, res);
    return List(path, req, res);
  }
  if (m == "GET") return GetOne(path, req, res);
  if (m == "POST" && collection) return Create(path, req, res);
  if (m == "PUT" && !collection) return Replace(path, req, res);
  if (m == "PATCH" && !collection) return Patch(path, req, res);
  if (m == "DELETE" && !collection) return DeleteOne(path, req, res);
  if (m == "DELETE") return DeleteCollection(path, req, res);
  SendError(res, {405, "MethodNotAllowed",
                  "the server does not allow this method on the "
                  "requested resource",
                  "", ""});
}

void ApiServer::List(const ApiPath& path, const httplib::Request& req, httplib::Response& res) {
  Selector labels, fields;
  std::string err;
  if (!ParseSelectors(req, &labels, &fields, &err)) return SendError(res, BadRequest(err));
  const ResourceInfo& r = *path.resource;
  bool table = WantsTable(req);
  std::string body;
  {
    std::lock_guard<std::mutex> lock(cluster_.mu());
    ObjectStore& store = cluster_.store();
    std::string rv = std::to_string(store.resource_version());
    std::vector<const StoredObject*> items;
    std::string by_name = fields.EqualityValue("metadata.name");
    if (!by_name.empty() && (!r.namespaced || !path.ns.empty())) {
      const StoredObject* one = store.Get(r.plural, path.ns, by_name);
      if (one) items.push_back(one);
    } else {
      items = store.List(r.plural, path.ns);
    }
    std::vector<const json*> matching;
    std::vector<const StoredObject*> matching_stored;
    for (const StoredObject* so : items) {
      if (!labels.MatchesLabels(so->object) || !fields.MatchesFields(so->object)) continue;
      matching.push_back(&so->object);
      matching_stored.push_back(so);
    }
    if (table) {
      body = BuildTable(r, matching, rv, NowSeconds()).dump();
    } else {
      size_t size = 128;
      for (const StoredObject* so : matching_stored) size += so->text.size() + 1;
      body.reserve(size);
      body = R"({"kind":")" + r.kind + R"(List","apiVersion":")" + r.ApiVersion() +
             R"(","metadata":{"resourceVersion":")" + rv + R"("},"items":[)";
      for (size_t i = 0; i < matching_stored.size(); ++i) {
        if (i) body += ',';
        body += matching_stored[i]->text;
      }
      body += "]}";
    }
  }
  SendJson(res, 200, body);
}

void ApiServer::GetOne(const ApiPath& path, const httplib::Request& req, httplib::Response& res) {
  const ResourceInfo& r = *path.resource;
  std::lock_guard<std::mutex> lock(cluster_.mu());
  const StoredObject* so = cluster_.store().Get(r.plural, path.ns, path.name);
  if (!so) return SendError(res, NotFound(r.QualifiedName(), path.name));
  if (path.subresource == "scale") return SendJson(res, 200, ScaleOf(so->object).dump());
  if (path.subresource == "log") {
    res.set_content("sandbox: no logs are kept for " + path.name + "\n", "text/plain");
    return;
  }
  if (WantsTable(req)) {
    std::string rv = so->object["metadata"].value("resourceVersion", "");
    return SendJson(res, 200, BuildTable(r, {&so->object}, rv, NowSeconds()).dump());
  }
  SendJson(res, 200, so->text);
}

void ApiServer::Create(const ApiPath& path, const httplib::Request& req, httplib::Response& res) {
  const ResourceInfo& r = *path.resource;
  json object;
  ApiError err;
  if (!ParseBody(req, &object, &err)) return SendError(res, err);
  if (r.namespaced) {
    std::string body_ns = object["metadata"].value("namespace", "");
    if (!body_ns.empty() && body_ns != path.ns) {
      return SendError(res, BadRequest("the namespace of the provided object does not match "
                                       "the namespace sent on the request"));
    }
    object["metadata"]["namespace"] = path.ns;
  }
  json created;
  std::lock_guard<std::mutex> lock(cluster_.mu());
  if (!cluster_.Create(r, std::move(object), &created, &err)) return SendError(res, err);
  SendJson(res, 201, created.dump());
}

void ApiServer::Replace(const ApiPath& path, const httplib::Request& req, httplib::Response& res) {
  const ResourceInfo& r = *path.resource;
  json object;
  ApiError err;
  if (!ParseBody(req, &object, &err)) return SendError(res, err);
  std::lock_guard<std::mutex> lock(cluster_.mu());
  const StoredObject* so = cluster_.store().Get(r.plural, path.ns, path.name);
  if (!so) return SendError(res, NotFound(r.QualifiedName(), path.name));
  json updated = so->object;
  if (path.subresource == "scale") {
    updated["spec"]["replicas"] = object["spec"].value("replicas", 1);
  } else if (path.subresource == "status") {
    updated["status"] = object.value("status", json::object());
  } else {
    updated = object;
    updated["metadata"]["name"] = path.name;
    if (r.namespaced) updated["metadata"]["namespace"] = path.ns;
  }
  json stored;
  if (!cluster_.Update(r, std::move(updated), &stored, &err)) return SendError(res, err);
  SendJson(res, 200, path.subresource == "scale" ? ScaleOf(stored).dump() : stored.dump());
}

void ApiServer::Patch(const ApiPath& path, const httplib::Request& req, httplib::Response& res) {
  const ResourceInfo& r = *path.resource;
  std::lock_guard<std::mutex> lock(cluster_.mu());
  const StoredObject* so = cluster_.store().Get(r.plural, path.ns, path.name);
  if (!so) return SendError(res, NotFound(r.QualifiedName(), path.name));
  std::string content_type = req.get_header_value("Content-Type");
  std::string err;
  json updated = so->object;
  if (path.subresource == "scale") {
    json scale = ScaleOf(so->object);
    if (!ApplyPatch(content_type, req.body, &scale, &err)) {
      return SendError(res, {415, "UnsupportedMediaType", err, "", ""});
    }
    updated["spec"]["replicas"] = scale["spec"].value("replicas", 1);
  } else if (!ApplyPatch(content_type, req.body, &updated, &err)) {
    int code = content_type.find("apply-patch") != std::string::npos ? 415 : 422;
    return SendError(
        res, {code, code == 415 ? "UnsupportedMediaType" : "Invalid", err, path.name, r.plural});
  }
  // Identity cannot be patched away.
  updated["metadata"]["name"] = path.name;
  if (r.namespaced) updated["metadata"]["namespace"] = path.ns;
  json stored;
  ApiError api_err;
  if (!cluster_.Update(r, std::move(updated), &stored, &api_err)) return SendError(res, api_err);
  SendJson(res, 200, path.subresource == "scale" ? ScaleOf(stored).dump() : stored.dump());
}

namespace {

int GracePeriod(const httplib::Request& req) {
  if (req.has_param("gracePeriodSeconds")) {
    return std::atoi(req.get_param_value("gracePeriodSeconds").c_str());
  }
  json options = json::parse(req.body, nullptr, false);
  if (options.is_object() && options.contains("gracePeriodSeconds") &&
      options["gracePeriodSeconds"].is_number_integer()) {
    return options["gracePeriodSeconds"].get<int>();
  }
  return -1;
}

}  // namespace

void ApiServer::DeleteOne(const ApiPath& path, const httplib::Request& req,
                          httplib::Response& res) {
  json last;
  ApiError err;
  std::lock_guard<std::mutex> lock(cluster_.mu());
  if (!cluster_.Delete(*path.resource, path.ns, path.name, GracePeriod(req), &last, &err)) {
    return SendError(res, err);
  }
  SendJson(res, 200, last.dump());
}

void ApiServer::DeleteCollection(const ApiPath& path, const httplib::Request& req,
                                 httplib::Response& res) {
  Selector labels, fields;
  std::string message;
  if (!ParseSelectors(req, &labels, &fields, &message)) {
    return SendError(res, BadRequest(message));
  }
  const ResourceInfo& r = *path.resource;
  std::lock_guard<std::mutex> lock(cluster_.mu());
  std::vector<std::pair<std::string, std::string>> victims;
  for (const StoredObject* so : cluster_.store().List(r.plural, path.ns)) {
    if (!labels.MatchesLabels(so->object) || !fields.MatchesFields(so->object)) continue;
    victims.emplace_back(so->object["metadata"].value("namespace", ""),
                         so->object["metadata"].value("name", ""));
  }
  json items = json::array();
  for (const auto& [ns, name] : victims) {
    json last;
    ApiError err;
    if (cluster_.Delete(r, ns, name, GracePeriod(req), &last, &err)) items.push_back(last);
  }
  json list = {
      {"kind", r.kind + "List"},
      {"apiVersion", r.ApiVersion()},
      {"metadata", {{"resourceVersion", std::to_string(cluster_.store().resource_version())}}},
      {"items", items}};
  SendJson(res, 200, list.dump());
}

}  // namespace asmplan::sandbox
