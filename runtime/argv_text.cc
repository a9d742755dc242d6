#include "runtime/argv_text.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "runtime/secrets.h"

namespace asmplan {
namespace {

bool NeedsQuotes(const std::string& arg) {
  if (arg.empty()) return true;
  for (char c : arg) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && !std::strchr("_@%+=:,./-", c)) return true;
  }
  return false;
}

bool HasControl(const std::string& arg) {
  return std::any_of(arg.begin(), arg.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

std::string Quote(const std::string& arg) {
  if (!NeedsQuotes(arg)) return arg;
  if (HasControl(arg)) return AnsiCQuoted(arg);
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string AnsiCQuoted(const std::string& arg) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "$'";
  for (char c : arg) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\\' || c == '\'') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string ArgvText(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) out += (out.empty() ? "" : " ") + Quote(a);
  return out;
}

std::string LastOutputLine(const std::string& output, const Secrets* secrets) {
  if (secrets && !secrets->empty()) {
    std::vector<std::string> last = LastOutputLines(output, 1, secrets);
    return last.empty() ? "" : last[0];
  }
  const char* blank = " \t\r\n";
  size_t end = output.find_last_not_of(blank);
  if (end == std::string::npos) return "";
  // A line redrawn with \r (a progress bar) shows its last part: that is the one quoted.
  size_t nl = output.find_last_of("\r\n", end);
  size_t begin = output.find_first_not_of(blank, nl == std::string::npos ? 0 : nl + 1);
  // Output cut from its start (a tail) may begin inside a character.
  while (begin < end && (static_cast<unsigned char>(output[begin]) & 0xC0) == 0x80) ++begin;
  std::string line = output.substr(begin, end + 1 - begin);
  if (line.size() <= 300) return line;
  size_t cut = 297;
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
  return line.substr(0, cut) + "...";
}

std::vector<std::string> LastOutputLines(const std::string& output, size_t n,
                                         const Secrets* secrets) {
  // Only the end that holds the last `n` non-empty lines is looked at (output may be large). With
  // secrets, it is redacted from the line start a secret's length before those lines, then the
  // lines are taken again: a secret of several lines that ends in them is redacted whole, not
  // just its last part left in them.
  size_t from = output.size(), found = 0;
  while (found < n && from > 0) {
    size_t nl = output.rfind('\n', from - 1);
    size_t begin = nl == std::string::npos ? 0 : nl + 1;
    if (output.find_first_not_of(" \t\r", begin) < from) ++found;
    from = nl == std::string::npos ? 0 : nl;
  }
  std::string text;
  if (secrets && !secrets->empty()) {
    size_t back = from - std::min(from, secrets->longest());
    size_t line = back == 0 ? std::string::npos : output.rfind('\n', back - 1);
    back = line == std::string::npos ? 0 : line + 1;
    text = secrets->Redact(output.substr(back));
  } else {
    text = output.substr(from);
  }
  std::vector<std::string> lines;
  size_t end = text.size();
  while (lines.size() < n && end > 0) {
    size_t nl = text.rfind('\n', end - 1);
    size_t begin = nl == std::string::npos ? 0 : nl + 1;
    std::string line = LastOutputLine(text.substr(begin, end - begin));
    if (!line.empty()) lines.push_back(std::move(line));
    end = nl == std::string::npos ? 0 : nl;
  }
  std::reverse(lines.begin(), lines.end());
  return lines;
}

}  // namespace asmplan
