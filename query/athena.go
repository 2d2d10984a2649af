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
	var cols []string
	for _, ct := range types {
		switch ct.Name() {
		case "account_id", "region", "day":
			continue // partitions
		}
		t, ok := athenaTypes[ct.DatabaseTypeName()]
		if !ok {
			return "", fmt.Errorf("column %s: no Athena type for DuckDB's %s", ct.Name(), ct.DatabaseTypeName())
		}
		cols = append(cols, fmt.Sprintf("  `%s` %s", ct.Name(), t))
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
	from := "2000-01-01"
	if firstDay != nil {
		from = *firstDay
	}
	props := [][2]string{
		{"projection.enabled", "true"},
		{"projection.account_id.type", "enum"},
		{"projection.account_id.values", accounts},
		{"projection.region.type", "enum"},
		{"projection.region.values", regions},
		{"projection.day.type", "date"},
		{"projection.day.range", from + ",NOW"},
		{"projection.day.format", "yyyy-MM-dd"},
		{"projection.day.interval", "1"},
		{"projection.day.interval.unit", "DAYS"},
		{"storage.location.template", location + "account_id=${account_id}/region=${region}/day=${day}/"},
	}
	var tp []string
	for _, p := range props {
		tp = append(tp, fmt.Sprintf("  '%s' = '%s'", p[0], strings.ReplaceAll(p[1], "'", "''")))
	}
	return fmt.Sprintf("CREATE EXTERNAL TABLE IF NOT EXISTS %s (\n%s\n)\n"+
		"PARTITIONED BY (`account_id` string, `region` string, `day` string)\n"+
		"STORED AS PARQUET\n"+
		"LOCATION '%s'\n"+
		"TBLPROPERTIES (\n%s\n);\n",
		table, strings.Join(cols, ",\n"), strings.ReplaceAll(location, "'", "''"), strings.Join(tp, ",\n")), nil
}
