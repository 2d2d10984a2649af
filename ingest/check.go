package ingest

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ctattrib/ctattrib/store"
)

// CheckResult is what Check found.
type CheckResult struct {
	Checked int64 // events in the database
	Bad     int64 // of those, events lacking a name, a source or a time their record holds
	// Untimed is how many events are stored without a time because their
	// record holds none (rule-test fixtures, redacted exports). They are
	// not Bad.
	Untimed int64
	Samples []BadEvent // the first of them, by object and id
}

// BadEvent is an event stored without something every event has.
type BadEvent struct {
	EventID, SourceURI string
	Lacks              string // the columns it lacks, comma-separated
}

// Check looks for events stored without event_name or event_source,
// which no CloudTrail event lacks, or without event_time although their
// record holds a time: ingest rejects the former (event.go) and never
// does the latter, but a database loaded by an older ctattrib may hold
// some. It returns up to limit of them, and counts the events whose
// record holds no time at all.
func Check(ctx context.Context, db *store.DB, limit int) (CheckResult, error) {
	var res CheckResult
	if err := db.SQL.QueryRowContext(ctx, checkCountsSQL).Scan(&res.Checked, &res.Bad, &res.Untimed); err != nil {
		return res, fmt.Errorf("check events: %w", err)
	}
	if res.Bad == 0 || limit <= 0 {
		return res, nil
	}
	rows, err := db.SQL.QueryContext(ctx, checkEventsSQL, sql.Named("limit", limit))
	if err != nil {
		return res, fmt.Errorf("check events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b BadEvent
		var src sql.NullString
		if err := rows.Scan(&b.EventID, &src, &b.Lacks); err != nil {
			return res, fmt.Errorf("check events: %w", err)
		}
		b.SourceURI = src.String
		res.Samples = append(res.Samples, b)
	}
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("check events: %w", err)
	}
	return res, nil
}
