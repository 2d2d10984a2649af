package attribution

import (
	"bytes"
	"io/fs"
	"log/slog"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctattrib/ctattrib/internal/golden"
	"github.com/ctattrib/ctattrib/store"
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
		if strings.HasPrefix(name, "_") {
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
		stepSession, stepCTJ, stepFieldsState, stepFieldsRows, stepFieldsClear, stepFieldsNotebook, stepFieldsCompute,
		stepFieldsAssumeRole, stepFieldsSave, stepKeysInit, stepKeys, stepKeysChanged, stepKeysSpans,
		stepKeysAssumeRoles, stepAttributedAny, stepChanged, stepAttributedCount, stepNewest, stepNewEvents,
		stepNewEventsCount, stepNewestDrop, stepNewEventsAll, stepDeletedEvents, stepTargets, stepTargetShare,
		stepClearAll, stepClearTargets, stepSubject, stepClassify, stepSummary,
		stepInventoryList, stepInventoryDeleteCSV, stepInventoryDeleteAPI, stepInventoryInsert,
		stepInventoryMarkDeleted, stepPending, stepComputeDeleteAPI, stepComputeInsert, stepComputeDeleteCSV,
	}, prepareSteps...), afterClassify...) {
		used[s.name+".sql"] = true
	}
	for _, s := range findingsSteps {
		used[s.name+".sql"] = true
	}
	for _, s := range append([]step{stepPruneCount, stepPruneDelete, stepPruneStale, stepPruneRemaining}, stepPruneOrphans...) {
		used[s.name+".sql"] = true
	}
	files, err := fs.Glob(sqlFS, "sql/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if name := path.Base(f); !strings.HasPrefix(name, "_") && !used[name] {
			t.Errorf("sql/%s is no step of the package", name)
		}
	}
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

// TestRunLogsSteps: each step of a run logs its name and time at debug
// level, in the order of the files, and nothing at the default level.
func TestRunLogsSteps(t *testing.T) {
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "t.duckdb"), store.ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, level := range []slog.Level{slog.LevelDebug, slog.LevelInfo} {
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: level}))
		if _, err := Run(t.Context(), db, Options{Full: true, Log: log}); err != nil {
			t.Fatal(err)
		}
		if level != slog.LevelDebug {
			if buf.Len() != 0 {
				t.Errorf("Run logged at %v:\n%s", level, buf.String())
			}
			continue
		}
		var steps []string
		for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			if _, rest, ok := strings.Cut(line, " step="); ok && strings.Contains(line, "elapsed=") {
				steps = append(steps, strings.Fields(rest)[0])
			}
		}
		want := []string{"00_session", "10_ctj_macro", "11_record_fields_state", "12_record_fields_rows",
			"13_record_fields_clear", "14_record_fields_notebook", "14_record_fields_compute", "15_record_fields_assume_role",
			"16_record_fields_save", "17_federation_macros", "20_inventory", "21_compute_inventory", "30_prepare_inv", "31_prepare_hip", "32_prepare_ar",
			"33_prepare_seen_keys", "34_prepare_links", "35_prepare_compute", "40_keys_init", "41_keys", "42_keys_changed",
			"43_keys_spans",
			// The AssumeRole calls are attributed once even when no link gave
			// a key, and keys resolved again from them.
			"44_keys_attribute_assume_roles", "41_keys", "42_keys_changed", "43_keys_spans",
			"61_clear_all", "70_classify", "80_save_state"}
		for _, s := range findingsSteps {
			want = append(want, s.name)
		}
		if strings.Join(steps, " ") != strings.Join(want, " ") {
			t.Errorf("Run logged steps\n%v\nwant\n%v", steps, want)
		}
	}
}
