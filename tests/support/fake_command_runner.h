// A CommandRunner that runs nothing: it records every command and answers from a script.
#pragma once

#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/command_runner.h"

namespace asmplan {

class FakeCommandRunner : public CommandRunner {
 public:
  using Responder = std::function<CommandResult(const CommandSpec&)>;

  /// Queues `result` for the next command whose argv joined by spaces starts with `prefix`.
  /// Queued results are used once each, in order; the last one for a prefix repeats.
  void Expect(const std::string& prefix, CommandResult result) {
    std::lock_guard<std::mutex> lock(mu_);
    scripted_[prefix].push_back(std::move(result));
  }
  /// Answers every command not matched by Expect(); default: exit 0, no output.
  void SetDefault(Responder responder) {
    std::lock_guard<std::mutex> lock(mu_);
    default_ = std::move(responder);
  }

  /// Output goes where the real runner puts it: with a log path, into the log after the
  /// preamble (CommandResult::logged), else into CommandResult::output.
  /// A scripted error_output stays apart only with CommandSpec::stderr_apart and no log; otherwise
  /// it follows the output, as the real runner's one pipe would mix it.
  /// A command that "started" (not scripted as spawn_failed or not_started) calls on_started, as
  /// the real runner does.
  CommandResult Run(const CommandSpec& spec) override {
    CommandResult r = Answer(spec);
    if (spec.on_started && !r.spawn_failed && !r.not_started) spec.on_started();
    if (!spec.stderr_apart || !spec.log_path.empty()) {
      r.output += r.error_output;
      r.error_output.clear();
    }
    r.output_tail = r.output.substr(r.output.size() - std::min<size_t>(r.output.size(), 4096));
    if (!spec.log_path.empty() && !r.output.empty()) {
      std::ofstream(spec.log_path, std::ios::app) << spec.log_preamble << r.output;
      r.logged = true;
      r.output.clear();
    }
    return r;
  }

  void InterruptAll(int) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++interrupts_;
  }

  static CommandResult Exit(int code, std::string output = "") {
    CommandResult r;
    r.exit_code = code;
    r.output = std::move(output);
    return r;
  }
  static std::string Join(const std::vector<std::string>& argv) {
    std::string s;
    for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
    return s;
  }

  std::vector<std::string> commands_ran() {
    std::lock_guard<std::mutex> lock(mu_);
    return commands_ran_;
  }
  std::vector<CommandSpec> specs_ran() {
    std::lock_guard<std::mutex> lock(mu_);
    return specs_ran_;
  }
  int interrupts() {
    std::lock_guard<std::mutex> lock(mu_);
    return interrupts_;
  }

 private:
  CommandResult Answer(const CommandSpec& spec) {
    std::string line = Join(spec.argv);
    std::lock_guard<std::mutex> lock(mu_);
    commands_ran_.push_back(line);
    specs_ran_.push_back(spec);
    specs_ran_.back().on_started = nullptr;  // it may refer to the caller's frame
    const std::string* best = nullptr;
    for (auto& [prefix, results] : scripted_) {
      if (line.compare(0, prefix.size(), prefix) == 0 && !results.empty() &&
          (!best || prefix.size() > best->size()))
        best = &prefix;
    }
    if (best) {
      auto& results = scripted_[*best];
      CommandResult r = results.front();
      if (results.size() > 1) results.pop_front();
      return r;
    }
    if (default_) return default_(spec);
    CommandResult ok;
    ok.exit_code = 0;
    return ok;
  }
  std::mutex mu_;
  std::map<std::string, std::deque<CommandResult>> scripted_;
  Responder default_;
  std::vector<std::string> commands_ran_;
  std::vector<CommandSpec> specs_ran_;
  int interrupts_ = 0;
};

}  // namespace asmplan
