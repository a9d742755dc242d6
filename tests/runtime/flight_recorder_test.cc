// The flight recorder keeps first, last and changes in bounded memory and explains a timeout.
#include "runtime/flight_recorder.h"

#include <gtest/gtest.h>

namespace asmplan {
namespace {

Guard AllShow(const std::string& ns) {
  Guard g;
  g.kind = GuardKind::kPodsAllShow;
  g.ns = ns;
  g.ready = 2;
  g.total = 2;
  return g;
}

GuardObservation Obs(std::string summary, std::vector<std::string> details = {}) {
  GuardObservation o;
  o.summary = std::move(summary);
  o.details = std::move(details);
  return o;
}

TEST(HumanDurationTest, ReadsLikeAPerson) {
  EXPECT_EQ(HumanDuration(0), "0s");
  EXPECT_EQ(HumanDuration(850), "850ms");
  EXPECT_EQ(HumanDuration(45'000), "45s");
  EXPECT_EQ(HumanDuration(135'400), "2m15s");
  EXPECT_EQ(HumanDuration(1'200'000), "20m");
  EXPECT_EQ(HumanDuration(3'900'000), "1h5m");
}

TEST(FlightRecorderTest, TimeoutMessageShowsFirstChangesAndLastWithReasons) {
  FlightRecorder rec(AllShow("payments"), 1000);
  const std::string crash =
      "payments/api-7d9f: 1/2 ready, istio-proxy not ready (CrashLoopBackOff)";
  rec.Record(1000,
             Obs("3 of 5 pods in payments show 2/2", {crash, "payments/old-5c: terminating"}));
  rec.Record(16'000,
             Obs("3 of 5 pods in payments show 2/2", {crash, "payments/old-5c: terminating"}));
  rec.Record(136'000, Obs("4 of 5 pods in payments show 2/2", {crash}));
  rec.Record(1'201'000, Obs("4 of 5 pods in payments show 2/2", {crash}));
  EXPECT_EQ(rec.count(), 4u);
  EXPECT_EQ(rec.TimeoutMessage(1'200'000),
            "timed out after 20m waiting until pods in ns \"payments\" all show 2/2\n"
            "  first (0s): 3 of 5 pods in payments show 2/2\n"
            "    " +
                crash +
                "\n"
                "    payments/old-5c: terminating\n"
                "  changed (2m15s): 4 of 5 pods in payments show 2/2\n"
                "    - payments/old-5c: terminating\n"
                "  last (20m): 4 of 5 pods in payments show 2/2\n"
                "    " +
                crash);
}

// A restart count climbing changes the details at every other poll: while the summary stays, the
// changes are one entry, from the state before the first to the latest, and do not push out the
// changes that matter.
TEST(FlightRecorderTest, ChangesOfDetailsOnlyInARowAreOneEntry) {
  FlightRecorder rec(AllShow("orders"), 0, /*max_changes=*/3);
  auto crash = [](int restarts) {
    return Obs("8 of 9 pods in orders show 2/2",
               {"orders/api-1: 1/2 ready, istio-proxy not ready (CrashLoopBackOff, " +
                std::to_string(restarts) + " restarts)"});
  };
  rec.Record(0, Obs("7 of 9 pods in orders show 2/2", {"orders/web-2: terminating"}));
  for (int i = 1; i <= 30; ++i) {
    rec.Record(i * 2000, crash(i / 2));  // a new count every other poll
  }
  rec.Record(62'000, Obs("9 of 9 pods in orders show 2/2"));
  rec.Record(64'000, Obs("9 of 9 pods in orders show 2/2"));
  EXPECT_EQ(rec.changes_dropped(), 0u);
  EXPECT_EQ(rec.TimeoutMessage(64'000),
            "timed out after 1m4s waiting until pods in ns \"orders\" all show 2/2\n"
            "  first (0s): 7 of 9 pods in orders show 2/2\n"
            "    orders/web-2: terminating\n"
            "  changed 16 times (2s to 1m): 8 of 9 pods in orders show 2/2\n"
            "    - orders/web-2: terminating\n"
            "    + orders/api-1: 1/2 ready, istio-proxy not ready (CrashLoopBackOff, 15 restarts)\n"
            "  changed (1m2s): 9 of 9 pods in orders show 2/2\n"
            "    - orders/api-1: 1/2 ready, istio-proxy not ready (CrashLoopBackOff, 15 restarts)\n"
            "  last (1m4s): 9 of 9 pods in orders show 2/2");
}

TEST(FlightRecorderTest, SaysWhenNothingChanged) {
  FlightRecorder rec(AllShow("a"), 0);
  // As a guard with nothing to say object by object reports it: its summary is its one detail,
  // which is not shown twice.
  rec.Record(0, Obs("no pods in namespace a", {"no pods in namespace a"}));
  rec.Record(10'000, Obs("no pods in namespace a", {"no pods in namespace a"}));
  EXPECT_EQ(rec.TimeoutMessage(10'000),
            "timed out after 10s waiting until pods in ns \"a\" all show 2/2\n"
            "  first (0s): no pods in namespace a\n"
            "  last (10s): no pods in namespace a\n"
            "  (no change in 2 observations)");
}

TEST(FlightRecorderTest, AChangeOfAGuardWithOnlyASummaryIsNotRepeatedAsDetails) {
  FlightRecorder rec(AllShow("a"), 0);
  rec.Record(0, Obs("no pods in namespace a", {"no pods in namespace a"}));
  rec.Record(10'000, Obs("1 of 2 pods in a show 2/2", {"a/web-1: 1/2 ready"}));
  rec.Record(20'000, Obs("no pods in namespace a", {"no pods in namespace a"}));
  EXPECT_EQ(rec.TimeoutMessage(20'000),
            "timed out after 20s waiting until pods in ns \"a\" all show 2/2\n"
            "  first (0s): no pods in namespace a\n"
            "  changed (10s): 1 of 2 pods in a show 2/2\n"
            "    + a/web-1: 1/2 ready\n"
            "  last (20s): no pods in namespace a");
}

TEST(FlightRecorderTest, MarksFailedQueriesAndHandlesNoObservation) {
  FlightRecorder rec(AllShow("a"), 0);
  EXPECT_EQ(rec.last(), nullptr);
  EXPECT_EQ(rec.TimeoutMessage(5000),
            "timed out after 5s waiting until pods in ns \"a\" all show 2/2\n"
            "  never observed: no poll completed");
  GuardObservation failed = Obs("kubectl get pods failed: connection refused");
  failed.error = true;
  rec.Record(0, failed);
  EXPECT_EQ(rec.last(), nullptr);
  EXPECT_EQ(rec.TimeoutMessage(5000),
            "timed out after 5s waiting until pods in ns \"a\" all show 2/2\n"
            "  never observed: every query failed\n"
            "  1 query failed (0s), the last: kubectl get pods failed: connection refused");
}

// A failed query says nothing about the pods: it is no change (it used to show every pod line as
// gone, then back), and the failures are counted at the end.
TEST(FlightRecorderTest, FailedQueriesAreNoChangeAndAreCountedApart) {
  FlightRecorder rec(AllShow("a"), 0);
  GuardObservation crashing = Obs("1 of 2 pods in a show 2/2", {"a/web-1: CrashLoopBackOff"});
  GuardObservation failed = Obs("kubectl get pods failed: the server is unavailable (500)");
  failed.error = true;
  rec.Record(0, crashing);
  rec.Record(2000, failed);
  rec.Record(4000, crashing);
  rec.Record(6000, failed);
  rec.Record(8000, crashing);
  EXPECT_EQ(rec.failed(), 2u);
  EXPECT_TRUE(rec.changes().empty());
  EXPECT_EQ(rec.TimeoutMessage(8000),
            "timed out after 8s waiting until pods in ns \"a\" all show 2/2\n"
            "  first (0s): 1 of 2 pods in a show 2/2\n"
            "    a/web-1: CrashLoopBackOff\n"
            "  last (8s): 1 of 2 pods in a show 2/2\n"
            "    a/web-1: CrashLoopBackOff\n"
            "  (no change in 3 observations)\n"
            "  2 queries failed (2s to 6s), the last: kubectl get pods failed: the server is "
            "unavailable (500)");
}

TEST(FlightRecorderTest, KeepsBoundedChangesAndDetails) {
  FlightRecorder rec(AllShow("big"), 0, /*max_changes=*/3, /*max_details=*/2);
  for (int i = 0; i < 100; ++i)
    rec.Record(i * 1000, Obs(std::to_string(i) + " of 100 ready", {"p1", "p2", "p3", "p4"}));
  EXPECT_EQ(rec.changes().size(), 3u);
  EXPECT_EQ(rec.changes_dropped(), 96u);
  EXPECT_EQ(rec.changes().front().observation.summary, "97 of 100 ready");
  EXPECT_EQ(rec.first()->observation.details.size(), 2u);
  EXPECT_EQ(rec.first()->details_dropped, 2u);
  EXPECT_EQ(rec.TimeoutMessage(100'000),
            "timed out after 1m40s waiting until pods in ns \"big\" all show 2/2\n"
            "  first (0s): 0 of 100 ready\n"
            "    p1\n"
            "    p2\n"
            "    ... and 2 more\n"
            "  (96 earlier changes not kept)\n"
            "  changed (1m37s): 97 of 100 ready\n"
            "  changed (1m38s): 98 of 100 ready\n"
            "  last (1m39s): 99 of 100 ready\n"
            "    p1\n"
            "    p2\n"
            "    ... and 2 more");
}

}  // namespace
}  // namespace asmplan
