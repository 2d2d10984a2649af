#!/usr/bin/env bash
# Installs golangci-lint, the lint gate `make lint` runs, at the version the
# Makefile pins.
set -euo pipefail
# shellcheck source=.ci/lib/go-tool.sh
source "$(dirname "$0")/lib/go-tool.sh"
version=$(sed -n 's/^GOLANGCI_LINT_VERSION *:= *//p' "$(dirname "$0")/../Makefile")
go_tool_install golangci-lint github.com/golangci/golangci-lint/v2/cmd/golangci-lint "$version"
