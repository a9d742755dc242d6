// One record of the checkpoint journal and its payload encoding: tab-separated fields, with
// backslash escapes for tab, newline and backslash. Framing and checksums live in
// checkpoint_journal.h; this file only knows what one record says.
#pragma once

#include <string>
#include <string_view>

#include "runtime/step_state.h"

namespace asmplan {

struct JournalRecord {
  enum class Kind {
    kStep,  ///< a step's full record after a transition (replaces the previous one)
    /// A run or resume began: text = "run"|"resume", number = pid, host, boot_id (journal v3; ""
    /// in older journals).
    kSession,
    kInterrupt,      ///< a signal stopped the run: number = signal
    kMarkDone,       ///< operator marked `step` done: text = reason, number = 1 when --force
    kRerun,          ///< operator asked to run `step` again
    kAcceptChanges,  ///< the run continues with a changed plan: text = its sha256
    kFetch,          ///< `step` reached fetch stage `text`
    kFinish,         ///< a session ended: text = "succeeded", "failed", "awaiting", "interrupted"
    /// The writer's durable mark when it wrote the batch this record starts: number = every byte
    /// of the file before that offset was synced (journal v2). Tells a torn tail from corruption.
    kDurable,
    /// `step` may start without another record being made durable first (journal v3): written
    /// ahead, while it waits for a free job slot. Its `running` record is still written (not
    /// synced) before its command starts, so on the same boot a missing one means it never
    /// started; after a restart of the machine it may have (see ResolveArms).
    kArm,
  };
  Kind kind = Kind::kStep;
  Millis wall_ms = 0;
  std::string step;
  StepRecord record;  ///< kStep only
  std::string text;
  long long number = 0;
  std::string host;     ///< kSession only
  std::string boot_id;  ///< kSession only: the machine's boot ID, "" when unknown
};

/// The payload bytes of `record` (no framing).
std::string EncodeRecord(const JournalRecord& record);

/// Parses a payload written by EncodeRecord. False with a message in `err` for malformed input.
bool DecodeRecord(std::string_view payload, JournalRecord* record, std::string* err);

/// "step", "session", "interrupt", "mark-done", "rerun", "accept-changes", "fetch", "finish",
/// "durable", "arm".
const char* RecordKindName(JournalRecord::Kind kind);

}  // namespace asmplan
