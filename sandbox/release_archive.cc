#include "sandbox/release_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

namespace asmplan::sandbox {
namespace {

constexpr char kTarSuffix[] = ".tar.gz";
constexpr char kZipSuffix[] = "-win.zip";
// Fixed so that the same inputs give the same entries (2020-09-13, about ASM 1.6's time).
constexpr time_t kEntryTime = 1600000000;

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

struct Entry {
  std::string path;
  std::string content;
  int mode;  ///< with the file type bits
};

std::string ProfileYaml(const std::string& version) {
  return "# Anthos Service Mesh profile for clusters outside Google Cloud (sandbox copy).\n"
         "apiVersion: install.istio.io/v1alpha1\n"
         "kind: IstioOperator\n"
         "spec:\n"
         "  profile: default\n"
         "  hub: gcr.io/gke-release/asm\n"
         "  tag: " +
         version +
         "\n"
         "  meshConfig:\n"
         "    enableAutoMtls: true\n"
         "  values:\n"
         "    global:\n"
         "      multiCluster:\n"
         "        enabled: false\n";
}

std::vector<Entry> ReleaseEntries(const ReleaseName& name, const std::string& istioctl) {
  const std::string root = "istio-" + name.version + "/";
  std::vector<Entry> entries = {
      {root, "", AE_IFDIR | 0755},
      {root + "bin/", "", AE_IFDIR | 0755},
      {root + "bin/istioctl", istioctl, AE_IFREG | 0755},
  };
  // A real win release only has istioctl.exe; the sandbox keeps both so one binary serves.
  if (name.os == "win") entries.push_back({root + "bin/istioctl.exe", istioctl, AE_IFREG | 0755});
  std::vector<Entry> rest = {
      {root + "bin/istioctl.version", name.version + "\n", AE_IFREG | 0644},
      {root + "samples/", "", AE_IFDIR | 0755},
      {root + "samples/README",
       "Sample applications for Istio " + name.version + " (sandbox release: none included).\n",
       AE_IFREG | 0644},
      {root + "manifests/", "", AE_IFDIR | 0755},
      {root + "manifests/profiles/", "", AE_IFDIR | 0755},
      {root + "manifests/profiles/asm-multicloud.yaml", ProfileYaml(name.version), AE_IFREG | 0644},
  };
  entries.insert(entries.end(), rest.begin(), rest.end());
  return entries;
}

la_ssize_t AppendToString(struct archive*, void* client, const void* buffer, size_t length) {
  static_cast<std::string*>(client)->append(static_cast<const char*>(buffer), length);
  return static_cast<la_ssize_t>(length);
}

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(struct archive_entry* e) const { archive_entry_free(e); }
};

bool WriteEntry(struct archive* a, const Entry& entry, std::string* err) {
  std::unique_ptr<struct archive_entry, EntryDeleter> e(archive_entry_new());
  archive_entry_set_pathname(e.get(), entry.path.c_str());
  archive_entry_set_mode(e.get(), static_cast<mode_t>(entry.mode));
  archive_entry_set_size(e.get(), static_cast<la_int64_t>(entry.content.size()));
  archive_entry_set_mtime(e.get(), kEntryTime, 0);
  archive_entry_set_uid(e.get(), 0);
  archive_entry_set_gid(e.get(), 0);
  if (archive_write_header(a, e.get()) != ARCHIVE_OK ||
      (!entry.content.empty() &&
       archive_write_data(a, entry.content.data(), entry.content.size()) < 0)) {
    *err = "cannot write archive entry " + entry.path + ": " + archive_error_string(a);
    return false;
  }
  return true;
}

bool ReadFile(const std::string& path, std::string* content, std::string* err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *err = "cannot read " + path;
    return false;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  *content = buf.str();
  return true;
}

}  // namespace

bool ParseReleaseName(const std::string& file_name, ReleaseName* name) {
  const std::string prefix = "istio-";
  if (file_name.compare(0, prefix.size(), prefix) != 0) return false;
  if (EndsWith(file_name, kZipSuffix)) {
    name->os = "win";
    name->version =
        file_name.substr(prefix.size(), file_name.size() - prefix.size() - std::strlen(kZipSuffix));
    return !name->version.empty();
  }
  if (!EndsWith(file_name, kTarSuffix)) return false;
  // istio-<version>-<os>.tar.gz: the os is what follows the last dash.
  std::string rest =
      file_name.substr(prefix.size(), file_name.size() - prefix.size() - std::strlen(kTarSuffix));
  size_t dash = rest.rfind('-');
  if (dash == std::string::npos || dash == 0) return false;
  name->version = rest.substr(0, dash);
  name->os = rest.substr(dash + 1);
  return name->os == "linux" || name->os == "osx";
}

std::string ReleaseFileName(const ReleaseName& name) {
  if (name.os == "win") return "istio-" + name.version + kZipSuffix;
  return "istio-" + name.version + "-" + name.os + kTarSuffix;
}

bool BuildReleaseArchive(const ReleaseName& name, const std::string& istioctl_path,
                         std::string* archive, std::string* err) {
  std::string istioctl;
  if (!ReadFile(istioctl_path, &istioctl, err)) return false;
  std::unique_ptr<struct archive, ArchiveDeleter> a(archive_write_new());
  bool zip = name.os == "win";
  int rc = zip ? archive_write_set_format_zip(a.get())
               : archive_write_set_format_pax_restricted(a.get());
  if (rc == ARCHIVE_OK && !zip) rc = archive_write_add_filter_gzip(a.get());
  archive->clear();
  if (rc == ARCHIVE_OK) {
    rc = archive_write_open(a.get(), archive, nullptr, AppendToString, nullptr);
  }
  if (rc != ARCHIVE_OK) {
    *err = std::string("cannot start archive: ") + archive_error_string(a.get());
    return false;
  }
  for (const Entry& entry : ReleaseEntries(name, istioctl)) {
    if (!WriteEntry(a.get(), entry, err)) return false;
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    *err = std::string("cannot finish archive: ") + archive_error_string(a.get());
    return false;
  }
  return true;
}

}  // namespace asmplan::sandbox
