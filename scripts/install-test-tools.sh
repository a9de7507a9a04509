#!/usr/bin/env bash
# Installs the external tools the test suite runs for real (idempotent; needs root or sudo for apt).
#   promtool and prometheus (Debian package "prometheus"): `promtool check metrics` on real /metrics output,
#     `promtool check/test rules` on alert-rules/, and a real Prometheus evaluating the rules in OpsStackIT
#   amtool and prometheus-alertmanager (Debian package "prometheus-alertmanager"): alert-rules/alertmanager.yml
#   docker-compose (Debian package, Compose v1): `docker-compose config -q` on docker-compose.yml (no engine needed)
#   Kusto language service (npm, src/test/kusto): checks every KQL text the Log Analytics poller sends
#   node + npm (Debian packages): Azurite, the Azure Storage emulator, for the blob checkpoint store tests,
#     installed from src/test/azurite/package-lock.json into src/test/azurite/node_modules
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
missing=()
{ command -v promtool && command -v prometheus; } >/dev/null 2>&1 || missing+=(prometheus)
{ command -v amtool && command -v prometheus-alertmanager; } >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
first_line() { local out; out=$("$@" 2>&1) || true; echo "${out%%$'\n'*}"; }  # no `| head`: SIGPIPE + pipefail
first_line promtool --version
first_line amtool --version
first_line docker-compose version
command -v node >/dev/null 2>&1 || { echo "node (20+) and npm are needed for the KQL check (src/test/kusto)" >&2; exit 1; }
(cd src/test/kusto && npm ci --no-audit --no-fund --loglevel=error)
echo "kusto language service: $(node -p "require('./src/test/kusto/node_modules/@kusto/language-service-next/package.json').version")"
if [ ! -f src/test/azurite/node_modules/azurite/dist/src/blob/main.js ]; then
  echo "installing Azurite (npm ci in src/test/azurite)"
  (cd src/test/azurite && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "azurite $(node -p "require('./src/test/azurite/node_modules/azurite/package.json').version")"
