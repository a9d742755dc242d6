// Fetching an artifact: download (resumable, cached), verify (signature and/or sha256), extract.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "compiler/plan_model.h"

namespace asmplan {

/// Progress of one fetch, for the executor's progress view and journal. Reported in this order:
///   "download" (repeatedly, a few times a second at most, for the archive and then its signature;
///              `message` is the file name; bytes/total/bytes_per_sec/eta_seconds are set),
///   "verify"   (once; with `warning` set and the reason in `message` when the plan said
///              `verify none`, which the executor should show and journal as a warning),
///   "extract"  (once, `message` is the target directory),
///   "done"     (once, on success only; `message` says "already fetched" for a no-op fetch, which
///              skips the other stages).
struct FetchProgress {
  std::string stage;  ///< "download", "verify", "extract", "done"
  long long bytes = 0;
  long long total = -1;  ///< -1 when unknown
  double bytes_per_sec = 0;
  double eta_seconds = -1;  ///< "download" only; -1 when unknown
  std::string message;      ///< what the stage is about (see above), may be ""
  bool warning = false;     ///< the message is a warning the operator must see

  /// A stage entered, with what it is about.
  static FetchProgress Stage(const std::string& stage, const std::string& message,
                             bool warning = false) {
    FetchProgress p;
    p.stage = stage;
    p.message = message;
    p.warning = warning;
    return p;
  }
};

struct FetchContext {
  std::string cache_dir;      ///< downloads land here (temporary name, renamed when complete)
  std::string workspace_dir;  ///< Artifact::extract_to is relative to this
  std::function<void(const FetchProgress&)> on_progress;  ///< may be empty
  const std::atomic<bool>* cancel = nullptr;  ///< when set and true, stop soon with an error
};

class ArtifactFetcher {
 public:
  virtual ~ArtifactFetcher() = default;
  /// Downloads, verifies and extracts `artifact`. Returns false with a message in `err` naming the
  /// file, the key fingerprint and what failed. A repeated fetch of the same verified artifact is
  /// a no-op.
  virtual bool Fetch(const Artifact& artifact, const FetchContext& ctx, std::string* err) = 0;
};

}  // namespace asmplan

#include <memory>

namespace asmplan {

/// The real fetcher: libcurl download, OpenSSL verification, libarchive extraction.
std::unique_ptr<ArtifactFetcher> NewArtifactFetcher();

}  // namespace asmplan
