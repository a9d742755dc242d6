// The real ArtifactFetcher, with the knobs tests need (a fake clock, tiny backoff).
#pragma once

#include <memory>

#include "runtime/artifact/artifact_fetcher.h"
#include "runtime/artifact/downloader.h"

namespace asmplan {

/// A fetcher whose downloads use `options` (NewArtifactFetcher() uses the defaults).
std::unique_ptr<ArtifactFetcher> NewArtifactFetcher(const DownloadOptions& options);

}  // namespace asmplan
