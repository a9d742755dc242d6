// Placeholder until the release server lands: registers no routes.
#include "sandbox/release_server.h"

namespace asmplan::sandbox {

void RegisterReleaseRoutes(httplib::Server&, const ReleaseConfig&) {}

}  // namespace asmplan::sandbox
