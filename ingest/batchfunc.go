package ingest

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/klauspost/compress/s2"
)

// batchFunc is the table function through which DuckDB reads a batch of
// raw records straight from the writer's memory:
//
//	SELECT rid, event_id, record, source_uri, id_pos FROM ctattrib_batch(ID, UNKEYED)
//
// event_id is the record's key if recordKey could tell it, else NULL;
// with UNKEYED true, only the records without one are returned. A record
// comes without its eventID's value when id_pos says where it was.
//
// It replaces staging the records in a temporary table with an Appender:
// that copied every record into DuckDB once more, single-threaded, and the
// copy counted against DuckDB's memory limit, so a large batch spilled to
// disk. Here DuckDB's threads copy the records while they run the query.
const batchFunc = "ctattrib_batch"

// packed is one object's records, held compressed until DuckDB reads them:
// a batch is large (DuckDB writes a few hundred thousand rows far faster
// in one transaction than in several), and S2 keeps JSON in a tenth of its
// size at several GB/s each way.
type packed struct {
	block []byte   // S2 of the records, concatenated
	ends  []uint32 // where each record ends in the decoded block
	keys  []string // recordKey of each record ("" when DuckDB must tell)
	// idPos is, for a record held without its eventID's value (the key),
	// the number of characters before it; -1 for a record held whole.
	idPos []int32
	size  int // decoded size
}

// pack compacts and compresses records the decoder handed over one by one.
type packer struct {
	buf     []byte
	ends    []uint32
	keys    []string // recordKey of each record
	idPos   []int32
	scratch []byte
	// notUTF8 is the number (from 1) of the first record that is not
	// valid UTF-8, or 0. JSON is UTF-8, and DuckDB stored such a record
	// as NULL: the object fails instead, as for invalid JSON.
	notUTF8 int
}

// add appends a record, without its eventID's value (see packed.idPos).
func (p *packer) add(raw []byte) {
	start := len(p.buf)
	if bytes.IndexByte(raw, '\n') < 0 {
		p.buf = append(p.buf, raw...)
	} else {
		// Pretty-printed: compact it, so that the stored record (and the
		// key derived from it for events with no eventID) does not depend
		// on the layout of the file. Invalid JSON is kept as it is, for
		// DuckDB to report.
		b := bytes.NewBuffer(p.buf)
		if err := json.Compact(b, raw); err != nil {
			b.Truncate(len(p.buf))
			b.Write(raw)
		}
		p.buf = b.Bytes()
	}
	rec := p.buf[start:]
	key, at := recordKeyAt(unsafeString(rec))
	pos := int32(-1)
	valid := utf8.Valid(rec)
	if !valid && p.notUTF8 == 0 {
		p.notUTF8 = len(p.ends) + 1
	}
	if at >= 0 {
		key = strings.Clone(key) // it points into rec
	}
	if at >= 0 && valid {
		// A position in characters, as DuckDB's left and substr count.
		pos = int32(utf8.RuneCount(rec[:at]))
		p.buf = append(p.buf[:start+at], rec[at+len(key):]...)
	}
	p.keys = append(p.keys, key)
	p.idPos = append(p.idPos, pos)
	p.ends = append(p.ends, uint32(len(p.buf)))
}

// pack returns the records added since the last pack, and makes p ready
// for the next object. The compressed block is copied out of a scratch
// buffer: S2 needs room for the worst case, several times what it keeps.
func (p *packer) pack() packed {
	pk := packed{ends: slices.Clone(p.ends), keys: slices.Clone(p.keys), idPos: slices.Clone(p.idPos), size: len(p.buf)}
	p.scratch = s2.Encode(p.scratch[:cap(p.scratch)], p.buf)
	pk.block = bytes.Clone(p.scratch)
	p.reset()
	return pk
}

// reset empties p, keeping its buffers.
func (p *packer) reset() {
	clear(p.keys)
	p.buf, p.ends, p.keys, p.idPos, p.notUTF8 = p.buf[:0], p.ends[:0], p.keys[:0], p.idPos[:0], 0
}

// packers are reused across objects, so that their buffers, each as large
// as the largest object decoded, are not garbage after every object.
var packers = sync.Pool{New: func() any { return new(packer) }}

func (pk *packed) len() int { return len(pk.ends) }

// record returns record i of the decoded block.
func (pk *packed) record(decoded []byte, i int) string {
	start := uint32(0)
	if i > 0 {
		start = pk.ends[i-1]
	}
	return unsafeString(decoded[start:pk.ends[i]])
}

func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// batch is the objects staged since the last commit; a record's rid is its
// place in the batch.
type batch struct {
	objects []batchObject
	rows    int
	unkeyed []int // rids of the records with no key
}

type batchObject struct {
	uri   string
	first int // rid of its first record
	packed
}

// add appends an object's records. An object without any adds nothing:
// the scan expects each object it claims to hold a record.
func (b *batch) add(uri string, pk packed) {
	if pk.len() == 0 {
		return
	}
	for i, k := range pk.keys {
		if k == "" {
			b.unkeyed = append(b.unkeyed, b.rows+i)
		}
	}
	b.objects = append(b.objects, batchObject{uri: uri, first: b.rows, packed: pk})
	b.rows += pk.len()
}

// drop removes the records of the failed objects.
func (b *batch) drop(failed []Failure) {
	gone := make(map[string]bool, len(failed))
	for _, f := range failed {
		gone[f.URI] = true
	}
	objects := slices.Clone(b.objects) // reset clears b.objects
	b.reset()
	for _, o := range objects {
		if !gone[o.uri] {
			b.add(o.uri, o.packed)
		}
	}
}

// reset empties b.
func (b *batch) reset() {
	clear(b.objects)
	b.objects, b.rows, b.unkeyed = b.objects[:0], 0, b.unkeyed[:0]
}

// object returns the object holding rid.
func (b *batch) object(rid int) int {
	return sort.Search(len(b.objects), func(i int) bool { return b.objects[i].first+b.objects[i].len() > rid })
}

// batches holds the batches DuckDB may be reading, by the id the query
// names. Each writer has one.
var (
	batches  sync.Map // int64 -> *batch
	batchSeq atomic.Int64
)

// registerBatchFunc makes ctattrib_batch known to the database conn
// belongs to. The function lives in the database instance: registering it
// again, for the next Load on the same database, finds it there.
func registerBatchFunc(conn *sql.Conn) error {
	err := duckdb.RegisterTableUDF(conn, batchFunc, duckdb.ParallelChunkTableFunction{
		Config: duckdb.TableFunctionConfig{Arguments: []duckdb.TypeInfo{
			mustType(duckdb.TYPE_BIGINT), mustType(duckdb.TYPE_BOOLEAN)}},
		BindArguments: func(_ map[string]any, args ...any) (duckdb.ParallelChunkTableSource, error) {
			id, _ := args[0].(int64)
			unkeyed, _ := args[1].(bool)
			b, ok := batches.Load(id)
			if !ok {
				return nil, fmt.Errorf("%s(%d): no such batch", batchFunc, id)
			}
			return &batchSource{b: b.(*batch), unkeyed: unkeyed}, nil
		},
	})
	if err != nil && !strings.Contains(err.Error(), "already exists") {
		return fmt.Errorf("register %s: %w", batchFunc, err)
	}
	return nil
}

func mustType(t duckdb.Type) duckdb.TypeInfo {
	info, err := duckdb.NewTypeInfo(t)
	if err != nil {
		panic(err) // only for primitive types, which cannot fail
	}
	return info
}

// batchSource is one scan of a batch. Each of DuckDB's threads claims the
// next object, decodes it, and returns its records; with unkeyed, one
// thread returns the unkeyed records.
type batchSource struct {
	b       *batch
	unkeyed bool
	next    atomic.Int64 // the next object (or, with unkeyed, entry of b.unkeyed) to claim
}

// scanState is a thread's place in the batch.
type scanState struct {
	obj     int // the object decoded into buf, or -1
	pos     int // its next record
	end     int // with unkeyed: the last entry of b.unkeyed to return
	decoded []byte
}

func (s *batchSource) ColumnInfos() []duckdb.ColumnInfo {
	return []duckdb.ColumnInfo{
		{Name: "rid", T: mustType(duckdb.TYPE_BIGINT)},
		{Name: "event_id", T: mustType(duckdb.TYPE_VARCHAR)},
		{Name: "record", T: mustType(duckdb.TYPE_VARCHAR)},
		{Name: "source_uri", T: mustType(duckdb.TYPE_VARCHAR)},
		{Name: "id_pos", T: mustType(duckdb.TYPE_INTEGER)},
	}
}

func (s *batchSource) Cardinality() *duckdb.CardinalityInfo {
	n := s.b.rows
	if s.unkeyed {
		n = len(s.b.unkeyed)
	}
	return &duckdb.CardinalityInfo{Cardinality: uint(n), Exact: true}
}

func (s *batchSource) Init() duckdb.ParallelTableSourceInfo {
	if s.unkeyed {
		return duckdb.ParallelTableSourceInfo{MaxThreads: 1}
	}
	return duckdb.ParallelTableSourceInfo{MaxThreads: runtime.NumCPU()}
}

func (s *batchSource) NewLocalState() any { return &scanState{obj: -1} }

func (s *batchSource) FillChunk(local any, chunk duckdb.DataChunk) error {
	st := local.(*scanState)
	size := duckdb.GetDataChunkCapacity()
	n := 0
	for n < size {
		var o *batchObject
		var i int
		if s.unkeyed {
			k := int(s.next.Add(1) - 1)
			if k >= len(s.b.unkeyed) {
				break
			}
			rid := s.b.unkeyed[k]
			oi := s.b.object(rid)
			if err := st.load(s.b, oi); err != nil {
				return err
			}
			o, i = &s.b.objects[oi], rid-s.b.objects[oi].first
		} else {
			if st.obj < 0 || st.pos >= s.b.objects[st.obj].len() {
				oi := int(s.next.Add(1) - 1)
				if oi >= len(s.b.objects) {
					break
				}
				if err := st.load(s.b, oi); err != nil {
					return err
				}
			}
			o, i = &s.b.objects[st.obj], st.pos
			st.pos++
		}
		if err := s.set(chunk, n, o, i, st.decoded); err != nil {
			return err
		}
		n++
	}
	return chunk.SetSize(n)
}

// load decodes object oi into st, unless it is there already.
func (st *scanState) load(b *batch, oi int) error {
	if st.obj == oi {
		return nil
	}
	o := &b.objects[oi]
	var err error
	if st.decoded, err = s2.Decode(st.decoded[:cap(st.decoded)], o.block); err != nil {
		return fmt.Errorf("%s: decode staged records: %w", o.uri, err)
	}
	st.obj, st.pos = oi, 0
	return nil
}

func (s *batchSource) set(chunk duckdb.DataChunk, row int, o *batchObject, i int, decoded []byte) error {
	if err := duckdb.SetChunkValue(chunk, 0, row, int64(o.first+i)); err != nil {
		return err
	}
	var err error
	if k := o.keys[i]; k != "" {
		err = duckdb.SetChunkValue(chunk, 1, row, k)
	} else {
		err = duckdb.SetChunkValue[any](chunk, 1, row, nil)
	}
	if err != nil {
		return err
	}
	if err := duckdb.SetChunkValue(chunk, 2, row, o.record(decoded, i)); err != nil {
		return err
	}
	if err := duckdb.SetChunkValue(chunk, 3, row, o.uri); err != nil {
		return err
	}
	if pos := o.idPos[i]; pos >= 0 {
		return duckdb.SetChunkValue(chunk, 4, row, pos)
	}
	return duckdb.SetChunkValue[any](chunk, 4, row, nil)
}
