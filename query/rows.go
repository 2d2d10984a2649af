package query

import (
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// Kind is how a column's values are written: the formats need to know
// whether to quote them (json), align them right (table) or which Arrow type
// to give them (parquet, arrow).
type Kind int

// The kinds of column. Every DuckDB type maps to one of them; types with no
// natural counterpart (JSON, UUID, LIST, STRUCT, MAP, INTERVAL, BLOB) are
// written as strings.
const (
	String Kind = iota
	Int
	Float
	Bool
	Time
)

func (k Kind) String() string {
	return [...]string{"string", "int", "float", "bool", "time"}[k]
}

// Column describes one column of a result.
type Column struct {
	Name string
	Kind Kind
	// DBType is the DuckDB type name, such as VARCHAR or TIMESTAMPTZ; empty
	// for columns computed in Go.
	DBType string
}

// Rows is a result being read. Values are nil (SQL NULL), string, int64,
// float64, bool or time.Time (always UTC), according to the column's Kind.
// Callers must Close it.
type Rows struct {
	Columns []Column

	next  func() ([]any, error)
	close func() error
}

// Next returns the next row, or io.EOF after the last one. The slice is
// the caller's to keep.
func (r *Rows) Next() ([]any, error) { return r.next() }

// Close releases the result. It is safe to call more than once.
func (r *Rows) Close() error {
	if r.close == nil {
		return nil
	}
	c := r.close
	r.close = nil
	return c()
}

// NewRows returns a result over rows already in memory, for results
// computed in Go (denied's explanations).
func NewRows(cols []Column, rows [][]any) *Rows {
	i := 0
	return &Rows{
		Columns: cols,
		next: func() ([]any, error) {
			if i >= len(rows) {
				return nil, io.EOF
			}
			i++
			return rows[i-1], nil
		},
	}
}

// fromSQL wraps database rows, mapping each DuckDB type to a Kind.
func fromSQL(rs *sql.Rows) (*Rows, error) {
	types, err := rs.ColumnTypes()
	if err != nil {
		rs.Close()
		return nil, err
	}
	cols := make([]Column, len(types))
	for i, t := range types {
		cols[i] = Column{Name: t.Name(), DBType: t.DatabaseTypeName(), Kind: kindOf(t.DatabaseTypeName())}
	}
	return &Rows{
		Columns: cols,
		next: func() ([]any, error) {
			if !rs.Next() {
				if err := rs.Err(); err != nil {
					return nil, err
				}
				return nil, io.EOF
			}
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				return nil, err
			}
			for i, c := range cols {
				v, err := normalize(c, vals[i])
				if err != nil {
					return nil, fmt.Errorf("column %s: %w", c.Name, err)
				}
				vals[i] = v
			}
			return vals, nil
		},
		close: rs.Close,
	}, nil
}

func kindOf(dbType string) Kind {
	switch t := strings.ToUpper(dbType); {
	case t == "BOOLEAN":
		return Bool
	case t == "TINYINT", t == "SMALLINT", t == "INTEGER", t == "BIGINT", t == "HUGEINT",
		t == "UTINYINT", t == "USMALLINT", t == "UINTEGER", t == "UBIGINT", t == "UHUGEINT":
		return Int
	case t == "FLOAT", t == "DOUBLE", strings.HasPrefix(t, "DECIMAL"):
		return Float
	case strings.HasPrefix(t, "TIMESTAMP"):
		return Time
	}
	return String
}

// normalize turns what the driver scanned into the Go type of c's Kind.
func normalize(c Column, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch c.Kind {
	case Int:
		switch n := v.(type) {
		case int64:
			return n, nil
		case int8:
			return int64(n), nil
		case int16:
			return int64(n), nil
		case int32:
			return int64(n), nil
		case uint8:
			return int64(n), nil
		case uint16:
			return int64(n), nil
		case uint32:
			return int64(n), nil
		case uint64:
			if n > math.MaxInt64 {
				return nil, fmt.Errorf("%d does not fit in 64 bits", n)
			}
			return int64(n), nil
		case *big.Int:
			if !n.IsInt64() {
				return nil, fmt.Errorf("%s does not fit in 64 bits", n)
			}
			return n.Int64(), nil
		}
	case Float:
		switch n := v.(type) {
		case float64:
			return n, nil
		case float32:
			return float64(n), nil
		case duckdb.Decimal:
			return n.Float64(), nil
		}
	case Bool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case Time:
		if t, ok := v.(time.Time); ok {
			return t.UTC(), nil
		}
	case String:
		return stringOf(c.DBType, v), nil
	}
	return nil, fmt.Errorf("unexpected %T for %s", v, c.DBType)
}

// stringOf renders values of the types we write as text.
func stringOf(dbType string, v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		if dbType == "UUID" && len(x) == 16 {
			h := hex.EncodeToString(x)
			return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
		}
		return `\x` + hex.EncodeToString(x)
	case time.Time:
		if dbType == "DATE" {
			return x.Format(time.DateOnly)
		}
		return x.Format("15:04:05.999999")
	case map[string]any, []any, float64, bool, int64:
		// JSON columns arrive parsed; LIST and STRUCT read well as JSON too.
		if b, err := json.Marshal(x); err == nil {
			return string(b)
		}
	}
	return fmt.Sprint(v)
}
