package ingest

import (
	"bytes"
	"context"
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
//	SELECT rid, event_id, record, source_uri, id_pos, obj FROM ctattrib_batch(ID, UNKEYED)
//
// event_id is the record's key if recordKey could tell it, else NULL;
// with UNKEYED true, only the records without one are returned. A record
// comes without its eventID's value when id_pos says where it was; obj is
// its object's place in the batch.
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
//
// The records are compressed in blocks of about packBlock bytes, so that
// neither the decoder that packs an object nor the DuckDB thread that reads
// it holds more than a block of plain JSON, however large the object.
type packed struct {
	blocks [][]byte // S2 blocks of whole records, in order
	first  []int    // the index of each block's first record
	ends   []uint32 // where each record ends in its decoded block
	keys   []string // recordKey of each record ("" when DuckDB must tell)
	// idPos is, for a record held without its eventID's value (the key),
	// the number of characters before it; -1 for a record held whole.
	idPos []int32
}

// packBlock is the plain size at which a packer compresses the records it
// holds: small enough that neither side holds much plain JSON, large
// enough that compression loses little against whole objects.
//
// Blocks are also what DuckDB's threads claim, so a single large object is
// read by all of them rather than by one, in a fraction of the time and
// memory.
const packBlock = 1 << 20

// pack compacts and compresses records the decoder handed over one by one.
type packer struct {
	buf     []byte // the records since the last block, plain
	blocks  [][]byte
	first   []int
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
	if len(p.buf) == 0 {
		p.first = append(p.first, len(p.ends))
	}
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
	if len(p.buf) >= packBlock {
		p.flush()
	}
}

// flush compresses the records held plain into a block. The block is
// copied out of a scratch buffer: S2 needs room for the worst case.
func (p *packer) flush() {
	if len(p.buf) == 0 {
		return
	}
	p.scratch = s2.Encode(p.scratch[:cap(p.scratch)], p.buf)
	p.blocks = append(p.blocks, bytes.Clone(p.scratch))
	p.buf = p.buf[:0]
}

// pack returns the records added since the last pack, and makes p ready
// for the next object.
func (p *packer) pack() packed {
	p.flush()
	pk := packed{blocks: p.blocks, first: slices.Clone(p.first), ends: slices.Clone(p.ends),
		keys: slices.Clone(p.keys), idPos: slices.Clone(p.idPos)}
	p.blocks = nil // pk owns them
	p.reset()
	return pk
}

// reset empties p, keeping its buffers.
func (p *packer) reset() {
	clear(p.keys)
	clear(p.blocks)
	p.buf, p.blocks, p.first, p.ends, p.keys, p.idPos, p.notUTF8 = p.buf[:0], p.blocks[:0], p.first[:0], p.ends[:0], p.keys[:0], p.idPos[:0], 0
}

// packers are reused across objects, so that their buffers are not garbage
// after every object.
var packers = sync.Pool{New: func() any { return new(packer) }}

func (pk *packed) len() int { return len(pk.ends) }

// len returns the number of records added since the last pack.
func (p *packer) len() int { return len(p.ends) }

// block returns the block holding record i.
func (pk *packed) block(i int) int {
	return sort.SearchInts(pk.first, i+1) - 1
}

// record returns record i, found in decoded, the plain form of its block.
func (pk *packed) record(decoded []byte, blk, i int) string {
	start := uint32(0)
	if i > pk.first[blk] {
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
	blocks  []blockRef // every object's blocks, the unit a scan's threads claim
	rows    int
	unkeyed []int // rids of the records with no key
}

// blockRef is block blk of object obj, which holds its records from to to.
type blockRef struct {
	obj, blk, from, to int
}

type batchObject struct {
	uri   string
	first int // rid of its first record
	packed
}

// add appends an object's records; an object without any adds nothing.
func (b *batch) add(uri string, pk packed) {
	if pk.len() == 0 {
		return
	}
	for i, k := range pk.keys {
		if k == "" {
			b.unkeyed = append(b.unkeyed, b.rows+i)
		}
	}
	for blk, from := range pk.first {
		to := pk.len()
		if blk+1 < len(pk.first) {
			to = pk.first[blk+1]
		}
		b.blocks = append(b.blocks, blockRef{obj: len(b.objects), blk: blk, from: from, to: to})
	}
	b.objects = append(b.objects, batchObject{uri: uri, first: b.rows, packed: pk})
	b.rows += pk.len()
}

// sortByURI puts the objects in URI order, so that rid order is URI
// order: of the copies of an event in a batch, the one with the lowest rid
// is the first in URI order.
func (b *batch) sortByURI() {
	if slices.IsSortedFunc(b.objects, byURI) {
		return
	}
	objects := slices.Clone(b.objects)
	slices.SortStableFunc(objects, byURI)
	b.refill(objects)
}

func byURI(a, b batchObject) int { return strings.Compare(a.uri, b.uri) }

// drop removes the records of the failed objects.
func (b *batch) drop(failed []Failure) {
	gone := make(map[string]bool, len(failed))
	for _, f := range failed {
		gone[f.URI] = true
	}
	b.refill(slices.DeleteFunc(slices.Clone(b.objects), func(o batchObject) bool { return gone[o.uri] }))
}

// refill empties b and adds objects, a copy of (some of) its own, again:
// their rids, blocks and unkeyed records follow the new order.
func (b *batch) refill(objects []batchObject) {
	b.reset()
	for _, o := range objects {
		b.add(o.uri, o.packed)
	}
}

// reset empties b.
func (b *batch) reset() {
	clear(b.objects)
	b.objects, b.blocks, b.rows, b.unkeyed = b.objects[:0], b.blocks[:0], 0, b.unkeyed[:0]
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

var registerMu sync.Mutex

// registerBatchFunc makes ctattrib_batch known to the database conn
// belongs to. The function lives in the database instance, so the next
// Load on the same database finds it there and registers nothing.
func registerBatchFunc(ctx context.Context, conn *sql.Conn) error {
	registerMu.Lock() // two Loads on one database register it once
	defer registerMu.Unlock()
	var known bool
	if err := conn.QueryRowContext(ctx, `SELECT count(*) > 0 FROM duckdb_functions() WHERE function_name = $name`,
		sql.Named("name", batchFunc)).Scan(&known); err != nil {
		return fmt.Errorf("look up %s: %w", batchFunc, err)
	}
	if known {
		return nil
	}
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
	if err != nil {
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
// next block, decodes it, and returns its records; with unkeyed, one
// thread returns the unkeyed records.
type batchSource struct {
	b       *batch
	unkeyed bool
	next    atomic.Int64 // the next block (or, with unkeyed, entry of b.unkeyed) to claim
}

// scanState is a thread's place in the batch.
type scanState struct {
	obj, blk, pos, end int // the block being returned (object, block), its next record and its end
	// decoded is block dblk of object dobj, plain.
	decoded    []byte
	dobj, dblk int
}

func (s *batchSource) ColumnInfos() []duckdb.ColumnInfo {
	cols := make([]duckdb.ColumnInfo, batchColumns)
	cols[colRID] = duckdb.ColumnInfo{Name: "rid", T: mustType(duckdb.TYPE_BIGINT)}
	cols[colEventID] = duckdb.ColumnInfo{Name: "event_id", T: mustType(duckdb.TYPE_VARCHAR)}
	cols[colRecord] = duckdb.ColumnInfo{Name: "record", T: mustType(duckdb.TYPE_VARCHAR)}
	cols[colSourceURI] = duckdb.ColumnInfo{Name: "source_uri", T: mustType(duckdb.TYPE_VARCHAR)}
	cols[colIDPos] = duckdb.ColumnInfo{Name: "id_pos", T: mustType(duckdb.TYPE_INTEGER)}
	cols[colObj] = duckdb.ColumnInfo{Name: "obj", T: mustType(duckdb.TYPE_INTEGER)}
	return cols
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

func (s *batchSource) NewLocalState() any { return &scanState{dobj: -1} }

func (s *batchSource) FillChunk(local any, chunk duckdb.DataChunk) error {
	st := local.(*scanState)
	size := duckdb.GetDataChunkCapacity()
	// Only the columns the query reads are set: setting one it does not
	// read costs the driver an error value per value, a noticeable share
	// of an ingest's CPU. A query that does not read the records (such as the keys pass)
	// need not decode their blocks either.
	var read projected
	for c := range read {
		_, err := chunk.GetVector(c)
		read[c] = err == nil
	}
	withRecords := read[colRecord]
	n := 0
	for n < size {
		var oi, blk, i int
		if s.unkeyed {
			k := int(s.next.Add(1) - 1)
			if k >= len(s.b.unkeyed) {
				break
			}
			rid := s.b.unkeyed[k]
			oi = s.b.object(rid)
			i = rid - s.b.objects[oi].first
			blk = s.b.objects[oi].block(i)
		} else {
			if st.pos >= st.end {
				k := int(s.next.Add(1) - 1)
				if k >= len(s.b.blocks) {
					break
				}
				ref := s.b.blocks[k]
				st.obj, st.blk, st.pos, st.end = ref.obj, ref.blk, ref.from, ref.to
			}
			oi, blk, i = st.obj, st.blk, st.pos
			st.pos++
		}
		o := &s.b.objects[oi]
		var rec string
		if withRecords {
			if err := st.load(o, oi, blk); err != nil {
				return err
			}
			rec = o.record(st.decoded, blk, i)
		}
		if err := s.set(chunk, &read, n, o, oi, i, rec); err != nil {
			return err
		}
		n++
	}
	return chunk.SetSize(n)
}

// load decodes block blk of object oi into st, unless it is there already.
func (st *scanState) load(o *batchObject, oi, blk int) error {
	if st.dobj == oi && st.dblk == blk {
		return nil
	}
	var err error
	if st.decoded, err = s2.Decode(st.decoded[:cap(st.decoded)], o.blocks[blk]); err != nil {
		return fmt.Errorf("%s: decode staged records: %w", o.uri, err)
	}
	st.dobj, st.dblk = oi, blk
	return nil
}

// The columns of ctattrib_batch, as ColumnInfos names them.
const (
	colRID = iota
	colEventID
	colRecord
	colSourceURI
	colIDPos
	colObj
	batchColumns
)

// projected says which columns of ctattrib_batch a scan reads.
type projected [batchColumns]bool

// set writes record i of object oi (o) into row of chunk, in the columns
// the scan reads.
func (s *batchSource) set(chunk duckdb.DataChunk, read *projected, row int, o *batchObject, oi, i int, record string) error {
	var err error
	if read[colRID] {
		if err = duckdb.SetChunkValue(chunk, colRID, row, int64(o.first+i)); err != nil {
			return err
		}
	}
	if read[colEventID] {
		if k := o.keys[i]; k != "" {
			err = duckdb.SetChunkValue(chunk, colEventID, row, k)
		} else {
			err = duckdb.SetChunkValue[any](chunk, colEventID, row, nil)
		}
		if err != nil {
			return err
		}
	}
	if read[colRecord] {
		if err = duckdb.SetChunkValue(chunk, colRecord, row, record); err != nil {
			return err
		}
	}
	if read[colSourceURI] {
		if err = duckdb.SetChunkValue(chunk, colSourceURI, row, o.uri); err != nil {
			return err
		}
	}
	if read[colIDPos] {
		if pos := o.idPos[i]; pos >= 0 {
			err = duckdb.SetChunkValue(chunk, colIDPos, row, pos)
		} else {
			err = duckdb.SetChunkValue[any](chunk, colIDPos, row, nil)
		}
		if err != nil {
			return err
		}
	}
	if read[colObj] {
		return duckdb.SetChunkValue(chunk, colObj, row, int32(oi))
	}
	return nil
}
