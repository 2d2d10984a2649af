package attribution_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ctattrib/ctattrib/attribution"
)

// BenchmarkAttribute attributes a database made of the scenario fixture
// copied in SQL to 200,000 events (BENCH_EVENTS overrides), every copy with
// its own event ids and access keys, so that each copy's AssumeRole links
// its own keys.
func BenchmarkAttribute(b *testing.B) {
	n := 200_000
	if s := os.Getenv("BENCH_EVENTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	db := openDB(b)
	load(b, db, filepath.Join("..", "testdata", "scenario"))
	var base int
	if err := db.SQL.QueryRow(`SELECT count(*) FROM events`).Scan(&base); err != nil {
		b.Fatal(err)
	}
	copies := n / base
	// The stored columns: events is a view that adds some from record.
	rows, err := db.SQL.Query(`SELECT column_name FROM duckdb_columns()
		WHERE table_name = 'event_rows' ORDER BY column_index`)
	if err != nil {
		b.Fatal(err)
	}
	var cols, exprs []string
	for rows.Next() {
		var c string
		rows.Scan(&c)
		cols = append(cols, c)
		switch c {
		case "event_id":
			exprs = append(exprs, "event_id || '-' || c")
		case "access_key_id":
			exprs = append(exprs, "c || 'X' || access_key_id")
		case "record":
			exprs = append(exprs, "replace("+c+"::VARCHAR, '\"accessKeyId\":\"', '\"accessKeyId\":\"' || c || 'X')")
		default:
			exprs = append(exprs, c)
		}
	}
	rows.Close()
	_, err = db.SQL.Exec(`CREATE TEMP TABLE seed AS SELECT * FROM event_rows; DELETE FROM event_rows;
		INSERT INTO event_rows (`+strings.Join(cols, ", ")+`) SELECT `+strings.Join(exprs, ", ")+`
		FROM seed, range(?) t(c)`, copies)
	if err != nil {
		b.Fatal(err)
	}
	var events int64
	db.SQL.QueryRow(`SELECT count(*) FROM events`).Scan(&events)
	b.ResetTimer()
	for b.Loop() {
		if _, err := attribution.Run(context.Background(), db, attribution.Options{Full: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
