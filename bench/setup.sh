#!/usr/bin/env bash
# Installs what the benchmark needs beyond npm packages: wrk (Debian/Ubuntu). taskset (util-linux) is used when
# present; without it the benchmark runs unpinned. Run as root or with sudo available.
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then
  echo "wrk is installed: $(wrk -v 2>&1 | head -n 1)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "bench/setup.sh: wrk is missing and apt-get is not available; install wrk (https://github.com/wg/wrk) and retry" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends wrk
wrk -v 2>&1 | head -n 1 || true
