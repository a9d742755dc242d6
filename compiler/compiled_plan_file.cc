#include "compiler/compiled_plan_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "compiler/compiled_plan_io.h"

namespace asmplan {
namespace {

PlanFileStatus Unreadable(int error, std::string* err) {
  *err = std::string("cannot read the compiled plan: ") + std::strerror(error);
  return PlanFileStatus::kUnreadable;
}

PlanFileStatus Verify(std::string_view text, Plan* plan, std::string* err, std::string* keep) {
  if (keep) keep->assign(text);
  return ReadCompiledPlan(text, plan, err) ? PlanFileStatus::kOk : PlanFileStatus::kInvalid;
}

/// No compiled plan is this large (100k steps take about 20 MiB): a stream that goes on (a device
/// such as /dev/zero) is cut off here instead of filling the memory.
constexpr size_t kMaxStreamBytes = 256u << 20;

// Reads a pipe, a terminal or any other stream to its end.
PlanFileStatus ReadStream(int fd, Plan* plan, std::string* err, std::string* keep) {
  std::string text;
  char buffer[1 << 16];
  while (true) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Unreadable(errno, err);
    if (text.size() + static_cast<size_t>(n) > kMaxStreamBytes) {
      *err = "cannot read the compiled plan: larger than " + std::to_string(kMaxStreamBytes >> 20) +
             " MiB";
      return PlanFileStatus::kUnreadable;
    }
    text.append(buffer, static_cast<size_t>(n));
  }
  return Verify(text, plan, err, keep);
}

// Maps a regular file of `size` bytes; the plan is parsed straight from the page cache. (A file
// truncated by someone else while it is being read would fault; compiled plans are not rewritten
// in place: `asmplan compile -o` replaces the file.)
PlanFileStatus ReadMapped(int fd, size_t size, Plan* plan, std::string* err, std::string* keep) {
  if (size == 0) return Verify("", plan, err, keep);
  void* data = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (data == MAP_FAILED) return ReadStream(fd, plan, err, keep);
  const PlanFileStatus status = Verify({static_cast<const char*>(data), size}, plan, err, keep);
  munmap(data, size);
  return status;
}

}  // namespace

PlanFileStatus LoadCompiledPlanFile(const std::string& path, Plan* plan, std::string* err,
                                    std::string* text) {
  const bool is_stdin = path == "-";
  const int fd = is_stdin ? STDIN_FILENO : open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Unreadable(errno, err);
  struct stat st;
  PlanFileStatus status;
  if (fstat(fd, &st) != 0) {
    status = Unreadable(errno, err);
  } else if (S_ISDIR(st.st_mode)) {
    status = Unreadable(EISDIR, err);
  } else if (S_ISREG(st.st_mode)) {
    status = ReadMapped(fd, static_cast<size_t>(st.st_size), plan, err, text);
  } else if (S_ISCHR(st.st_mode) && !isatty(fd)) {
    *err = "cannot read the compiled plan: a device (not a file, pipe or terminal)";
    status = PlanFileStatus::kUnreadable;
  } else {
    status = ReadStream(fd, plan, err, text);
  }
  if (!is_stdin) close(fd);
  return status;
}

}  // namespace asmplan
