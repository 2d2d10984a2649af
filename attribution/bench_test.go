package attribution_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctattrib/ctattrib/attribution"
	"github.com/ctattrib/ctattrib/internal/corpus"
	"github.com/ctattrib/ctattrib/store"
)

// benchSeedEvents caps the corpus BenchmarkAttribute generates and
// ingests; larger sizes are copies of it in SQL.
const benchSeedEvents = 1_000_000

// BenchmarkAttribute runs a full attribution on a database of
// BENCH_EVENTS events (default 200,000); BENCH_LOG=1 logs each step's time:
//
//	BENCH_EVENTS=10000000 go test -run '^$' -bench Attribute -benchtime 1x ./attribution
//
// The events are the corpus generator's bench scenario (accounts with
// notebooks with and without the session-name config, AssumeRole chains,
// Studio, EC2, Lambda, ECS, people, denials), at most 1,000,000 of them
// generated and ingested. Beyond that the database holds copies, each in
// accounts of its own, with its own event ids and access keys: a larger
// organisation, not the same notebooks created again at the same moment
// (copies that kept the names and times made every notebook name match
// every copy's lifetimes, and a 1,000,000-event run did not finish in 10
// minutes).
func BenchmarkAttribute(b *testing.B) {
	n := 200_000
	if s := os.Getenv("BENCH_EVENTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n <= 0 {
			b.Fatalf("BENCH_EVENTS=%q: want a positive number", s)
		}
	}
	db := openDB(b)
	start := time.Now()
	dir := b.TempDir()
	cfg := corpus.Config{Seed: 1, Events: min(n, benchSeedEvents), Scenario: corpus.ScenarioBench, DuplicateRate: -1}
	if _, err := corpus.Generate(context.Background(), cfg, corpus.DirWriter(dir), nil); err != nil {
		b.Fatal(err)
	}
	load(b, db, dir)
	if err := os.RemoveAll(dir); err != nil {
		b.Fatal(err)
	}
	events := replicate(b, db, n)
	b.Logf("%d events ready in %v", events, time.Since(start).Round(time.Second))

	opts := attribution.Options{Full: true}
	if os.Getenv("BENCH_LOG") != "" { // each step's time
		opts.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	var findings time.Duration
	for b.Loop() {
		sum, err := attribution.Run(context.Background(), db, opts)
		if err != nil {
			b.Fatal(err)
		}
		findings += sum.Findings.Elapsed
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	// The findings step against the rest of the run, in the same runs:
	// what findings add to attribute (the budget is 20%).
	b.ReportMetric(100*findings.Seconds()/(b.Elapsed()-findings).Seconds(), "findings-%")
}

// replicate copies the events in db until there are at least n: copy c
// moves every account id to 0CCCCCKKKKKK (c, the account's index) in every
// text column and the record, and prefixes event ids and access keys. It
// returns the number of events.
func replicate(b *testing.B, db *store.DB, n int) int64 {
	b.Helper()
	ctx := context.Background()
	var base int64
	if err := db.SQL.QueryRowContext(ctx, `SELECT count(*) FROM event_rows`).Scan(&base); err != nil {
		b.Fatal(err)
	}
	copies := (int64(n) + base - 1) / base
	if copies <= 1 {
		return base
	}
	accounts := strings.Fields(queryString(b, db, `SELECT string_agg(DISTINCT a, ' ' ORDER BY a) FROM (
		SELECT recipient_account_id AS a FROM event_rows UNION SELECT identity_account_id FROM event_rows)
		WHERE regexp_full_match(a, '[0-9]{12}')`))
	rows, err := db.SQL.QueryContext(ctx, `SELECT column_name, data_type FROM duckdb_columns()
		WHERE table_name = 'event_rows' ORDER BY column_index`)
	if err != nil {
		b.Fatal(err)
	}
	type column struct{ name, typ string }
	var cols []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.name, &c.typ); err != nil {
			b.Fatal(err)
		}
		cols = append(cols, c)
	}
	if err := rows.Close(); err != nil {
		b.Fatal(err)
	}
	if _, err := db.SQL.ExecContext(ctx, `CREATE TEMP TABLE seed AS SELECT * FROM event_rows`); err != nil {
		b.Fatal(err)
	}
	for c := int64(1); c < copies; c++ {
		var names, exprs []string
		for _, col := range cols {
			e := col.name
			switch {
			case col.name == "event_id":
				e = fmt.Sprintf("event_id || '-c%d'", c)
			case col.name == "access_key_id":
				e = fmt.Sprintf("'C%dX' || access_key_id", c)
			case col.typ == "VARCHAR":
				if col.name == "record" {
					e = fmt.Sprintf(`replace(record, '"accessKeyId":"', '"accessKeyId":"C%dX')`, c)
				}
				for k, a := range accounts {
					e = fmt.Sprintf("replace(%s, '%s', '0%05d%06d')", e, a, c, k)
				}
			}
			names = append(names, col.name)
			exprs = append(exprs, e)
		}
		q := `INSERT INTO event_rows (` + strings.Join(names, ", ") + `) SELECT ` + strings.Join(exprs, ", ") + ` FROM seed`
		if _, err := db.SQL.ExecContext(ctx, q); err != nil {
			b.Fatalf("copy %d: %v", c, err)
		}
	}
	if _, err := db.SQL.ExecContext(ctx, `DROP TABLE seed; CHECKPOINT`); err != nil {
		b.Fatal(err)
	}
	var events int64
	if err := db.SQL.QueryRowContext(ctx, `SELECT count(*) FROM event_rows`).Scan(&events); err != nil {
		b.Fatal(err)
	}
	return events
}

func queryString(b *testing.B, db *store.DB, q string) string {
	b.Helper()
	var s string
	if err := db.SQL.QueryRowContext(context.Background(), q).Scan(&s); err != nil {
		b.Fatal(err)
	}
	return s
}
