// The checkpoint journal: an append-only file of framed, checksummed records, bound to a compiled
// plan's SHA-256. Layout:
//
//   asmplan journal v2 plan <64 hex>\n              header, created atomically (temp + rename)
//   [u32 length LE][u32 CRC-32 LE][payload] ...     one frame per JournalRecord
//
// Each write of a batch of frames starts with a `durable` record (when the synced part grew since
// the last one): every byte before its offset had been synced when the batch was written. A kill
// -9 or power loss can tear only what was not synced: a part of the last writes, zeros where they
// were to be, or (a power loss) some of them without the ones before. So a bad frame at or after
// the largest `durable` offset in the file is the torn tail: ignored on load with everything after
// it, and cut off before appending, its bytes kept in TornTailPath(). A bad frame before it was
// synced and then damaged: corruption, refused. (A v1 journal has no `durable` records: a bad frame
// with a sound one anywhere after it is refused.) Damage to the very last synced batch cannot be
// told from a tear without another sync; its bytes are kept. A record's message or text is
// journaled up to 64 KiB (a note says how much more there was), and no frame is longer than 1 MiB.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "runtime/journal_record.h"

namespace asmplan {

/// What a journal says, replayed.
struct Checkpoint {
  std::string plan_sha256;  ///< the plan the run is bound to (the header's, or the last accepted)
  std::unordered_map<std::string, StepRecord> steps;  ///< the last record of each step
  std::vector<JournalRecord> history;  ///< every record that is not a kStep record, in order
  size_t records = 0;                  ///< complete, valid records (`durable` marks not counted)
  size_t valid_bytes = 0;              ///< header + valid frames: where appending continues
  bool torn_tail = false;              ///< bytes after the last valid frame were ignored
  int version = 0;                     ///< the header's format version
  uint64_t durable_mark = 0;           ///< the largest `durable` record: bytes known synced
  std::string boot_id;                 ///< of the last session ("" when unknown)
  /// Steps armed (JournalRecord::kArm) with no record of theirs since: step -> the boot ID of the
  /// session that armed it. `arm` records are not in `history`.
  std::unordered_map<std::string, std::string> armed;
};

/// Replays journal bytes. `path` only names the file in messages. False with a message for a bad
/// header, an unsupported version, or a corrupt record that has records after it.
bool ParseJournal(std::string_view bytes, const std::string& path, Checkpoint* checkpoint,
                  std::string* err);

/// Settles the steps still armed in `checkpoint` against this machine's `boot_id`: armed on this
/// boot, a step's `running` record would be in the file had it started (a killed process loses
/// nothing the kernel has), so it has not; armed on another boot (or either is unknown), or when
/// the journal ends in a torn tail (a failed disk write may have dropped what was written), its
/// start may have been lost, so its record becomes `running` (settled on resume as a step cut off
/// while running). Returns those steps, sorted; `armed` is empty after.
std::vector<std::string> ResolveArms(Checkpoint* checkpoint, const std::string& boot_id);

/// Reads and replays the journal at `path`.
bool LoadJournal(const std::string& path, Checkpoint* checkpoint, std::string* err);

/// Appends records. Append() and Write() are for one thread at a time (the executor's turns, which
/// its lock serializes); SyncThrough() and SyncLater() may be called from any thread, so the
/// fdatasync() before a command runs can be made on the worker that runs it while other turns go
/// on, or on the writer's own thread while nothing waits for it.
class JournalWriter {
 public:
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  /// Creates a new journal holding only the header for `plan_sha256`; fails if `path` exists.
  static std::unique_ptr<JournalWriter> Create(const std::string& path,
                                               const std::string& plan_sha256, std::string* err);
  /// Opens an existing journal for appending, first cutting it to `valid_bytes` (from LoadJournal)
  /// so that a torn last frame never ends up in the middle.
  static std::unique_ptr<JournalWriter> OpenForAppend(const std::string& path, size_t valid_bytes,
                                                      std::string* err);

  /// Buffers one record; nothing reaches the file before Write() or Sync().
  void Append(const JournalRecord& record);
  /// Writes every buffered record with one write(), not yet durable. Returns the mark to pass to
  /// SyncThrough(), or 0 (with `err`) when the write failed.
  uint64_t Write(std::string* err);
  /// Makes everything written up to `mark` durable with one fdatasync(), unless a call on another
  /// thread already did. Calls are serialized, so waiting ones share the next fdatasync. After a
  /// failure every later call fails too: the kernel may have dropped the unwritten pages, and a
  /// retried fdatasync could report success for data that is gone.
  bool SyncThrough(uint64_t mark, std::string* err);
  /// Returns at once; the writer's own thread (started on the first call) then makes everything
  /// written up to `mark` durable as SyncThrough() does, after a pause of a few milliseconds:
  /// calls made meanwhile, or while it syncs, share its next fdatasync. DurableThrough() or
  /// SyncThrough() tell when it is done; a failure makes them fail. (If the thread cannot be
  /// started, it syncs before it returns.)
  void SyncLater(uint64_t mark);
  /// Write() and SyncThrough() its mark. Without buffered or unsynced records, no fdatasync.
  bool Sync(std::string* err);
  /// Whether the file is known synced through `mark` and no write or sync has failed. Does not
  /// wait for a sync under way.
  bool DurableThrough(uint64_t mark) const { return !broken_.load() && synced_.load() >= mark; }
  /// Number of fdatasync() calls made (the count of durable writes).
  size_t syncs() const;
  /// Replaces fdatasync(2) (tests hold a sync back, or fail it); waits for a sync under way.
  void set_fdatasync_for_test(std::function<int(int)> call);
  /// Replaces SyncLater()'s pause before each fdatasync (5 ms).
  void set_later_pause_for_test(std::chrono::milliseconds pause);
  /// Where OpenForAppend() kept the torn tail it cut off, or "".
  const std::string& kept_tail() const { return kept_tail_; }

 private:
  JournalWriter(int fd, std::string path, uint64_t size)
      : fd_(fd), path_(std::move(path)), written_(size), durable_(size) {}
  bool Broken(const std::string& what, std::string* err);  // sync_mu_ held: first error; false
  bool SyncWritten();  // sync_mu_ held: one fdatasync; on success all written is durable
  void SyncLoop();     // the SyncLater() thread
  int fd_;
  std::string path_;
  std::string buffer_;
  std::atomic<uint64_t> written_;    ///< bytes in the file (the writing thread updates it)
  std::atomic<uint64_t> synced_{0};  ///< bytes known synced, for `durable` records
  uint64_t marked_ = 0;              ///< the last `durable` record written (writing thread)
  std::atomic<bool> broken_{false};  ///< error_ is set (read without the lock by Write())
  mutable std::mutex sync_mu_;       ///< guards what follows
  uint64_t durable_;                 ///< bytes known durable
  std::string error_;                ///< the first write or sync error; sticky
  size_t syncs_ = 0;
  std::string kept_tail_;
  std::function<int(int)> fdatasync_;  ///< ::fdatasync when empty
  std::mutex later_mu_;                ///< guards what follows
  std::condition_variable later_cv_;
  uint64_t later_ = 0;                        ///< the largest mark SyncLater() was given
  uint64_t later_done_ = 0;                   ///< the largest mark SyncLoop() synced
  std::chrono::milliseconds later_pause_{5};  ///< SyncLoop() waits this long before each sync
  bool stop_ = false;                         ///< the destructor ends the thread
  std::thread syncer_;
};

/// Where OpenForAppend() keeps the torn tail it cuts off `journal` at `valid_bytes`: the bytes are
/// evidence (a damaged last record looks like a torn one) and are never thrown away.
std::string TornTailPath(const std::string& journal, size_t valid_bytes);

/// Copies the bytes of `path` after `valid_bytes` to TornTailPath() (with ".2", ".3", ... when one
/// is there already), durably; `*kept` names the file ("" when there were no such bytes).
bool KeepTornTail(const std::string& path, size_t valid_bytes, std::string* kept, std::string* err);

/// The header line for `plan_sha256`, newline included.
std::string JournalHeader(const std::string& plan_sha256);

}  // namespace asmplan
