// Commands a killed executor left running. Every command of a step runs with ASMPLAN_STATE_DIR
// (the state directory, canonical) and ASMPLAN_STEP (the step's id) in its environment, and each
// is the leader of its own process group, which outlives a kill -9 of the executor. Before a
// resume acts, it looks for them on this host (/proc/PID/environ), so a step cut off while its
// command still runs is not settled, or started again, beside that command.
#pragma once

#include <string>
#include <vector>

#include "compiler/plan_model.h"
#include "runtime/checkpoint_journal.h"

namespace asmplan {

/// The environment variables every step command gets.
inline constexpr const char* kStateDirVariable = "ASMPLAN_STATE_DIR";
inline constexpr const char* kStepVariable = "ASMPLAN_STEP";

/// How long resume waits for commands a killed run left running to end before it refuses: a
/// `kubectl` call ends in moments (it runs on after its executor: it holds a reader of its own
/// output), an `istioctl install` may take minutes.
inline constexpr Millis kLeftoverGraceMs = 10'000;

/// One process that carries the state directory's mark.
struct LeftoverCommand {
  long pid = 0;
  long pgid = 0;           ///< its process group: the command's pid for a step command
  std::string step;        ///< ASMPLAN_STEP
  std::string program;     ///< /proc/PID/comm (not its arguments: they may hold a secret's value)
  Millis running_ms = -1;  ///< how long it has run; -1 when that cannot be read
};

/// What one look at the processes found.
struct ProcessScan {
  std::vector<LeftoverCommand> commands;
  /// Live processes (not kernel threads) whose environment read empty: one in the middle of an
  /// exec shows none for a moment, so any of these may be a marked command. Also processes of
  /// asmplan's own binary that were forked and have not exec'd yet: a command before its exec
  /// shows the environment of the asmplan that spawned it.
  int unsure = 0;
  std::string error;  ///< why the processes could not be listed; "" when they could
};

/// `dir` resolved to its canonical absolute path (symlinks followed), or AbsolutePath(dir) when it
/// cannot be resolved. The same for every spelling of one directory.
std::string CanonicalDirectory(const std::string& dir);

/// Every live process (not a zombie; not this process, under /proc) under `proc_root` whose
/// environment has ASMPLAN_STATE_DIR=`canonical_state_dir` and an ASMPLAN_STEP, in pid order.
/// Processes whose environment cannot be read (another user's) are not seen.
ProcessScan FindLeftoverCommands(const std::string& canonical_state_dir,
                                 const std::string& proc_root = "/proc");

/// Those of the run in `state_dir` (any spelling) whose step `checkpoint` has `running`: commands
/// a killed executor left running, cut off from their step. No look at all (an empty scan) when
/// no step is `running`.
ProcessScan FindCutOffCommands(const std::string& state_dir, const Checkpoint& checkpoint);

}  // namespace asmplan
