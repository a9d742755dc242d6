// `asmplan status`: the checkpoint as a table, one row per step in plan order, e.g.
//   plan asm_downgrade (sha256 3f2a9c1e0b7d), last session: resume, interrupted
//   STEP                          STATE      ATTEMPTS  DURATION  NOTE
//   use_context                   succeeded  1         1.2s
//   restart_sidecars[payments]    failed     2         20m       wait until pods in ns ...
#pragma once

#include <string>
#include <vector>

#include "compiler/plan_model.h"
#include "runtime/checkpoint_journal.h"
#include "runtime/leftover_commands.h"

namespace asmplan {

/// Renders `checkpoint` against `plan` (steps without a record show as pending). `now_wall_ms`
/// gives running steps their duration so far; a step left `running` by a session that ended
/// (interrupted) is timed to that end and noted so. `lock_holder` (LockHolder) tells a last
/// session that did not finish apart: still running (a pid) or killed (0); -1: cannot tell.
/// `leftovers`: commands a killed run left running (FindCutOffCommands), noted on their steps.
std::string StatusTable(const Plan& plan, const Checkpoint& checkpoint, Millis now_wall_ms,
                        long lock_holder = -1, const std::vector<LeftoverCommand>& leftovers = {});

}  // namespace asmplan
