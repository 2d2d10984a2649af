package attribution_test

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// truthRow is one line of testdata/demo/truth.csv: the actor the corpus
// generator made an event for.
type truthRow struct {
	Account, Region, Kind, Actor string
}

func readTruth(t *testing.T, path string) map[string]truthRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != "event_id,account_id,region,actor_kind,actor" {
		t.Fatalf("%s: unexpected header %v", path, recs[:min(1, len(recs))])
	}
	truth := make(map[string]truthRow, len(recs)-1)
	for _, r := range recs[1:] {
		truth[r[0]] = truthRow{Account: r[1], Region: r[2], Kind: r[3], Actor: r[4]}
	}
	return truth
}

// TestDemoTruth attributes the demo corpus and compares every event with
// the actor the generator made it for (testdata/demo/truth.csv). Every
// event the truth attributes must get that actor (kind, name, account and
// region); an event the truth leaves unattributed must not be claimed for
// anyone. It logs the accuracy per actor kind (go test -v).
func TestDemoTruth(t *testing.T) {
	dir := filepath.Join("..", "testdata", "demo")
	truth := readTruth(t, filepath.Join(dir, "truth.csv"))
	db := openDB(t)
	load(t, db, dir)
	attribute(t, db, true)
	got := byEvent(t, db)

	if len(got) != len(truth) {
		t.Errorf("%d attributions for %d events in truth.csv", len(got), len(truth))
	}
	type tally struct{ events, right int }
	byKind := map[string]*tally{}
	var wrong []string
	for id, want := range truth {
		a, ok := got[id]
		if !ok {
			t.Errorf("event %s (truth %s %s) has no attribution", id, want.Kind, want.Actor)
			continue
		}
		k := byKind[want.Kind]
		if k == nil {
			k = &tally{}
			byKind[want.Kind] = k
		}
		k.events++
		if a.Kind == want.Kind && sameActor(want, a) {
			k.right++
			continue
		}
		wrong = append(wrong, fmt.Sprintf("%s: got %s %q in %s/%s (%s, %s), want %s %q in %s/%s; reason %q",
			id, a.Kind, a.Actor, a.Account, a.Region, a.Method, a.Confidence,
			want.Kind, want.Actor, want.Account, want.Region, a.Reason))
	}
	sort.Strings(wrong)
	for _, w := range wrong {
		t.Error(w)
	}

	kinds := make([]string, 0, len(byKind))
	total, right := 0, 0
	for k, n := range byKind {
		kinds = append(kinds, k)
		total += n.events
		right += n.right
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		t.Logf("%-20s %4d/%4d right", k, byKind[k].right, byKind[k].events)
	}
	t.Logf("accuracy %d/%d = %.2f%%", right, total, 100*float64(right)/float64(max(total, 1)))
}

// sameActor compares an attribution with the truth's actor, account and
// region (the actor's: a notebook's call to another region is still its
// region's). The truth names the root user "root" where ctattrib names its
// account, and for an unattributed call gives its principal ARN, which
// ctattrib does not repeat.
func sameActor(want truthRow, got row) bool {
	switch want.Kind {
	case "unattributed":
		return true
	case "root":
		return got.Actor == want.Account && got.Region == want.Region
	}
	return got.Actor == want.Actor && got.Account == want.Account && got.Region == want.Region
}

// TestDemoRerunIdentical attributes the demo corpus twice in full, then
// incrementally with nothing new, and checks that each run leaves the
// same attributions.
func TestDemoRerunIdentical(t *testing.T) {
	db := openDB(t)
	load(t, db, filepath.Join("..", "testdata", "demo"))
	attribute(t, db, true)
	first := dump(t, db)
	attribute(t, db, true)
	if diff := cmp.Diff(first, dump(t, db)); diff != "" {
		t.Errorf("second full run differs (-first +second):\n%s", diff)
	}
	if sum := attribute(t, db, false); sum.Recomputed != 0 {
		t.Errorf("incremental run with nothing new recomputed %d events, want 0", sum.Recomputed)
	}
	if diff := cmp.Diff(first, dump(t, db)); diff != "" {
		t.Errorf("incremental run differs from the full run (-full +incremental):\n%s", diff)
	}
}

// TestDemoIncrementalEqualsFull loads the demo corpus in two parts, in
// the order its files are named (accounts, then days), attributing
// incrementally after each, and compares with one full run: links whose
// evidence arrives in the second part must reach events of the first.
func TestDemoIncrementalEqualsFull(t *testing.T) {
	dir := filepath.Join("..", "testdata", "demo")
	full := openDB(t)
	load(t, full, dir)
	attribute(t, full, true)
	want := dump(t, full)

	var files []string
	err := filepath.WalkDir(filepath.Join(dir, "AWSLogs"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	part := func(keep func(i int) bool) string {
		dst := t.TempDir()
		for i, f := range files {
			if !keep(i) {
				continue
			}
			rel, err := filepath.Rel(dir, f)
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dst, rel), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dst
	}
	for _, split := range []int{len(files) / 3, len(files) / 2} {
		t.Run(fmt.Sprintf("%d of %d files first", split, len(files)), func(t *testing.T) {
			db := openDB(t)
			load(t, db, part(func(i int) bool { return i < split }))
			attribute(t, db, false)
			load(t, db, part(func(i int) bool { return i >= split }))
			attribute(t, db, false)
			if diff := cmp.Diff(want, dump(t, db)); diff != "" {
				t.Errorf("incremental differs from full (-full +incremental):\n%s", diff)
			}
		})
	}
}
