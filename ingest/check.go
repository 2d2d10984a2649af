package ingest

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ctattrib/ctattrib/store"
)

// CheckResult is what Check found.
type CheckResult struct {
	Checked int64      // events in the database
	Bad     int64      // of those, events lacking a name, source or time
	Samples []BadEvent // the first of them, by object and id
}

// BadEvent is an event stored without something every event has.
type BadEvent struct {
	EventID, SourceURI string
	Lacks              string // the columns it lacks, comma-separated
}

// Check looks for events stored without event_name, event_source or
// event_time, which no CloudTrail event lacks: ingest rejects such
// records (event.go), but a database loaded by an older ctattrib may hold
// some. It returns up to limit of them.
func Check(ctx context.Context, db *store.DB, limit int) (CheckResult, error) {
	var res CheckResult
	if err := db.SQL.QueryRowContext(ctx, checkCountsSQL).Scan(&res.Checked, &res.Bad); err != nil {
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
