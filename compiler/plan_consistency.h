// The invariants of a compiled plan that the executor relies on.
#pragma once

#include <string>

#include "compiler/plan_model.h"

namespace asmplan {

/// Checks what the executor assumes of a Plan: step ids unique and non-empty; every `after` id
/// names an earlier step; every step's group and every group's steps exist; every fetched
/// artifact exists; artifact and group names unique; durations, retries and parallelism not
/// negative; every wait_until has a positive timeout and interval; no command (`run` or
/// `command [...]` guard) is empty; every artifact is verified as the compiler requires and
/// extracts inside the workspace. Returns false with a message naming the step (or group,
/// artifact) in `err` otherwise: a compiled plan edited by hand is refused when loaded, not
/// halfway through a run.
bool CheckPlanConsistency(const Plan& plan, std::string* err);

/// An `extract_to`: a relative path with no `..` part, so it stays inside the run's workspace.
bool IsWorkspacePath(const std::string& p);

/// An archive pin: 64 lower-case hex digits.
bool IsSha256Hex(const std::string& s);

/// A step or plan name: letters, digits, `_` and `-`, not starting with a digit or `-`. A plan's
/// name names its default state directory (.asmplan/<name>), so it can never be a path.
bool IsStepName(const std::string& s);

/// A step id: a step name, optionally with an index of letters, digits, `_`, `-` and `.` (a
/// namespace, a version): `restart[payments]`. Ids reach file names, logs and terminals.
bool IsStepId(const std::string& s);

}  // namespace asmplan
