// `asmplan run --dry-run`: every command exactly as it would run, in execution order, one per line
// (shell-quoted where needed), with the step's guards and gates as `#` comments around them, after
// a line naming the directory the commands would run in (relative paths in them, such as an
// extracted release's istioctl, are relative to it). Secret parameters stay as `${NAME}`. Control
// and invisible characters are shown escaped. Nothing is executed or written. And `asmplan resume
// --dry-run` (ResumeDryRunText, below).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "compiler/plan_model.h"
#include "runtime/checkpoint_journal.h"
#include "runtime/leftover_commands.h"

namespace asmplan {

/// `missing_secret`: why the run could not load the plan's secrets ("" when it could), said first.
std::string DryRunText(const Plan& plan, const std::string& workspace,
                       const std::string& missing_secret = "");

/// What `asmplan resume --dry-run` is shown about a run.
struct ResumePreview {
  std::string state_dir;
  const Checkpoint* checkpoint = nullptr;
  std::set<std::string> rerun;             ///< --rerun steps: shown as running again
  bool assume_yes = false;                 ///< --yes: confirm gates proceed
  std::set<std::string> approved;          ///< --approve steps: their gates proceed
  long lock_holder = 0;                    ///< LockHolder(): > 0 when an executor runs it now
  std::vector<LeftoverCommand> leftovers;  ///< commands of a killed run still running
  std::string missing_secret;              ///< why resume could not load the plan's secrets, or ""
};

/// `asmplan resume --dry-run`: each step's heading says what resume would do with it (done and not
/// run again; runs again; asks again; settled by its verify, or continued into its waits), from
/// its checkpoint record; the steps it would run show their guards and commands as DryRunText
/// does. Guards are not evaluated: a settle's outcome depends on them. Nothing is written.
std::string ResumeDryRunText(const Plan& plan, const std::string& workspace,
                             const ResumePreview& preview);

}  // namespace asmplan
