// The sandbox's object storage: every API object as JSON, a resourceVersion counter and a bounded
// log of watch events. Not thread-safe: the owning Cluster serialises all access.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace asmplan::sandbox {

/// One change, as a watch stream reports it.
struct WatchEvent {
  uint64_t rv = 0;
  std::string resource;  ///< plural resource name, e.g. "pods"
  std::string type;      ///< ADDED, MODIFIED or DELETED
  nlohmann::json object;
};

/// A stored object and its serialised text (kept so large lists are a concatenation).
struct StoredObject {
  nlohmann::json object;
  std::string text;
};

class ObjectStore {
 public:
  /// Called after every change with the resource and namespace touched.
  using ChangeListener = std::function<void(const std::string& resource, const std::string& ns)>;

  explicit ObjectStore(size_t max_events = 20000) : max_events_(max_events) {}

  void set_change_listener(ChangeListener listener) { listener_ = std::move(listener); }
  uint64_t resource_version() const { return rv_; }

  /// The object, or nullptr. `ns` is "" for cluster-scoped resources.
  const StoredObject* Get(const std::string& resource, const std::string& ns,
                          const std::string& name) const;
  /// Every object of the resource in `ns` ("" = all namespaces), ordered by namespace and name.
  std::vector<const StoredObject*> List(const std::string& resource, const std::string& ns) const;
  /// Inserts or replaces the object (keyed by metadata.namespace/name), stamps a new
  /// resourceVersion and records an ADDED or MODIFIED event. Returns the stored copy.
  const StoredObject& Put(const std::string& resource, nlohmann::json object);
  /// Removes the object, recording a DELETED event. False when it did not exist.
  bool Remove(const std::string& resource, const std::string& ns, const std::string& name);
  /// Events of `resource` newer than `rv`. False when `rv` is older than the retained log
  /// (the client must re-list: 410 Expired).
  bool EventsSince(const std::string& resource, uint64_t rv,
                   std::vector<const WatchEvent*>* out) const;
  /// Whether changes are recorded for watches (off while bulk loading a scenario).
  void set_recording(bool on) { recording_ = on; }
  /// Forgets the event log (after bulk loading a scenario); older watches get 410.
  void ClearEvents() {
    events_.clear();
    oldest_rv_ = rv_;
  }

 private:
  static std::string Key(const std::string& ns, const std::string& name) { return ns + "/" + name; }
  void Record(const std::string& resource, const std::string& type, const nlohmann::json& object);

  std::map<std::string, std::map<std::string, StoredObject>> objects_;
  std::deque<WatchEvent> events_;
  size_t max_events_;
  uint64_t rv_ = 100;
  uint64_t oldest_rv_ = 100;  ///< events after this rv are all retained
  ChangeListener listener_;
  bool recording_ = true;
};

}  // namespace asmplan::sandbox
