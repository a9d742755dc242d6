// Rendering an argv for people: each argument shell-quoted only when it needs to be, so the line
// can be pasted into a shell and runs exactly the same argv.
#pragma once

#include <string>
#include <vector>

namespace asmplan {

/// `kubectl get pods -n 'my ns'`: arguments joined by spaces, single-quoted when they hold
/// anything but [A-Za-z0-9_@%+=:,./-].
std::string ArgvText(const std::vector<std::string>& argv);

}  // namespace asmplan
