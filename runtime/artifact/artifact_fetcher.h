// Fetching an artifact: download (resumable, cached), verify (signature and/or sha256), extract.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "compiler/plan_model.h"

namespace asmplan {

/// Progress of one fetch, for the executor's progress view and journal.
struct FetchProgress {
  std::string stage;  ///< "download", "verify", "extract", "done"
  long long bytes = 0;
  long long total = -1;  ///< -1 when unknown
  double bytes_per_sec = 0;
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
