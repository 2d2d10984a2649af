# shellcheck shell=bash
# Sourced by the .ci/install-*.sh scripts that install a Go tool.
# go_tool_install NAME MODULE/cmd/PATH VERSION installs the command with
# go install unless that version is already on PATH or in go's bin folder.
# Quiet unless something fails; returns non-zero then.

go_tool_install() {
	local name=$1 pkg=$2 version=$3 gobin bin log
	if ! command -v go >/dev/null; then
		echo "install: go is not on PATH" >&2
		return 1
	fi
	gobin=$(go env GOBIN)
	if [[ -z $gobin ]]; then
		gobin=$(go env GOPATH | cut -d: -f1)/bin
	fi
	for bin in "$(command -v "$name" || true)" "$gobin/$name"; do
		if [[ -n $bin && -x $bin && $(go_tool_version "$bin") == "$version" ]]; then
			return 0
		fi
	done
	log=$(mktemp)
	if ! go install "$pkg@$version" >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		echo "install: go install $pkg@$version failed" >&2
		return 1
	fi
	rm -f "$log"
	if [[ $(go_tool_version "$gobin/$name") != "$version" ]]; then
		echo "install: $gobin/$name is not $version after go install" >&2
		return 1
	fi
}

# go_tool_version prints the main module version a Go binary was built
# from, or nothing.
go_tool_version() {
	go version -m "$1" 2>/dev/null | awk '$1 == "mod" { print $3; exit }'
}
