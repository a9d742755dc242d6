#include "runtime/artifact/artifact_fetcher_impl.h"

#include <cctype>
#include <filesystem>
#include <system_error>

#include "compiler/plan_consistency.h"
#include "compiler/public_key.h"
#include "runtime/artifact/extractor.h"
#include "runtime/artifact/file_digest.h"
#include "runtime/artifact/signature_verifier.h"

namespace asmplan {
namespace {

namespace fs = std::filesystem;

std::string FileNameOf(const std::string& url) {
  std::string path = url.substr(0, url.find_first_of("?#"));
  return path.substr(path.rfind('/') + 1);
}

// What the marker of an extraction must say for a later fetch of `a` to be a no-op; the archive
// digest follows on its own line.
std::string MarkerIdentity(const Artifact& a, const std::string& fingerprint) {
  return "asmplan artifact marker v1\nname " + a.name + "\nurl " + a.url + "\nsignature_url " +
         a.signature_url + "\nkey_fingerprint " + fingerprint + "\nsha256_pin " + a.sha256 +
         "\nverify_none " + (a.verify_none ? "true" : "false") + "\n";
}

bool MarkerMatches(const std::string& marker, const std::string& identity, const std::string& pin) {
  if (marker.compare(0, identity.size(), identity) != 0) return false;
  std::string rest = marker.substr(identity.size());
  if (rest.rfind("sha256 ", 0) != 0 || rest.size() < 8) return false;
  std::string digest = rest.substr(7, rest.find('\n') - 7);
  return !digest.empty() && (pin.empty() || digest == pin);
}

class CurlArtifactFetcher : public ArtifactFetcher {
 public:
  explicit CurlArtifactFetcher(const DownloadOptions& options) : downloader_(options) {}

  bool Fetch(const Artifact& a, const FetchContext& ctx, std::string* err) override;

 private:
  bool CheckRequest(const Artifact& a, const FetchContext& ctx, std::string* fingerprint,
                    std::string* err);
  bool DownloadAll(const Artifact& a, const FetchContext& ctx, const std::string& archive,
                   const std::string& signature, std::string* err);
  bool VerifyArchive(const Artifact& a, const FetchContext& ctx, const std::string& archive,
                     const std::string& signature, std::string* digest, std::string* err);

  Downloader downloader_;
};

void Report(const FetchContext& ctx, FetchProgress p) {
  if (ctx.on_progress) ctx.on_progress(p);
}

bool Cancelled(const FetchContext& ctx, const Artifact& a, std::string* err) {
  if (!ctx.cancel || !ctx.cancel->load()) return false;
  *err = "artifact " + a.name + ": fetch cancelled";
  return true;
}

bool CurlArtifactFetcher::CheckRequest(const Artifact& a, const FetchContext& ctx,
                                       std::string* fingerprint, std::string* err) {
  std::string prefix = "artifact " + a.name + ": ";
  if (ctx.cache_dir.empty() || ctx.workspace_dir.empty()) {
    *err = prefix + "no cache or workspace directory given";
  } else if (!IsWorkspacePath(a.extract_to)) {
    *err = prefix + "extract_to \"" + a.extract_to + "\" must be a relative path without `..`";
  } else if (a.signature_url.empty() && a.sha256.empty() && !a.verify_none) {
    *err = prefix + "neither a signature nor a sha256 pin, and the plan does not say `verify none`";
  } else if (!a.signature_url.empty() &&
             !PublicKeyFingerprint(a.public_key_pem, fingerprint, err)) {
    *err = prefix + "public key unusable: " + *err;
  } else {
    return true;
  }
  return false;
}

bool CurlArtifactFetcher::DownloadAll(const Artifact& a, const FetchContext& ctx,
                                      const std::string& archive, const std::string& signature,
                                      std::string* err) {
  std::error_code ec;
  fs::create_directories(ctx.cache_dir, ec);
  if (ec) {
    *err =
        "artifact " + a.name + ": cannot create the cache " + ctx.cache_dir + ": " + ec.message();
    return false;
  }
  for (const auto& [url, dest] :
       {std::pair{a.url, archive}, std::pair{a.signature_url, signature}}) {
    if (url.empty()) continue;
    std::string name = FileNameOf(url);
    auto on_progress = [&](const DownloadProgress& d) {
      FetchProgress p = FetchProgress::Stage("download", name);
      p.bytes = d.bytes;
      p.total = d.total;
      p.bytes_per_sec = d.bytes_per_sec;
      p.eta_seconds = d.eta_seconds;
      Report(ctx, p);
    };
    if (!downloader_.Download(url, dest, on_progress, ctx.cancel, err)) {
      *err = "artifact " + a.name + ": " + *err;
      return false;
    }
  }
  return true;
}

bool CurlArtifactFetcher::VerifyArchive(const Artifact& a, const FetchContext& ctx,
                                        const std::string& archive, const std::string& signature,
                                        std::string* digest, std::string* err) {
  if (a.signature_url.empty() && a.sha256.empty()) {
    // Only reachable with `verify none` (CheckRequest refuses it otherwise).
    Report(ctx, FetchProgress::Stage(
                    "verify",
                    "artifact " + a.name + " is not verified: the plan says `verify none`", true));
    return Sha256OfFile(archive, digest, err);
  }
  Report(ctx, FetchProgress::Stage("verify", FileNameOf(a.url)));
  VerifyRequest req;
  req.file = archive;
  req.display_name = FileNameOf(a.url);
  req.signature_path = a.signature_url.empty() ? "" : signature;
  req.public_key_pem = a.public_key_pem;
  req.expected_fingerprint = a.key_fingerprint;
  req.expected_sha256 = a.sha256;
  VerifyResult result;
  if (VerifyFile(req, &result, err)) {
    *digest = result.sha256;
    return true;
  }
  std::string moved = Quarantine(archive, ctx.cache_dir);
  if (!req.signature_path.empty()) Quarantine(signature, ctx.cache_dir);
  *err = "artifact " + a.name + ": " + *err +
         (moved.empty() ? "; the file is deleted" : "; the file is quarantined as " + moved);
  return false;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool CurlArtifactFetcher::Fetch(const Artifact& artifact, const FetchContext& ctx,
                                std::string* err) {
  Artifact a = artifact;
  a.sha256 = Lower(a.sha256);  // pins compare as lower-case hex everywhere
  std::string fingerprint;
  if (!CheckRequest(a, ctx, &fingerprint, err)) return false;
  std::string target = ctx.workspace_dir + "/" + a.extract_to;
  std::string identity = MarkerIdentity(a, fingerprint);
  if (MarkerMatches(ReadExtractMarker(target), identity, a.sha256)) {
    Report(ctx, FetchProgress::Stage("done", "already fetched"));
    return true;
  }
  std::string archive = ctx.cache_dir + "/" + CacheFileName(a.url);
  std::string signature =
      a.signature_url.empty() ? "" : ctx.cache_dir + "/" + CacheFileName(a.signature_url);
  std::string digest;
  if (!DownloadAll(a, ctx, archive, signature, err) || Cancelled(ctx, a, err) ||
      !VerifyArchive(a, ctx, archive, signature, &digest, err) || Cancelled(ctx, a, err)) {
    return false;
  }
  Report(ctx, FetchProgress::Stage("extract", target));
  ExtractRequest req;
  req.archive = archive;
  req.display_name = FileNameOf(a.url);
  req.target_dir = target;
  req.marker_text = identity + "sha256 " + digest + "\n";
  if (!ExtractArchive(req, err)) {
    *err = "artifact " + a.name + ": " + *err;
    return false;
  }
  Report(ctx, FetchProgress::Stage("done", target));
  return true;
}

}  // namespace

std::unique_ptr<ArtifactFetcher> NewArtifactFetcher(const DownloadOptions& options) {
  return std::make_unique<CurlArtifactFetcher>(options);
}

std::unique_ptr<ArtifactFetcher> NewArtifactFetcher() {
  return NewArtifactFetcher(DownloadOptions());
}

}  // namespace asmplan
