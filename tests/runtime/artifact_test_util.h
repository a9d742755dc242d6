// Test helpers for the artifact tests: EC keys and signatures, archives built with libarchive, a
// loopback HTTP server with scripted misbehaviour, and a temporary directory.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace asmplan::testing {

/// An EC P-256 key pair made for one test.
struct TestKey {
  std::shared_ptr<EVP_PKEY> key;
  std::string public_pem;
};

inline TestKey GenerateKey() {
  TestKey k;
  k.key.reset(EVP_EC_gen("P-256"), EVP_PKEY_free);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, k.key.get());
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  k.public_pem.assign(data, static_cast<size_t>(len));
  BIO_free(bio);
  return k;
}

/// A DER ECDSA signature over SHA-256 of `data`, as `openssl dgst -sha256 -sign` makes.
inline std::string Sign(const TestKey& k, const std::string& data) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, k.key.get());
  size_t len = 0;
  EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()),
                 data.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(&sig[0]), &len,
                 reinterpret_cast<const unsigned char*>(data.data()), data.size());
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  return sig;
}

/// One entry of a test archive.
struct TestEntry {
  std::string path;
  std::string content;
  mode_t type = AE_IFREG;  ///< AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFCHR, AE_IFIFO
  int perm = 0644;
  std::string link;  ///< symlink target, or hard link target when `hardlink`
  bool hardlink = false;
};

inline TestEntry File(const std::string& path, const std::string& content, int perm = 0644) {
  return TestEntry{path, content, AE_IFREG, perm, "", false};
}
inline TestEntry Symlink(const std::string& path, const std::string& target) {
  return TestEntry{path, "", AE_IFLNK, 0777, target, false};
}

/// A .tar.gz (or .zip) holding `entries`, as bytes.
inline std::string BuildArchive(const std::vector<TestEntry>& entries, bool zip = false) {
  std::vector<char> buf(8 << 20);
  size_t used = 0;
  struct archive* a = archive_write_new();
  if (zip) {
    archive_write_set_format_zip(a);
  } else {
    archive_write_set_format_pax_restricted(a);
    archive_write_add_filter_gzip(a);
  }
  archive_write_open_memory(a, buf.data(), buf.size(), &used);
  for (const TestEntry& e : entries) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.path.c_str());
    archive_entry_set_filetype(entry, e.type);
    archive_entry_set_perm(entry, e.perm);
    archive_entry_set_mtime(entry, 1600000000, 0);
    if (e.type == AE_IFLNK) archive_entry_set_symlink(entry, e.link.c_str());
    if (e.hardlink) archive_entry_set_hardlink(entry, e.link.c_str());
    if (e.type == AE_IFCHR) archive_entry_set_rdev(entry, makedev(1, 3));
    archive_entry_set_size(entry, e.type == AE_IFREG && !e.hardlink ? e.content.size() : 0);
    archive_write_header(a, entry);
    if (e.type == AE_IFREG && !e.hardlink)
      archive_write_data(a, e.content.data(), e.content.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
  return std::string(buf.data(), used);
}

/// The release layout of the seed: istio-<v>/bin/istioctl (a runnable script), samples/,
/// manifests/.
inline std::vector<TestEntry> ReleaseEntries() {
  return {
      TestEntry{"istio-1.5.10-asm.2/", "", AE_IFDIR, 0755, "", false},
      TestEntry{"istio-1.5.10-asm.2/bin/", "", AE_IFDIR, 0755, "", false},
      File("istio-1.5.10-asm.2/bin/istioctl", "#!/bin/sh\necho \"istioctl 1.5.10-asm.2\"\n", 0755),
      File("istio-1.5.10-asm.2/samples/README", "samples\n"),
      File("istio-1.5.10-asm.2/manifests/profiles/asm-multicloud.yaml", "profile: asm\n")};
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

/// Runs `path` (no arguments) and returns what it printed.
inline std::string RunAndCapture(const std::string& path) {
  std::string out;
  FILE* p = popen(("'" + path + "' 2>&1").c_str(), "r");
  if (!p) return out;
  char buf[256];
  while (size_t n = fread(buf, 1, sizeof(buf), p)) out.append(buf, n);
  pclose(p);
  return out;
}

/// A fresh directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "asmplan-art-XXXXXX").string();
    path_ = mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// A file served by TestServer, with its scripted misbehaviour.
struct Route {
  std::string body;
  int fail_500_times = 0;       ///< answer 500 this many times first
  std::string error_text = {};  ///< the body of those 500 answers
  long long drop_after = -1;    ///< first answer only: close the connection after this many bytes
  bool ignore_range = false;    ///< answer 200 with the whole body even to a Range request
};

/// Writes a self-signed certificate for IP 127.0.0.1 and its private key as PEM files.
inline void WriteSelfSignedCert(const std::string& cert_path, const std::string& key_path) {
  std::shared_ptr<EVP_PKEY> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::shared_ptr<X509> x(X509_new(), X509_free);
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 3600);
  X509_set_pubkey(x.get(), key.get());
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(x.get(), name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x.get(), x.get(), nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1"},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(x.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(x.get(), key.get(), EVP_sha256());
  FILE* f = fopen(cert_path.c_str(), "w");
  PEM_write_X509(f, x.get());
  fclose(f);
  f = fopen(key_path.c_str(), "w");
  PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  fclose(f);
}

/// An HTTP server (HTTPS when given a certificate) on 127.0.0.1 and a port of its own, in a
/// thread, stopped by the destructor.
class TestServer {
 public:
  explicit TestServer(const std::string& cert_path = "", const std::string& key_path = "")
      : tls_(!cert_path.empty()) {
    if (tls_) {
      server_ = std::make_unique<httplib::SSLServer>(cert_path.c_str(), key_path.c_str());
    } else {
      server_ = std::make_unique<httplib::Server>();
    }
    server_->Get(R"(/(.*))",
                 [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); });
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::yield();
  }
  ~TestServer() {
    server_->stop();
    thread_.join();
  }
  void Serve(const std::string& path, const Route& route) {
    std::lock_guard<std::mutex> lock(mu_);
    routes_[path] = route;
  }
  std::string Url(const std::string& path) const {
    return (tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_) + path;
  }
  int Requests(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    return counts_[path];
  }
  /// The Range headers received for `path`, "" for requests without one.
  std::vector<std::string> Ranges(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    return ranges_[path];
  }

 private:
  void Handle(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu_);
    ++counts_[req.path];
    ranges_[req.path].push_back(req.get_header_value("Range"));
    auto it = routes_.find(req.path);
    if (it == routes_.end()) {
      res.status = 404;
      return;
    }
    Route& r = it->second;
    if (r.fail_500_times > 0) {
      --r.fail_500_times;
      res.status = 500;
      if (!r.error_text.empty()) res.set_content(r.error_text, "text/plain");
      return;
    }
    // httplib applies a parsed Range itself; forgetting it makes the answer a plain 200.
    if (r.ignore_range) const_cast<httplib::Request&>(req).ranges.clear();
    if (r.drop_after >= 0) {
      auto body = std::make_shared<std::string>(r.body);
      long long cut = r.drop_after;
      r.drop_after = -1;
      res.set_content_provider(body->size(), "application/octet-stream",
                               [body, cut](size_t offset, size_t, httplib::DataSink& sink) {
                                 if (static_cast<long long>(offset) >= cut)
                                   return false;  // drops the connection
                                 sink.write(body->data() + offset,
                                            static_cast<size_t>(cut) - offset);
                                 return true;
                               });
      return;
    }
    res.set_content(r.body, "application/octet-stream");
  }

  bool tls_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::map<std::string, Route> routes_;
  std::map<std::string, int> counts_;
  std::map<std::string, std::vector<std::string>> ranges_;
};

}  // namespace asmplan::testing
