// The sandbox's simulated istioctl: `install` and `version` against the sandbox cluster.
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "sandbox/istioctl/istioctl_args.h"
#include "sandbox/istioctl/istioctl_commands.h"

namespace istioctl = asmplan::sandbox::istioctl;

int main(int argc, char** argv) {
  try {
    istioctl::IstioctlArgs args;
    std::string err;
    if (!istioctl::ParseIstioctlArgs(std::vector<std::string>(argv + 1, argv + argc), &args,
                                     &err)) {
      std::cerr << err << "\n";
      return 1;
    }
    if (args.help || args.command.empty()) {
      istioctl::PrintHelp(args.command, std::cout);
      return 0;
    }
    const std::string version = istioctl::ClientVersion();
    if (args.command == "install") return istioctl::RunInstall(args, version, std::cout, std::cerr);
    return istioctl::RunVersion(args, version, std::cout, std::cerr);
  } catch (const std::exception& e) {
    // Nothing should throw this far; if something does, fail like a CLI rather than abort.
    std::cerr << "Error: " << e.what() << "\n";
    return 1;
  }
}
