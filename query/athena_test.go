package query

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ctattrib/ctattrib/internal/golden"
)

// TestAthenaDDL checks the statement against what Export writes: the
// columns and types of the Parquet files as DuckDB reads them back, and
// the partition folders.
func TestAthenaDDL(t *testing.T) {
	db := newFixtureDB(t)
	dir := filepath.Join(t.TempDir(), "parquet")
	if _, err := Export(t.Context(), db, dir, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	ddl, err := AthenaDDL(t.Context(), db, "s3://audit-bucket/ctattrib/events", "security.ctattrib_events")
	if err != nil {
		t.Fatal(err)
	}

	cols := map[string]string{}
	for _, m := range regexp.MustCompile("(?m)^  `([a-z0-9_]+)` ([a-z]+),?$").FindAllStringSubmatch(ddl, -1) {
		cols[m[1]] = m[2]
	}
	// Hive types for the Parquet types DuckDB reads back.
	hive := map[string]string{"VARCHAR": "string", "JSON": "string", "BOOLEAN": "boolean", "BIGINT": "bigint",
		"TIMESTAMP WITH TIME ZONE": "timestamp"}
	rows, err := db.SQL.QueryContext(t.Context(), fmt.Sprintf(
		`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('%s/**/*.parquet', hive_partitioning = false))`, dir))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			t.Fatal(err)
		}
		seen++
		want, ok := hive[typ]
		if !ok {
			t.Errorf("Parquet column %s has type %s, which the test does not map", name, typ)
		}
		if cols[name] != want {
			t.Errorf("column %s: DDL type %q, want %q for Parquet's %s", name, cols[name], want, typ)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if seen == 0 || len(cols) != seen {
		t.Errorf("DDL has %d columns, the Parquet files %d:\n%s", len(cols), seen, ddl)
	}

	// Every partition folder the export wrote is inside the projection.
	prop := func(key string) string {
		m := regexp.MustCompile(`'` + regexp.QuoteMeta(key) + `' = '([^']*)'`).FindStringSubmatch(ddl)
		if m == nil {
			t.Fatalf("DDL lacks %s:\n%s", key, ddl)
		}
		return m[1]
	}
	accounts := strings.Split(prop("projection.account_id.values"), ",")
	regions := strings.Split(prop("projection.region.values"), ",")
	from, _, _ := strings.Cut(prop("projection.day.range"), ",")
	parts, err := filepath.Glob(filepath.Join(dir, "account_id=*", "region=*", "day=*"))
	if err != nil || len(parts) == 0 {
		t.Fatalf("no partition folders in %s (%v)", dir, err)
	}
	for _, p := range parts {
		rel, _ := filepath.Rel(dir, p)
		f := strings.Split(rel, string(os.PathSeparator))
		account, region, day := strings.TrimPrefix(f[0], "account_id="), strings.TrimPrefix(f[1], "region="), strings.TrimPrefix(f[2], "day=")
		if !slices.Contains(accounts, account) || !slices.Contains(regions, region) || (day != "unknown" && day < from) {
			t.Errorf("partition %s is outside the projection (accounts %v, regions %v, days from %s)", rel, accounts, regions, from)
		}
	}
	for _, want := range []string{
		"CREATE EXTERNAL TABLE IF NOT EXISTS security.ctattrib_events (",
		"PARTITIONED BY (`account_id` string, `region` string, `day` string)",
		"STORED AS PARQUET",
		"LOCATION 's3://audit-bucket/ctattrib/events/'",
		"'storage.location.template' = 's3://audit-bucket/ctattrib/events/account_id=${account_id}/region=${region}/day=${day}/'",
	} {
		if !strings.Contains(ddl, want) {
			t.Errorf("DDL lacks %q:\n%s", want, ddl)
		}
	}
}

func TestAthenaDDLRefuses(t *testing.T) {
	db := newFixtureDB(t)
	for _, tt := range []struct{ location, table string }{
		{"/local/folder", "t"},
		{"s3://", "t"},
		{"s3://b/p", "Bad-Name"},
		{"s3://b/p", "t; DROP TABLE x"},
	} {
		if _, err := AthenaDDL(t.Context(), db, tt.location, tt.table); !errors.Is(err, ErrAthenaTarget) {
			t.Errorf("AthenaDDL(%q, %q) error = %v, want ErrAthenaTarget", tt.location, tt.table, err)
		}
	}
}

// TestAthenaDDLGolden pins the whole statement for the fixture database.
func TestAthenaDDLGolden(t *testing.T) {
	db := newFixtureDB(t)
	ddl, err := AthenaDDL(t.Context(), db, "s3://audit-bucket/it's/events/", "ctattrib_events")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "athena_ddl.sql.golden"), []byte(ddl))
}
