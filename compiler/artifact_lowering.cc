// PlanBuilder, part 1: artifact declarations -> Artifacts, with keys read and fingerprinted.
#include "compiler/plan_builder.h"
#include "compiler/plan_consistency.h"
#include "compiler/public_key.h"
#include "compiler/sha256.h"

namespace asmplan {

void PlanBuilder::LowerArtifacts(const ast::PlanDecl& decl, Plan* out) {
  for (const ast::ArtifactDecl& a : decl.artifacts) {
    auto it = artifacts_.find(a.name.value);
    if (it != artifacts_.end()) {
      diags_->Error(
          "duplicate-artifact", a.loc, "artifact " + Code(a.name.value) + " declared twice",
          {"first declared at line " + std::to_string(decl.artifacts[it->second].loc.line)});
      continue;
    }
    artifacts_[a.name.value] = static_cast<int>(&a - decl.artifacts.data());
    Artifact artifact;
    if (LowerArtifact(a, &artifact)) out->artifacts.push_back(std::move(artifact));
  }
}

bool PlanBuilder::LowerArtifact(const ast::ArtifactDecl& decl, Artifact* out) {
  Scope scope{params_, nullptr, nullptr};
  bool ok = true;
  auto field = [&](const std::optional<ast::Text>& text, std::string* value) {
    if (text) ok = InterpolateOne(*text, scope, TextUse::kScalar, diags_, value) && ok;
  };
  out->name = decl.name.value;
  if (!decl.url) {
    diags_->Error("missing-url", decl.loc, "artifact " + Code(decl.name.value) + " has no `url`");
    ok = false;
  }
  if (!decl.extract_to) {
    diags_->Error("missing-extract-to", decl.loc,
                  "artifact " + Code(decl.name.value) + " has no `extract_to`",
                  {"add `extract_to \"DIR\"`: the directory of the run's workspace it is "
                   "extracted to"});
    ok = false;
  }
  field(decl.url, &out->url);
  field(decl.signature, &out->signature_url);
  field(decl.sha256, &out->sha256);
  field(decl.extract_to, &out->extract_to);
  out->verify_none = decl.verify_none.has_value();
  if (decl.sha256 && ok && !IsSha256Hex(out->sha256)) {
    diags_->Error("invalid-sha256", decl.sha256->loc,
                  "expected 64 lower-case hex digits, got " + Code(out->sha256));
    ok = false;
  }
  if (decl.extract_to && ok && !IsWorkspacePath(out->extract_to)) {
    diags_->Error("invalid-path", decl.extract_to->loc,
                  "`extract_to` must be a relative path inside the run's workspace, got " +
                      Code(out->extract_to));
    ok = false;
  }
  ok = LoadKey(decl, out) && ok;
  return CheckVerification(decl, *out) && ok;
}

bool PlanBuilder::LoadKey(const ast::ArtifactDecl& decl, Artifact* out) {
  Scope scope{params_, nullptr, nullptr};
  if (decl.key_inline) {
    if (!InterpolateOne(*decl.key_inline, scope, TextUse::kScalar, diags_, &out->public_key_pem))
      return false;
  } else if (decl.key_file) {
    std::string rel;
    if (!InterpolateOne(*decl.key_file, scope, TextUse::kScalar, diags_, &rel)) return false;
    // A path that is exactly one parameter is relative to the file that set that parameter.
    std::string from = diags_->files()[decl.key_file->loc.file].path;
    ResolvedParam* p = params_->Find(LoneReference(*decl.key_file, false));
    if (p && !p->origin_file.empty()) from = p->origin_file;
    std::string path = ResolveRelativeTo(from, rel), err;
    if (!reader_->Read(path, &out->public_key_pem, &err)) {
      diags_->Error("unreadable-file", decl.key_file->loc,
                    "cannot read key file " + Code(path) + ": " + err);
      return false;
    }
    sources_->push_back({path, Sha256Hex(out->public_key_pem)});
  } else {
    return true;
  }
  const ast::Text& where = decl.key_inline ? *decl.key_inline : *decl.key_file;
  std::string err;
  if (!PublicKeyFingerprint(out->public_key_pem, &out->key_fingerprint, &err)) {
    diags_->Error("invalid-public-key", where.loc, "invalid public key: " + err);
    return false;
  }
  return true;
}

bool PlanBuilder::CheckVerification(const ast::ArtifactDecl& decl, const Artifact& a) {
  bool has_key = decl.key_file || decl.key_inline;
  if (decl.verify_none && (decl.signature || decl.sha256)) {
    diags_->Error("conflicting-verify", *decl.verify_none,
                  "`verify none` on an artifact that has a `signature` or `sha256`");
    return false;
  }
  if (!decl.verify_none && !decl.signature && !decl.sha256) {
    diags_->Error(
        "unverified-artifact", decl.loc, "artifact " + Code(a.name) + " is never verified",
        {"add `signature` with `public_key`, or `sha256`, or say `verify none` explicitly"});
    return false;
  }
  if (decl.signature && !has_key) {
    diags_->Error("missing-public-key", decl.signature->loc,
                  "artifact " + Code(a.name) + " has a `signature` but no `public_key`");
    return false;
  }
  return true;
}

}  // namespace asmplan
