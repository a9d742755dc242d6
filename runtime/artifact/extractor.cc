#include "runtime/artifact/extractor.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <system_error>
#include <vector>

#include "runtime/artifact/lazy_library.h"
#include "runtime/durable_file.h"

namespace asmplan {
namespace {

namespace fs = std::filesystem;

/// libarchive, loaded on first use (lazy_library.h says why).
// clang-format off
#define ARCHIVE_FUNCTIONS(X)             \
  X(archive_, entry_filetype)            \
  X(archive_, entry_hardlink)            \
  X(archive_, entry_pathname)            \
  X(archive_, entry_perm)                \
  X(archive_, entry_set_hardlink)        \
  X(archive_, entry_set_pathname)        \
  X(archive_, entry_set_perm)            \
  X(archive_, entry_symlink)             \
  X(archive_, error_string)              \
  X(archive_, read_data_block)           \
  X(archive_, read_free)                 \
  X(archive_, read_new)                  \
  X(archive_, read_next_header)          \
  X(archive_, read_open_filename)        \
  X(archive_, read_support_filter_gzip)  \
  X(archive_, read_support_format_tar)   \
  X(archive_, read_support_format_zip)   \
  X(archive_, write_close)               \
  X(archive_, write_data_block)          \
  X(archive_, write_disk_new)            \
  X(archive_, write_disk_set_options)    \
  X(archive_, write_finish_entry)        \
  X(archive_, write_free)                \
  X(archive_, write_header)
// clang-format on
struct ArchiveApi {
  ARCHIVE_FUNCTIONS(ASMPLAN_LAZY_MEMBER)
  std::string error;  ///< why it could not be loaded, or ""
};

const ArchiveApi& Ar() {
  static const ArchiveApi loaded = [] {
    ArchiveApi api;
    LoadLibrarySymbols("libarchive.so.13", {ARCHIVE_FUNCTIONS(ASMPLAN_LAZY_SLOT)}, &api.error);
    return api;
  }();
  return loaded;
}

using ReaderPtr = std::unique_ptr<struct archive, decltype(&archive_read_free)>;
using WriterPtr = std::unique_ptr<struct archive, decltype(&archive_write_free)>;

std::vector<std::string> Components(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    std::string part = path.substr(start, slash - start);
    if (!part.empty() && part != ".") parts.push_back(part);
    start = slash + 1;
  }
  return parts;
}

// Turns an entry path into a clean relative path; false (with the reason) when it could leave the
// target. "" stands for the target itself ("./").
bool SafeRelative(const std::string& path, std::string* clean, std::string* why) {
  if (path.empty()) {
    *why = "has an empty path";
    return false;
  }
  if (path[0] == '/') {
    *why = "has an absolute path";
    return false;
  }
  clean->clear();
  for (const std::string& part : Components(path)) {
    if (part == "..") {
      *why = "has a `..` component";
      return false;
    }
    *clean += (clean->empty() ? "" : "/") + part;
  }
  return true;
}

// Lexically resolves a symlink's target from the link's own directory; false when it climbs out.
bool LinkStaysInside(const std::string& entry, const std::string& link) {
  if (link.empty() || link[0] == '/') return false;
  std::vector<std::string> dir = Components(entry);
  if (!dir.empty()) dir.pop_back();
  for (const std::string& part : Components(link)) {
    if (part != "..") {
      dir.push_back(part);
    } else if (dir.empty()) {
      return false;
    } else {
      dir.pop_back();
    }
  }
  return true;
}

// True when no component of `rel` under `root` is a symlink: a hard link through one could reach
// (and have data written into) a file outside the target.
bool NoSymlinkOnPath(const std::string& root, const std::string& rel) {
  std::string path = root;
  for (const std::string& part : Components(rel)) {
    path += "/" + part;
    struct stat st;
    if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) return false;
  }
  return true;
}

// Checks one entry and points it into `root`. Returns "" when fine, else why it is refused.
std::string PrepareEntry(struct archive_entry* entry, const std::string& root, bool* skip) {
  std::string path = Ar().entry_pathname(entry) ? Ar().entry_pathname(entry) : "";
  std::string clean, why;
  if (!SafeRelative(path, &clean, &why)) return why;
  mode_t type = Ar().entry_filetype(entry);
  // A tar hard link entry may carry no file type of its own; its target is checked instead.
  const char* hardlink = Ar().entry_hardlink(entry);
  if (!hardlink && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK) {
    return "is a device file, FIFO or socket";
  }
  if (hardlink) {
    std::string link_clean;
    if (!SafeRelative(hardlink, &link_clean, &why) || link_clean.empty() ||
        !NoSymlinkOnPath(root, link_clean)) {
      return "is a hard link leaving the target";
    }
    Ar().entry_set_hardlink(entry, (root + "/" + link_clean).c_str());
  }
  if (type == AE_IFLNK) {
    const char* target = Ar().entry_symlink(entry);
    if (!target || !LinkStaysInside(clean, target)) return "is a symlink leaving the target";
  }
  *skip = clean.empty();  // the root itself: it exists already
  Ar().entry_set_pathname(entry, (root + "/" + clean).c_str());
  // Permission bits survive (bin/istioctl must stay executable); setuid, setgid and sticky do not,
  // and directories stay writable by us so a later swap can remove them.
  mode_t perm = Ar().entry_perm(entry) & 0777;
  Ar().entry_set_perm(entry, type == AE_IFDIR ? (perm | 0700) : perm);
  return "";
}

bool CopyData(struct archive* in, struct archive* out, long long* total, long long max_total) {
  const void* buf = nullptr;
  size_t size = 0;
  la_int64_t offset = 0;
  for (;;) {
    int r = Ar().read_data_block(in, &buf, &size, &offset);
    if (r == ARCHIVE_EOF) return true;
    if (r < ARCHIVE_OK) return false;
    *total += static_cast<long long>(size);
    if (*total > max_total) return false;
    if (Ar().write_data_block(out, buf, size, offset) < ARCHIVE_OK) return false;
  }
}

ReaderPtr OpenReader(const std::string& archive_path, std::string* err) {
  ReaderPtr in(Ar().read_new(), Ar().read_free);
  Ar().read_support_filter_gzip(in.get());
  Ar().read_support_format_tar(in.get());
  Ar().read_support_format_zip(in.get());
  if (Ar().read_open_filename(in.get(), archive_path.c_str(), 1 << 16) != ARCHIVE_OK) {
    *err = Ar().error_string(in.get()) ? Ar().error_string(in.get()) : "cannot open";
    return ReaderPtr(nullptr, Ar().read_free);
  }
  return in;
}

WriterPtr OpenWriter() {
  WriterPtr out(Ar().write_disk_new(), Ar().write_free);
  // Defence in depth behind PrepareEntry: never write through a symlink, never follow `..`.
  int flags = ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
              ARCHIVE_EXTRACT_SECURE_NODOTDOT;
  Ar().write_disk_set_options(out.get(), flags);
  return out;
}

// Extracts every entry of the archive under `root`. Returns "" or the reason for refusal.
std::string ExtractInto(const ExtractRequest& r, const std::string& root) {
  std::string open_err;
  ReaderPtr in = OpenReader(r.archive, &open_err);
  if (!in) return "cannot be opened: " + open_err;
  WriterPtr out = OpenWriter();
  long long total = 0;
  struct archive_entry* entry = nullptr;
  for (;;) {
    int rc = Ar().read_next_header(in.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) return std::string("is damaged: ") + Ar().error_string(in.get());
    std::string name = Ar().entry_pathname(entry) ? Ar().entry_pathname(entry) : "";
    bool skip = false;
    std::string why = PrepareEntry(entry, root, &skip);
    if (!why.empty()) return "entry \"" + name + "\" " + why;
    if (skip) continue;
    if (Ar().write_header(out.get(), entry) < ARCHIVE_WARN ||
        !CopyData(in.get(), out.get(), &total, r.max_total_bytes) ||
        Ar().write_finish_entry(out.get()) < ARCHIVE_WARN) {
      if (total > r.max_total_bytes) return "unpacks to more than the allowed size";
      const char* e = Ar().error_string(out.get());
      return "entry \"" + name + "\" cannot be extracted: " + (e ? e : "read error");
    }
  }
  return Ar().write_close(out.get()) < ARCHIVE_WARN ? "cannot finish extracting" : "";
}

// After the tree is complete, resolves every symlink for real: chains of links that each look
// harmless could still point out of the tree together.
std::string CheckLinksInside(const std::string& root) {
  std::error_code ec;
  fs::path canonical_root = fs::canonical(root, ec);
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_symlink(ec)) continue;
    fs::path resolved = fs::weakly_canonical(it->path(), ec);
    std::string rel = resolved.lexically_relative(canonical_root).string();
    if (ec || rel.empty() || rel.compare(0, 2, "..") == 0) {
      return "entry \"" + fs::path(it->path()).lexically_relative(root).string() +
             "\" is a symlink leaving the target";
    }
  }
  return ec ? "cannot be checked after extraction: " + ec.message() : "";
}

bool WriteMarker(const std::string& root, const std::string& text) {
  std::ofstream out(root + "/" + kExtractMarkerName, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out.flush());
}

// Makes the extracted tree durable before it is swapped in: the data of every regular file and
// the entries of every directory (the root last). A fetch journaled as done must not leave an
// empty bin/istioctl after a power loss: the swap's own sync covers the rename, not the files.
// Writeback of every file is started first, so the fsyncs that follow mostly wait for writes
// already under way (700 files of 20 KB: 0.15 s instead of 0.45 one by one here). A file we may not
// read (an archive's mode 000) cannot be opened to sync, and is left as is.
std::string SyncTree(const std::string& root, const std::function<int(int)>& fsync_fn) {
  std::vector<fs::path> files, dirs;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    fs::file_status st = it->symlink_status(ec);
    if (ec) break;
    if (fs::is_regular_file(st)) files.push_back(it->path());
    if (fs::is_directory(st)) dirs.push_back(it->path());
  }
  if (ec) return "cannot be made durable: " + ec.message();
  dirs.push_back(root);
  auto open = [](const fs::path& path, int flags) {
    return ::open(path.c_str(), flags | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  };
  for (const fs::path& file : files) {
    int fd = open(file, 0);
    if (fd < 0) continue;  // said by the fsync pass
    ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    ::close(fd);
  }
  for (const auto& [paths, flags] : {std::pair{&files, 0}, std::pair{&dirs, O_DIRECTORY}}) {
    for (const fs::path& path : *paths) {
      int fd = open(path, flags);
      if (fd < 0 && errno == EACCES) continue;
      int rc = fd < 0 ? -1 : fsync_fn ? fsync_fn(fd) : ::fsync(fd);
      std::string why = rc == 0 ? "" : std::strerror(errno);
      if (fd >= 0) ::close(fd);
      if (!why.empty()) {
        std::string rel = path.lexically_relative(root).string();
        return "cannot be made durable: " + (rel == "." ? std::string("its root") : rel) + ": " +
               why;
      }
    }
  }
  return "";
}

// Swaps the new tree into place: atomically when the target exists (RENAME_EXCHANGE), then removes
// the old tree, which now sits under the temporary name.
bool SwapIntoPlace(const std::string& tmp, const std::string& target, std::string* err) {
  std::error_code ec;
  bool had_target = fs::exists(fs::symlink_status(target, ec));
  int rc = had_target
               ? ::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE)
               : ::rename(tmp.c_str(), target.c_str());
  if (rc != 0) {
    *err = "cannot move the extracted tree to " + target + ": " + std::strerror(errno);
    return false;
  }
  if (had_target) fs::remove_all(tmp, ec);
  return SyncDirectory(DirName(target), err);
}

// Removes temporary trees a killed extraction left beside the target.
void RemoveLeftovers(const fs::path& parent, const std::string& prefix) {
  std::error_code ec;
  for (auto it = fs::directory_iterator(parent, ec); !ec && it != fs::end(it); it.increment(ec)) {
    if (it->path().filename().string().rfind(prefix, 0) == 0) fs::remove_all(it->path(), ec);
  }
}

}  // namespace

bool ExtractArchive(const ExtractRequest& r, std::string* err) {
  if (!Ar().error.empty()) {
    *err = "cannot extract " + r.display_name + ": " + Ar().error;
    return false;
  }
  fs::path target = fs::absolute(r.target_dir).lexically_normal();
  if (target.filename().empty()) target = target.parent_path();
  std::error_code ec;
  // Each directory made is synced into its parent: the swap's sync covers only the last one.
  std::string ignored;  // mkdtemp below says what is wrong with the parent
  MakeDirectories(target.parent_path().string(), &ignored);
  std::string prefix = "." + target.filename().string() + ".tmp-";
  RemoveLeftovers(target.parent_path(), prefix);
  std::string tmpl = (target.parent_path() / (prefix + "XXXXXX")).string();
  if (!::mkdtemp(tmpl.data())) {
    *err = "cannot create a temporary directory beside " + target.string() + ": " +
           std::strerror(errno);
    return false;
  }
  std::string why = ExtractInto(r, tmpl);
  if (why.empty()) why = CheckLinksInside(tmpl);
  if (why.empty() && !WriteMarker(tmpl, r.marker_text)) why = "cannot write its marker";
  if (why.empty()) why = SyncTree(tmpl, r.fsync_for_test);
  if (!why.empty()) {
    fs::remove_all(tmpl, ec);
    *err = "archive " + r.display_name + " refused: " + why;
    return false;
  }
  return SwapIntoPlace(tmpl, target.string(), err);
}

std::string ReadExtractMarker(const std::string& target_dir) {
  std::ifstream in(target_dir + "/" + kExtractMarkerName, std::ios::binary);
  if (!in) return "";
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace asmplan
