#!/usr/bin/env bash
# Installs golangci-lint, the lint gate `make lint` runs, at the version the
# Makefile pins. Does nothing when that version is already on PATH or in
# go's bin folder. Quiet unless something fails; exits non-zero then.
set -euo pipefail

readonly module=github.com/golangci/golangci-lint/v2
version=$(sed -n 's/^GOLANGCI_LINT_VERSION *:= *//p' "$(dirname "$0")/../Makefile")
readonly version

gobin=$(go env GOBIN)
if [[ -z $gobin ]]; then
	gobin=$(go env GOPATH | cut -d: -f1)/bin
fi

installed_version() {
	go version -m "$1" 2>/dev/null | awk -v m="$module" '$1 == "mod" && $2 == m { print $3 }'
}

for bin in "$(command -v golangci-lint || true)" "$gobin/golangci-lint"; do
	if [[ -n $bin && -x $bin && $(installed_version "$bin") == "$version" ]]; then
		exit 0
	fi
done

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! go install "$module/cmd/golangci-lint@$version" >"$log" 2>&1; then
	cat "$log" >&2
	echo "install-lint.sh: go install $module/cmd/golangci-lint@$version failed" >&2
	exit 1
fi
