#include "runtime/checkpoint_journal.h"

#include <gmock/gmock.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <thread>

#include "runtime/crc32.h"
#include "runtime/durable_file.h"
#include "tests/support/file_size_limit.h"
#include "tests/support/sync_hold.h"
#include "tests/support/temp_dir.h"

namespace asmplan {
namespace {

using ::testing::HasSubstr;

JournalRecord StepRec(const std::string& id, StepState state, int attempts,
                      const std::string& message = "") {
  JournalRecord r;
  r.kind = JournalRecord::Kind::kStep;
  r.wall_ms = 1000 + attempts;
  r.step = id;
  r.record.state = state;
  r.record.attempts = attempts;
  r.record.started_ms = 5;
  r.record.exit_code = state == StepState::kFailed ? 3 : 0;
  r.record.log_path = "logs/" + id + ".log";
  r.record.message = message;
  return r;
}

std::string WriteSample(const TempDir& dir) {
  std::string path = dir / "journal";
  std::string err;
  auto w = JournalWriter::Create(path, "abc123", &err);
  EXPECT_TRUE(w) << err;
  JournalRecord session;
  session.kind = JournalRecord::Kind::kSession;
  session.text = "run";
  session.number = 42;
  session.host = "h1";
  w->Append(session);
  w->Append(StepRec("a", StepState::kRunning, 1));
  EXPECT_TRUE(w->Sync(&err)) << err;
  w->Append(StepRec("a", StepState::kSucceeded, 1, "tab\there\nnew \\ line"));
  w->Append(StepRec("b[x]", StepState::kRunning, 1));
  w->Append(StepRec("b[x]", StepState::kFailed, 1, "exit 3"));
  EXPECT_TRUE(w->Sync(&err)) << err;
  EXPECT_EQ(w->syncs(), 2u);
  return path;
}

TEST(Crc32Test, KnownVector) { EXPECT_EQ(Crc32("123456789", 9), 0xCBF43926u); }

TEST(CheckpointJournalTest, RoundTripsRecords) {
  TempDir dir;
  std::string path = WriteSample(dir);
  Checkpoint cp;
  std::string err;
  ASSERT_TRUE(LoadJournal(path, &cp, &err)) << err;
  EXPECT_EQ(cp.plan_sha256, "abc123");
  EXPECT_EQ(cp.records, 5u);
  EXPECT_FALSE(cp.torn_tail);
  ASSERT_EQ(cp.steps.size(), 2u);
  EXPECT_EQ(cp.steps["a"], StepRec("a", StepState::kSucceeded, 1, "tab\there\nnew \\ line").record);
  EXPECT_EQ(cp.steps["b[x]"].state, StepState::kFailed);
  EXPECT_EQ(cp.steps["b[x]"].exit_code, 3);
  ASSERT_EQ(cp.history.size(), 1u);
  EXPECT_EQ(cp.history[0].host, "h1");
  EXPECT_EQ(cp.history[0].number, 42);
}

TEST(CheckpointJournalTest, EveryTruncationLoadsAPrefix) {
  TempDir dir;
  std::string bytes, err;
  ASSERT_TRUE(ReadWholeFile(WriteSample(dir), &bytes, &err));
  size_t header = JournalHeader("abc123").size();
  size_t last_records = 0;
  for (size_t len = header; len <= bytes.size(); ++len) {
    Checkpoint cp;
    ASSERT_TRUE(ParseJournal(std::string_view(bytes).substr(0, len), "j", &cp, &err))
        << "length " << len << ": " << err;
    EXPECT_GE(cp.records, last_records) << "length " << len;
    EXPECT_LE(cp.valid_bytes, len);
    EXPECT_EQ(cp.torn_tail, cp.valid_bytes != len);
    last_records = cp.records;
  }
  EXPECT_EQ(last_records, 5u);
  // Shorter than the header: refused with a message, never a crash.
  for (size_t len = 0; len < header; ++len) {
    Checkpoint cp;
    EXPECT_FALSE(ParseJournal(std::string_view(bytes).substr(0, len), "j", &cp, &err));
  }
}

TEST(CheckpointJournalTest, CorruptLastRecordIsATornTail) {
  TempDir dir;
  std::string bytes, err;
  ASSERT_TRUE(ReadWholeFile(WriteSample(dir), &bytes, &err));
  bytes[bytes.size() - 2] ^= 0x20;
  Checkpoint cp;
  ASSERT_TRUE(ParseJournal(bytes, "j", &cp, &err)) << err;
  EXPECT_EQ(cp.records, 4u);
  EXPECT_TRUE(cp.torn_tail);
  EXPECT_EQ(cp.steps["b[x]"].state, StepState::kRunning);
}

TEST(CheckpointJournalTest, CorruptMiddleRecordIsRefused) {
  TempDir dir;
  std::string bytes, err;
  ASSERT_TRUE(ReadWholeFile(WriteSample(dir), &bytes, &err));
  size_t header = JournalHeader("abc123").size();
  bytes[header + 8 + 2] ^= 0x01;  // inside the first record's payload
  Checkpoint cp;
  ASSERT_FALSE(ParseJournal(bytes, "state/journal", &cp, &err));
  EXPECT_EQ(err,
            "state/journal: checkpoint journal is corrupt at byte " + std::to_string(header) +
                " (record 1): checksum mismatch; valid records follow it, so this is not a torn "
                "write from a crash; move the state directory aside and start a new run, or "
                "restore it from a backup");
}

// A flipped bit in a length makes a frame run past the end (or past its neighbours): sound frames
// follow it, so it is corruption, not a torn tail that would hide every later record.
TEST(CheckpointJournalTest, AFlippedLengthBitInTheMiddleIsRefused) {
  TempDir dir;
  std::string bytes, err;
  ASSERT_TRUE(ReadWholeFile(WriteSample(dir), &bytes, &err));
  size_t header = JournalHeader("abc123").size();
  for (size_t byte = 0; byte < 4; ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = bytes;
      bad[header + byte] ^= static_cast<char>(1 << bit);
      Checkpoint cp;
      EXPECT_FALSE(ParseJournal(bad, "j", &cp, &err)) << "byte " << byte << " bit " << bit;
      EXPECT_THAT(err,
                  HasSubstr("checkpoint journal is corrupt at byte " + std::to_string(header)));
    }
  }
}

// An append cut short can leave zeros where its frames were to be (a file system that grew the
// file before the data reached the disk): a torn tail, the records before it kept.
TEST(CheckpointJournalTest, AZeroFilledTailIsTorn) {
  TempDir dir;
  std::string bytes, err;
  ASSERT_TRUE(ReadWholeFile(WriteSample(dir), &bytes, &err));
  for (size_t zeros : {1, 7, 8, 12, 4096}) {
    Checkpoint cp;
    ASSERT_TRUE(ParseJournal(bytes + std::string(zeros, '\0'), "j", &cp, &err)) << zeros << err;
    EXPECT_EQ(cp.records, 5u);
    EXPECT_TRUE(cp.torn_tail);
    EXPECT_EQ(cp.valid_bytes, bytes.size());
  }
}

// A record's message is journaled up to 64 KiB, cut at a character boundary with a note (the
// rest is in the step's log), so no frame is longer than 1 MiB; a length above that is damage.
TEST(CheckpointJournalTest, LongMessagesAreCutAndLongFramesAreDamage) {
  TempDir dir;
  std::string path = dir / "journal", err;
  auto w = JournalWriter::Create(path, "abc123", &err);
  ASSERT_TRUE(w) << err;
  std::string message = "\xc3\xa9" + std::string(200'000, 'x');  // é, then 200k bytes
  message[65535] = '\xc3';
  message[65536] = '\xa9';  // an é across the 64 KiB boundary
  w->Append(StepRec("a", StepState::kFailed, 1, message));
  JournalRecord mark;
  mark.kind = JournalRecord::Kind::kMarkDone;
  mark.step = "a";
  mark.text = std::string(3'000'000, 'r');
  w->Append(mark);
  ASSERT_TRUE(w->Sync(&err)) << err;
  Checkpoint cp;
  ASSERT_TRUE(LoadJournal(path, &cp, &err)) << err;
  const std::string& kept = cp.steps["a"].message;
  EXPECT_EQ(kept.substr(0, 65535), message.substr(0, 65535));
  EXPECT_EQ(kept.substr(65535), "\n[asmplan: 134467 more bytes not journaled]");
  ASSERT_EQ(cp.history.size(), 1u);
  EXPECT_EQ(cp.history[0].text,
            std::string(65536, 'r') + "\n[asmplan: 2934464 more bytes not journaled]");
  // A frame longer than 1 MiB is not one asmplan wrote: damage, even with a matching checksum.
  std::string payload = EncodeRecord(mark);
  std::string frame;
  for (std::uint32_t v :
       {static_cast<std::uint32_t>(payload.size()), Crc32(payload.data(), payload.size())}) {
    for (int i = 0; i < 4; ++i) frame.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
  ASSERT_TRUE(ParseJournal(JournalHeader("abc123") + frame + payload, "j", &cp, &err)) << err;
  EXPECT_EQ(cp.records, 0u);
  EXPECT_TRUE(cp.torn_tail);
}

size_t FrameSize(const JournalRecord& r) { return 8 + EncodeRecord(r).size(); }

JournalRecord DurableMark(uint64_t at) {
  JournalRecord r;
  r.kind = JournalRecord::Kind::kDurable;
  r.number = static_cast<long long>(at);
  return r;
}

// A power loss can leave the last unsynced writes on disk in any order: a later frame there, an
// earlier one not (zeros). Every batch starts with a `durable` record (what was synced when it was
// written), so a bad frame after that mark is the torn tail, cut there with what follows it.
TEST(CheckpointJournalTest, UnsyncedFramesLostOutOfOrderAreATornTail) {
  TempDir dir;
  std::string path = dir / "journal", err;
  auto w = JournalWriter::Create(path, "abc", &err);
  ASSERT_TRUE(w) << err;
  w->Append(StepRec("a", StepState::kSucceeded, 1));
  ASSERT_TRUE(w->Sync(&err)) << err;
  std::string synced;
  ASSERT_TRUE(ReadWholeFile(path, &synced, &err)) << err;
  JournalRecord b = StepRec("b", StepState::kRunning, 1), c = StepRec("c", StepState::kRunning, 1);
  w->Append(b);
  w->Append(c);
  ASSERT_GT(w->Write(&err), 0u) << err;  // not synced: the power goes
  std::string bytes;
  ASSERT_TRUE(ReadWholeFile(path, &bytes, &err)) << err;
  size_t b_at = synced.size() + FrameSize(DurableMark(synced.size()));
  ASSERT_EQ(bytes.size(), b_at + FrameSize(b) + FrameSize(c));
  std::string lost = bytes;
  std::fill(lost.begin() + static_cast<long>(b_at),
            lost.begin() + static_cast<long>(b_at + FrameSize(b)), '\0');
  Checkpoint cp;
  ASSERT_TRUE(ParseJournal(lost, "j", &cp, &err)) << err;
  EXPECT_TRUE(cp.torn_tail);
  EXPECT_EQ(cp.valid_bytes, b_at);
  EXPECT_EQ(cp.records, 1u);
  EXPECT_EQ(cp.steps.count("c"), 0u);  // never durable: dropped with the torn frame before it
  // The same damage to a frame a later batch says was synced is corruption, and refused.
  w->Append(StepRec("d", StepState::kRunning, 1));
  ASSERT_TRUE(w->Sync(&err)) << err;
  w->Append(StepRec("e", StepState::kRunning, 1));
  ASSERT_TRUE(w->Sync(&err)) << err;
  ASSERT_TRUE(ReadWholeFile(path, &bytes, &err)) << err;
  std::fill(bytes.begin() + static_cast<long>(b_at),
            bytes.begin() + static_cast<long>(b_at + FrameSize(b)), '\0');
  EXPECT_FALSE(ParseJournal(bytes, "j", &cp, &err));
  EXPECT_THAT(err, HasSubstr("checkpoint journal is corrupt at byte " + std::to_string(b_at)));
}

// A v1 journal (no `durable` records) keeps its rules: a bad frame with a sound one after it is
// refused, and a record of any length is read (its writer did not cut long messages).
TEST(CheckpointJournalTest, AVersionOneJournalRefusesABadFrameBeforeASoundOne) {
  std::string bytes = "asmplan journal v1 plan abc\n";
  for (const char* id : {"a", "b", "big"}) {
    std::string message = std::string(id) == "big" ? std::string(2 << 20, 'm') : "";
    std::string payload = EncodeRecord(StepRec(id, StepState::kFailed, 1, message));
    for (std::uint32_t v :
         {static_cast<std::uint32_t>(payload.size()), Crc32(payload.data(), payload.size())}) {
      for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
    }
    bytes += payload;
  }
  Checkpoint cp;
  std::string err;
  ASSERT_TRUE(ParseJournal(bytes, "j", &cp, &err)) << err;
  EXPECT_EQ(cp.version, 1);
  EXPECT_EQ(cp.records, 3u);
  EXPECT_FALSE(cp.torn_tail);
  EXPECT_EQ(cp.steps["big"].message.size(), 2u << 20);
  bytes[std::string("asmplan journal v1 plan abc\n").size() + 9] ^= 0x01;
  EXPECT_FALSE(ParseJournal(bytes, "j", &cp, &err));
  EXPECT_THAT(err, HasSubstr("checkpoint journal is corrupt at byte 28"));
}

TEST(CheckpointJournalTest, RejectsForeignFileAndNewerVersion) {
  Checkpoint cp;
  std::string err;
  EXPECT_FALSE(ParseJournal("hello\n", "j", &cp, &err));
  EXPECT_EQ(err,
            "j: not an asmplan checkpoint journal (bad header); if the state directory's journal "
            "was damaged, move the directory aside and start a new run");
  // Emptied (truncate -s 0): said so, with the same way forward.
  EXPECT_FALSE(ParseJournal("", "j", &cp, &err));
  EXPECT_THAT(err, HasSubstr("j: not an asmplan checkpoint journal (empty); if the state"));
  EXPECT_FALSE(ParseJournal("asmplan journal v9 plan x\n", "j", &cp, &err));
  EXPECT_EQ(err, "j: journal format v9 is not supported (this asmplan reads v1 to v3)");
}

TEST(CheckpointJournalTest, AppendAfterTornTailCutsItOff) {
  TempDir dir;
  std::string path = WriteSample(dir);
  std::string bytes, err;
  ASSERT_TRUE(ReadWholeFile(path, &bytes, &err));
  ASSERT_TRUE(WriteFileAtomic(path, bytes.substr(0, bytes.size() - 3), &err)) << err;
  Checkpoint cp;
  ASSERT_TRUE(LoadJournal(path, &cp, &err)) << err;
  ASSERT_TRUE(cp.torn_tail);
  auto w = JournalWriter::OpenForAppend(path, cp.valid_bytes, &err);
  ASSERT_TRUE(w) << err;
  // The cut bytes are kept, not thrown away: a damaged last record looks like a torn one.
  std::string kept;
  EXPECT_EQ(w->kept_tail(), TornTailPath(path, cp.valid_bytes));
  ASSERT_TRUE(ReadWholeFile(TornTailPath(path, cp.valid_bytes), &kept, &err)) << err;
  EXPECT_EQ(kept, bytes.substr(cp.valid_bytes, bytes.size() - 3 - cp.valid_bytes));
  {
    // Torn again at the same byte (a power loss before the first resume synced): the first tail
    // is kept as it was, the second beside it.
    std::string again = bytes.substr(0, cp.valid_bytes) + "xyz";
    std::string other_path = dir / "journal2";
    ASSERT_TRUE(WriteFileAtomic(other_path, again, &err)) << err;
    ASSERT_TRUE(WriteFileAtomic(TornTailPath(other_path, cp.valid_bytes), "first", &err)) << err;
    auto w2 = JournalWriter::OpenForAppend(other_path, cp.valid_bytes, &err);
    ASSERT_TRUE(w2) << err;
    EXPECT_EQ(w2->kept_tail(), TornTailPath(other_path, cp.valid_bytes) + ".2");
    std::string first, second;
    ASSERT_TRUE(ReadWholeFile(TornTailPath(other_path, cp.valid_bytes), &first, &err)) << err;
    ASSERT_TRUE(ReadWholeFile(w2->kept_tail(), &second, &err)) << err;
    EXPECT_EQ(first, "first");
    EXPECT_EQ(second, "xyz");
  }
  w->Append(StepRec("c", StepState::kSkipped, 0));
  ASSERT_TRUE(w->Sync(&err)) << err;
  ASSERT_TRUE(LoadJournal(path, &cp, &err)) << err;
  EXPECT_FALSE(cp.torn_tail);
  EXPECT_EQ(cp.records, 5u);
  EXPECT_EQ(cp.steps["c"].state, StepState::kSkipped);
  EXPECT_EQ(cp.steps["b[x]"].state, StepState::kRunning);
}

// The executor writes a turn's records on its thread; the worker that starts a command makes them
// durable. One fdatasync covers every mark written before it; nothing written, nothing synced.
TEST(CheckpointJournalTest, SyncThroughSharesOneFdatasyncAmongEarlierMarks) {
  TempDir dir;
  std::string err;
  auto w = JournalWriter::Create(dir / "journal", "abc", &err);
  ASSERT_TRUE(w) << err;
  w->Append(StepRec("a", StepState::kRunning, 1));
  uint64_t first = w->Write(&err);
  w->Append(StepRec("b", StepState::kRunning, 1));
  uint64_t second = w->Write(&err);
  ASSERT_GT(second, first);
  EXPECT_EQ(w->syncs(), 0u);
  EXPECT_TRUE(w->SyncThrough(second, &err)) << err;
  EXPECT_TRUE(w->SyncThrough(first, &err)) << err;
  EXPECT_TRUE(w->Sync(&err)) << err;
  EXPECT_EQ(w->syncs(), 1u);
  Checkpoint cp;
  ASSERT_TRUE(LoadJournal(dir / "journal", &cp, &err)) << err;
  EXPECT_EQ(cp.records, 2u);
}

// Waits up to 5 s for DurableThrough(mark).
bool BecomesDurable(const JournalWriter& w, uint64_t mark) {
  for (int i = 0; i < 5000 && !w.DurableThrough(mark); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return w.DurableThrough(mark);
}

// SyncLater() returns at once; the writer's thread makes the mark durable. Marks given while it
// syncs share its next fdatasync.
TEST(CheckpointJournalTest, SyncLaterSyncsOnTheWritersThread) {
  TempDir dir;
  std::string err;
  auto w = JournalWriter::Create(dir / "journal", "abc", &err);
  ASSERT_TRUE(w) << err;
  SyncHold hold(*w);
  hold.Hold();
  w->Append(StepRec("a", StepState::kRunning, 1));
  uint64_t first = w->Write(&err);
  w->SyncLater(first);
  ASSERT_TRUE(hold.Wait());
  EXPECT_FALSE(w->DurableThrough(first));
  w->Append(StepRec("b", StepState::kRunning, 1));
  uint64_t second = w->Write(&err);
  w->SyncLater(second);
  w->Append(StepRec("c", StepState::kRunning, 1));
  uint64_t third = w->Write(&err);
  w->SyncLater(third);
  w->SyncLater(first);  // durable with the others
  hold.Release();
  EXPECT_TRUE(BecomesDurable(*w, third));
  EXPECT_EQ(w->syncs(), 2u);
  Checkpoint cp;
  ASSERT_TRUE(LoadJournal(dir / "journal", &cp, &err)) << err;
  EXPECT_EQ(cp.records, 3u);
}

// Marks given within the thread's pause before it syncs share one fdatasync: short steps one
// after the other do not each cost one.
TEST(CheckpointJournalTest, SyncLaterMarksGivenDuringItsPauseShareOneSync) {
  TempDir dir;
  std::string err;
  auto w = JournalWriter::Create(dir / "journal", "abc", &err);
  ASSERT_TRUE(w) << err;
  w->set_later_pause_for_test(std::chrono::seconds(2));
  w->Append(StepRec("a", StepState::kRunning, 1));
  uint64_t first = w->Write(&err);
  w->SyncLater(first);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // a sync with no pause is done
  EXPECT_FALSE(w->DurableThrough(first));
  w->Append(StepRec("b", StepState::kRunning, 1));
  uint64_t second = w->Write(&err);
  w->SyncLater(second);
  EXPECT_TRUE(BecomesDurable(*w, second));
  EXPECT_EQ(w->syncs(), 1u);
}

// A sync on the writer's thread that fails is not retried, and breaks the writer as any other.
TEST(CheckpointJournalTest, AFailedSyncLaterBreaksTheWriter) {
  TempDir dir;
  std::string err;
  auto w = JournalWriter::Create(dir / "journal", "abc", &err);
  ASSERT_TRUE(w) << err;
  std::atomic<int> calls{0};
  w->set_fdatasync_for_test([&calls](int) {
    ++calls;
    errno = EIO;
    return -1;
  });
  w->Append(StepRec("a", StepState::kRunning, 1));
  uint64_t mark = w->Write(&err);
  w->SyncLater(mark);
  for (int i = 0; i < 5000 && calls.load() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_FALSE(w->SyncThrough(mark, &err));
  EXPECT_EQ(err, "cannot sync journal " + dir / "journal" + ": Input/output error");
  EXPECT_FALSE(w->DurableThrough(mark));
  w->SyncLater(mark + 1);
  w->Append(StepRec("b", StepState::kRunning, 1));
  EXPECT_EQ(w->Write(&err), 0u);
  EXPECT_EQ(calls.load(), 1);
}

// After a failed write nothing is reported durable again, even once writing would work.
TEST(CheckpointJournalTest, AWriteErrorIsSticky) {
  TempDir dir;
  std::string path = dir / "journal", err;
  auto w = JournalWriter::Create(path, "abc", &err);
  ASSERT_TRUE(w) << err;
  uint64_t mark = w->Write(&err);
  {
    FileSizeLimit full(mark);
    w->Append(StepRec("a", StepState::kRunning, 1));
    EXPECT_EQ(w->Write(&err), 0u);
  }
  std::string expected = "cannot append to journal " + path + ": File too large";
  EXPECT_EQ(err, expected);
  err.clear();
  EXPECT_FALSE(w->SyncThrough(mark, &err));
  EXPECT_EQ(err, expected);
  w->Append(StepRec("b", StepState::kRunning, 1));
  EXPECT_FALSE(w->Sync(&err));
  EXPECT_EQ(err, expected);
}

// A write that fails first makes durable what earlier writes put in the file, then breaks the
// writer: a run's last turn leaves its records to the finish record's fdatasync, and that
// record's write may be the one that fails (a full disk).
TEST(CheckpointJournalTest, AFailedWriteSyncsWhatWasWrittenBefore) {
  TempDir dir;
  std::string path = dir / "journal", err;
  auto w = JournalWriter::Create(path, "abc", &err);
  ASSERT_TRUE(w) << err;
  w->Append(StepRec("a", StepState::kSucceeded, 1));
  uint64_t mark = w->Write(&err);
  ASSERT_NE(mark, 0u) << err;
  EXPECT_EQ(w->syncs(), 0u);
  {
    FileSizeLimit full(mark);
    w->Append(JournalRecord{});  // the finish record, say
    EXPECT_EQ(w->Write(&err), 0u);
  }
  EXPECT_EQ(w->syncs(), 1u);  // a's record
  EXPECT_EQ(err, "cannot append to journal " + path + ": File too large");
  // Nothing left unsynced: a second failure makes no fdatasync.
  w->Append(StepRec("b", StepState::kRunning, 1));
  EXPECT_EQ(w->Write(&err), 0u);
  EXPECT_EQ(w->syncs(), 1u);
}

TEST(CheckpointJournalTest, CreateRefusesAnExistingJournal) {
  TempDir dir;
  std::string path = WriteSample(dir);
  std::string err;
  EXPECT_FALSE(JournalWriter::Create(path, "abc123", &err));
  EXPECT_EQ(err, "cannot create journal " + path + ": it exists already");
}

JournalRecord Session(const std::string& boot_id) {
  JournalRecord r;
  r.kind = JournalRecord::Kind::kSession;
  r.text = "resume";
  r.number = 7;
  r.host = "h1";
  r.boot_id = boot_id;
  return r;
}

JournalRecord Arm(const std::string& step) {
  JournalRecord r;
  r.kind = JournalRecord::Kind::kArm;
  r.wall_ms = 2000;
  r.step = step;
  return r;
}

/// The checkpoint of `records` appended to a fresh v3 journal.
Checkpoint Replay(const TempDir& dir, const std::vector<JournalRecord>& records) {
  std::string path = dir / "arms", err;
  ::unlink(path.c_str());
  auto w = JournalWriter::Create(path, "abc123", &err);
  EXPECT_TRUE(w) << err;
  for (const JournalRecord& r : records) w->Append(r);
  EXPECT_TRUE(w->Sync(&err)) << err;
  Checkpoint cp;
  EXPECT_TRUE(LoadJournal(path, &cp, &err)) << err;
  return cp;
}

TEST(CheckpointJournalTest, SessionBootIdAndArmRecordsRoundTrip) {
  JournalRecord back;
  std::string err;
  ASSERT_TRUE(DecodeRecord(EncodeRecord(Session("b-1")), &back, &err)) << err;
  EXPECT_EQ(back.boot_id, "b-1");
  EXPECT_EQ(back.host, "h1");
  ASSERT_TRUE(DecodeRecord(EncodeRecord(Arm("restart[ns]")), &back, &err)) << err;
  EXPECT_EQ(back.kind, JournalRecord::Kind::kArm);
  EXPECT_EQ(back.step, "restart[ns]");
  // A v2 session record has no boot ID field: it still reads, as an unknown boot.
  ASSERT_TRUE(DecodeRecord("session\t5\trun\t42\th1", &back, &err)) << err;
  EXPECT_EQ(back.boot_id, "");
  EXPECT_FALSE(DecodeRecord("session\t5\trun\t42\th1\tb\tx", &back, &err));
}

TEST(CheckpointJournalTest, AnArmedStepNeverStartedOnThisBootStaysAsItWas) {
  TempDir dir;
  Checkpoint cp = Replay(dir, {Session("boot-1"), StepRec("a", StepState::kRunning, 1), Arm("b"),
                               StepRec("a", StepState::kSucceeded, 1), Arm("c"),
                               StepRec("c", StepState::kRunning, 1)});
  EXPECT_EQ(cp.armed.size(), 1u);  // c's running record settles its arm
  EXPECT_TRUE(ResolveArms(&cp, "boot-1").empty());
  EXPECT_TRUE(cp.armed.empty());
  EXPECT_EQ(cp.steps.count("b"), 0u);  // pending: it runs, and nobody is asked
  EXPECT_EQ(cp.steps["c"].state, StepState::kRunning);
}

TEST(CheckpointJournalTest, AnArmedStepMayHaveStartedBeforeTheMachineRestarted) {
  TempDir dir;
  StepRecord failed = StepRec("b", StepState::kFailed, 2).record;
  for (const std::string& now : {std::string("boot-2"), std::string("")}) {
    Checkpoint cp =
        Replay(dir, {Session("boot-1"), StepRec("b", StepState::kFailed, 2), Arm("b"), Arm("c")});
    EXPECT_EQ(ResolveArms(&cp, now), (std::vector<std::string>{"b", "c"})) << now;
    EXPECT_EQ(cp.steps["b"].state, StepState::kRunning);
    EXPECT_EQ(cp.steps["b"].exit_code, -1);  // its commands not known done
    EXPECT_EQ(cp.steps["b"].attempts, failed.attempts + 1);
    EXPECT_EQ(cp.steps["b"].log_path, failed.log_path);
    EXPECT_THAT(cp.steps["c"].message, HasSubstr("about to start when the run stopped"));
    EXPECT_EQ(cp.steps["c"].attempts, 1);
  }
  // Nor is a boot ID the last session did not know taken for this one.
  Checkpoint cp = Replay(dir, {Session(""), Arm("b")});
  EXPECT_EQ(ResolveArms(&cp, ""), std::vector<std::string>{"b"});
}

// On the boot that armed it too, when the journal ends in a torn tail: a write the disk failed may
// have been dropped by the kernel, a started step's `running` record with it.
TEST(CheckpointJournalTest, AnArmedStepMayHaveStartedWhenTheJournalIsTorn) {
  TempDir dir;
  Checkpoint cp = Replay(dir, {Session("boot-1"), Arm("b"), StepRec("b", StepState::kRunning, 1)});
  std::string bytes, err;
  ASSERT_TRUE(ReadWholeFile(dir / "arms", &bytes, &err)) << err;
  bytes.resize(bytes.size() - 3);  // b's running record, torn
  ASSERT_TRUE(ParseJournal(bytes, "j", &cp, &err)) << err;
  ASSERT_TRUE(cp.torn_tail);
  EXPECT_EQ(ResolveArms(&cp, "boot-1"), std::vector<std::string>{"b"});
  EXPECT_EQ(cp.steps["b"].state, StepState::kRunning);
}

TEST(CheckpointJournalTest, ALaterSessionOnTheSameBootOrAFinishSettlesTheArms) {
  TempDir dir;
  // The session after it, on the boot that armed them, found them not started: a restart after
  // that does not make them "may have started".
  Checkpoint cp = Replay(dir, {Session("boot-1"), Arm("b"), Session("boot-1")});
  EXPECT_TRUE(ResolveArms(&cp, "boot-2").empty());
  // A session on another boot does not settle them: it journals them as running when it resumes
  // (ResumeRun), and until then they stay armed.
  cp = Replay(dir, {Session("boot-1"), Arm("b"), Session("boot-2")});
  EXPECT_EQ(ResolveArms(&cp, "boot-3"), std::vector<std::string>{"b"});
  // A session that finished wrote and synced every record it had.
  JournalRecord finish;
  finish.kind = JournalRecord::Kind::kFinish;
  finish.text = "failed";
  cp = Replay(dir, {Session("boot-1"), Arm("b"), finish});
  EXPECT_TRUE(ResolveArms(&cp, "boot-2").empty());
  EXPECT_EQ(cp.records, 3u);
  EXPECT_EQ(cp.history.size(), 2u);  // arms are not history
}

TEST(CheckpointJournalTest, AcceptChangesRebindsThePlan) {
  TempDir dir;
  std::string path = WriteSample(dir), err;
  Checkpoint cp;
  ASSERT_TRUE(LoadJournal(path, &cp, &err));
  auto w = JournalWriter::OpenForAppend(path, cp.valid_bytes, &err);
  JournalRecord accept;
  accept.kind = JournalRecord::Kind::kAcceptChanges;
  accept.text = "def456";
  w->Append(accept);
  ASSERT_TRUE(w->Sync(&err));
  ASSERT_TRUE(LoadJournal(path, &cp, &err));
  EXPECT_EQ(cp.plan_sha256, "def456");
}

}  // namespace
}  // namespace asmplan
