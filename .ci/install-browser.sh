#!/usr/bin/env bash
# Installs what the report's browser test (query/report/browser_test.go)
# needs on a fresh Debian machine: chromium, which opens the report from
# disk in headless mode, screenshots it, reads its console and prints it
# to PDF. Idempotent and quiet: does nothing when chromium is already there.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
	exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
