#!/usr/bin/env bash
# Installs the external tools the test suite runs for real (idempotent; needs root or sudo for apt).
#   promtool (Debian package "prometheus"): `promtool check metrics` on real /metrics output
set -euo pipefail
SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
promtool --version 2>&1 | head -1
