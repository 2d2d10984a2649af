#!/usr/bin/env bash
# Installs what the lifecycle-scripts tests need on a fresh Debian machine:
# the shellcheck command lints every generated script. The sandbox test also uses
# unshare (util-linux) and chattr (e2fsprogs), both in Debian's base system.
# Idempotent and quiet: does nothing when shellcheck is already there.
set -euo pipefail
if command -v shellcheck >/dev/null 2>&1; then
	exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends shellcheck >/dev/null
