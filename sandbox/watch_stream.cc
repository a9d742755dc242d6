// ApiServer::Watch: a chunked stream of `{"type","object"}` lines, one per change, until the
// client's timeoutSeconds (capped), a server stop, or a failed write.
#include <httplib.h>

#include <chrono>
#include <memory>

#include "sandbox/api_server.h"
#include "sandbox/selectors.h"
#include "sandbox/sim_time.h"

namespace asmplan::sandbox {

using nlohmann::json;

namespace {

constexpr int kMaxOpenWatches = 48;      // the rest get 410 and poll by re-listing
constexpr double kMaxWatchSeconds = 60;  // clients re-watch when a stream ends normally
constexpr double kHeartbeatSeconds = 2;

struct WatchState {
  const ResourceInfo* resource = nullptr;
  std::string ns;
  Selector labels, fields;
  uint64_t rv = 0;
  std::string pending;  // lines not yet written
  double deadline = 0;
  double last_write = 0;
  bool bookmarks = false;
  bool expired = false;
};

std::string EventLine(const std::string& type, const std::string& object_text) {
  return R"({"type":")" + type + R"(","object":)" + object_text + "}\n";
}

std::string ExpiredLine() {
  json status = {{"kind", "Status"},
                 {"apiVersion", "v1"},
                 {"metadata", json::object()},
                 {"status", "Failure"},
                 {"reason", "Expired"},
                 {"code", 410},
                 {"message", "too old resource version"}};
  return EventLine("ERROR", status.dump());
}

bool Matches(const WatchState& w, const json& object) {
  if (!w.ns.empty() && object["metadata"].value("namespace", "") != w.ns) return false;
  return w.labels.MatchesLabels(object) && w.fields.MatchesFields(object);
}

// Collects events newer than w->rv into w->pending (the cluster lock held).
void Collect(ObjectStore& store, WatchState* w) {
  std::vector<const WatchEvent*> events;
  if (!store.EventsSince(w->resource->plural, w->rv, &events)) {
    w->pending += ExpiredLine();
    w->expired = true;
    return;
  }
  for (const WatchEvent* e : events) {
    if (Matches(*w, e->object)) w->pending += EventLine(e->type, e->object.dump());
  }
  w->rv = store.resource_version();
}

std::string Bookmark(const WatchState& w) {
  json object = {{"kind", w.resource->kind},
                 {"apiVersion", w.resource->ApiVersion()},
                 {"metadata", {{"resourceVersion", std::to_string(w.rv)}}}};
  return EventLine("BOOKMARK", object.dump());
}

}  // namespace

void ApiServer::Watch(const ApiPath& path, const httplib::Request& req, httplib::Response& res) {
  auto w = std::make_shared<WatchState>();
  w->resource = path.resource;
  w->ns = path.ns;
  std::string err;
  if (!Selector::ParseLabels(req.get_param_value("labelSelector"), &w->labels, &err) ||
      !Selector::ParseFields(req.get_param_value("fieldSelector"), &w->fields, &err)) {
    return SendError(res, BadRequest(err));
  }
  double timeout = req.has_param("timeoutSeconds")
                       ? std::atof(req.get_param_value("timeoutSeconds").c_str())
                       : kMaxWatchSeconds;
  double now = NowSeconds();
  w->deadline = now + std::min(timeout > 0 ? timeout : kMaxWatchSeconds, kMaxWatchSeconds);
  w->last_write = now;
  w->bookmarks = req.get_param_value("allowWatchBookmarks") == "true";
  std::string rv = req.get_param_value("resourceVersion");
  {
    std::lock_guard<std::mutex> lock(cluster_.mu());
    ObjectStore& store = cluster_.store();
    if (rv.empty() || rv == "0") {
      // No starting point: the current state first, as ADDED events.
      for (const StoredObject* so : store.List(w->resource->plural, w->ns)) {
        if (Matches(*w, so->object)) w->pending += EventLine("ADDED", so->text);
      }
      w->rv = store.resource_version();
    } else {
      w->rv = std::strtoull(rv.c_str(), nullptr, 10);
      Collect(store, w.get());
    }
  }
  if (w->expired || open_watches_ >= kMaxOpenWatches) {
    res.set_content(ExpiredLine(), "application/json;stream=watch");
    return;
  }
  ++open_watches_;
  // Not application/json: cpp-httplib would gzip it and buffer the events away from kubectl.
  res.set_chunked_content_provider(
      "application/json;stream=watch",
      [this, w](size_t, httplib::DataSink& sink) {
        if (w->pending.empty()) {
          std::unique_lock<std::mutex> lock(cluster_.mu());
          uint64_t seen = w->rv;
          cluster_.changed().wait_for(lock, std::chrono::milliseconds(500), [&] {
            return cluster_.stopping() || cluster_.store().resource_version() > seen;
          });
          if (cluster_.stopping()) {
            sink.done();
            return true;
          }
          Collect(cluster_.store(), w.get());
        }
        double now = NowSeconds();
        if (w->pending.empty() && now - w->last_write >= kHeartbeatSeconds) {
          // Keeps the connection honest: a write to a client that left fails and ends this.
          w->pending = w->bookmarks ? Bookmark(*w) : "\n";
        }
        if (!w->pending.empty()) {
          if (!sink.write(w->pending.data(), w->pending.size())) return false;
          w->pending.clear();
          w->last_write = now;
        }
        if (w->expired || now >= w->deadline) sink.done();
        return true;
      },
      [this](bool) { --open_watches_; });
}

}  // namespace asmplan::sandbox
