package attribution_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ctattrib/ctattrib/attribution"
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
	got, err := attribution.Prune(t.Context(), db, cutoff, false)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("prune (-want +got):\n%s", diff)
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
	if again.Deleted != 0 || again.Remaining != 5 {
		t.Errorf("second prune = %+v, want nothing deleted, 5 remaining", again)
	}
}
