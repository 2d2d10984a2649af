package query

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// Format is an output format.
type Format string

// The output formats.
const (
	Table   Format = "table"   // aligned columns for a terminal
	CSV     Format = "csv"     // RFC 4180, header always
	JSON    Format = "json"    // one array of objects
	JSONL   Format = "jsonl"   // one object per line
	Parquet Format = "parquet" // Apache Parquet file
	Arrow   Format = "arrow"   // Apache Arrow IPC file (Feather v2)
)

// Formats lists every format, in the order help text shows them.
var Formats = []Format{Table, CSV, JSON, JSONL, Parquet, Arrow}

// ErrFormat is returned by ParseFormat for a name that is not a format.
var ErrFormat = errors.New("unknown format")

// ParseFormat returns the format called s.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("%w %q (want table, csv, json, jsonl, parquet or arrow)", ErrFormat, s)
}

// Binary reports whether f writes bytes that only make sense in a file.
func (f Format) Binary() bool { return f == Parquet || f == Arrow }

// MaxTableRows is how many rows the table format shows by default: it holds
// them in memory to measure the columns.
const MaxTableRows = 10000

// WriteOptions tune the output.
type WriteOptions struct {
	// Width, when positive, truncates table cells (with "…") so that each
	// line fits in that many columns. Set it to the terminal's width.
	Width int
	// MaxRows caps the table format; zero means MaxTableRows.
	MaxRows int
}

// Summary says what Write wrote.
type Summary struct {
	Rows int64
	// Truncated is set when the table format stopped at MaxRows with more
	// rows left.
	Truncated bool
}

// Write writes every row of r to w in format f, as it reads them. Times are
// RFC 3339 in UTC in the text formats and UTC timestamps in Parquet and
// Arrow.
func Write(ctx context.Context, w io.Writer, r *Rows, f Format, opts WriteOptions) (Summary, error) {
	switch f {
	case Table:
		return writeTable(ctx, w, r, opts)
	case CSV:
		return writeCSV(ctx, w, r)
	case JSON:
		return writeJSON(ctx, w, r, true)
	case JSONL:
		return writeJSON(ctx, w, r, false)
	case Parquet, Arrow:
		return writeArrow(ctx, w, r, f)
	}
	return Summary{}, fmt.Errorf("%w %q", ErrFormat, f)
}

// each calls fn for each row of r, checking ctx every few thousand rows.
func each(ctx context.Context, r *Rows, fn func([]any) error) (int64, error) {
	var n int64
	for {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return n, err
			}
		}
		row, err := r.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if err := fn(row); err != nil {
			return n, err
		}
		n++
	}
}

// text renders a value for the text formats: NULL is empty.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

func writeCSV(ctx context.Context, w io.Writer, r *Rows) (Summary, error) {
	cw := csv.NewWriter(w)
	rec := make([]string, len(r.Columns))
	for i, c := range r.Columns {
		rec[i] = c.Name
	}
	if err := cw.Write(rec); err != nil {
		return Summary{}, err
	}
	n, err := each(ctx, r, func(row []any) error {
		for i, v := range row {
			rec[i] = text(v)
		}
		return cw.Write(rec)
	})
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	return Summary{Rows: n}, err
}

func writeJSON(ctx context.Context, w io.Writer, r *Rows, array bool) (Summary, error) {
	bw := bufio.NewWriter(w)
	keys := make([][]byte, len(r.Columns))
	for i, c := range r.Columns {
		keys[i] = appendJSON(nil, c.Name)
	}
	var line []byte
	first := true
	n, err := each(ctx, r, func(row []any) error {
		line = line[:0]
		if array {
			// The first object opens the array and later ones follow a
			// comma, so nothing needs holding back.
			if first {
				line = append(line, "[\n"...)
			} else {
				line = append(line, ",\n"...)
			}
		}
		first = false
		line = append(line, '{')
		for i, v := range row {
			if i > 0 {
				line = append(line, ',')
			}
			line = append(line, keys[i]...)
			line = append(line, ':')
			line = appendJSON(line, v)
		}
		line = append(line, '}')
		if !array {
			line = append(line, '\n')
		}
		_, err := bw.Write(line)
		return err
	})
	if err == nil && array {
		if n == 0 {
			_, err = bw.WriteString("[]\n")
		} else {
			_, err = bw.WriteString("\n]\n")
		}
	}
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	return Summary{Rows: n}, err
}

// appendJSON appends v as JSON. Strings keep <, > and & as they are (the
// output is not HTML); non-finite floats, which JSON cannot hold, are null.
func appendJSON(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return append(b, "null"...)
		}
		return strconv.AppendFloat(b, x, 'f', -1, 64)
	case bool:
		return strconv.AppendBool(b, x)
	case time.Time:
		return appendJSON(b, x.UTC().Format(time.RFC3339Nano))
	case string:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(x); err != nil {
			return append(b, "null"...)
		}
		return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
	case json.Marshaler: // List: a JSON array
		if j, err := x.MarshalJSON(); err == nil {
			return append(b, j...)
		}
	}
	return appendJSON(b, fmt.Sprint(v))
}

// writeTable aligns columns, right-aligning numbers. It holds up to MaxRows
// rows to measure them, and truncates cells when opts.Width is set.
func writeTable(ctx context.Context, w io.Writer, r *Rows, opts WriteOptions) (Summary, error) {
	limit := opts.MaxRows
	if limit <= 0 {
		limit = MaxTableRows
	}
	header := make([]string, len(r.Columns))
	widths := make([]int, len(r.Columns))
	for i, c := range r.Columns {
		header[i] = c.Name
		widths[i] = utf8.RuneCountInString(c.Name)
	}
	var cells [][]string
	var sum Summary
	errStop := errors.New("stop")
	n, err := each(ctx, r, func(row []any) error {
		if len(cells) == limit {
			sum.Truncated = true
			return errStop
		}
		rec := make([]string, len(row))
		for i, v := range row {
			rec[i] = oneLine(text(v))
			widths[i] = max(widths[i], utf8.RuneCountInString(rec[i]))
		}
		cells = append(cells, rec)
		return nil
	})
	if err != nil && err != errStop {
		return Summary{Rows: n}, err
	}
	sum.Rows = int64(len(cells))
	if opts.Width > 0 {
		fit(widths, opts.Width, header)
	}
	bw := bufio.NewWriter(w)
	var line strings.Builder
	writeLine := func(rec []string, isHeader bool) {
		line.Reset()
		for i, s := range rec {
			if i > 0 {
				line.WriteString("  ")
			}
			s = truncate(s, widths[i])
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(s))
			right := !isHeader && (r.Columns[i].Kind == Int || r.Columns[i].Kind == Float)
			if right {
				line.WriteString(pad)
				line.WriteString(s)
			} else {
				line.WriteString(s)
				line.WriteString(pad)
			}
		}
		// A bufio.Writer's error is sticky: after a failed write every
		// later one fails too, and the Flush below returns the error.
		_, _ = bw.WriteString(strings.TrimRight(line.String(), " "))
		_ = bw.WriteByte('\n')
	}
	writeLine(header, true)
	for _, rec := range cells {
		writeLine(rec, false)
	}
	return sum, bw.Flush()
}

// fit narrows the widest columns, one character at a time, until a line
// fits in width. It first keeps short headers whole and long ones to 8
// characters, then, if that is not enough, goes down to 3 characters.
func fit(widths []int, width int, header []string) {
	total := 2 * (len(widths) - 1)
	for _, w := range widths {
		total += w
	}
	for _, floor := range []int{8, 3} {
		for total > width {
			widest := -1
			for i, w := range widths {
				if w > min(utf8.RuneCountInString(header[i]), floor) && (widest < 0 || w > widths[widest]) {
					widest = i
				}
			}
			if widest < 0 {
				break
			}
			widths[widest]--
			total--
		}
	}
}

func truncate(s string, w int) string {
	if utf8.RuneCountInString(s) <= w {
		return s
	}
	if w <= 1 {
		return string([]rune(s)[:w])
	}
	return string([]rune(s)[:w-1]) + "…"
}

// oneLine keeps a table row on one line: error messages and policies can
// hold newlines and tabs.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\n\r\t") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// arrowType is the Arrow type each kind is written as.
func arrowType(k Kind) arrow.DataType {
	switch k {
	case Int:
		return arrow.PrimitiveTypes.Int64
	case Float:
		return arrow.PrimitiveTypes.Float64
	case Bool:
		return arrow.FixedWidthTypes.Boolean
	case Time:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	}
	return arrow.BinaryTypes.String
}

// Schema returns the Arrow schema that the parquet and arrow formats write
// for cols. Every field is nullable.
func Schema(cols []Column) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.Name, Type: arrowType(c.Kind), Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

// arrowBatch is how many rows go in each record batch (and Parquet row
// group), which bounds memory however long the result is.
const arrowBatch = 64 * 1024

func writeArrow(ctx context.Context, w io.Writer, r *Rows, f Format) (Summary, error) {
	mem := memory.NewGoAllocator()
	schema := Schema(r.Columns)
	var write func(arrow.RecordBatch) error
	var closeW func() error
	switch f {
	case Parquet:
		props := parquet.NewWriterProperties(
			parquet.WithCompression(compress.Codecs.Snappy),
			parquet.WithMaxRowGroupLength(arrowBatch),
			parquet.WithAllocator(mem))
		// pqarrow closes a sink that is an io.Closer; the caller owns w.
		pw, err := pqarrow.NewFileWriter(schema, struct{ io.Writer }{w}, props, pqarrow.NewArrowWriterProperties(
			pqarrow.WithStoreSchema(), pqarrow.WithAllocator(mem)))
		if err != nil {
			return Summary{}, err
		}
		write, closeW = pw.Write, pw.Close
	default:
		fw, err := ipc.NewFileWriter(struct{ io.Writer }{w}, ipc.WithSchema(schema), ipc.WithAllocator(mem))
		if err != nil {
			return Summary{}, err
		}
		write, closeW = fw.Write, fw.Close
	}
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	pending := 0
	flush := func() error {
		rec := b.NewRecordBatch()
		defer rec.Release()
		pending = 0
		return write(rec)
	}
	n, err := each(ctx, r, func(row []any) error {
		for i, v := range row {
			appendArrow(b.Field(i), v)
		}
		pending++
		if pending == arrowBatch {
			return flush()
		}
		return nil
	})
	if err == nil && pending > 0 {
		err = flush()
	}
	if cerr := closeW(); err == nil {
		err = cerr
	}
	return Summary{Rows: n}, err
}

func appendArrow(b array.Builder, v any) {
	if v == nil {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.Int64Builder:
		b.Append(v.(int64))
	case *array.Float64Builder:
		b.Append(v.(float64))
	case *array.BooleanBuilder:
		b.Append(v.(bool))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(v.(time.Time).UnixMicro()))
	case *array.StringBuilder:
		b.Append(text(v))
	}
}
