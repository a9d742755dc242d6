#include "runtime/checkpoint_journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <system_error>

#include "runtime/crc32.h"
#include "runtime/durable_file.h"

namespace asmplan {
namespace {

constexpr std::string_view kMagic = "asmplan journal v";
/// v2 adds `durable` records (JournalRecord::kDurable); v3 adds `arm` records and the boot ID in
/// `session` records. v1 and v2 journals are still read; resuming a v2 journal adds no `arm`
/// records or boot IDs to it.
constexpr int kVersion = 3;
constexpr size_t kFrameHeader = 8;
/// No record is longer (Append() cuts long texts): a longer length is a damaged frame, and the
/// search for sound frames after a bad one costs at most this much per byte it tries.
constexpr size_t kMaxFrame = 1 << 20;
/// The most of a record's message or text journaled; the rest is in the step's log.
constexpr size_t kMaxText = 64 * 1024;

/// `text` cut to kMaxText bytes at a character boundary, saying how much was left out.
void CutText(std::string* text) {
  if (text->size() <= kMaxText) return;
  size_t cut = kMaxText;
  while (cut > 0 && (static_cast<unsigned char>((*text)[cut]) & 0xC0) == 0x80) --cut;
  std::string note =
      "\n[asmplan: " + std::to_string(text->size() - cut) + " more bytes not journaled]";
  text->resize(cut);
  *text += note;
}

std::uint32_t ReadU32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return u[0] | (u[1] << 8) | (u[2] << 16) | (static_cast<std::uint32_t>(u[3]) << 24);
}

void PutU32(std::string* out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void AppendFrame(std::string* out, const std::string& payload) {
  PutU32(out, static_cast<std::uint32_t>(payload.size()));
  PutU32(out, Crc32(payload.data(), payload.size()));
  *out += payload;
}

// Parses the header line; returns its length including the newline, or 0 with `err` set.
size_t ParseHeader(std::string_view bytes, const std::string& path, Checkpoint* cp,
                   std::string* err) {
  size_t nl = bytes.find('\n');
  std::string_view line = bytes.substr(0, nl);
  if (nl == std::string_view::npos || line.substr(0, kMagic.size()) != kMagic) {
    // asmplan writes the header whole (temp file, then rename): anything else is damage.
    *err = path + ": not an asmplan checkpoint journal (" +
           (bytes.empty() ? std::string("empty") : "bad header") +
           "); if the state directory's journal was damaged, move the directory aside and start "
           "a new run";
    return 0;
  }
  std::string_view rest = line.substr(kMagic.size());
  size_t space = rest.find(' ');
  std::string version(rest.substr(0, space));
  if (version.size() != 1 || version[0] < '1' || version[0] > '0' + kVersion) {
    *err = path + ": journal format v" + version + " is not supported (this asmplan reads v1 to v" +
           std::to_string(kVersion) + ")";
    return 0;
  }
  cp->version = version[0] - '0';
  std::string_view plan = space == std::string_view::npos ? "" : rest.substr(space + 1);
  if (plan.substr(0, 5) != "plan ") {
    *err = path + ": journal header names no plan";
    return 0;
  }
  cp->plan_sha256 = std::string(plan.substr(5));
  return nl + 1;
}

void Apply(JournalRecord&& r, Checkpoint* cp) {
  if (r.kind == JournalRecord::Kind::kStep) {
    if (!cp->armed.empty()) cp->armed.erase(r.step);
    cp->steps[r.step] = std::move(r.record);
    return;
  }
  if (r.kind == JournalRecord::Kind::kDurable) {
    cp->durable_mark = std::max<uint64_t>(cp->durable_mark, static_cast<uint64_t>(r.number));
    return;
  }
  if (r.kind == JournalRecord::Kind::kArm) {
    cp->armed[r.step] = cp->boot_id;
    return;
  }
  if (r.kind == JournalRecord::Kind::kSession) {
    // A session on the same boot found the arms of the one before it whole: each step without its
    // `running` record had not started, and that session's own records say what it did since.
    cp->boot_id = r.boot_id;
    for (auto it = cp->armed.begin(); it != cp->armed.end();) {
      it = !r.boot_id.empty() && it->second == r.boot_id ? cp->armed.erase(it) : std::next(it);
    }
  }
  // A session that finished wrote (and synced) every record it had: its arms did not start.
  if (r.kind == JournalRecord::Kind::kFinish) cp->armed.clear();
  if (r.kind == JournalRecord::Kind::kAcceptChanges) cp->plan_sha256 = r.text;
  cp->history.push_back(std::move(r));
}

/// Whether a whole, sound frame starts at `pos`: its record in `*record`, else why not in `*why`.
/// `max_frame`: kMaxFrame in a v2 journal; a v1 writer did not cut its records.
bool FrameAt(std::string_view bytes, size_t pos, size_t max_frame, JournalRecord* record,
             std::string* why) {
  if (bytes.size() - pos < kFrameHeader) {
    *why = "a frame header cut short";
    return false;
  }
  size_t len = ReadU32(bytes.data() + pos);
  if (len == 0 || len > max_frame || len > bytes.size() - pos - kFrameHeader) {
    *why = len == 0          ? "an empty frame"
           : len > max_frame ? "a frame longer than any record"
                             : "a frame running past the end of the file";
    return false;
  }
  std::string_view payload = bytes.substr(pos + kFrameHeader, len);
  if (Crc32(payload.data(), payload.size()) != ReadU32(bytes.data() + pos + 4)) {
    *why = "checksum mismatch";
    return false;
  }
  return DecodeRecord(payload, record, why);
}

std::string Corrupt(const std::string& path, size_t offset, size_t index, const std::string& why) {
  return path + ": checkpoint journal is corrupt at byte " + std::to_string(offset) + " (record " +
         std::to_string(index + 1) + "): " + why +
         "; valid records follow it, so this is not a torn write from a crash; move the state "
         "directory aside and start a new run, or restore it from a backup";
}

}  // namespace

std::string TornTailPath(const std::string& journal, size_t valid_bytes) {
  return journal + ".torn-" + std::to_string(valid_bytes);
}

bool KeepTornTail(const std::string& path, size_t valid_bytes, std::string* kept,
                  std::string* err) {
  std::string bytes;
  if (!ReadWholeFile(path, &bytes, err)) return false;
  if (bytes.size() <= valid_bytes) return true;
  // Never over an earlier one: a second tear at the same byte (a power loss before the first
  // resume synced) must not destroy the first's evidence.
  *kept = TornTailPath(path, valid_bytes);
  for (int n = 2; ::access(kept->c_str(), F_OK) == 0; ++n) {
    *kept = TornTailPath(path, valid_bytes) + "." + std::to_string(n);
  }
  return WriteFileAtomic(*kept, bytes.substr(valid_bytes), err);
}

std::string JournalHeader(const std::string& plan_sha256) {
  return std::string(kMagic) + std::to_string(kVersion) + " plan " + plan_sha256 + "\n";
}

bool ParseJournal(std::string_view bytes, const std::string& path, Checkpoint* cp,
                  std::string* err) {
  *cp = Checkpoint();
  size_t pos = ParseHeader(bytes, path, cp, err);
  if (pos == 0) return false;
  cp->valid_bytes = pos;
  const size_t max_frame = cp->version >= 2 ? kMaxFrame : SIZE_MAX;
  JournalRecord record;
  std::string why;
  while (pos < bytes.size()) {
    if (!FrameAt(bytes, pos, max_frame, &record, &why)) {
      // An interrupted append leaves a torn tail: a part of its frames, or zeros; after a power
      // loss, also frames of the last unsynced writes that reached the disk while an earlier part
      // did not. A bad frame that a `durable` record (v2) says was synced is not that: it is
      // refused, as is (v1, which has no such records) a bad frame with any sound one after it,
      // e.g. a flipped bit in a length, which would otherwise hide every later record.
      uint64_t durable = cp->durable_mark;
      bool sound_after = false;
      for (size_t next = pos + 1; next + kFrameHeader <= bytes.size(); ++next) {
        JournalRecord later;
        std::string ignored;
        if (!FrameAt(bytes, next, max_frame, &later, &ignored)) continue;
        sound_after = true;
        if (later.kind == JournalRecord::Kind::kDurable)
          durable = std::max<uint64_t>(durable, static_cast<uint64_t>(later.number));
      }
      if (cp->version >= 2 ? durable > pos : sound_after) {
        *err = Corrupt(path, pos, cp->records, why);
        return false;
      }
      break;
    }
    size_t len = ReadU32(bytes.data() + pos);
    if (record.kind != JournalRecord::Kind::kDurable) ++cp->records;  // a mark, not a fact
    Apply(std::move(record), cp);
    pos += kFrameHeader + len;
    cp->valid_bytes = pos;
  }
  cp->torn_tail = cp->valid_bytes != bytes.size();
  return true;
}

std::vector<std::string> ResolveArms(Checkpoint* cp, const std::string& boot_id) {
  std::vector<std::string> maybe;
  // A torn tail on this boot is a kill -9 in the middle of a write, or a write the disk failed
  // (the kernel may then drop what asmplan wrote, a started step's `running` record among it).
  const bool whole = !boot_id.empty() && !cp->torn_tail;
  for (const auto& [step, armed_on] : cp->armed) {
    if (whole && armed_on == boot_id) continue;  // its start would be in the file
    StepRecord& rec = cp->steps[step];
    rec.state = StepState::kRunning;
    rec.exit_code = -1;
    ++rec.attempts;
    rec.message = "it was about to start when the run stopped, and may have";
    maybe.push_back(step);
  }
  cp->armed.clear();
  std::sort(maybe.begin(), maybe.end());
  return maybe;
}

bool LoadJournal(const std::string& path, Checkpoint* cp, std::string* err) {
  std::string bytes;
  return ReadWholeFile(path, &bytes, err) && ParseJournal(bytes, path, cp, err);
}

JournalWriter::~JournalWriter() {
  if (syncer_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(later_mu_);
      stop_ = true;
    }
    later_cv_.notify_all();
    syncer_.join();
  }
  if (fd_ >= 0) ::close(fd_);
}

std::unique_ptr<JournalWriter> JournalWriter::Create(const std::string& path,
                                                     const std::string& plan_sha256,
                                                     std::string* err) {
  if (::access(path.c_str(), F_OK) == 0) {
    *err = "cannot create journal " + path + ": it exists already";
    return nullptr;
  }
  // The header is written atomically, so a journal file is never seen without a whole header.
  if (!WriteFileAtomic(path, JournalHeader(plan_sha256), err)) return nullptr;
  Checkpoint cp;
  if (!LoadJournal(path, &cp, err)) return nullptr;
  std::unique_ptr<JournalWriter> w = OpenForAppend(path, cp.valid_bytes, err);
  if (w) w->synced_.store(cp.valid_bytes);  // WriteFileAtomic synced the header
  return w;
}

std::unique_ptr<JournalWriter> JournalWriter::OpenForAppend(const std::string& path,
                                                            size_t valid_bytes, std::string* err) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  // A torn tail is cut off durably; a journal that ends with its last valid frame (a new one, or
  // most resumes) needs no extra fdatasync. What a killed run wrote but never synced counts as
  // durable here; the first SyncThrough() of this writer (its session record comes first, so
  // every mark is past it) syncs the whole file before anything starts.
  struct stat st;
  bool torn = fd >= 0 && (::fstat(fd, &st) != 0 || st.st_size != static_cast<off_t>(valid_bytes));
  std::string kept;
  if (fd >= 0 && torn && !KeepTornTail(path, valid_bytes, &kept, err)) {
    ::close(fd);
    return nullptr;
  }
  if (fd < 0 ||
      (torn && (::ftruncate(fd, static_cast<off_t>(valid_bytes)) != 0 || ::fdatasync(fd) != 0))) {
    *err = "cannot open journal " + path + " for appending: " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return nullptr;
  }
  auto w = std::unique_ptr<JournalWriter>(new JournalWriter(fd, path, valid_bytes));
  // Cut and synced, the file is durable; else what a killed run left may not be until the first
  // sync (the `durable` records already in the file still count).
  if (torn) w->synced_.store(valid_bytes);
  w->kept_tail_ = kept;
  return w;
}

void JournalWriter::Append(const JournalRecord& record) {
  std::string payload;
  if (record.text.size() > kMaxText || record.record.message.size() > kMaxText) {
    JournalRecord cut = record;
    CutText(&cut.text);
    CutText(&cut.record.message);
    payload = EncodeRecord(cut);
  } else {
    payload = EncodeRecord(record);
  }
  AppendFrame(&buffer_, payload);
}

uint64_t JournalWriter::Write(std::string* err) {
  // Not under sync_mu_: a worker holds it for a whole fdatasync, and this thread must not wait.
  if (broken_.load()) {
    std::lock_guard<std::mutex> lock(sync_mu_);
    return Broken("", err);
  }
  // The batch starts with what is durable now, when that grew: a loader then tells the unsynced
  // end a power loss tore (in any order) from damage to what was synced.
  uint64_t synced = synced_.load();
  if (!buffer_.empty() && synced > marked_) {
    JournalRecord mark;
    mark.kind = JournalRecord::Kind::kDurable;
    mark.number = static_cast<long long>(synced);
    std::string frame;
    AppendFrame(&frame, EncodeRecord(mark));
    buffer_.insert(0, frame);
    marked_ = synced;
  }
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string why = "cannot append to journal " + path_ + ": " + std::strerror(errno);
      std::lock_guard<std::mutex> lock(sync_mu_);
      // What earlier writes put in the file is made durable first, as far as the disk lets it: a
      // run's last turn leaves its records to the finish record's sync, and this may be that
      // record. (A part of this batch written before the error is a torn tail to a loader.)
      if (error_.empty() && durable_ < written_.load()) SyncWritten();
      return Broken(why, err);
    }
    done += static_cast<size_t>(n);
  }
  buffer_.clear();
  return written_ += done;
}

bool JournalWriter::SyncThrough(uint64_t mark, std::string* err) {
  std::lock_guard<std::mutex> lock(sync_mu_);
  if (!error_.empty()) return Broken("", err);
  if (durable_ >= mark) return true;
  // Everything written before this call is covered, also what was written after `mark`.
  if (!SyncWritten())
    return Broken("cannot sync journal " + path_ + ": " + std::strerror(errno), err);
  return true;
}

bool JournalWriter::SyncWritten() {
  uint64_t target = written_.load();
  if ((fdatasync_ ? fdatasync_(fd_) : ::fdatasync(fd_)) != 0) return false;
  ++syncs_;
  durable_ = target;
  synced_.store(target);
  return true;
}

void JournalWriter::SyncLater(uint64_t mark) {
  bool threaded = true;
  bool idle = false;  // the thread waits for a mark (not in its pause, nor syncing)
  {
    std::lock_guard<std::mutex> lock(later_mu_);
    if (mark <= later_) return;
    idle = later_ <= later_done_;
    later_ = mark;
    try {
      if (!syncer_.joinable()) syncer_ = std::thread([this] { SyncLoop(); });
    } catch (const std::system_error&) {
      later_ = 0;  // no thread (out of threads or memory): a later call tries again
      threaded = false;
    }
  }
  if (threaded) {
    // Else the thread takes this mark in its next fdatasync: waking it in its pause (once for
    // every short step) would only put it back to sleep.
    if (idle) later_cv_.notify_all();
    return;
  }
  std::string err;
  SyncThrough(mark, &err);  // an error is sticky: DurableThrough() and SyncThrough() say so
}

void JournalWriter::set_fdatasync_for_test(std::function<int(int)> call) {
  std::lock_guard<std::mutex> lock(sync_mu_);
  fdatasync_ = std::move(call);
}

void JournalWriter::set_later_pause_for_test(std::chrono::milliseconds pause) {
  std::lock_guard<std::mutex> lock(later_mu_);
  later_pause_ = pause;
}

void JournalWriter::SyncLoop() {
  uint64_t& done = later_done_;
  std::unique_lock<std::mutex> lock(later_mu_);
  for (;;) {
    later_cv_.wait(lock, [&] { return stop_ || later_ > done; });
    if (stop_) return;
    // Nothing waits for this thread (whoever needs a mark durable syncs it itself): a short pause
    // lets the marks of the next steps join this fdatasync (many short steps share one).
    if (later_cv_.wait_for(lock, later_pause_, [&] { return stop_; })) return;
    uint64_t mark = later_;
    lock.unlock();
    std::string err;
    bool ok = SyncThrough(mark, &err);
    lock.lock();
    if (!ok) return;  // the error is sticky: every later DurableThrough() and SyncThrough() fails
    done = mark;
  }
}

bool JournalWriter::Sync(std::string* err) {
  uint64_t mark = Write(err);
  return mark != 0 && SyncThrough(mark, err);
}

size_t JournalWriter::syncs() const {
  std::lock_guard<std::mutex> lock(sync_mu_);
  return syncs_;
}

bool JournalWriter::Broken(const std::string& what, std::string* err) {
  if (error_.empty()) error_ = what;
  broken_.store(true);
  *err = error_;
  return false;
}

}  // namespace asmplan
