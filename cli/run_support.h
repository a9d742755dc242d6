// Helpers of the run, resume and status commands (cli/run_commands.cc): loading the plan given
// on the command line, finding the state directory, the terminal prompt and the reporters.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "compiler/plan_model.h"
#include "runtime/executor.h"
#include "runtime/progress_reporter.h"

namespace asmplan::cli {

/// The plan named on the command line: a `.asmplan` source is compiled in memory (with --set and
/// --values); anything else is read as a compiled plan and its hash verified. Fills `text` with
/// the canonical compiled text. Returns kExitOk or the exit code, after printing the problem.
int LoadPlanArgument(const std::string& file, const std::vector<std::string>& sets,
                     const std::string& values, Plan* plan, std::string* text);

/// The default state directory of a plan: `.asmplan/<plan name>` under the current directory.
std::string DefaultStateDir(const Plan& plan);

/// For resume and status without --state-dir: the one directory under `.asmplan/` that holds a
/// journal. False with a message naming the candidates when there are none or several.
bool FindStateDir(std::string* dir, std::string* err);

/// Each running step holds a few descriptors (its output pipe, its log, a spawn's pipe ends):
/// raises the soft limit on open files when `jobs` needs more, up to the hard limit. False with
/// the figures and what to do when even the hard limit is too low.
bool EnoughOpenFiles(int jobs, std::string* err);

/// Asks on the terminal (stdin) when both stdin and stderr are terminals. Gives up, answering
/// no, when the executor withdraws the question (a signal arrived, or the run stopped).
class TerminalConfirmer : public Confirmer {
 public:
  bool CanAsk() override;
  bool Ask(const std::string& step, const std::string& question,
           const std::atomic<bool>& withdrawn) override;
};

/// The live view on a terminal stdout, else one line per event; plus the JSON events file when
/// `events_path` is not empty. Colors unless NO_COLOR is set or stdout is not a terminal.
std::unique_ptr<ProgressReporter> MakeReporter(const std::string& events_path, std::string* err);

}  // namespace asmplan::cli
