// A GuardEvaluator answering from a script keyed by the guard's canonical text, recording every
// Evaluate() call so tests can check how guards were batched.
#pragma once

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/guard_evaluator.h"

namespace asmplan {

class FakeGuardEvaluator : public GuardEvaluator {
 public:
  /// Queues observations for the guard whose CanonicalText is `text`; used once each in order,
  /// the last one repeats. Unscripted guards hold.
  void Script(const std::string& text, std::vector<GuardObservation> observations) {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& o : observations) scripted_[text].push_back(std::move(o));
  }
  /// Called for every evaluation before the script (e.g. to move a fake clock); may be empty.
  void OnEvaluate(std::function<void(const Guard&)> hook) { hook_ = std::move(hook); }

  std::vector<GuardObservation> Evaluate(const std::vector<const Guard*>& guards) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> call;
    std::vector<GuardObservation> out;
    for (const Guard* g : guards) {
      std::string text = CanonicalText(*g);
      call.push_back(text);
      if (hook_) hook_(*g);
      auto it = scripted_.find(text);
      if (it == scripted_.end() || it->second.empty()) {
        out.push_back(Holds());
        continue;
      }
      out.push_back(it->second.front());
      if (it->second.size() > 1) it->second.pop_front();
    }
    calls_.push_back(call);
    return out;
  }

  static GuardObservation Holds(std::string summary = "holds") {
    GuardObservation o;
    o.holds = true;
    o.summary = std::move(summary);
    return o;
  }
  static GuardObservation Not(std::string summary, std::vector<std::string> details = {}) {
    GuardObservation o;
    o.summary = std::move(summary);
    o.details = std::move(details);
    return o;
  }

  /// A failed query: an error observation (the guard could not be evaluated).
  static GuardObservation Failed(std::string summary) {
    GuardObservation o = Not(std::move(summary));
    o.error = true;
    return o;
  }

  /// How many times the guard whose CanonicalText is `text` was evaluated.
  int Asked(const std::string& text) {
    std::lock_guard<std::mutex> lock(mu_);
    int n = 0;
    for (const auto& call : calls_)
      n += static_cast<int>(std::count(call.begin(), call.end(), text));
    return n;
  }

  /// Each Evaluate() call as the canonical texts it was asked about.
  std::vector<std::vector<std::string>> calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::deque<GuardObservation>> scripted_;
  std::function<void(const Guard&)> hook_;
  std::vector<std::vector<std::string>> calls_;
};

}  // namespace asmplan
