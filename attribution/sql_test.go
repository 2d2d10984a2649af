package attribution

import (
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctattrib/ctattrib/internal/golden"
)

// TestSQLGolden renders every SQL file that is a step or statement (not
// the _ files of shared blocks) to testdata/sql, so that a change to a
// shared block or pattern shows in every statement it reaches.
func TestSQLGolden(t *testing.T) {
	files, err := fs.Glob(sqlFS, "sql/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	// The subject each classifying step reads in Run.
	subjects := map[string]string{
		"44_keys_attribute_assume_roles.sql": "ar",
		"70_classify.sql":                    "subject",
	}
	var n int
	for _, f := range files {
		name := path.Base(f)
		if strings.HasPrefix(name, "_") || runElsewhere(name) {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			s := newStep(name).on(subjects[name])
			got, err := s.render()
			if err != nil {
				t.Fatalf("render %s: %v", name, err)
			}
			if strings.Contains(got, "{{") || strings.Contains(got, "<no value>") {
				t.Errorf("render %s left a placeholder:\n%s", name, got)
			}
			golden.Check(t, filepath.Join("testdata", "sql", strings.TrimSuffix(name, ".sql")+".golden"), []byte(got))
		})
	}
	if n == 0 {
		t.Fatal("no SQL files embedded")
	}
}

// TestRunStepsExist checks that the steps Run executes are files in the
// sql folder and the other way round: a file no step names is dead SQL.
func TestRunStepsExist(t *testing.T) {
	used := map[string]bool{}
	for _, s := range append(append([]step{
		stepSession, stepCTJ, stepFieldsState, stepFieldsRows, stepFieldsClear, stepFieldsNotebook,
		stepFieldsAssumeRole, stepFieldsSave, stepKeysInit, stepKeys, stepKeysChanged, stepKeysSpans,
		stepKeysAssumeRoles, stepAttributedAny, stepChanged, stepAttributedCount, stepNewest, stepNewEvents,
		stepNewEventsCount, stepNewestDrop, stepNewEventsAll, stepDeletedEvents, stepTargets, stepTargetShare,
		stepClearAll, stepClearTargets, stepSubject, stepClassify, stepSummary,
		stepInventoryList, stepInventoryDeleteCSV, stepInventoryDeleteAPI, stepInventoryInsert,
		stepInventoryMarkDeleted,
	}, prepareSteps...), afterClassify...) {
		used[s.name+".sql"] = true
	}
	files, err := fs.Glob(sqlFS, "sql/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if name := path.Base(f); !strings.HasPrefix(name, "_") && !runElsewhere(name) && !used[name] {
			t.Errorf("sql/%s is no step of the package", name)
		}
	}
}

// runElsewhere reports whether a file of sql/ is no step of Run: Findings
// (findings.go) and Pending (pending.go) embed and run their own.
func runElsewhere(name string) bool {
	return strings.HasPrefix(name, "findings_") || name == "pending.sql"
}

func TestSQLPattern(t *testing.T) {
	tests := []struct {
		name, want string
		wantErr    bool
	}{
		{name: "ec2", want: "'" + ec2InstanceIDPattern + "'"},
		{name: "email", want: "'" + emailPattern + "'"},
		{name: "nope", wantErr: true},
	}
	for _, tt := range tests {
		got, err := sqlPattern(tt.name)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("sqlPattern(%q) = %q, %v, want %q (error: %v)", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}
