// Unpacking a verified archive (.tar.gz, .zip) safely into a directory, replacing it whole.
#pragma once

#include <functional>
#include <string>

namespace asmplan {

/// The file inside an extracted directory that records what was extracted there.
inline constexpr char kExtractMarkerName[] = ".asmplan-artifact";

struct ExtractRequest {
  std::string archive;       ///< a verified .tar.gz, .tgz or .zip
  std::string display_name;  ///< how messages name the archive
  std::string target_dir;    ///< replaced whole; its parent must exist or be creatable
  std::string marker_text;   ///< written to target_dir/kExtractMarkerName
  long long max_total_bytes = 16LL << 30;  ///< refuse archives that unpack to more than this
  std::function<int(int)> fsync_for_test = nullptr;  ///< replaces fsync(2) when set (tests)
};

/// Extracts into a fresh temporary directory beside the target, makes it durable (every file and
/// directory fsynced), then swaps it into place (the old target is renamed aside and removed), so
/// the target holds either the old or the new tree, also after a power loss. Keeps
/// permission bits (the executable bit above all) but never setuid/setgid or owners. Refuses, with
/// nothing changed in the target: absolute paths, `..` components, symlinks or hard links leaving
/// the target, device files, FIFOs and sockets. Messages name the archive and the entry.
bool ExtractArchive(const ExtractRequest& request, std::string* err);

/// The marker text of `target_dir`, or "" when it has none.
std::string ReadExtractMarker(const std::string& target_dir);

}  // namespace asmplan
