package attribution

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/ctattrib/ctattrib/store"
)

// Finding kinds, the values of findings.kind and attributions.finding.
const (
	// FindingOffCompute: a compute's credentials (directly or through a
	// role chain that starts from them) used from a place or client the
	// compute itself does not call from.
	FindingOffCompute = "credentials-used-off-compute"
	// FindingAfterEnded: a notebook instance's, SageMaker job's,
	// endpoint's or HyperPod cluster's credentials used after it was
	// stopped, deleted or ended by its stopping condition.
	FindingAfterEnded = "credentials-used-after-compute-ended"
	// FindingManyPlaces: one session key used from distant networks within
	// minutes.
	FindingManyPlaces = "one-session-many-places"
)

// findingsStep is one statement of Findings and the named parameters it
// binds.
type findingsStep struct {
	step
	params []string
}

func newFindingsStep(file string, params ...string) findingsStep {
	return findingsStep{step: newStep(file), params: params}
}

// findingsSteps run in order; findings_32_chain.sql runs once per hop of a
// role chain, after findings_31_calls.sql turned the flagged groups into
// calls. Their shared parts are in _findings_defs.sql.
var findingsSteps = []findingsStep{
	newFindingsStep("findings_10_calls.sql"),
	newFindingsStep("findings_20_key_places.sql"),
	newFindingsStep("findings_21_actors.sql"),
	newFindingsStep("findings_22_home.sql", "home_keys"),
	newFindingsStep("findings_30_off_compute.sql", "home_keys"),
	newFindingsStep("findings_31_calls.sql"),
	newFindingsStep("findings_32_chain.sql"),
	newFindingsStep("findings_32_chain.sql"),
	newFindingsStep("findings_40_ended.sql"),
	newFindingsStep("findings_41_ended_flags.sql", "grace"),
	newFindingsStep("findings_50_spread.sql", "window"),
	newFindingsStep("findings_51_spread_flags.sql", "home_keys"),
	newFindingsStep("findings_60_events.sql"),
	newFindingsStep("findings_70_clear.sql"),
	newFindingsStep("findings_71_insert.sql"),
	newFindingsStep("findings_80_clear_marks.sql"),
	newFindingsStep("findings_81_marks.sql"),
}

// FindingsOptions tune Findings. The zero value selects the defaults.
type FindingsOptions struct {
	// HomeKeys is how many of a compute's session keys must have called
	// from a place for it to be the compute's home. Default 3.
	HomeKeys int
	// Grace is how long after a compute was stopped, deleted or ended its
	// credentials may still be used by calls in flight. Default 10
	// minutes.
	Grace time.Duration
	// Window is how close in time calls with one key from distant networks
	// must be to make a one-session-many-places finding. Default 10
	// minutes.
	Window time.Duration
	Log    *slog.Logger
}

// FindingCount is the number of findings of one kind and the calls they
// hold.
type FindingCount struct {
	Kind             string
	Findings, Events int64
}

// FindingsSummary is the outcome of Findings.
type FindingsSummary struct {
	// Counts holds one row per kind that has findings, by kind.
	Counts  []FindingCount
	Elapsed time.Duration
}

// Findings recomputes the findings table and attributions.finding from
// the attributions: calls made with a compute's credentials off the
// compute, after it ended, or from distant networks at once. It reads
// attributions, attribution_keys and attribution_seen_ips as Run left
// them, so it runs after Run; it recomputes everything each time, which
// keeps it correct after incremental runs.
//
// What a compute looks like is learned from its own calls, per compute
// (actor_kind and actor) and session key: its home places are the VPC
// endpoints and addresses at least HomeKeys of its sessions called from.
// A call is off-compute when a desktop (macOS, Windows) client makes it
// with the credentials of a Linux runtime (any compute but EC2, whose
// other sessions must show another client); when a Lambda function's or
// ECS task's credentials lack the exec-env marker its own calls carry;
// when it comes from a place that is not home while the compute used the
// same key from a home place of the same type before and after; when it
// comes from an address a person of the account used (unless that is the
// compute's learned home); or when its key was issued by an AssumeRole
// that is itself off-compute (two hops). AWS services calling on a
// session's behalf (invokedBy, a service name or 'AWS Internal' as the
// address) are never findings. Severity is high, except for the place
// signal alone (medium) and one-session-many-places (medium).
func Findings(ctx context.Context, db *store.DB, opts FindingsOptions) (FindingsSummary, error) {
	var sum FindingsSummary
	start := time.Now()
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.HomeKeys <= 0 {
		opts.HomeKeys = 3
	}
	if opts.Grace <= 0 {
		opts.Grace = 10 * time.Minute
	}
	if opts.Window <= 0 {
		opts.Window = 10 * time.Minute
	}
	params := map[string]any{
		"home_keys": opts.HomeKeys,
		"grace":     interval(opts.Grace),
		"window":    interval(opts.Window),
	}
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return sum, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SET TimeZone = 'UTC'`); err != nil {
		return sum, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return sum, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	r := runner{db: tx, log: opts.Log}
	for _, st := range findingsSteps {
		var args []any
		for _, p := range st.params {
			args = append(args, sql.Named(p, params[p]))
		}
		if _, err := r.exec(ctx, st.step, args...); err != nil {
			return sum, fmt.Errorf("findings: %w", err)
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT kind, count(*), sum(events) FROM findings GROUP BY kind ORDER BY kind`)
	if err != nil {
		return sum, fmt.Errorf("findings: %w", err)
	}
	for rows.Next() {
		var c FindingCount
		if err := rows.Scan(&c.Kind, &c.Findings, &c.Events); err != nil {
			rows.Close()
			return sum, err
		}
		sum.Counts = append(sum.Counts, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return sum, err
	}
	for _, q := range dropFindingsTables {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return sum, err
		}
	}
	if err := tx.Commit(); err != nil {
		return sum, err
	}
	sum.Elapsed = time.Since(start)
	return sum, nil
}

// dropFindingsTables frees the temporary tables of the steps.
var dropFindingsTables = []string{
	`DROP TABLE IF EXISTS fnd_groups`, `DROP TABLE IF EXISTS fnd_flag_groups`, `DROP TABLE IF EXISTS fnd_key_places`, `DROP TABLE IF EXISTS fnd_actors`,
	`DROP TABLE IF EXISTS fnd_home`, `DROP TABLE IF EXISTS fnd_flags`, `DROP TABLE IF EXISTS fnd_ended`,
	`DROP TABLE IF EXISTS fnd_spread`, `DROP TABLE IF EXISTS fnd_events`,
}

// interval renders d as the text of a DuckDB interval, which the SQL
// casts with ::INTERVAL, so that the statements read the same in any
// DuckDB client.
func interval(d time.Duration) string {
	return fmt.Sprintf("%d seconds", int64(d/time.Second))
}
