// Rendering a command for people: its argv, each argument shell-quoted only when it needs to be, so
// the line can be pasted into a shell and runs exactly the same argv; and the line of its output a
// failure message quotes.
#pragma once

#include <string>
#include <vector>

namespace asmplan {

class Secrets;

/// `kubectl get pods -n 'my ns'`: arguments joined by spaces, single-quoted when they hold
/// anything but [A-Za-z0-9_@%+=:,./-]; one with a newline or another control character as bash's
/// `$'a\nb'`, so the command stays on one line.
std::string ArgvText(const std::vector<std::string>& argv);

/// `arg` as bash's `$'...'`: a newline or another control character stays on the line, as an
/// escape (\n, \t, \r, \xNN); `\` and `'` escaped with a backslash.
std::string AnsiCQuoted(const std::string& arg);

/// The last non-empty line of a command's output (lines end at \n or \r), trimmed, at most 300
/// bytes (longer ones end in "...", cut at a character boundary): commands put their verdict last,
/// after warnings. With `secrets`, they are redacted from the line before it is cut: a secret the
/// cut went through would otherwise leave its first bytes, which no later redaction recognises.
std::string LastOutputLine(const std::string& output, const Secrets* secrets = nullptr);
/// The last `n` non-empty lines of `output`, each as LastOutputLine() gives it, in order; with
/// `secrets`, redacted before they are cut, as LastOutputLine() does.
std::vector<std::string> LastOutputLines(const std::string& output, size_t n,
                                         const Secrets* secrets = nullptr);

}  // namespace asmplan
