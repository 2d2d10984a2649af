#!/usr/bin/env bash
# Installs versitygw, the S3 gateway the ingest package's integration tests
# (ingest/versitygw_test.go) start on loopback. Does nothing when the pinned
# version is already installed on PATH or in go's bin folder. Quiet unless
# something fails; exits non-zero then.
set -euo pipefail

readonly module=github.com/versity/versitygw
readonly version=v1.8.0

if ! command -v go >/dev/null; then
	echo "install-s3.sh: go is not on PATH" >&2
	exit 1
fi
gobin=$(go env GOBIN)
if [[ -z $gobin ]]; then
	gobin=$(go env GOPATH | cut -d: -f1)/bin
fi

# installed_version prints the module version a versitygw binary was built
# from, or nothing.
installed_version() {
	go version -m "$1" 2>/dev/null | awk -v m="$module" '$1 == "mod" && $2 == m { print $3 }'
}

for bin in "$(command -v versitygw || true)" "$gobin/versitygw"; do
	if [[ -n $bin && -x $bin && $(installed_version "$bin") == "$version" ]]; then
		exit 0
	fi
done

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! go install "$module/cmd/versitygw@$version" >"$log" 2>&1; then
	cat "$log" >&2
	echo "install-s3.sh: go install $module/cmd/versitygw@$version failed" >&2
	exit 1
fi
if [[ $(installed_version "$gobin/versitygw") != "$version" ]]; then
	echo "install-s3.sh: $gobin/versitygw is not $version after go install" >&2
	exit 1
fi
