#include "sandbox/sim_time.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace asmplan::sandbox {

double NowSeconds() {
  using namespace std::chrono;
  return duration_cast<duration<double>>(system_clock::now().time_since_epoch()).count();
}

std::string FormatRfc3339(double epoch_seconds) {
  time_t t = static_cast<time_t>(epoch_seconds);
  struct tm tm_utc;
  gmtime_r(&t, &tm_utc);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm_utc);
  return buf;
}

double ParseRfc3339(const std::string& text) {
  struct tm tm_utc = {};
  int y, mo, d, h, mi, s;
  if (sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &s) != 6) return -1;
  tm_utc.tm_year = y - 1900;
  tm_utc.tm_mon = mo - 1;
  tm_utc.tm_mday = d;
  tm_utc.tm_hour = h;
  tm_utc.tm_min = mi;
  tm_utc.tm_sec = s;
  return static_cast<double>(timegm(&tm_utc));
}

namespace {

std::string Two(long a, const char* ua, long b, const char* ub) {
  if (b == 0) return std::to_string(a) + ua;
  return std::to_string(a) + ua + std::to_string(b) + ub;
}

}  // namespace

std::string HumanDuration(double seconds_f) {
  // A straight port of k8s.io/apimachinery/pkg/util/duration.HumanDuration.
  long seconds = static_cast<long>(seconds_f);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return std::to_string(seconds) + "s";
  long minutes = seconds / 60;
  if (minutes < 10) return Two(minutes, "m", seconds % 60, "s");
  if (minutes < 60 * 3) return std::to_string(minutes) + "m";
  long hours = minutes / 60;
  if (hours < 8) return Two(hours, "h", minutes % 60, "m");
  if (hours < 48) return std::to_string(hours) + "h";
  if (hours < 24 * 8) return Two(hours / 24, "d", hours % 24, "h");
  if (hours < 24 * 365 * 2) return std::to_string(hours / 24) + "d";
  if (hours < 24 * 365 * 8) return Two(hours / 24 / 365, "y", (hours / 24) % 365, "d");
  return std::to_string(hours / 24 / 365) + "y";
}

}  // namespace asmplan::sandbox
