package attribution_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ctattrib/ctattrib/attribution"
	"github.com/ctattrib/ctattrib/store"
)

// TestPruneKeepsEvidence prunes the events before a cutoff and checks that
// the events after it are attributed as before: the notebook's creation
// and the AssumeRole that named its session stay, although older than the
// cutoff, while older calls and an AssumeRole whose key expired before it
// go.
func TestPruneKeepsEvidence(t *testing.T) {
	const role = "arn:aws:iam::111111111111:role/RolePrune"
	cutoff := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	admin := iamUser(acctA, "admin", "AKIAADMINEXAMPLE0001")
	oldDefault := assumed("aws", acctA, role, "SageMaker", "ASIAOLDDEFAULT000001", "2026-03-02T09:55:00Z")
	newDefault := assumed("aws", acctA, role, "SageMaker", "ASIANEWDEFAULT000001", "2026-03-09T20:00:00Z")
	named := assumed("aws", acctA, role, "nb-prune", "ASIANAMED00000000001", "2026-03-09T20:05:00Z")
	noTime := event("p-no-time", "", "us-east-1", acctA, "s3.amazonaws.com", "ListBuckets", "10.0.1.20", named, nil, nil)
	delete(noTime, "eventTime")
	db := openDB(t)
	loadRecords(t, db,
		createNotebook("p-create", "2026-03-01T00:00:00Z", "us-east-1", acctA, "nb-prune", role, "", admin),
		assumeRole("p-old-assume", "2026-03-02T10:00:00Z", "us-east-1", acctA, oldDefault, role, "nb-prune", "ASIAOLDNAMED00000001", "2026-03-02T11:00:00Z"),
		event("p-old-call", "2026-03-02T10:10:00Z", "us-east-1", acctA, "s3.amazonaws.com", "ListBuckets", "10.0.1.20", oldDefault, nil, nil),
		assumeRole("p-assume", "2026-03-09T20:05:00Z", "us-east-1", acctA, newDefault, role, "nb-prune", "ASIANAMED00000000001", "2026-03-10T08:05:00Z"),
		event("p-default-call", "2026-03-10T01:00:00Z", "us-east-1", acctA, "s3.amazonaws.com", "GetObject", "10.0.1.20", newDefault, nil, nil),
		event("p-named-call", "2026-03-10T02:00:00Z", "us-east-1", acctA, "s3.amazonaws.com", "PutObject", "10.0.1.20", named, nil, nil),
		noTime,
	)
	attribute(t, db, false)
	before := byEvent(t, db)
	for _, id := range []string{"p-default-call", "p-named-call"} {
		if got := before[id]; got.Kind != "notebook-instance" || got.Actor != "nb-prune" {
			t.Fatalf("before pruning, %s is attributed to %s %q, want notebook-instance nb-prune", id, got.Kind, got.Actor)
		}
	}

	want := attribution.PruneSummary{Before: cutoff, Deleted: 2, KeptNotebookEvents: 1, KeptAssumeRole: 1, Remaining: 7}
	dry, err := attribution.Prune(t.Context(), db, cutoff, true)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, dry); diff != "" {
		t.Errorf("dry run (-want +got):\n%s", diff)
	}
	want.Remaining = 5
	// The attributions of the 2 deleted events, and the assume_role_fields
	// row of the AssumeRole among them, go in the same transaction.
	want.Orphans, want.Stale = 3, true
	got, err := attribution.Prune(t.Context(), db, cutoff, false)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("prune (-want +got):\n%s", diff)
	}
	// As if killed before attributing: no attribution of a deleted event
	// is left, and a prune run again still says attribution is due.
	if n := orphans(t, db); n != 0 {
		t.Errorf("after prune, %d rows derived from deleted events remain, want 0", n)
	}
	rerun, err := attribution.Prune(t.Context(), db, cutoff, false)
	if err != nil {
		t.Fatal(err)
	}
	if rerun.Deleted != 0 || !rerun.Stale {
		t.Errorf("prune run again before attributing = %+v, want nothing deleted and Stale", rerun)
	}

	attribute(t, db, false)
	after := byEvent(t, db)
	kept := map[string]row{}
	for id := range after {
		kept[id] = before[id]
	}
	if diff := cmp.Diff(kept, after); diff != "" {
		t.Errorf("attributions of the events left (-before +after):\n%s", diff)
	}
	for _, id := range []string{"p-old-assume", "p-old-call"} {
		if _, ok := after[id]; ok {
			t.Errorf("pruned event %s still has an attribution", id)
		}
	}
	if len(after) != 5 {
		t.Errorf("attributions after pruning = %d, want 5", len(after))
	}

	again, err := attribution.Prune(t.Context(), db, cutoff, false)
	if err != nil {
		t.Fatal(err)
	}
	if again.Deleted != 0 || again.Remaining != 5 || again.Stale || again.Orphans != 0 {
		t.Errorf("prune after attributing = %+v, want nothing deleted, 5 remaining, not Stale", again)
	}
}

// orphans counts the rows of attributions, notebook_events and
// assume_role_fields whose event is gone.
func orphans(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var n int64
	if err := db.SQL.QueryRowContext(t.Context(), `SELECT
		(SELECT count(*) FROM attributions a ANTI JOIN event_rows e USING (event_id))
		+ (SELECT count(*) FROM notebook_events n ANTI JOIN event_rows e USING (event_id))
		+ (SELECT count(*) FROM assume_role_fields f ANTI JOIN event_rows e USING (event_id))`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPruneStaleDespiteNewEvents prunes fewer events than were loaded
// since attribution last ran: attribution is still due, for the events
// that lost evidence.
func TestPruneStaleDespiteNewEvents(t *testing.T) {
	cutoff := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	admin := iamUser(acctA, "admin", "AKIAADMINEXAMPLE0001")
	db := openDB(t)
	loadRecords(t, db, event("s-old", "2026-03-02T10:10:00Z", "us-east-1", acctA, "s3.amazonaws.com", "ListBuckets", "10.0.1.20", admin, nil, nil))
	attribute(t, db, false)
	loadRecords(t, db,
		event("s-new-1", "2026-03-11T10:10:00Z", "us-east-1", acctA, "s3.amazonaws.com", "ListBuckets", "10.0.1.20", admin, nil, nil),
		event("s-new-2", "2026-03-11T10:11:00Z", "us-east-1", acctA, "s3.amazonaws.com", "ListBuckets", "10.0.1.20", admin, nil, nil))
	got, err := attribution.Prune(t.Context(), db, cutoff, false)
	if err != nil {
		t.Fatal(err)
	}
	if got.Deleted != 1 || got.Remaining != 2 || !got.Stale {
		t.Errorf("Prune = %+v, want 1 deleted, 2 remaining, Stale", got)
	}
}
