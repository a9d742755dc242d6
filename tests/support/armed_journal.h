// Journals as a killed session leaves them, for the tests of armed steps (JournalRecord::kArm).
#pragma once

#include <string>

#include "runtime/checkpoint_journal.h"
#include "runtime/durable_file.h"

namespace asmplan {

/// Appends to the journal at `path` what a session on boot `boot_id`, killed after it armed
/// `step`, leaves: its session record (host `host`) and the step's `arm` record, synced.
inline bool AppendArmedThenKilled(const std::string& path, const std::string& boot_id,
                                  const std::string& host, const std::string& step,
                                  std::string* err) {
  Checkpoint cp;
  if (!LoadJournal(path, &cp, err)) return false;
  auto journal = JournalWriter::OpenForAppend(path, cp.valid_bytes, err);
  if (!journal) return false;
  JournalRecord session;
  session.kind = JournalRecord::Kind::kSession;
  session.text = "resume";
  session.host = host;
  session.boot_id = boot_id;
  journal->Append(session);
  JournalRecord arm;
  arm.kind = JournalRecord::Kind::kArm;
  arm.step = step;
  journal->Append(arm);
  return journal->Sync(err);
}

/// How many `arm` records the journal at `path` holds (-1 when it cannot be read).
inline int ArmRecords(const std::string& path) {
  std::string bytes, err;
  if (!ReadWholeFile(path, &bytes, &err)) return -1;
  int n = 0;
  for (size_t at = bytes.find("arm\t"); at != std::string::npos; at = bytes.find("arm\t", at + 1))
    ++n;
  return n;
}

}  // namespace asmplan
