package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/ctattrib/ctattrib/store"
)

// A run that lists a whole bucket of CloudTrail logs makes a request per
// thousand objects, every night, for years of logs it has loaded already.
// CloudTrail delivers each file into the folder of the day it delivers
// it, so a region folder's earlier day folders never change: after a
// complete run, the next lists each region folder from the day before the
// latest day folder it saw (files keep arriving that day, and a day's
// margin covers clocks). The table listed_through keeps those days.
// Objects that failed before that day are retried from their day folders
// alone: a file that stays broken for months must not have its region
// folder listed from its day on every run.
//
// Logs copied into older day folders afterwards are not seen; --relist
// (Options.Relist) or --since lists them.

// resumeMargin is how far before the latest day folder seen a later run
// lists again.
const resumeMargin = 24 * time.Hour

// resumePoints returns, by region folder URI below src, the first day
// folder a run lists there, and the URIs of the objects in it that failed
// before that day, in order.
func resumePoints(ctx context.Context, db *store.DB, src Source) (resume map[string]time.Time, retry map[string][]string, err error) {
	root := src.URI("")
	resume = map[string]time.Time{}
	rows, err := db.SQL.QueryContext(ctx, listedThroughSQL, sql.Named("root", root))
	if err != nil {
		return nil, nil, fmt.Errorf("read listing state: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var folder string
		var day time.Time
		if err := rows.Scan(&folder, &day); err != nil {
			return nil, nil, err
		}
		resume[folder] = day.UTC().Add(-resumeMargin)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if len(resume) == 0 {
		return nil, nil, nil
	}
	failed, err := db.SQL.QueryContext(ctx, failedObjectsSQL, sql.Named("root", root))
	if err != nil {
		return nil, nil, fmt.Errorf("read manifest: %w", err)
	}
	defer failed.Close()
	retry = map[string][]string{}
	for failed.Next() {
		var uri string
		if err := failed.Scan(&uri); err != nil {
			return nil, nil, err
		}
		folder, day, ok := regionFolder(uri)
		if from, resumed := resume[folder]; ok && resumed && day.Before(from) {
			retry[folder] = append(retry[folder], uri)
		}
	}
	return resume, retry, failed.Err()
}

// saveListedThrough records the latest day folder a complete run listed
// in each region folder; a folder's day never moves back.
func saveListedThrough(ctx context.Context, db *store.DB, through map[string]time.Time, now time.Time) error {
	if len(through) == 0 {
		return nil
	}
	folders := make([]string, 0, len(through))
	days := make([]string, 0, len(through))
	for f, d := range through {
		folders = append(folders, f)
		days = append(days, d.Format(time.DateOnly))
	}
	_, err := db.SQL.ExecContext(ctx, saveListedThroughSQL,
		sql.Named("folders", folders), sql.Named("days", days), sql.Named("now", now.UTC()))
	if err != nil {
		return fmt.Errorf("save listing state: %w", err)
	}
	return nil
}
