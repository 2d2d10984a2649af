# The README's two set-up commands are `make demo` and `make test`.
.PHONY: build demo test race lint golden bench fuzz tidy ci

export AWS_CONFIG_FILE=/dev/null
export AWS_SHARED_CREDENTIALS_FILE=/dev/null
export CGO_ENABLED=1

BIN     := bin/ctattrib
DEMO_DB := bin/demo.duckdb
DEMO_REPORT := bin/demo-report.html

build:
	go build -o $(BIN) ./cmd/ctattrib

# demo loads the sample trail shipped in testdata/demo (two accounts, one
# under an organisation trail, and a GovCloud account), shows what
# ctattrib makes of it and writes its report (the golden file
# query/report/testdata/demo.html.golden).
demo: build
	@rm -f $(DEMO_DB) $(DEMO_DB).wal $(DEMO_DB).lock
	@echo '$$ ctattrib ingest --db $(DEMO_DB) testdata/demo'
	@$(BIN) ingest --db $(DEMO_DB) testdata/demo
	@echo
	@echo '$$ ctattrib attribute --db $(DEMO_DB)      # again: identical results'
	@$(BIN) attribute --db $(DEMO_DB)
	@echo
	@echo '$$ ctattrib query whodid --event-name CreateEndpoint --db $(DEMO_DB)'
	@$(BIN) query whodid --event-name CreateEndpoint --db $(DEMO_DB)
	@echo
	@echo '$$ ctattrib query instances --db $(DEMO_DB)'
	@$(BIN) query instances --db $(DEMO_DB)
	@echo
	@echo '$$ ctattrib query coverage --db $(DEMO_DB)'
	@$(BIN) query coverage --db $(DEMO_DB)
	@echo
	@echo '$$ ctattrib query denied --db $(DEMO_DB)'
	@$(BIN) query denied --db $(DEMO_DB)
	@echo
	@echo '$$ ctattrib query findings --db $(DEMO_DB)      # the demo holds no stolen credentials'
	@$(BIN) query findings --db $(DEMO_DB)
	@echo
	@echo '$$ ctattrib explain d90a271e-6707-4c41-b034-e637a42f9829 --db $(DEMO_DB)'
	@$(BIN) explain d90a271e-6707-4c41-b034-e637a42f9829 --db $(DEMO_DB)
	@echo
	@echo '$$ ctattrib report --db $(DEMO_DB) --output $(DEMO_REPORT)'
	@$(BIN) report --db $(DEMO_DB) --output $(DEMO_REPORT)
	@echo
	@echo 'The database is $(DEMO_DB); try: $(BIN) query sql --db $(DEMO_DB) "SELECT * FROM attributions LIMIT 5"'
	@echo 'The report is $(CURDIR)/$(DEMO_REPORT): open it in a browser.'

# test runs every test, with the race detector (cgo is on for DuckDB anyway).
test:
	go vet ./...
	go test -race ./...

race: test

# lint is the gate .ci/run passes before the tests: golangci-lint with the
# linters and import rules of .golangci.yml (.ci/install-lint.sh installs
# the pinned version).
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT = $(shell command -v golangci-lint || echo "$$(go env GOPATH)/bin/golangci-lint")
lint:
	go vet ./...
	@test -z "$$(gofmt -l .)" || { gofmt -l .; exit 1; }
	$(GOLANGCI_LINT) run ./...

golden:
	UPDATE_GOLDEN=1 go test ./...

# bench generates a 1M-event corpus once (cached outside the tree) and
# measures ingest, attribution and queries in one run, against DuckDB's
# own read_json on the same files; then the Go micro-benchmarks, which
# benchstat compares: ctattrib's load against read_json in this run, and
# every benchmark against the previous make bench (bench.txt).
BENCHSTAT = go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
bench:
	go run ./cmd/ctbench
	go test -run '^$$' -bench . -count 6 ./ingest ./attribution ./query | tee bench.new.txt
	$(BENCHSTAT) -filter .name:Load -col /impl bench.new.txt
	if [ -f bench.txt ]; then $(BENCHSTAT) bench.txt bench.new.txt; fi
	mv bench.new.txt bench.txt

# fuzz runs every fuzz target for FUZZTIME, one at a time (a fuzz run takes
# one target); crashers land in the package's testdata/fuzz and plain go test
# replays them.
FUZZTIME ?= 30s
FUZZ_TARGETS := \
	./ingest:FuzzDecode ./ingest:FuzzDecodeForms ./ingest:FuzzRecordKey \
	./internal/awsid:FuzzParseSessionARN ./internal/awsid:FuzzParseRoleARN \
	./internal/awsid:FuzzParseUserARN ./internal/awsid:FuzzPartitionOfRegion \
	./internal/denial:FuzzParse ./attribution:FuzzClassifySession \
	./lifecycle-scripts:FuzzParseRoleARN ./lifecycle-scripts:FuzzValidateInstanceName \
	./cmd/ctattrib:FuzzParseTime
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		echo "go test -run '^$$' -fuzz '^$${t#*:}$$' -fuzztime $(FUZZTIME) $${t%%:*}"; \
		go test -run '^$$' -fuzz "^$${t#*:}\$$" -fuzztime $(FUZZTIME) "$${t%%:*}" || exit 1; \
	done

tidy:
	go mod tidy && git diff --exit-code go.mod go.sum

ci: tidy lint test
