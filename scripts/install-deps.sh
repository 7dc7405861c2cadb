#!/usr/bin/env bash
# Installs the Debian packages switchboard builds, tests and benchmarks with, only those missing.
# Boost comes as the 1.81 packages only: libboost-dev (1.74) conflicts with them.
set -euo pipefail
pkgs=(cmake make g++ pkg-config ccache ca-certificates curl python3 openssl
      libcaf-dev libboost1.81-dev libboost-json1.81-dev libboost-system1.81-dev
      libboost-url1.81-dev libsimdjson-dev librocksdb-dev libspdlog-dev libssl-dev
      libsodium-dev)
if [ "${1:-}" = "--bench" ]; then pkgs+=(wrk nginx-light haproxy); fi
if [ "${1:-}" = "--fuzz" ]; then pkgs+=(clang-14 clang libclang-rt-14-dev); fi
# The SDK client tests run the official npm clients: Debian's node and npm unless one is on PATH.
if ! command -v node > /dev/null || ! command -v npm > /dev/null; then pkgs+=(nodejs npm); fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
