package report

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ctattrib/ctattrib/attribution"
	"github.com/ctattrib/ctattrib/ingest"
	"github.com/ctattrib/ctattrib/internal/golden"
	"github.com/ctattrib/ctattrib/query"
	"github.com/ctattrib/ctattrib/store"
)

// attributedDB ingests the CloudTrail logs in dir (relative to the
// repository root) into a new database, attributes it and reopens it
// read-only, as the report command opens it.
func attributedDB(t testing.TB, dir string) *store.DB {
	t.Helper()
	ctx := context.Background()
	dir = filepath.Join("..", "..", dir)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no fixture: %v", err)
	}
	path := filepath.Join(t.TempDir(), "report.duckdb")
	rw, err := store.Open(ctx, path, store.ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	src, err := ingest.OpenSource(ctx, dir, ingest.SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The public samples hold two records that are no events (ingest's
	// TestLoadPublicSamples): rejected, the rest loads.
	if _, err := ingest.Load(ctx, rw, src, ingest.Options{Workers: 2}); err != nil && !errors.Is(err, ingest.ErrRecordsRejected) {
		t.Fatal(err)
	}
	if _, err := attribution.Run(ctx, rw, attribution.Options{Full: true}); err != nil {
		t.Fatal(err)
	}
	if err := rw.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, path, store.ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// demoReport reports testdata/demo, the data make demo shows.
func demoReport(t *testing.T) (*store.DB, *Report, []byte) {
	t.Helper()
	db := attributedDB(t, "testdata/demo")
	r, html := build(t, db, Params{})
	return db, r, html
}

func build(t *testing.T, db *store.DB, p Params) (*Report, []byte) {
	t.Helper()
	r, err := Build(context.Background(), db, p)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Write(&b, r); err != nil {
		t.Fatal(err)
	}
	return r, b.Bytes()
}

// TestReportGolden is the demo's report, byte for byte: the same database
// gives the same file (the demo report in make demo is this file).
func TestReportGolden(t *testing.T) {
	db, _, html := demoReport(t)
	golden.Check(t, filepath.Join("testdata", "demo.html.golden"), html)
	_, again := build(t, db, Params{})
	if !bytes.Equal(html, again) {
		t.Error("a second report of the same database differs from the first")
	}
	for _, section := range []string{"headline", "coverage", "computes", "denials", "unattributed"} {
		if !bytes.Contains(html, []byte(`<section id="`+section+`">`)) {
			t.Errorf("no %s section", section)
		}
	}
	// The demo holds no stolen credentials: the section is absent, not empty.
	if bytes.Contains(html, []byte(`id="findings"`)) {
		t.Error("findings section in a report without findings")
	}
	for _, remote := range []string{"http://", "https://", "<script", "@import", "url("} {
		if bytes.Contains(html, []byte(remote)) {
			t.Errorf("the report refers to %q: it must open offline", remote)
		}
	}
}

// figure is one drawn shape's data attributes.
type figure struct{ chart, key, series string }

var shapeAttrs = regexp.MustCompile(`data-chart="([^"]*)" data-key="([^"]*)" data-series="([^"]*)" data-n="(\d+)"`)

// stripAttrs match a strip, whose chart and key are on the svg element,
// and its shapes, which name their bucket.
var (
	stripSVG   = regexp.MustCompile(`(?s)<svg class="strip"[^>]*data-chart="([^"]*)" data-key="([^"]*)">(.*?)</svg>`)
	stripAttrs = regexp.MustCompile(`data-b="([^"]*)" data-series="([^"]*)" data-n="(\d+)"`)
)

// figures reads every drawn shape's figure back from the HTML; a strip's
// shapes are keyed KEY|BUCKET.
func figures(t *testing.T, html []byte) map[string]map[figure]int64 {
	t.Helper()
	var shapes [][][]byte
	shapes = append(shapes, shapeAttrs.FindAllSubmatch(html, -1)...)
	for _, svg := range stripSVG.FindAllSubmatch(html, -1) {
		for _, m := range stripAttrs.FindAllSubmatch(svg[3], -1) {
			key := append(append(append([]byte{}, svg[2]...), '|'), m[1]...)
			shapes = append(shapes, [][]byte{nil, svg[1], key, m[2], m[3]})
		}
	}
	out := map[string]map[figure]int64{}
	for _, m := range shapes {
		n, err := strconv.ParseInt(string(m[4]), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		f := figure{string(m[1]), unescape(string(m[2])), unescape(string(m[3]))}
		if out[f.chart] == nil {
			out[f.chart] = map[figure]int64{}
		}
		if _, dup := out[f.chart][f]; dup {
			t.Errorf("%v drawn twice", f)
		}
		out[f.chart][f] = n
	}
	return out
}

func unescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#39;", "'", "&#34;", `"`, "&lt;", "<", "&gt;", ">").Replace(s)
}

// sqlFigures runs q, whose rows are (key, series, n), into figures of
// chart; zeros are not drawn.
func sqlFigures(t *testing.T, db *store.DB, chart, q string, args ...any) map[figure]int64 {
	t.Helper()
	rs, err := db.SQL.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", chart, err)
	}
	defer rs.Close()
	out := map[figure]int64{}
	for rs.Next() {
		var key, series string
		var n int64
		if err := rs.Scan(&key, &series, &n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			out[figure{chart, key, series}] += n
		}
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// seriesCase is the SQL that maps a method to the series the report
// draws it as, from the report's own choice of series.
func seriesCase(series []string, col string) string {
	var b strings.Builder
	b.WriteString("CASE")
	for _, s := range series {
		if s != OtherMethods {
			b.WriteString(" WHEN " + col + " = '" + s + "' THEN '" + s + "'")
		}
	}
	b.WriteString(" ELSE '" + OtherMethods + "' END")
	return b.String()
}

// TestReportFigures checks every figure each chart draws against SQL that
// should give it: SQL of the test's own, which reads the events joined to
// their attributions (the report reads the columns attributions copy) and
// buckets times in DuckDB with epoch arithmetic (the report with
// time_bucket; the two agree for buckets shorter than a week, as the
// demo's are).
func TestReportFigures(t *testing.T) {
	db, r, html := demoReport(t)
	got := figures(t, html)
	width := sql.Named("width", int64(r.Width/time.Second))
	stripWidth := sql.Named("width", int64(r.StripWidth/time.Second))
	method := "CASE WHEN a.actor_kind = 'unattributed' THEN 'unattributed' ELSE a.method END"
	bucket := "strftime(to_timestamp(epoch(e.event_time)::BIGINT // $width * $width) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ')"
	denied := "e.error_code IN ('AccessDenied', 'AccessDeniedException', 'Client.UnauthorizedOperation', 'UnauthorizedOperation')"
	want := map[string]map[figure]int64{
		"timeline": sqlFigures(t, db, "timeline", `SELECT `+bucket+`, `+seriesCase(r.Series, method)+`, count(*)
			FROM events e JOIN attributions a USING (event_id)
			WHERE e.identity_type = 'AssumedRole' GROUP BY ALL`, width),
		"accounts": sqlFigures(t, db, "accounts", `SELECT e.recipient_account_id, `+seriesCase(r.Series, method)+`, count(*)
			FROM events e JOIN attributions a USING (event_id)
			WHERE e.identity_type = 'AssumedRole' GROUP BY ALL`),
		"roles": sqlFigures(t, db, "roles", `SELECT coalesce(e.recipient_account_id, '') || '|' || coalesce(e.role_arn, ''), CASE WHEN a.actor_kind = 'unattributed' THEN 'unattributed' ELSE 'attributed' END, count(*)
			FROM events e JOIN attributions a USING (event_id)
			WHERE e.identity_type = 'AssumedRole' GROUP BY ALL`),
		"methods": sqlFigures(t, db, "methods", `SELECT 'all events', CASE WHEN a.event_id IS NULL THEN 'not attributed yet' ELSE `+seriesCase(r.MethodSeries, method)+` END, count(*)
			FROM events e LEFT JOIN attributions a USING (event_id) GROUP BY ALL`),
		"strip": sqlFigures(t, db, "strip", `
			SELECT a.actor_kind || '/' || a.account_id || '/' || a.region || '/' || a.actor || '|' || b, s, n
			FROM (
				SELECT a.actor_kind, a.account_id, a.region, a.actor, `+bucket+` AS b,
					count(*) AS calls, count(e.error_code) AS errors, count(*) FILTER (WHERE `+denied+`) AS denied
				FROM events e JOIN attributions a USING (event_id)
				WHERE a.actor_kind IN ('notebook-instance', 'studio-user-profile', 'ec2-instance', 'lambda-function', 'ecs-task')
				GROUP BY ALL
			) a
			CROSS JOIN LATERAL (VALUES ('calls', calls), ('errors', errors), ('denied', denied)) v(s, n)`, stripWidth),
		"role-share": sqlFigures(t, db, "role-share", `SELECT coalesce(e.recipient_account_id, '') || '|' || coalesce(e.role_arn, '') || '|' || `+bucket+`,
				CASE WHEN a.actor_kind = 'unattributed' THEN 'unattributed' ELSE 'attributed' END, count(*)
			FROM events e JOIN attributions a USING (event_id)
			WHERE e.identity_type = 'AssumedRole' GROUP BY ALL`, stripWidth),
		"account-share": sqlFigures(t, db, "account-share", `SELECT e.recipient_account_id || '|' || `+bucket+`,
				CASE WHEN a.actor_kind = 'unattributed' THEN 'unattributed' ELSE 'attributed' END, count(*)
			FROM events e JOIN attributions a USING (event_id)
			WHERE e.identity_type = 'AssumedRole' GROUP BY ALL`, stripWidth),
	}
	// The strips name buckets as people read them.
	keys := map[string]string{}
	for _, t := range r.StripBuckets {
		keys[bucketKey(t)] = bucketLabel(bucketKey(t), r.StripUnit)
	}
	for _, chart := range []string{"strip", "role-share", "account-share"} {
		labelled := map[figure]int64{}
		for f, n := range want[chart] {
			i := strings.LastIndex(f.key, "|")
			labelled[figure{f.chart, f.key[:i] + "|" + keys[f.key[i+1:]], f.series}] = n
		}
		want[chart] = labelled
	}
	if r.RolesMore == 0 && r.AccountsMore == 0 && len(r.Others) < DefaultTop {
		for chart, w := range want {
			if diff := cmp.Diff(w, got[chart]); diff != "" {
				t.Errorf("%s chart (-sql +drawn):\n%s", chart, diff)
			}
		}
	} else {
		t.Fatal("the demo outgrew the report's top rows: check the figures of the rows it keeps")
	}
	for chart := range want {
		if len(got[chart]) == 0 {
			t.Errorf("nothing drawn in the %s chart", chart)
		}
	}

	// The headline's figures.
	var events, accounts, findings int64
	if err := db.SQL.QueryRow(`SELECT count(*), count(DISTINCT recipient_account_id), (SELECT count(*) FROM findings) FROM events`).Scan(&events, &accounts, &findings); err != nil {
		t.Fatal(err)
	}
	if h := r.Headline; h.Events != events || h.Accounts != accounts || int64(h.Findings) != findings {
		t.Errorf("headline %d events, %d accounts, %d findings; SQL says %d, %d, %d", h.Events, h.Accounts, h.Findings, events, accounts, findings)
	}
	var denials int64
	if err := db.SQL.QueryRow(`SELECT count(*) FROM events e WHERE ` + denied).Scan(&denials); err != nil {
		t.Fatal(err)
	}
	if r.Headline.Denials != denials {
		t.Errorf("headline %d denials, SQL says %d", r.Headline.Denials, denials)
	}
	var unattributed int64
	if err := db.SQL.QueryRow(`SELECT count(*) FROM attributions WHERE actor_kind = 'unattributed'`).Scan(&unattributed); err != nil {
		t.Fatal(err)
	}
	var cases int64
	for _, u := range r.Unattributed {
		cases += u.Calls
		if u.Fix == "" || u.Kind == "other" {
			t.Errorf("unattributed case %s (%q) has no fix of its own", u.Kind, u.Example)
		}
	}
	if cases != unattributed {
		t.Errorf("unattributed cases add up to %d calls, SQL says %d", cases, unattributed)
	}
}

// TestReportFindings reports the shared attribution scenario, which holds
// a credential-misuse finding: the section is there, with its evidence.
func TestReportFindings(t *testing.T) {
	db := attributedDB(t, "testdata/scenario")
	r, html := build(t, db, Params{})
	if len(r.Findings) == 0 {
		t.Fatal("no findings in the scenario")
	}
	if !bytes.Contains(html, []byte(`<section id="findings">`)) {
		t.Error("no findings section")
	}
	for _, f := range r.Findings {
		for _, s := range append([]string{f.AccessKey, f.Actor}, f.EventIDs...) {
			if !bytes.Contains(html, []byte(s)) {
				t.Errorf("finding %s: %q not in the report", f.Kind, s)
			}
		}
	}
	if got, want := r.Sections(), []string{"headline", "coverage", "computes", "findings", "denials", "unattributed"}; !cmp.Equal(got, want) {
		t.Errorf("Sections() = %v, want %v", got, want)
	}
}

// TestReportFilter narrows the demo to one account and one hour: only
// that account's calls are drawn.
func TestReportFilter(t *testing.T) {
	db, _, _ := demoReport(t)
	from := time.Date(2026, 11, 1, 1, 0, 0, 0, time.UTC)
	r, html := build(t, db, Params{Filter: query.Filter{Account: "444455556666", Since: from, Until: from.Add(time.Hour)}})
	var events int64
	if err := db.SQL.QueryRow(`SELECT count(*) FROM events WHERE recipient_account_id = '444455556666'
		AND event_time >= '2026-11-01T01:00:00Z' AND event_time < '2026-11-01T02:00:00Z'`).Scan(&events); err != nil {
		t.Fatal(err)
	}
	if r.Headline.Events != events || r.Headline.Accounts != 1 {
		t.Errorf("headline %d events in %d accounts, want %d in 1", r.Headline.Events, r.Headline.Accounts, events)
	}
	for f := range figures(t, html)["accounts"] {
		if f.key != "444455556666" {
			t.Errorf("account %s drawn", f.key)
		}
	}
	if !bytes.Contains(html, []byte("account 444455556666, from 2026-11-01T01:00:00Z, before 2026-11-01T02:00:00Z")) {
		t.Error("the report does not say which events it covers")
	}
}

// TestReportOddData reports a database that holds every kind of odd row
// the query fixtures have (no times, no accounts, no attributions yet), and
// an empty one: neither fails.
func TestReportOddData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "odd.duckdb")
	db, err := store.Open(ctx, path, store.ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r, html := build(t, db, Params{})
	if r.Headline.Events != 0 || !cmp.Equal(r.Sections(), []string{"headline"}) || !bytes.Contains(html, []byte("No events in this window")) {
		t.Errorf("empty database: %+v, sections %v", r.Headline, r.Sections())
	}
	for _, name := range []string{"fixture.sql", "fill_columns.sql"} {
		text, err := os.ReadFile(filepath.Join("..", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL.ExecContext(ctx, string(text)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	// An event nothing attributed yet, and one with no time or account.
	if _, err := db.SQL.ExecContext(ctx, `
		INSERT INTO event_rows (event_id, event_time, identity_type, record) VALUES ('odd-1', NULL, 'AssumedRole', '{}'), ('odd-2', '2024-05-02T10:30:00Z', NULL, '{}');
		INSERT INTO attributions (event_id, actor_kind, method, confidence, event_time, identity_type, reason)
		VALUES ('odd-1', 'unattributed', 'none', 'low', NULL, 'AssumedRole', NULL)`); err != nil {
		t.Fatal(err)
	}
	r, html = build(t, db, Params{})
	if r.Headline.Pending == 0 || !bytes.Contains(html, []byte("not-attributed-yet")) {
		t.Errorf("pending events not reported: %+v", r.Headline)
	}
	if len(r.Sections()) < 5 {
		t.Errorf("sections %v", r.Sections())
	}
}

func TestBuckets(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		first, last string
		unit        string
		n           int
		start       string
	}{
		{"2026-11-01T00:00:00Z", "2026-11-01T01:59:59Z", "5 minutes", 24, "2026-11-01T00:00:00Z"},
		{"2026-11-01T00:07:00Z", "2026-11-03T23:00:00Z", "30 minutes", 143, "2026-11-01T00:00:00Z"},
		{"2026-11-01T05:00:00Z", "2026-12-20T00:00:00Z", "day", 50, "2026-11-01T00:00:00Z"},
		// 2026-11-04 is a Wednesday: its week starts on Monday 2 November.
		{"2026-11-04T05:00:00Z", "2027-06-01T00:00:00Z", "week", 31, "2026-11-02T00:00:00Z"},
		{"2020-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "week", 314, "2019-12-30T00:00:00Z"},
	}
	for _, tt := range tests {
		_, unit, list := buckets(at(tt.first), at(tt.last), true, maxBuckets)
		if unit != tt.unit || len(list) != tt.n || bucketKey(list[0]) != tt.start {
			t.Errorf("buckets(%s, %s) = %s, %d from %s; want %s, %d from %s", tt.first, tt.last, unit, len(list), bucketKey(list[0]), tt.unit, tt.n, tt.start)
		}
	}
}

func TestHuman(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1k", 12_345: "12.3k", 99_960: "100k", 456_789: "457k", 1_260_000: "1.3M", 10_000_000: "10M", 3_400_000_000: "3.4G"} {
		if got := human(n); got != want {
			t.Errorf("human(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestPct(t *testing.T) {
	tests := []struct {
		a, b int64
		want string
	}{
		{0, 0, "–"}, {0, 5, "0%"}, {5, 5, "100%"}, {45, 100, "45%"}, {1, 3, "33%"},
		{999, 1000, "99.9%"}, {9995, 10000, ">99.9%"}, {99999, 100000, ">99.9%"}, {1, 100000, "<0.1%"}, {5, 1000, "0.5%"}, {95, 100, "95%"},
	}
	for _, tt := range tests {
		if got := pct(tt.a, tt.b); got != tt.want {
			t.Errorf("pct(%d, %d) = %q, want %q", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestReportSamples reports the public CloudTrail samples beside the
// project (../shared/cloudtrail-samples): twelve years of odd, real
// records from dozens of accounts. The report is built, lists the top
// accounts only, and its timeline adds up to the assumed-role calls.
func TestReportSamples(t *testing.T) {
	dir := filepath.Join("..", "shared", "cloudtrail-samples")
	if _, err := os.Stat(filepath.Join("..", "..", dir)); err != nil && os.Getenv("CI") != "" {
		t.Fatalf("shared samples missing in CI: %v", err)
	}
	db := attributedDB(t, dir)
	r, html := build(t, db, Params{Top: 10})
	var calls, accounts int64
	if err := db.SQL.QueryRow(`SELECT count(*) FILTER (WHERE identity_type = 'AssumedRole' AND event_time IS NOT NULL),
		count(DISTINCT recipient_account_id) FILTER (WHERE identity_type = 'AssumedRole') FROM events`).Scan(&calls, &accounts); err != nil {
		t.Fatal(err)
	}
	var drawn int64
	for _, n := range figures(t, html)["timeline"] {
		drawn += n
	}
	if drawn != calls {
		t.Errorf("timeline draws %d calls, SQL counts %d assumed-role calls", drawn, calls)
	}
	if len(r.Accounts) != 10 || int64(len(r.Accounts)+r.AccountsMore) < accounts {
		t.Errorf("%d accounts drawn and %d left out, of %d", len(r.Accounts), r.AccountsMore, accounts)
	}
	if len(r.Findings) == 0 || !bytes.Contains(html, []byte(`<section id="findings">`)) {
		t.Error("the samples' credential theft is not in the report")
	}
}
