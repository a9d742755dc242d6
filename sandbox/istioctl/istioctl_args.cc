#include "sandbox/istioctl/istioctl_args.h"

#include <cstdlib>
#include <cstring>

namespace asmplan::sandbox::istioctl {
namespace {

enum class FlagKind { kBool, kString };

struct FlagSpec {
  const char* name;
  char shorthand;  ///< '\0' when it has none
  FlagKind kind;
  const char* command;  ///< "" for flags every command takes
};

// The real istioctl 1.6 flags the sandbox understands; others are unknown, as in a real CLI.
constexpr FlagSpec kFlags[] = {
    {"kubeconfig", 'c', FlagKind::kString, ""},
    {"context", '\0', FlagKind::kString, ""},
    {"istioNamespace", 'i', FlagKind::kString, ""},
    {"help", 'h', FlagKind::kBool, ""},
    {"set", 's', FlagKind::kString, "install"},
    {"filename", 'f', FlagKind::kString, "install"},
    {"skip-confirmation", 'y', FlagKind::kBool, "install"},
    {"readiness-timeout", '\0', FlagKind::kString, "install"},
    {"force", '\0', FlagKind::kBool, "install"},
    {"remote", '\0', FlagKind::kBool, "version"},
    {"short", 's', FlagKind::kBool, "version"},
};

constexpr const char* kCommands[] = {"install", "version", "help"};

bool InScope(const FlagSpec& spec, const std::string& command, bool any_command) {
  return spec.command[0] == '\0' || any_command || command == spec.command;
}

const FlagSpec* FindLong(const std::string& name, const std::string& command, bool any) {
  for (const FlagSpec& spec : kFlags) {
    if (InScope(spec, command, any) && name == spec.name) return &spec;
  }
  return nullptr;
}

const FlagSpec* FindShort(char c, const std::string& command, bool any) {
  for (const FlagSpec& spec : kFlags) {
    if (InScope(spec, command, any) && spec.shorthand == c) return &spec;
  }
  return nullptr;
}

bool ParseBool(const std::string& text, bool* value) {
  for (const char* t : {"1", "t", "T", "true", "TRUE", "True"}) {
    if (text == t) return (*value = true, true);
  }
  for (const char* f : {"0", "f", "F", "false", "FALSE", "False"}) {
    if (text == f) return (*value = false, true);
  }
  return false;
}

/// Stores one flag's value into `out`.
bool ApplyFlag(const FlagSpec& spec, const std::string& value, IstioctlArgs* out,
               std::string* err) {
  const std::string name = spec.name;
  auto invalid = [&](const std::string& why) {
    *err = "Error: invalid argument \"" + value + "\" for \"--" + name + "\" flag: " + why;
    return false;
  };
  bool flag = false;
  if (spec.kind == FlagKind::kBool && !ParseBool(value, &flag)) {
    return invalid("strconv.ParseBool: parsing \"" + value + "\": invalid syntax");
  }
  if (name == "help") out->help = flag;
  if (name == "skip-confirmation") out->skip_confirmation = flag;
  if (name == "remote") out->remote = flag;
  if (name == "kubeconfig") out->kubeconfig = value;
  if (name == "context") out->context = value;
  if (name == "filename") {
    out->files.push_back(value);
    out->install_flags.insert(out->install_flags.end(), {"-f", value});
  }
  if (name == "readiness-timeout" && !ParseGoDuration(value, &out->readiness_timeout_s)) {
    return invalid("time: invalid duration \"" + value + "\"");
  }
  if (name != "set") return true;
  size_t eq = value.find('=');
  if (eq == std::string::npos || eq == 0) {
    *err = "Error: --set " + value + ": expected a key=value pair";
    return false;
  }
  if (value.compare(0, eq, "profile") == 0) {
    out->profile = value.substr(eq + 1);
    out->profile_set = true;
  } else {
    out->install_flags.insert(out->install_flags.end(), {"--set", value});
  }
  return true;
}

/// Walks the arguments. With `any` set it only finds the command word (cobra finds the
/// subcommand before it parses flags, so `istioctl --set a=b install` is fine); otherwise it
/// applies every flag strictly for `out->command`.
class ArgWalker {
 public:
  ArgWalker(const std::vector<std::string>& args, bool any, IstioctlArgs* out)
      : args_(args), any_(any), out_(out) {}

  bool Walk(std::vector<std::string>* positionals, std::string* err) {
    bool flags_done = false;
    for (i_ = 0; i_ < args_.size(); ++i_) {
      const std::string& a = args_[i_];
      if (flags_done || a.size() < 2 || a[0] != '-') {
        positionals->push_back(a);
      } else if (a == "--") {
        flags_done = true;
      } else if (!(a[1] == '-' ? Long(a.substr(2), err) : Shorts(a, err))) {
        return false;
      }
    }
    return true;
  }

 private:
  bool Long(const std::string& body, std::string* err) {
    size_t eq = body.find('=');
    std::string name = body.substr(0, eq);
    const FlagSpec* spec = FindLong(name, out_->command, any_);
    if (spec == nullptr) return (*err = "Error: unknown flag: --" + name, false);
    if (eq != std::string::npos) return Apply(*spec, body.substr(eq + 1), err);
    if (spec->kind == FlagKind::kBool) return Apply(*spec, "true", err);
    if (i_ + 1 >= args_.size()) return (*err = "Error: flag needs an argument: --" + name, false);
    return Apply(*spec, args_[++i_], err);
  }

  // -y, -yh (bool shorthands run together), -s a=b, -sa=b, -f=FILE.
  bool Shorts(const std::string& arg, std::string* err) {
    for (size_t k = 1; k < arg.size(); ++k) {
      const FlagSpec* spec = FindShort(arg[k], out_->command, any_);
      if (spec == nullptr) {
        *err = std::string("Error: unknown shorthand flag: '") + arg[k] + "' in " + arg;
        return false;
      }
      std::string rest = arg.substr(k + 1);
      if (!rest.empty() && rest[0] == '=') return Apply(*spec, rest.substr(1), err);
      if (spec->kind == FlagKind::kBool) {
        if (!Apply(*spec, "true", err)) return false;
        continue;
      }
      if (!rest.empty()) return Apply(*spec, rest, err);
      if (i_ + 1 >= args_.size()) {
        *err = std::string("Error: flag needs an argument: '") + arg[k] + "' in " + arg;
        return false;
      }
      return Apply(*spec, args_[++i_], err);
    }
    return true;
  }

  bool Apply(const FlagSpec& spec, const std::string& value, std::string* err) {
    if (any_) return true;
    return ApplyFlag(spec, value, out_, err);
  }

  const std::vector<std::string>& args_;
  const bool any_;
  IstioctlArgs* out_;
  size_t i_ = 0;
};

bool KnownCommand(const std::string& word) {
  for (const char* c : kCommands) {
    if (word == c) return true;
  }
  return false;
}

}  // namespace

bool ParseIstioctlArgs(const std::vector<std::string>& args, IstioctlArgs* out, std::string* err) {
  std::vector<std::string> words;
  std::string ignored;
  ArgWalker(args, /*any=*/true, out).Walk(&words, &ignored);
  if (!words.empty()) {
    if (!KnownCommand(words[0])) {
      *err = "Error: unknown command \"" + words[0] +
             "\" for \"istioctl\"\nRun 'istioctl --help' for usage.";
      return false;
    }
    out->command = words[0];
  }
  words.clear();
  if (!ArgWalker(args, /*any=*/false, out).Walk(&words, err)) return false;
  // words[0] is the command; `help` takes one more (the command to explain), others none.
  size_t allowed = out->command == "help" ? 2 : 1;
  if (words.size() > allowed) {
    *err = "Error: unknown command \"" + words[allowed] + "\" for \"istioctl " + out->command +
           "\"\nRun 'istioctl " + out->command + " --help' for usage.";
    return false;
  }
  if (out->command == "help") {
    out->help = true;
    out->command = words.size() > 1 ? words[1] : "";
    if (!out->command.empty() && !KnownCommand(out->command)) {
      *err = "Error: unknown help topic [\"" + out->command + "\"]";
      return false;
    }
  }
  return true;
}

bool ParseGoDuration(const std::string& text, double* seconds) {
  static const struct {
    const char* unit;
    double scale;
  } kUnits[] = {{"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"s", 1}, {"m", 60}, {"h", 3600}};
  if (text == "0") return (*seconds = 0, true);
  double total = 0;
  const char* p = text.c_str();
  if (*p == '\0') return false;
  while (*p != '\0') {
    char* end = nullptr;
    double n = std::strtod(p, &end);
    if (end == p || n < 0) return false;
    p = end;
    bool matched = false;
    // kUnits lists "ms" before "m", so the longer unit wins.
    for (const auto& u : kUnits) {
      size_t len = std::strlen(u.unit);
      if (std::strncmp(p, u.unit, len) == 0) {
        total += n * u.scale;
        p += len;
        matched = true;
        break;
      }
    }
    if (!matched) return false;
  }
  *seconds = total;
  return true;
}

}  // namespace asmplan::sandbox::istioctl
