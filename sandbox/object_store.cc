#include "sandbox/object_store.h"

namespace asmplan::sandbox {

using nlohmann::json;

const StoredObject* ObjectStore::Get(const std::string& resource, const std::string& ns,
                                     const std::string& name) const {
  auto kind_it = objects_.find(resource);
  if (kind_it == objects_.end()) return nullptr;
  auto it = kind_it->second.find(Key(ns, name));
  return it == kind_it->second.end() ? nullptr : &it->second;
}

std::vector<const StoredObject*> ObjectStore::List(const std::string& resource,
                                                   const std::string& ns) const {
  std::vector<const StoredObject*> out;
  auto kind_it = objects_.find(resource);
  if (kind_it == objects_.end()) return out;
  const auto& by_key = kind_it->second;
  // Keys are "ns/name", so one namespace is a contiguous range starting at "ns/".
  auto it = ns.empty() ? by_key.begin() : by_key.lower_bound(ns + "/");
  std::string prefix = ns + "/";
  for (; it != by_key.end(); ++it) {
    if (!ns.empty() && it->first.compare(0, prefix.size(), prefix) != 0) break;
    out.push_back(&it->second);
  }
  return out;
}

const StoredObject& ObjectStore::Put(const std::string& resource, json object) {
  auto& meta = object["metadata"];
  std::string ns = meta.value("namespace", "");
  std::string name = meta.value("name", "");
  meta["resourceVersion"] = std::to_string(++rv_);
  auto& by_key = objects_[resource];
  auto it = by_key.find(Key(ns, name));
  bool existed = it != by_key.end();
  Record(resource, existed ? "MODIFIED" : "ADDED", object);
  StoredObject& slot = existed ? it->second : by_key[Key(ns, name)];
  slot.text = object.dump();
  slot.object = std::move(object);
  if (listener_) listener_(resource, ns);
  return slot;
}

bool ObjectStore::Remove(const std::string& resource, const std::string& ns,
                         const std::string& name) {
  auto kind_it = objects_.find(resource);
  if (kind_it == objects_.end()) return false;
  auto it = kind_it->second.find(Key(ns, name));
  if (it == kind_it->second.end()) return false;
  json object = std::move(it->second.object);
  kind_it->second.erase(it);
  // A deleted object's last state carries the deletion's own resourceVersion.
  object["metadata"]["resourceVersion"] = std::to_string(++rv_);
  Record(resource, "DELETED", object);
  if (listener_) listener_(resource, ns);
  return true;
}

void ObjectStore::Record(const std::string& resource, const std::string& type, const json& object) {
  if (!recording_) return;
  events_.push_back(WatchEvent{rv_, resource, type, object});
  while (events_.size() > max_events_) {
    oldest_rv_ = events_.front().rv;
    events_.pop_front();
  }
}

bool ObjectStore::EventsSince(const std::string& resource, uint64_t rv,
                              std::vector<const WatchEvent*>* out) const {
  if (rv < oldest_rv_) return false;
  // Events are ordered by rv; walk back from the newest until we pass rv.
  auto it = events_.end();
  while (it != events_.begin() && std::prev(it)->rv > rv) --it;
  for (; it != events_.end(); ++it) {
    if (it->resource == resource) out->push_back(&*it);
  }
  return true;
}

}  // namespace asmplan::sandbox
