package awsid

import (
	"database/sql"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// patternCase is an exported pattern with the Go check over it and the
// strings the other tests try it on.
type patternCase struct {
	name    string
	pattern string
	match   func(string) bool
	inputs  []string
	posix   bool // the pattern goes into shell scripts too
}

func patternCases(t *testing.T) []patternCase {
	var regions, arns, names []string
	for _, l := range readLines(t, "testdata/regions.txt") {
		r, _, _ := strings.Cut(l, " ")
		regions = append(regions, r)
	}
	regions = append(regions, readLines(t, "testdata/not-regions.txt")...)
	arns = readLines(t, "testdata/arns.txt")
	for _, tt := range sessionARNTests {
		arns = append(arns, tt.arn)
	}
	for _, tt := range roleARNTests {
		arns = append(arns, tt.arn)
	}
	for _, tt := range sessionNameTests {
		names = append(names, tt.name)
	}
	keys := []string{"AKIAIOSFODNN7EXAMPLE", "ASIAFAKEINSTANCE", "ASIAFAKEINSTANC", "REDACTED", "SAMPLE_ACCESS_KEY", "AROAIOSFODNN7EXAMPLE", "111122223333", "11112222333"}
	partitions := []string{"aws", "aws-cn", "aws-us-gov", "aws-iso-b", "aws-eusc", "aws-", "aws-foo", "AWS", ""}
	return []patternCase{
		{"PartitionPattern", PartitionPattern, IsPartition, partitions, false},
		{"RegionPattern", RegionPattern, IsRegion, regions, true},
		{"AccountPattern", AccountPattern, IsAccount, keys, true},
		{"AccessKeyIDPattern", AccessKeyIDPattern, IsAccessKeyID, keys, false},
		{"RoleARNPattern", RoleARNPattern, func(s string) bool { _, ok := ParseRoleARN(s); return ok }, arns, true},
		{"UserARNPattern", UserARNPattern, func(s string) bool { _, ok := ParseUserARN(s); return ok }, arns, false},
		{"SessionARNPattern", SessionARNPattern, func(s string) bool { _, ok := ParseSessionARN(s); return ok }, arns, false},
		{"SessionNamePattern", SessionNamePattern, IsSessionName, names, false},
		{"EC2InstanceIDPattern", EC2InstanceIDPattern, IsEC2InstanceID, names, false},
		{"ECSTaskIDPattern", ECSTaskIDPattern, IsECSTaskID, names, false},
		{"BotocoreSessionPattern", BotocoreSessionPattern, IsBotocoreSessionName, names, false},
		{"SDKSessionPattern", SDKSessionPattern, IsSDKSessionName, names, false},
		{"SSORolePattern", SSORolePattern, IsSSORoleName, names, false},
		{"HyperPodClusterNamePattern", HyperPodClusterNamePattern, IsHyperPodClusterName, hyperPodClusterInputs(), true},
		{"HyperPodSessionPattern", HyperPodSessionPattern, func(s string) bool { _, ok := ParseHyperPodSessionName(s); return ok },
			append(hyperPodSessionInputs(), names...), true},
	}
}

// TestPatternsInDuckDB: DuckDB's regexp_full_match reads every pattern
// as Go does, except where Go checks more than the pattern (path length).
func TestPatternsInDuckDB(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, pc := range patternCases(t) {
		t.Run(pc.name, func(t *testing.T) {
			for _, s := range pc.inputs {
				var got bool
				if err := db.QueryRowContext(t.Context(), `SELECT regexp_full_match($1, $2)`, s, pc.pattern).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if want := pc.match(s); got != want && len(s) <= MaxPathLen {
					t.Errorf("regexp_full_match(%q, %s) = %v, Go says %v", s, pc.name, got, want)
				}
			}
		})
	}
}

// TestGroupsInDuckDB: regexp_extract with the exported group numbers
// gives the parts the Go parsers give.
func TestGroupsInDuckDB(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	extract := func(s, pattern string, groups ...int) []string {
		t.Helper()
		out := make([]string, len(groups))
		for i, g := range groups {
			if err := db.QueryRowContext(t.Context(), `SELECT regexp_extract($1, '^' || $2 || '$', `+string(rune('0'+g))+`)`, s, pattern).Scan(&out[i]); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	for _, tt := range sessionARNTests {
		got := extract(tt.arn, SessionARNPattern, SessionARNGroupPartition, SessionARNGroupAccount, SessionARNGroupRole, SessionARNGroupSession)
		want := []string{tt.want.Partition, tt.want.Account, tt.want.RoleName, tt.want.SessionName}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("regexp_extract(%q, SessionARNPattern) = %q, ParseSessionARN gives %q", tt.arn, got, want)
		}
	}
	for _, tt := range roleARNTests {
		if len(tt.arn) > MaxPathLen {
			continue
		}
		got := extract(tt.arn, RoleARNPattern, ARNGroupPartition, ARNGroupAccount, ARNGroupPath, ARNGroupName)
		want := []string{tt.want.Partition, tt.want.Account, tt.want.Path, tt.want.Name}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("regexp_extract(%q, RoleARNPattern) = %q, ParseRoleARN gives %q", tt.arn, got, want)
		}
	}
	for _, name := range hyperPodSessionInputs() {
		s, _ := ParseHyperPodSessionName(name)
		got := extract(name, HyperPodSessionPattern, HyperPodGroupCluster, HyperPodGroupInstance)
		if want := []string{s.ClusterPart, s.InstanceID}; strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("regexp_extract(%q, HyperPodSessionPattern) = %q, ParseHyperPodSessionName gives %q", name, got, want)
		}
	}
}

// TestPatternsInBash: bash's [[ =~ ]] (POSIX extended regular
// expressions) reads the patterns that go into scripts as Go does.
func TestPatternsInBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	const script = `re=$1; shift; for s in "$@"; do if [[ $s =~ $re ]]; then echo 1; else echo 0; fi; done`
	for _, pc := range patternCases(t) {
		if !pc.posix {
			continue
		}
		t.Run(pc.name, func(t *testing.T) {
			var inputs []string
			for _, s := range pc.inputs {
				if !strings.ContainsRune(s, '\n') && len(s) <= MaxPathLen {
					inputs = append(inputs, s)
				}
			}
			out, err := exec.Command("bash", append([]string{"-c", script, "bash", "^" + pc.pattern + "$"}, inputs...)...).Output()
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Fields(string(out))
			if len(got) != len(inputs) {
				t.Fatalf("bash gave %d answers for %d inputs", len(got), len(inputs))
			}
			for i, s := range inputs {
				if want := pc.match(s); (got[i] == "1") != want {
					t.Errorf("bash [[ %q =~ %s ]] = %s, Go says %v", s, pc.name, got[i], want)
				}
			}
		})
	}
}

// TestPatternsAnchor: anchoring a pattern with ^ and $ alone matches what
// a group around it matches, so no pattern has a top-level alternation;
// and no pattern holds a quote, so each fits in an SQL or shell literal.
func TestPatternsAnchor(t *testing.T) {
	for _, pc := range patternCases(t) {
		if strings.ContainsAny(pc.pattern, "'\"\n") {
			t.Errorf("%s holds a quote or newline", pc.name)
		}
		for _, s := range pc.inputs {
			bare := mustCompile(t, "^"+pc.pattern+"$").MatchString(s)
			if bare != pc.match(s) && len(s) <= MaxPathLen {
				t.Errorf("^%s$ on %q = %v, want %v", pc.name, s, bare, pc.match(s))
			}
		}
	}
}

func mustCompile(t *testing.T, p string) *regexp.Regexp {
	t.Helper()
	re, err := regexp.Compile(p)
	if err != nil {
		t.Fatal(err)
	}
	return re
}
