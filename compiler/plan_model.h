// The compiled plan: what a reviewer reads and what the executor runs. Plain data, no behaviour
// beyond canonical rendering; produced by the compiler, written and read by compiled_plan_io.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace asmplan {

/// Durations are whole milliseconds everywhere in the model.
using Millis = std::int64_t;

enum class GuardKind {
  kPodsAllReady,              ///< pods in ns NS all ready
  kPodsAllShow,               ///< pods in ns NS all show READY/TOTAL
  kNoPodsTerminating,         ///< no pods in ns NS terminating
  kDeploymentRolledOut,       ///< deployment NAME in ns NS rolled out
  kContextIs,                 ///< context is NAME
  kClusterRoleBindingExists,  ///< clusterrolebinding NAME exists
  kSidecarsAtVersion,         ///< sidecars in ns NS at version NAME
  kControlPlaneAtVersion,     ///< istio control plane at version NAME
  kCommandSucceeds,           ///< command [ARGV] succeeds
  kAnd,                       ///< operands[0] and operands[1] and ...
  kOr,                        ///< operands[0] or operands[1] or ...
  kNot,                       ///< not operands[0]
};

/// A typed predicate over the cluster. Fields that a kind does not use stay empty.
struct Guard {
  GuardKind kind = GuardKind::kPodsAllReady;
  std::string ns;                 ///< namespace, for the pod, deployment and sidecar kinds
  std::string name;               ///< deployment, context, clusterrolebinding name, or a version
  int ready = 0;                  ///< kPodsAllShow: READY containers per pod
  int total = 0;                  ///< kPodsAllShow: TOTAL containers per pod
  std::vector<std::string> argv;  ///< kCommandSucceeds
  std::vector<Guard> operands;    ///< kAnd/kOr: two or more; kNot: exactly one
};

bool operator==(const Guard& a, const Guard& b);
inline bool operator!=(const Guard& a, const Guard& b) { return !(a == b); }

/// The guard in canonical text, e.g. `pods in ns "payments" all show 2/2`. Every string operand is
/// double-quoted with JSON escapes; `and`/`or`/`not` operands that are themselves `and`/`or` are
/// parenthesized. Parsing this text back yields an equal Guard.
std::string CanonicalText(const Guard& guard);

/// `wait until GUARD timeout D every D`: polled after the step's commands ran.
struct WaitUntil {
  Guard guard;
  Millis timeout_ms = 0;  ///< > 0, the compiler refuses a wait without one
  Millis every_ms = 0;    ///< > 0
};

/// One step, fully resolved: every parameter substituted except those marked secret.
struct Step {
  std::string id;                  ///< unique, e.g. "restart_sidecars[payments]"
  std::string group;               ///< the `for` group it was expanded from, or ""
  std::string source;              ///< where it was declared, "plans/asm-downgrade.asmplan:42"
  std::vector<std::string> after;  ///< ids of direct dependencies, each earlier in Plan::steps
  std::vector<Guard> require;      ///< all must hold before anything runs, else the step fails
  std::vector<Guard> skip_if;      ///< if any holds before anything runs, the step is skipped
  std::string fetch;               ///< artifact name to fetch first, or ""
  std::vector<std::vector<std::string>> run;  ///< argv lists, run in order, never via a shell
  Millis timeout_ms = 0;                      ///< per attempt, for the commands; 0 = no limit
  int retries = 0;                            ///< extra attempts after a failed one
  Millis backoff_ms = 0;                      ///< delay before retry k is backoff_ms * 2^(k-1)
  std::vector<WaitUntil> wait_until;          ///< polled in order after the commands
  std::vector<Guard> verify;  ///< all must hold last; also settle an interrupted step
  bool idempotent = false;    ///< safe to run again after an interruption
  std::string confirm;        ///< text of a confirmation gate, or "" for none
};

/// Whether resume may run `step` again when it was stopped in its commands and is not known done:
/// it is retried, idempotent, or only fetches (a fetch is safe to repeat). Otherwise it asks.
inline bool RunsAgainAfterAStop(const Step& step) {
  return step.retries > 0 || step.idempotent || step.run.empty();
}

/// A `for` group after expansion.
struct Group {
  std::string name;
  int parallel = 0;                ///< at most this many of its steps at once; 0 = no own limit
  std::vector<std::string> steps;  ///< expanded step ids in list order
};

/// An artifact, with everything needed to fetch and verify it without reading the sources again.
struct Artifact {
  std::string name;
  std::string url;
  std::string signature_url;    ///< "" when not signed
  std::string public_key_pem;   ///< the PEM text itself (inline or read from the key file)
  std::string key_fingerprint;  ///< hex SHA-256 of the key's DER SubjectPublicKeyInfo, or ""
  std::string sha256;           ///< hex pin of the archive, or ""
  std::string extract_to;       ///< relative to the run's workspace directory
  bool verify_none = false;     ///< the plan said `verify none` explicitly
};

/// A parameter's resolved value, and where it came from.
struct ParamValue {
  std::string name;
  std::string type;     ///< "string", "int", "bool", "duration", "list<string>"
  std::string value;    ///< canonical text: a JSON string, number, bool or array; "" when secret
  std::string source;   ///< "default", "plans/envs/prod.asmplan:3", "--set", "values.yaml:4"
  bool secret = false;  ///< value supplied at run time (ASMPLAN_SECRET_<NAME>), never stored
};

/// A source file that contributed to the plan.
struct SourceDigest {
  std::string path;    ///< relative to the working directory when compiled, lexically normal
  std::string sha256;  ///< hex
};

/// The compiled plan. `steps` is in execution order: a deterministic topological order with ties
/// broken by declaration order. Secret parameter references remain as `${NAME}` inside argv and
/// guard strings; the executor fills them from the environment at run time.
struct Plan {
  int format_version = 1;
  std::string name;
  std::string title;
  std::vector<ParamValue> params;
  std::vector<Artifact> artifacts;
  std::vector<Group> groups;
  std::vector<Step> steps;
  std::vector<SourceDigest> sources;
  std::string sha256;  ///< hex SHA-256 over the canonical content without this field
};

/// What every secret's environment variable starts with.
inline constexpr char kSecretVariablePrefix[] = "ASMPLAN_SECRET_";

/// The environment variable that supplies the secret parameter `name` at run time:
/// ASMPLAN_SECRET_ and the name upper-cased.
std::string SecretEnvironmentVariable(std::string_view name);

}  // namespace asmplan
