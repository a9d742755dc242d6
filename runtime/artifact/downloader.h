// Downloading one URL into the artifact cache with libcurl: resumable, retried, size-capped.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "runtime/clock.h"

namespace asmplan {

/// Knobs of a download. The defaults suit a release archive over a slow link; tests shrink the
/// backoff and pass a fake clock.
struct DownloadOptions {
  long connect_timeout_s = 30;  ///< per connection attempt
  long stall_timeout_s = 60;    ///< abort an attempt slower than stall_min_bytes_per_s this long
  long stall_min_bytes_per_s = 1;
  /// Failed attempts in a row before giving up (one that got bytes restarts the count); never
  /// more than 10 * max_attempts attempts in all.
  int max_attempts = 5;
  Millis backoff_ms = 1000;  ///< delay before retry k is backoff_ms * 2^(k-1), capped
  Millis max_backoff_ms = 30000;
  long long max_bytes = 4LL << 30;  ///< refuse anything larger (the whole file, not one attempt)
  Clock* clock = nullptr;           ///< sleeps and rate throttling; nullptr = SystemClock()
  /// A PEM bundle of CAs to trust instead of the system's (a corporate mirror's CA); "" = the
  /// system's. Verification itself can never be turned off.
  std::string ca_file;
};

/// Where a download stands, for progress views.
struct DownloadProgress {
  long long bytes = 0;       ///< of the whole file, including a resumed prefix
  long long total = -1;      ///< -1 when the server did not say
  double bytes_per_sec = 0;  ///< of the current attempt
  double eta_seconds = -1;   ///< -1 when unknown
};

using DownloadProgressFn = std::function<void(const DownloadProgress&)>;

/// The file name `url` gets in a cache: 16 hex digits of SHA-256(url), "-", the URL's last path
/// segment with unusual characters replaced by '_'.
std::string CacheFileName(const std::string& url);

/// Downloads http://, https:// and file:// URLs. TLS peer and host verification are always on.
class Downloader {
 public:
  explicit Downloader(const DownloadOptions& options);

  /// Fetches `url` into `dest`. Bytes go to `dest` + ".part", which survives a failure or a kill
  /// and is resumed with a Range request next time (a server answering 200 instead of 206 restarts
  /// it from zero); the complete file is fsynced and renamed to `dest`. When `dest` already exists
  /// nothing is fetched. Network errors and 5xx answers are retried with exponential backoff; 4xx
  /// answers, TLS failures, the size cap, cancellation and a .part file locked by another
  /// process (flock) are not. `on_progress` may be empty;
  /// `cancel`, when set and true, stops the transfer soon. False with a message naming the URL.
  bool Download(const std::string& url, const std::string& dest,
                const DownloadProgressFn& on_progress, const std::atomic<bool>* cancel,
                std::string* err);

 private:
  /// Sleeps the backoff before retry number `failed_attempts`; false when cancelled meanwhile.
  bool SleepBeforeRetry(int failed_attempts, const std::atomic<bool>* cancel);

  DownloadOptions options_;
  Clock* clock_;
};

/// GETs a small answer from `url` (http:// only) into `*body`, at most `max_bytes`, within
/// `timeout_s` in all; `*status` gets the HTTP status. False with curl's reason when no complete
/// answer came. For the local sandbox's status, not for artifacts (see Downloader).
bool HttpGet(const std::string& url, long timeout_s, size_t max_bytes, std::string* body,
             long* status, std::string* err);

}  // namespace asmplan
