// Lowers a checked-out plan declaration into the compiled model: artifacts (keys read and
// fingerprinted), steps (interpolated, `for` groups expanded), dependencies resolved and the
// steps put in execution order.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/ast.h"
#include "compiler/diagnostics.h"
#include "compiler/file_reader.h"
#include "compiler/interpolator.h"
#include "compiler/param_table.h"
#include "compiler/plan_model.h"

namespace asmplan {

class PlanBuilder {
 public:
  /// Key files are read through `reader` and recorded in `sources`.
  PlanBuilder(ParamTable* params, FileReader* reader, Diagnostics* diags,
              std::vector<SourceDigest>* sources)
      : params_(params), reader_(reader), diags_(diags), sources_(sources) {}

  /// Fills out->artifacts, out->groups and out->steps (in execution order).
  void Build(const ast::PlanDecl& decl, Plan* out);

 private:
  /// An `after` reference, interpolated, waiting for every step to exist.
  struct PendingRef {
    std::string name;  ///< the step or group name
    std::string id;    ///< name[index], or name when there is no index
    ast::Loc loc;
  };

  // artifact_lowering.cc
  void LowerArtifacts(const ast::PlanDecl& decl, Plan* out);
  bool LowerArtifact(const ast::ArtifactDecl& decl, Artifact* out);
  bool LoadKey(const ast::ArtifactDecl& decl, Artifact* out);
  bool CheckVerification(const ast::ArtifactDecl& decl, const Artifact& a);

  // step_lowering.cc
  void LowerStep(const ast::StepDecl& decl, const Scope& scope, const std::string& group);
  void LowerRun(const std::vector<ast::Text>& argv, const Scope& scope, Step* step);
  void LowerTiming(const ast::StepDecl& decl, const Scope& scope, Step* step);
  bool LowerWait(const ast::WaitStmt& wait, const Scope& scope, WaitUntil* out);
  bool LowerGuard(const ast::GuardExpr& expr, const Scope& scope, Guard* out);
  bool LowerGuardOperands(const ast::GuardExpr& expr, const Scope& scope, Guard* out);
  bool Duration(const ast::Text& text, const Scope& scope, Millis* out);
  bool Count(const ast::Text& text, const Scope& scope, int min, int* out);
  void CheckArgvNames(const std::string& prev, const std::string& arg, const ast::Text& text,
                      const Scope& scope);

  // plan_builder.cc
  void ExpandFor(const ast::ForDecl& decl);
  bool ForValues(const ast::ForDecl& decl, std::vector<std::string>* values);
  bool AddStep(Step step, const ast::Loc& loc);
  /// Steps from `real_steps` on are samples (a `for` over an empty list): only other samples
  /// may name them.
  void ResolveDependencies(size_t real_steps, std::vector<std::vector<int>>* deps);
  void ReportUnknownStep(const PendingRef& ref);
  /// Reports every dependency cycle (up to the error limit); true when there is none, with the
  /// steps in execution order in `*order` when given.
  bool ReportCycles(const std::vector<std::vector<int>>& deps, std::vector<int>* order = nullptr);
  void Order(const std::vector<std::vector<int>>& deps, Plan* out);

  ParamTable* params_;
  FileReader* reader_;
  Diagnostics* diags_;
  std::vector<SourceDigest>* sources_;

  std::unordered_map<std::string, int> artifacts_;
  std::vector<Step> steps_;  ///< declaration order
  std::vector<ast::Loc> step_locs_;
  std::vector<std::vector<PendingRef>> refs_;
  std::unordered_map<std::string, int> step_index_;
  std::vector<Group> groups_;
  std::unordered_map<std::string, int> group_index_;
  std::vector<ast::Loc> group_locs_;
  std::unordered_map<const ast::StepDecl*, std::string> source_of_;
  /// `for`s over an empty list, with their steps' groups: their bodies are still checked, with a
  /// sample value, as steps added after all others and dropped before ordering.
  std::vector<std::pair<const ast::ForDecl*, std::vector<int>>> unexpanded_;
};

}  // namespace asmplan
