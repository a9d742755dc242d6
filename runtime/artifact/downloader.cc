#include "runtime/artifact/downloader.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>

#include "compiler/sha256.h"
#include "runtime/argv_text.h"
#include "runtime/artifact/file_digest.h"
#include "runtime/artifact/lazy_library.h"
#include "runtime/durable_file.h"

namespace asmplan {
namespace {

/// libcurl, loaded on first use (lazy_library.h says why).
// clang-format off
#define CURL_FUNCTIONS(X)  \
  X(curl_, global_init)    \
  X(curl_, easy_init)      \
  X(curl_, easy_cleanup)   \
  X(curl_, easy_setopt)    \
  X(curl_, easy_getinfo)   \
  X(curl_, easy_perform)   \
  X(curl_, easy_strerror)
// clang-format on
struct CurlApi {
  CURL_FUNCTIONS(ASMPLAN_LAZY_MEMBER)
  std::string error;  ///< why it could not be loaded, or ""
};

/// Loads libcurl and runs curl_global_init once (it is not thread-safe: before any handle exists).
const CurlApi& Curl() {
  static const CurlApi loaded = [] {
    CurlApi api;
    if (LoadLibrarySymbols("libcurl.so.4", {CURL_FUNCTIONS(ASMPLAN_LAZY_SLOT)}, &api.error) &&
        api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      api.error = "libcurl.so.4 could not be initialized (curl_global_init failed)";
    return api;
  }();
  return loaded;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

bool WriteAll(int fd, const char* data, size_t len) {
  while (len > 0) {
    ssize_t n = ::write(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

bool IsRetryableCurlError(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

/// The state of one transfer attempt, shared with libcurl's callbacks.
struct Attempt {
  const DownloadProgressFn* on_progress = nullptr;
  const std::atomic<bool>* cancel = nullptr;
  long long max_bytes = 0;
  Clock* clock = nullptr;
  CURL* curl = nullptr;
  int fd = -1;
  long long offset = 0;   ///< bytes kept from earlier attempts (0 after a restart)
  long long written = 0;  ///< bytes written by this attempt
  long long content_length = -1;
  bool status_checked = false;
  long http_error = 0;          ///< the status when the server answered with an error (>= 400)
  std::string error_body = {};  ///< the start of that answer's body, for the message
  bool too_large = false;
  bool write_failed = false;
  int write_errno = 0;
  Millis last_report_ms = -1;
  char curl_error[CURL_ERROR_SIZE] = {0};

  bool Cancelled() const { return cancel && cancel->load(); }
  void Report(bool force);
  bool OnStatusKnown();
};

void Attempt::Report(bool force) {
  if (!on_progress || !*on_progress) return;
  Millis now = clock->NowMs();
  // A progress view needs a few updates a second, not one per network packet.
  if (!force && last_report_ms >= 0 && now - last_report_ms < 250) return;
  last_report_ms = now;
  DownloadProgress p;
  p.bytes = offset + written;
  if (content_length >= 0) p.total = offset + content_length;
  curl_off_t speed = 0;
  Curl().easy_getinfo(curl, CURLINFO_SPEED_DOWNLOAD_T, &speed);
  p.bytes_per_sec = static_cast<double>(speed);
  if (p.total >= 0 && speed > 0) {
    p.eta_seconds = static_cast<double>(p.total - p.bytes) / static_cast<double>(speed);
  }
  (*on_progress)(p);
}

// Runs once the response status is known, before the first body byte is kept. A server that
// ignores our Range header answers 200 with the whole file: start the .part file over.
bool Attempt::OnStatusKnown() {
  status_checked = true;
  long code = 0;
  Curl().easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  if (code >= 400) {
    http_error = code;  // its body is the server's reason, kept apart from the .part file
    return true;
  }
  if (offset > 0 && code == 200) {
    if (::ftruncate(fd, 0) != 0) return false;
    offset = 0;
  }
  curl_off_t length = -1;
  Curl().easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
  content_length = length;
  return true;
}

size_t OnData(char* ptr, size_t size, size_t n, void* userdata) {
  auto* a = static_cast<Attempt*>(userdata);
  size_t len = size * n;
  if (!a->status_checked && !a->OnStatusKnown()) {
    a->write_failed = true;
    a->write_errno = errno;
    return 0;
  }
  if (a->Cancelled()) return 0;  // stop at the next chunk, not at the next progress tick
  if (a->http_error != 0) {
    a->error_body.append(ptr, std::min(len, 512 - std::min<size_t>(512, a->error_body.size())));
    return len;
  }
  if (a->offset + a->written + static_cast<long long>(len) > a->max_bytes) {
    a->too_large = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  if (!WriteAll(a->fd, ptr, len)) {
    a->write_failed = true;
    a->write_errno = errno;
    return 0;
  }
  a->written += static_cast<long long>(len);
  a->Report(false);
  return len;
}

int OnTransferInfo(void* userdata, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  // Non-zero aborts the transfer with CURLE_ABORTED_BY_CALLBACK.
  return static_cast<Attempt*>(userdata)->Cancelled() ? 1 : 0;
}

void SetOptions(CURL* c, const std::string& url, const DownloadOptions& o, Attempt* a) {
  Curl().easy_setopt(c, CURLOPT_URL, url.c_str());
  Curl().easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
  // A redirect may never turn a web download into a read of a local file.
  Curl().easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  Curl().easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  Curl().easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  // Verification of the TLS peer and host name stays on, whatever the caller wants.
  Curl().easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  Curl().easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!o.ca_file.empty()) Curl().easy_setopt(c, CURLOPT_CAINFO, o.ca_file.c_str());
  Curl().easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o.connect_timeout_s);
  Curl().easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, o.stall_min_bytes_per_s);
  Curl().easy_setopt(c, CURLOPT_LOW_SPEED_TIME, o.stall_timeout_s);
  Curl().easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(o.max_bytes));
  // No CURLOPT_FAILONERROR: an error answer's body says why (OnData keeps it apart, so no error
  // page ever lands in the .part file).
  Curl().easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  Curl().easy_setopt(c, CURLOPT_USERAGENT, "asmplan");
  Curl().easy_setopt(c, CURLOPT_ERRORBUFFER, a->curl_error);
  Curl().easy_setopt(c, CURLOPT_WRITEFUNCTION, OnData);
  Curl().easy_setopt(c, CURLOPT_WRITEDATA, a);
  Curl().easy_setopt(c, CURLOPT_XFERINFOFUNCTION, OnTransferInfo);
  Curl().easy_setopt(c, CURLOPT_XFERINFODATA, a);
  Curl().easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
}

// Gives the complete (already fsynced) file its final name, durably.
bool Publish(const std::string& part, const std::string& dest, std::string* err) {
  if (::rename(part.c_str(), dest.c_str()) != 0) {
    *err = "cannot rename " + part + " to " + dest + ": " + std::strerror(errno);
    return false;
  }
  return SyncDirectory(DirName(dest), err);  // the new name itself must reach the disk
}

enum class Outcome { kDone, kRetry, kRestart, kFail };

// Sorts a finished attempt into done, worth retrying, or final failure.
Outcome Classify(CURLcode res, const Attempt& a, const std::string& url, std::string* err) {
  long code = 0;
  Curl().easy_getinfo(a.curl, CURLINFO_RESPONSE_CODE, &code);
  if (res == CURLE_OK && code < 400) return Outcome::kDone;
  std::string what = a.curl_error[0] ? a.curl_error : Curl().easy_strerror(res);
  if (a.Cancelled()) {
    *err = "download of " + url + " cancelled";
  } else if (a.too_large || res == CURLE_FILESIZE_EXCEEDED) {
    *err = url + " is larger than the maximum of " + std::to_string(a.max_bytes) + " bytes";
  } else if (a.write_failed) {
    *err = "cannot write the download of " + url + ": " + std::strerror(a.write_errno);
  } else if (res == CURLE_OK && code >= 400) {
    *err = "server answered http " + std::to_string(code) + " for " + url;
    // The first line of the server's answer (e.g. "cannot build istio-...: no istioctl").
    std::string said = LastOutputLine(a.error_body.substr(0, a.error_body.find('\n')));
    if (!said.empty()) *err += ": " + said;
    // 416: the .part file is as long as the file or longer; it cannot be trusted to resume.
    if (code == 416 && a.offset > 0) return Outcome::kRestart;
    return code >= 500 ? Outcome::kRetry : Outcome::kFail;
  } else {
    *err = "downloading " + url + ": " + what;
    return IsRetryableCurlError(res) ? Outcome::kRetry : Outcome::kFail;
  }
  return Outcome::kFail;
}

// One transfer into `part`, resuming from its current length.
Outcome RunAttempt(const std::string& url, const std::string& part, const DownloadOptions& o,
                   Attempt* a, std::string* err) {
  a->fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (a->fd < 0) {
    *err = "cannot open " + part + ": " + std::strerror(errno);
    return Outcome::kFail;
  }
  // Two fetchers appending to one .part file would interleave bytes; the second one stops.
  if (::flock(a->fd, LOCK_EX | LOCK_NB) != 0) {
    *err = "another process is downloading " + url + " into " + part;
    ::close(a->fd);
    return Outcome::kFail;
  }
  struct stat st;
  a->offset = ::fstat(a->fd, &st) == 0 ? st.st_size : 0;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(Curl().easy_init(), Curl().easy_cleanup);
  a->curl = curl.get();
  SetOptions(a->curl, url, o, a);
  // CURLOPT_RANGE rather than CURLOPT_RESUME_FROM_LARGE: with the latter libcurl fails a 200 answer
  // outright (CURLE_RANGE_ERROR), where we can simply keep the full body and start over.
  std::string range = std::to_string(a->offset) + "-";
  if (a->offset > 0) Curl().easy_setopt(a->curl, CURLOPT_RANGE, range.c_str());
  Outcome outcome = Classify(Curl().easy_perform(a->curl), *a, url, err);
  if (outcome == Outcome::kDone) {
    a->Report(true);
    if (::fsync(a->fd) != 0) {
      *err = "cannot sync " + part + ": " + std::strerror(errno);
      outcome = Outcome::kFail;
    }
  }
  if (outcome == Outcome::kRestart && ::ftruncate(a->fd, 0) != 0) outcome = Outcome::kFail;
  ::close(a->fd);
  return outcome;
}

}  // namespace

std::string CacheFileName(const std::string& url) {
  std::string path = url.substr(0, url.find_first_of("?#"));
  std::string base = path.substr(path.rfind('/') + 1);
  if (base.empty() || base == "." || base == "..") base = "download";
  for (char& c : base) {
    bool plain = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    if (!plain) c = '_';
  }
  return Sha256Hex(url).substr(0, 16) + "-" + base;
}

Downloader::Downloader(const DownloadOptions& options)
    : options_(options), clock_(options.clock ? options.clock : &SystemClock()) {}

bool Downloader::SleepBeforeRetry(int failed_attempts, const std::atomic<bool>* cancel) {
  Millis delay = options_.backoff_ms;
  for (int i = 1; i < failed_attempts && delay < options_.max_backoff_ms; ++i) delay *= 2;
  delay = std::min(delay, options_.max_backoff_ms);
  // Sleep in slices so a cancellation is noticed within a tenth of a second.
  Millis end = clock_->NowMs() + delay;
  for (Millis now = clock_->NowMs(); now < end; now = clock_->NowMs()) {
    if (cancel && cancel->load()) return false;
    clock_->SleepMs(std::min<Millis>(100, end - now));
  }
  return !(cancel && cancel->load());
}

bool Downloader::Download(const std::string& url, const std::string& dest,
                          const DownloadProgressFn& on_progress, const std::atomic<bool>* cancel,
                          std::string* err) {
  if (Exists(dest)) return true;
  if (!Curl().error.empty()) {
    *err = "cannot download " + url + ": " + Curl().error;
    return false;
  }
  std::string part = dest + ".part";
  bool restarted = false;
  for (int failures = 0, attempts = 1;; ++attempts) {
    Attempt a{&on_progress, cancel, options_.max_bytes, clock_};
    Outcome outcome = RunAttempt(url, part, options_, &a, err);
    if (outcome == Outcome::kDone) break;
    if (outcome == Outcome::kFail) return false;
    if (outcome == Outcome::kRestart && !restarted) {
      restarted = true;  // once: a server answering 416 to "0-" too is broken, not resumable
      continue;
    }
    // An attempt that got bytes before failing starts the count of failures in a row afresh: a
    // flaky link still finishes a big file. A hard cap keeps a trickle from looping forever.
    failures = a.written > 0 ? 1 : failures + 1;
    if (failures >= options_.max_attempts || attempts >= 10 * options_.max_attempts) {
      *err = "gave up after " + std::to_string(attempts) +
             (attempts == 1 ? " attempt: " : " attempts: ") + *err;
      return false;
    }
    if (!SleepBeforeRetry(failures, cancel)) {
      *err = "download of " + url + " cancelled";
      return false;
    }
  }
  return Publish(part, dest, err);
}

namespace {

struct Capped {
  std::string* body;
  size_t max_bytes;
};

size_t OnSmallData(char* ptr, size_t size, size_t n, void* userdata) {
  auto* c = static_cast<Capped*>(userdata);
  size_t len = size * n;
  if (c->body->size() + len > c->max_bytes) return 0;  // CURLE_WRITE_ERROR
  c->body->append(ptr, len);
  return len;
}

}  // namespace

bool HttpGet(const std::string& url, long timeout_s, size_t max_bytes, std::string* body,
             long* status, std::string* err) {
  body->clear();
  *status = 0;
  if (!Curl().error.empty()) {
    *err = Curl().error;
    return false;
  }
  char reason[CURL_ERROR_SIZE] = "";  // before the handle: curl may write to it until cleanup
  std::unique_ptr<CURL, void (*)(CURL*)> c(Curl().easy_init(), Curl().easy_cleanup);
  if (!c) {
    *err = "cannot start a transfer (curl_easy_init failed)";
    return false;
  }
  Capped capped{body, max_bytes};
  Curl().easy_setopt(c.get(), CURLOPT_URL, url.c_str());
  Curl().easy_setopt(c.get(), CURLOPT_PROTOCOLS_STR, "http");
  Curl().easy_setopt(c.get(), CURLOPT_TIMEOUT, timeout_s);
  Curl().easy_setopt(c.get(), CURLOPT_NOSIGNAL, 1L);
  Curl().easy_setopt(c.get(), CURLOPT_NOPROXY, "*");  // the sandbox is on this host
  Curl().easy_setopt(c.get(), CURLOPT_USERAGENT, "asmplan");
  Curl().easy_setopt(c.get(), CURLOPT_ERRORBUFFER, reason);
  Curl().easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, OnSmallData);
  Curl().easy_setopt(c.get(), CURLOPT_WRITEDATA, &capped);
  CURLcode res = Curl().easy_perform(c.get());
  if (res != CURLE_OK) {
    *err = res == CURLE_WRITE_ERROR ? "answer larger than " + std::to_string(max_bytes) + " bytes"
           : reason[0]              ? std::string(reason)
                                    : std::string(Curl().easy_strerror(res));
    return false;
  }
  Curl().easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, status);
  return true;
}

}  // namespace asmplan
