#!/usr/bin/env bash
# Installs versitygw, the S3 gateway the ingest package's integration tests
# (ingest/versitygw_test.go) start on loopback, at the pinned version.
set -euo pipefail
# shellcheck source=.ci/lib/go-tool.sh
source "$(dirname "$0")/lib/go-tool.sh"
go_tool_install versitygw github.com/versity/versitygw/cmd/versitygw v1.8.0
