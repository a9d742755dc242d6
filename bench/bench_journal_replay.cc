// Journal replay benchmark (issue 3): writes a checkpoint journal for N steps (a `running` and a
// `succeeded` record each, as a run leaves it) and times LoadJournal, best of 5.
// Usage: bench_journal_replay N DIR [PLAN_SHA256]
//   -> prints "replay N steps: R records, B bytes, T ms". Steps are named s0..s<N-1>; with
//   PLAN_SHA256 the journal is bound to that plan, so DIR becomes a finished run to resume.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "runtime/checkpoint_journal.h"

int main(int argc, char** argv) {
  using namespace asmplan;
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: bench_journal_replay N DIR [PLAN_SHA256]\n");
    return 2;
  }
  long n = std::atol(argv[1]);
  std::string path = std::string(argv[2]) + "/journal", err;
  auto w = JournalWriter::Create(path, argc == 4 ? argv[3] : std::string(64, 'a'), &err);
  if (!w) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 1;
  }
  for (long i = 0; i < n; ++i) {
    JournalRecord r;
    r.kind = JournalRecord::Kind::kStep;
    r.wall_ms = 1'800'000'000'000 + i;
    r.step = "s" + std::to_string(i);
    r.record.state = StepState::kRunning;
    r.record.attempts = 1;
    r.record.started_ms = r.wall_ms;
    r.record.log_path = "logs/" + r.step + ".log";
    w->Append(r);
    r.record.state = StepState::kSucceeded;
    r.record.ended_ms = r.wall_ms + 3;
    r.record.exit_code = 0;
    w->Append(r);
  }
  if (!w->Sync(&err)) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 1;
  }
  double best = 1e9;
  Checkpoint cp;
  for (int k = 0; k < 5; ++k) {
    auto t0 = std::chrono::steady_clock::now();
    if (!LoadJournal(path, &cp, &err)) {
      std::fprintf(stderr, "%s\n", err.c_str());
      return 1;
    }
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (ms < best) best = ms;
  }
  std::printf("replay %ld steps: %zu records, %zu bytes, %.1f ms\n", n, cp.records, cp.valid_bytes,
              best);
  return cp.steps.size() == static_cast<size_t>(n) ? 0 : 1;
}
