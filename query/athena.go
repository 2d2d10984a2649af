package query

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/ctattrib/ctattrib/store"
)

// athenaTypes maps the DuckDB types of exported columns to the Hive types
// of an Athena table over the Parquet files.
var athenaTypes = map[string]string{
	"VARCHAR":                  "string",
	"JSON":                     "string",
	"BOOLEAN":                  "boolean",
	"BIGINT":                   "bigint",
	"INTEGER":                  "int",
	"DOUBLE":                   "double",
	"DATE":                     "date",
	"TIMESTAMP":                "timestamp",
	"TIMESTAMPTZ":              "timestamp",
	"TIMESTAMP WITH TIME ZONE": "timestamp",
}

// ErrAthenaTarget is wrapped by AthenaDDL's error for a location or table
// name it cannot use.
var ErrAthenaTarget = errors.New("bad Athena table location or name")

var athenaTableRe = regexp.MustCompile(`^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$`)

// AthenaDDL returns the CREATE EXTERNAL TABLE statement of an Athena table
// over an export copied to location (s3://bucket/prefix/). Its columns are
// those Export writes; partitions are found by projection (no MSCK REPAIR
// TABLE): the accounts and regions in the database as enums, and days from
// the first one on. New accounts or regions need the statement again;
// events without a time (day=unknown) are outside the projection.
func AthenaDDL(ctx context.Context, db *store.DB, location, table string) (string, error) {
	if !strings.HasPrefix(location, "s3://") || len(location) <= len("s3://") {
		return "", fmt.Errorf("location %q: want s3://bucket/prefix/: %w", location, ErrAthenaTarget)
	}
	if !athenaTableRe.MatchString(table) {
		return "", fmt.Errorf("table %q: want lower-case letters, digits and _ ([database.]table): %w", table, ErrAthenaTarget)
	}
	location = strings.TrimSuffix(location, "/") + "/"

	q, err := render(athenaColumnsSQL, nil)
	if err != nil {
		return "", err
	}
	rows, err := db.SQL.QueryContext(ctx, q, exportArgs(time.Time{}, time.Time{})...)
	if err != nil {
		return "", fmt.Errorf("read export columns: %w", err)
	}
	types, err := rows.ColumnTypes()
	rows.Close()
	if err != nil {
		return "", err
	}
	data := athenaTable{Table: table, Location: location, FirstDay: "2000-01-01"}
	for _, ct := range types {
		switch ct.Name() {
		case "account_id", "region", "day":
			continue // partitions
		}
		t, ok := athenaTypes[ct.DatabaseTypeName()]
		if !ok {
			return "", fmt.Errorf("column %s: no Athena type for DuckDB's %s", ct.Name(), ct.DatabaseTypeName())
		}
		data.Columns = append(data.Columns, athenaColumn{Name: ct.Name(), Type: t})
	}

	var accounts, regions string
	var firstDay *string
	if q, err = render(athenaPartitionsSQL, nil); err != nil {
		return "", err
	}
	err = db.SQL.QueryRowContext(ctx, q).Scan(&accounts, &regions, &firstDay)
	if err != nil {
		return "", fmt.Errorf("read partitions: %w", err)
	}
	if firstDay != nil {
		data.FirstDay = *firstDay
	}
	data.Accounts, data.Regions = accounts, regions
	return render(athenaDDL, data)
}

// athenaTable is what sql/athena_ddl.sql renders.
type athenaTable struct {
	Table, Location   string
	Columns           []athenaColumn
	Accounts, Regions string // comma-separated
	FirstDay          string // YYYY-MM-DD
}

type athenaColumn struct{ Name, Type string }

var athenaDDL = mustTemplate("athena_ddl.sql")

// literal quotes s as an SQL string literal, for statements ctattrib
// prints rather than runs.
func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
