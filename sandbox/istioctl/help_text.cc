#include <ostream>

#include "sandbox/istioctl/istioctl_commands.h"

namespace asmplan::sandbox::istioctl {
namespace {

constexpr char kGlobalFlags[] =
    "      --context string          The name of the kubeconfig context to use\n"
    "  -i, --istioNamespace string   Istio system namespace (default \"istio-system\")\n"
    "  -c, --kubeconfig string       Kubernetes configuration file\n";

constexpr char kRootHelp[] =
    "Istio configuration command line utility for service operators to\n"
    "debug and diagnose their Istio mesh.\n"
    "(The asmplan sandbox's simulated istioctl: it drives the sandbox's simulated cluster.)\n"
    "\n"
    "Usage:\n"
    "  istioctl [command]\n"
    "\n"
    "Available Commands:\n"
    "  help        Help about any command\n"
    "  install     Applies an Istio manifest, installing or reconfiguring Istio on a cluster.\n"
    "  version     Prints out build version information\n"
    "\n"
    "Flags:\n"
    "  -h, --help                    help for istioctl\n";

constexpr char kInstallHelp[] =
    "The install generates an Istio install manifest and applies it to a cluster.\n"
    "\n"
    "Usage:\n"
    "  istioctl install [flags]\n"
    "\n"
    "Examples:\n"
    "  istioctl install --set profile=asm-multicloud\n"
    "  istioctl install -f values.yaml --set values.global.mtls.auto=true\n"
    "\n"
    "Flags:\n"
    "  -f, --filename strings                 Path to file containing IstioOperator custom "
    "resource\n"
    "      --force                            Proceed even with validation errors.\n"
    "  -h, --help                             help for install\n"
    "      --readiness-timeout duration       Maximum time to wait for Istio resources in each "
    "component to be ready. (default 5m0s)\n"
    "  -s, --set stringArray                  Override an IstioOperator value, e.g. to choose a "
    "profile\n"
    "                                         (--set profile=demo)\n"
    "  -y, --skip-confirmation                The skipConfirmation determines whether the user "
    "is prompted for confirmation.\n";

constexpr char kVersionHelp[] =
    "Prints out build version information\n"
    "\n"
    "Usage:\n"
    "  istioctl version [flags]\n"
    "\n"
    "Flags:\n"
    "  -h, --help     help for version\n"
    "      --remote   Use --remote=false to suppress control plane check (default true)\n"
    "  -s, --short    Use --short=false to generate full version information\n";

}  // namespace

void PrintHelp(const std::string& command, std::ostream& out) {
  if (command == "install") {
    out << kInstallHelp;
  } else if (command == "version") {
    out << kVersionHelp;
  } else {
    out << kRootHelp << kGlobalFlags
        << "\nUse \"istioctl [command] --help\" for more information about a command.\n";
    return;
  }
  out << "\nGlobal Flags:\n" << kGlobalFlags;
}

}  // namespace asmplan::sandbox::istioctl
