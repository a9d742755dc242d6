// Small file helpers whose results survive a crash (kill -9 or power loss) at any instant.
#pragma once

#include <string>

namespace asmplan {

/// Reads the whole file. False with "cannot read PATH: REASON" in `err`.
bool ReadWholeFile(const std::string& path, std::string* out, std::string* err);

/// Replaces `path` with `content` atomically: writes PATH.tmp.PID, fsyncs it, renames it over
/// `path` and fsyncs the directory. A crash leaves either the old or the new file, never a mix. A
/// replaced file's permissions are kept; a new file gets 0644 (less the umask).
bool WriteFileAtomic(const std::string& path, const std::string& content, std::string* err);

/// fsyncs the directory `dir` so that names created or renamed in it are durable.
bool SyncDirectory(const std::string& dir, std::string* err);

/// Creates `dir` and its missing parents (mode 0755). True when it exists afterwards.
bool MakeDirectories(const std::string& dir, std::string* err);

/// Whether the regular file open as `fd` (at `path`) has bytes and does not end with a newline: a
/// log's own `==` lines then start on a line of their own, after a command's last line that had
/// none. (Read through its own descriptor: opening a log read-write would change what a FIFO does.)
bool EndsMidLine(const std::string& path, int fd);

/// `path` made absolute against the current directory (unchanged when already absolute, or when
/// the current directory cannot be read). Not normalized.
std::string AbsolutePath(const std::string& path);

/// The directory part of `path` ("." when there is none).
std::string DirName(const std::string& path);

}  // namespace asmplan
