// How the compiler reads source, key and values files: behind an interface so tests can serve
// files from memory.
#pragma once

#include <map>
#include <string>

namespace asmplan {

class FileReader {
 public:
  virtual ~FileReader() = default;
  /// Reads the whole file at `path` ("-" is standard input). False with a message in `err`.
  virtual bool Read(const std::string& path, std::string* content, std::string* err) = 0;
};

/// Reads from the file system; "-" reads standard input once.
class DiskFileReader : public FileReader {
 public:
  bool Read(const std::string& path, std::string* content, std::string* err) override;
};

/// Serves files from a map, keyed by the exact path the compiler asks for.
class MemoryFileReader : public FileReader {
 public:
  std::map<std::string, std::string> files;
  bool Read(const std::string& path, std::string* content, std::string* err) override;
};

/// `relative` resolved against the directory of `from_file`, lexically normalized
/// ("plans/envs/x.asmplan" + "../a.asmplan" -> "plans/a.asmplan"). Absolute paths stay as they are.
std::string ResolveRelativeTo(const std::string& from_file, const std::string& relative);

}  // namespace asmplan
