// Benchmarks the compiled plan writer and reader on a plan built in memory, shaped like the
// issue's case (b): a `for` group of 10 steps expanded over a list (10 * N steps).
//   bench_plan_io write N OUT   builds the plan, writes OUT, prints the write time
//   bench_plan_io load FILE     reads and verifies FILE, prints the load time
// bench/bench_compile.sh runs both under /usr/bin/time beside `ninja -t targets all`.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "compiler/compiled_plan_io.h"

namespace asmplan {
namespace {

Guard PodsShow(const std::string& ns) {
  Guard g;
  g.kind = GuardKind::kPodsAllShow;
  g.ns = ns;
  g.ready = 2;
  g.total = 2;
  return g;
}

// Ten steps per list element, chained: each depends on the previous step of its element.
Plan ExpandedPlan(int elements) {
  Plan plan;
  plan.name = "bench_for";
  plan.title = "10 steps over a list";
  plan.sources = {{"bench/for.asmplan", std::string(64, '0')}};
  plan.params = {{"namespaces", "list<string>", "[\"ns0\"]", "bench/for.asmplan:3", false}};
  plan.steps.reserve(static_cast<size_t>(elements) * 10);
  for (int k = 0; k < 10; ++k) plan.groups.push_back({"g" + std::to_string(k), 8, {}});
  for (int i = 0; i < elements; ++i) {
    const std::string ns = "ns" + std::to_string(i);
    for (int k = 0; k < 10; ++k) {
      Step s;
      s.id = "g" + std::to_string(k) + "[" + ns + "]";
      s.group = "g" + std::to_string(k);
      s.source = "bench/for.asmplan:" + std::to_string(6 + k * 4);
      if (k > 0) s.after = {"g" + std::to_string(k - 1) + "[" + ns + "]"};
      s.run = {{"kubectl", "rollout", "restart", "deployment", "-n", ns}};
      s.timeout_ms = 600'000;
      s.wait_until = {{PodsShow(ns), 1'200'000, 15'000}};
      plan.groups[k].steps.push_back(s.id);
      plan.steps.push_back(std::move(s));
    }
  }
  return plan;
}

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Write(int elements, const char* out_path) {
  Plan plan = ExpandedPlan(elements);
  const auto start = std::chrono::steady_clock::now();
  const std::string text = WriteCompiledPlan(&plan);
  const double write_s = Seconds(start);
  std::ofstream(out_path, std::ios::binary) << text;
  std::printf("write: %zu steps, %.1f MB in %.3f s\n", plan.steps.size(), text.size() / 1e6,
              write_s);
  return 0;
}

int Load(const char* path) {
  const auto start = std::chrono::steady_clock::now();
  std::string text;
  if (std::FILE* f = std::fopen(path, "rb")) {
    std::fseek(f, 0, SEEK_END);
    text.resize(static_cast<size_t>(std::ftell(f)));
    std::fseek(f, 0, SEEK_SET);
    text.resize(std::fread(text.data(), 1, text.size(), f));
    std::fclose(f);
  }
  Plan plan;
  std::string err;
  if (!ReadCompiledPlan(text, &plan, &err)) {
    std::fprintf(stderr, "%s: %s\n", path, err.c_str());
    return 2;
  }
  std::printf("load: %zu steps in %.3f s\n", plan.steps.size(), Seconds(start));
  return 0;
}

}  // namespace
}  // namespace asmplan

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "write" && argc == 4) return asmplan::Write(std::atoi(argv[2]), argv[3]);
  if (mode == "load" && argc == 3) return asmplan::Load(argv[2]);
  std::fprintf(stderr, "usage: bench_plan_io write ELEMENTS OUT | bench_plan_io load FILE\n");
  return 1;
}
