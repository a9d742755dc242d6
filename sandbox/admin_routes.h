// The sandbox's own endpoints (/sandbox/...): state, request counts and log, faults, and the
// control-plane install that the simulated istioctl calls.
#pragma once

#include "sandbox/cluster.h"
#include "sandbox/request_stats.h"

namespace httplib {
class Server;
}

namespace asmplan::sandbox {

/// Registers GET /sandbox/state, /sandbox/requests, /sandbox/request-log, /sandbox/istio and
/// POST /sandbox/requests/reset, /sandbox/faults, /sandbox/istio/install. JSON in and out;
/// errors are `{"error": "..."}` with 400 (or 409 when the cluster has no mesh).
void RegisterAdminRoutes(httplib::Server& server, Cluster& cluster, RequestStats& stats);

}  // namespace asmplan::sandbox
