#include "sandbox/release_server.h"

#include <httplib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>

#include "sandbox/release_archive.h"
#include "sandbox/release_key.h"

namespace asmplan::sandbox {
namespace {

constexpr char kSigSuffix[] = ".1.sig";

struct SignedArchive {
  std::string archive;
  std::string signature;
};

/// Archives built so far, by file name; built once so the signature matches what is served.
class ReleaseCache {
 public:
  explicit ReleaseCache(ReleaseConfig config) : config_(std::move(config)) {}

  /// Finds or builds the archive for `name`; false with `err` when building fails.
  bool Get(const ReleaseName& name, const SignedArchive** out, std::string* err) {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string file_name = ReleaseFileName(name);
    auto it = built_.find(file_name);
    if (it == built_.end()) {
      SignedArchive built;
      if (!BuildReleaseArchive(name, config_.istioctl_path, &built.archive, err) ||
          !SignWithReleaseKey(built.archive, &built.signature, err)) {
        return false;
      }
      WriteCopies(file_name, built);
      it = built_.emplace(file_name, std::move(built)).first;
    }
    *out = &it->second;
    return true;
  }

  bool Serves(const std::string& version) const {
    return std::find(config_.versions.begin(), config_.versions.end(), version) !=
           config_.versions.end();
  }

 private:
  // Copies on disk are for people looking at the state dir; failing to write them is harmless.
  void WriteCopies(const std::string& file_name, const SignedArchive& built) const {
    if (config_.work_dir.empty()) return;
    std::error_code ec;
    std::filesystem::create_directories(config_.work_dir, ec);
    std::ofstream(config_.work_dir + "/" + file_name, std::ios::binary) << built.archive;
    std::ofstream(config_.work_dir + "/" + file_name + kSigSuffix, std::ios::binary)
        << built.signature;
  }

  const ReleaseConfig config_;
  std::mutex mu_;
  std::map<std::string, SignedArchive> built_;  // std::map: references stay valid on insert
};

void NotFound(httplib::Response& res, const std::string& file_name) {
  res.status = 404;
  res.set_content("no such release file: " + file_name + "\n", "text/plain");
}

void ServeRelease(ReleaseCache& cache, const std::string& file_name, httplib::Response& res) {
  std::string archive_name = file_name;
  const std::string suffix = kSigSuffix;
  bool signature =
      archive_name.size() > suffix.size() &&
      archive_name.compare(archive_name.size() - suffix.size(), suffix.size(), suffix) == 0;
  if (signature) archive_name.resize(archive_name.size() - suffix.size());
  ReleaseName name;
  if (!ParseReleaseName(archive_name, &name) || !cache.Serves(name.version)) {
    return NotFound(res, file_name);
  }
  const SignedArchive* built = nullptr;
  std::string err;
  if (!cache.Get(name, &built, &err)) {
    res.status = 500;
    res.set_content("cannot build " + archive_name + ": " + err + "\n", "text/plain");
    return;
  }
  // Status stays unset so httplib answers 200, or 206 with the slice for a Range request.
  if (signature) {
    res.set_content(built->signature, "application/octet-stream");
  } else {
    res.set_content(built->archive, name.os == "win" ? "application/zip" : "application/gzip");
  }
}

}  // namespace

void RegisterReleaseRoutes(httplib::Server& server, const ReleaseConfig& config) {
  auto cache = std::make_shared<ReleaseCache>(config);
  server.Get(R"(/releases/([^/]+))", [cache](const httplib::Request& req, httplib::Response& res) {
    ServeRelease(*cache, req.matches[1], res);
  });
}

}  // namespace asmplan::sandbox
