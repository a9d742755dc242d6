#!/usr/bin/env bash
# Installs the Debian packages asmplan needs. Idempotent; fast when everything is present.
set -euo pipefail
packages=(
  cmake g++ ninja-build pkg-config
  antlr4 default-jre-headless libantlr4-runtime-dev
  libyaml-cpp-dev libssl-dev libcurl4-openssl-dev
  libboost-dev libboost-filesystem-dev
  googletest libgtest-dev
  nlohmann-json3-dev libcpp-httplib-dev libarchive-dev libcli11-dev
  zip unzip time openssl
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# kubectl: the machine image ships Google Cloud SDK's kubectl; Debian's own is kubernetes-client.
if ! command -v kubectl >/dev/null 2>&1; then
  echo "setup: kubectl not found; installing Debian's kubernetes-client" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq kubernetes-client >/dev/null
fi
