#include "sandbox/protobuf_decode.h"

#include <cstdint>
#include <map>
#include <vector>

namespace asmplan::sandbox {

using nlohmann::json;

namespace {

// One field of a protobuf message: varints keep `number`, length-delimited ones `bytes`.
struct Field {
  int tag = 0;
  uint64_t number = 0;
  std::string bytes;
};

bool ReadVarint(const std::string& in, size_t* pos, uint64_t* out) {
  *out = 0;
  for (int shift = 0; shift < 64 && *pos < in.size(); shift += 7) {
    uint8_t byte = static_cast<uint8_t>(in[(*pos)++]);
    *out |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return true;
  }
  return false;
}

bool ParseMessage(const std::string& in, std::vector<Field>* fields) {
  size_t pos = 0;
  while (pos < in.size()) {
    uint64_t key;
    if (!ReadVarint(in, &pos, &key)) return false;
    Field f;
    f.tag = static_cast<int>(key >> 3);
    switch (key & 7) {
      case 0:
        if (!ReadVarint(in, &pos, &f.number)) return false;
        break;
      case 1:
        pos += 8;
        break;
      case 2: {
        uint64_t len;
        if (!ReadVarint(in, &pos, &len) || len > in.size() - pos) return false;
        f.bytes = in.substr(pos, len);
        pos += len;
        break;
      }
      case 5:
        pos += 4;
        break;
      default:
        return false;
    }
    if (pos > in.size()) return false;
    fields->push_back(std::move(f));
  }
  return true;
}

// A message whose fields are all strings (or repeated strings): tag -> JSON name.
json StringFields(const std::string& bytes, const std::map<int, std::string>& names) {
  std::vector<Field> fields;
  json out = json::object();
  if (!ParseMessage(bytes, &fields)) return out;
  for (const Field& f : fields) {
    auto it = names.find(f.tag);
    if (it != names.end()) out[it->second] = f.bytes;
  }
  return out;
}

json StringMap(const std::vector<Field>& fields, int tag) {
  json out = json::object();
  for (const Field& f : fields) {
    if (f.tag != tag) continue;
    json entry = StringFields(f.bytes, {{1, "key"}, {2, "value"}});
    out[entry.value("key", "")] = entry.value("value", "");
  }
  return out;
}

json ObjectMeta(const std::string& bytes) {
  std::vector<Field> fields;
  json meta = StringFields(bytes, {{1, "name"}, {2, "generateName"}, {3, "namespace"}});
  if (!ParseMessage(bytes, &fields)) return meta;
  json labels = StringMap(fields, 11);
  json annotations = StringMap(fields, 12);
  if (!labels.empty()) meta["labels"] = labels;
  if (!annotations.empty()) meta["annotations"] = annotations;
  return meta;
}

json ClusterRoleBinding(const std::vector<Field>& fields) {
  json out = {{"subjects", json::array()}};
  for (const Field& f : fields) {
    if (f.tag == 1) out["metadata"] = ObjectMeta(f.bytes);
    if (f.tag == 2) {
      out["subjects"].push_back(
          StringFields(f.bytes, {{1, "kind"}, {2, "apiGroup"}, {3, "name"}, {4, "namespace"}}));
    }
    if (f.tag == 3) {
      out["roleRef"] = StringFields(f.bytes, {{1, "apiGroup"}, {2, "kind"}, {3, "name"}});
    }
  }
  return out;
}

json Namespace(const std::vector<Field>& fields) {
  json out = json::object();
  for (const Field& f : fields) {
    if (f.tag == 1) out["metadata"] = ObjectMeta(f.bytes);
  }
  return out;
}

}  // namespace

bool IsProtobufContentType(const std::string& content_type) {
  return content_type.rfind("application/vnd.kubernetes.protobuf", 0) == 0;
}

bool DecodeProtobufObject(const std::string& body, json* out, std::string* err) {
  static const std::string kMagic("k8s\0", 4);
  std::vector<Field> envelope;
  if (body.compare(0, 4, kMagic) != 0 || !ParseMessage(body.substr(4), &envelope)) {
    *err = "the body of the request was in an unknown format";
    return false;
  }
  json type_meta = json::object();
  std::string raw;
  for (const Field& f : envelope) {
    if (f.tag == 1) type_meta = StringFields(f.bytes, {{1, "apiVersion"}, {2, "kind"}});
    if (f.tag == 2) raw = f.bytes;
  }
  std::vector<Field> fields;
  if (!ParseMessage(raw, &fields)) {
    *err = "the body of the request was in an unknown format";
    return false;
  }
  std::string kind = type_meta.value("kind", "");
  if (kind == "ClusterRoleBinding") {
    *out = ClusterRoleBinding(fields);
  } else if (kind == "Namespace") {
    *out = Namespace(fields);
  } else {
    *err = "the sandbox cannot decode protobuf bodies of kind \"" + kind + "\"";
    return false;
  }
  (*out)["apiVersion"] = type_meta.value("apiVersion", "");
  (*out)["kind"] = kind;
  return true;
}

}  // namespace asmplan::sandbox
