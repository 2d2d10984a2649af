package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/goccy/go-json"
	"github.com/klauspost/compress/gzip"
)

// Errors Decode returns for objects that are not CloudTrail events. Callers
// record ErrDigest objects as skipped and the others as failed.
var (
	// ErrDigest marks a CloudTrail digest file: a signature over log files,
	// not events.
	ErrDigest = errors.New("cloudtrail digest file, not events")
	// ErrNotJSON marks an object that does not start like JSON at all.
	ErrNotJSON = errors.New("not a JSON document")
	// ErrNotCloudTrail marks JSON that holds records but no CloudTrail
	// event; the error says what the first record looks like.
	ErrNotCloudTrail = errors.New("no CloudTrail event")
)

// Format is the shape an object's events came in.
type Format string

// The forms Decode understands. They are detected from content, never from
// the object's name.
const (
	FormatRecords      Format = "records"       // {"Records":[...]}, what CloudTrail writes to S3
	FormatLookupEvents Format = "lookup-events" // aws cloudtrail lookup-events: {"Events":[{"CloudTrailEvent":"..."}]}
	FormatArray        Format = "array"         // a JSON array of events (or of wrappers)
	// FormatLines is JSON lines or concatenated objects: Lake exports,
	// EventBridge captures, lookup-events entries one per line, Cribl
	// _raw records, CloudWatch Logs subscription records.
	FormatLines Format = "lines"
)

// Decoded is what Decode found in an object.
type Decoded struct {
	Format Format
	Events int // records passed on as events
	// Rejected counts the records that are not CloudTrail events (see
	// event.go); Reason says which was the first and what it looks like.
	Rejected int
	Reason   string
	// Control counts CloudWatch Logs control messages, which carry no
	// events and are skipped.
	Control int
	digests int // rejected records that are digests
}

// maxPeek bounds how much of an object Decode looks at to choose a form.
const maxPeek = 512

// Decode reads one log object, gzip-compressed (one or more gzip members)
// or plain, and calls fn with the raw JSON of each event in order. It
// streams: memory stays bounded by the largest single record, whatever the
// object's size. The raw slice is only valid during the call.
//
// Wrapped events are unwrapped, to any form they hold: lookup-events'
// CloudTrailEvent strings, EventBridge's "detail", log shippers' "_raw"
// (a string or an object) or "message" strings, and the logEvents of
// CloudWatch Logs subscription records. Every record is held to one test
// of what an event is (event.go): those that fail it are not passed to fn
// but counted in Decoded.Rejected. An object with records but no event
// fails with ErrNotCloudTrail (ErrDigest for a digest).
//
// A record that is not valid JSON where the object's own structure gives
// it (an element of Records) is passed on: the object is corrupt, and
// the writer fails it whole.
func Decode(r io.Reader, fn func(raw []byte) error) (Decoded, error) {
	d := &decoder{fn: fn}
	err := d.decode(r)
	if err == nil && d.Events == 0 && d.Rejected > 0 {
		if d.digests == d.Rejected {
			err = ErrDigest
		} else {
			err = fmt.Errorf("%w in %s: %s", ErrNotCloudTrail, plural(d.Rejected, "record"), d.Reason)
		}
	}
	return d.Decoded, err
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// decoder is one Decode: the counts, and where the events go.
type decoder struct {
	Decoded
	fn func([]byte) error
}

func (d *decoder) decode(r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		// Concatenated members (as Firehose writes CloudWatch Logs
		// records) read as one stream.
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 64<<10)
	}
	first, err := firstByte(br)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(br)
	dec.UseNumber()
	switch first {
	case '[':
		d.Format = FormatArray
		if err := expectDelim(dec, '['); err != nil {
			return err
		}
		_, err := decodeElements(dec, d.top)
		return err
	case '{':
		key, err := firstKey(br)
		if err != nil {
			return err
		}
		switch key {
		case "Records":
			d.Format = FormatRecords
			return decodeRecords(br, d.element)
		case "Events":
			d.Format = FormatLookupEvents
			return d.decodeWrapped(dec)
		}
		d.Format = FormatLines
		return decodeLines(dec, d.top)
	}
	if head, _ := br.Peek(maxPeek); looksLikeFlowLog(head) {
		return fmt.Errorf("%w: a VPC flow log, not CloudTrail", ErrNotJSON)
	}
	return ErrNotJSON
}

// event passes an event on.
func (d *decoder) event(raw []byte) error {
	d.Events++
	return d.fn(raw)
}

// reject counts a record that is not an event; what says what it is.
func (d *decoder) reject(what string) {
	d.Rejected++
	if d.Reason == "" {
		d.Reason = fmt.Sprintf("record %d is %s", d.Events+d.Rejected, what)
	}
	if what == shapeDigest {
		d.digests++
	}
}

// element judges an element of a Records array. An object that cannot be
// read is the object's fault, not the record's: it is passed on for the
// writer to fail the object (DuckDB refuses it).
func (d *decoder) element(raw []byte) error {
	if raw[len(raw)-1] != '}' { // the splitter counts brackets of both kinds
		return fmt.Errorf("%w: element is not an object", ErrNotCloudTrail)
	}
	m, ok := readMembers(raw)
	if !ok {
		return d.event(raw)
	}
	return d.judge(raw, &m, 0)
}

// top judges a top-level value: an element of an array, or a line.
func (d *decoder) top(raw []byte) error { return d.value(raw, 0) }

// maxUnwrap bounds nested wrappers (a string holding a wrapper holding ...).
const maxUnwrap = 6

// value passes on the event raw is, or the events it wraps, and rejects
// what is neither.
func (d *decoder) value(raw []byte, depth int) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		d.reject(describeText(raw))
		return nil
	}
	m, ok := readMembers(raw)
	if !ok {
		d.reject("an object that is not valid JSON")
		return nil
	}
	return d.judge(raw, &m, depth)
}

// text judges the JSON a string holds (CloudTrailEvent, _raw, message):
// unlike the values the decoder has read, nothing has checked it yet.
func (d *decoder) text(s string, depth int) error {
	raw := []byte(s)
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '{' && !json.Valid(t) {
		d.reject("a string holding an object that is not valid JSON")
		return nil
	}
	return d.value(raw, depth)
}

// judge passes on the event raw is, or the events it wraps, and rejects
// what is neither; m is its members.
func (d *decoder) judge(raw []byte, m *members, depth int) error {
	if depth > maxUnwrap {
		d.reject(fmt.Sprintf("wrapped more than %d deep", maxUnwrap))
		return nil
	}
	switch {
	case m.eventKey:
		if p := m.problem(); p != "" {
			d.reject(p)
			return nil
		}
		return d.event(raw)
	case m.cloudTrailEvent != "":
		s, ok := jsonString(m.cloudTrailEvent)
		if !ok {
			d.reject("a lookup-events entry whose CloudTrailEvent is not a string")
			return nil
		}
		return d.text(s, depth+1)
	case m.raw != "":
		// Cribl keeps the original as a string, or parsed as an object.
		if s, ok := jsonString(m.raw); ok {
			return d.text(s, depth+1)
		}
		return d.value([]byte(m.raw), depth+1)
	case m.messageType != "" && m.logEvents != "":
		// A CloudWatch Logs subscription record: each log event's
		// message is one event. Control messages hold none.
		if t, _ := jsonString(m.messageType); t == "CONTROL_MESSAGE" {
			d.Control++
			return nil
		}
		return d.array("logEvents", m.logEvents, depth)
	case len(m.detail) > 0 && m.detail[0] == '{':
		return d.value([]byte(m.detail), depth+1) // EventBridge
	case m.records != "" && m.records != "null":
		return d.array("Records", m.records, depth)
	case m.events != "" && m.events != "null":
		return d.array("Events", m.events, depth)
	case m.message != "":
		s, ok := jsonString(m.message)
		if !ok {
			d.reject("a log record whose message is not a string")
			return nil
		}
		return d.text(s, depth+1)
	case m.records == "null" || m.events == "null":
		return nil
	}
	d.reject(m.shape())
	return nil
}

// array judges each element of the JSON array v, the value of key.
func (d *decoder) array(key, v string, depth int) error {
	var els []json.RawMessage
	if err := json.Unmarshal([]byte(v), &els); err != nil {
		d.reject("a record whose " + key + " is not an array")
		return nil
	}
	for _, el := range els {
		if err := d.value(el, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// firstByte skips white space and a UTF-8 byte-order mark and returns the
// first byte without consuming it.
func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.Peek(1)
		if err != nil {
			if err == io.EOF {
				return 0, fmt.Errorf("empty object: %w", ErrNotJSON)
			}
			return 0, err
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			br.ReadByte() //nolint:errcheck // peeked
			continue
		case 0xEF:
			if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
				br.Discard(3) //nolint:errcheck // peeked
				continue
			}
		}
		return b[0], nil
	}
}

// firstKey returns the first key of the object the reader starts with,
// looking no further than maxPeek bytes. An object whose first key is not
// found that early is treated as a single event.
func firstKey(br *bufio.Reader) (string, error) {
	buf, err := br.Peek(maxPeek)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return "", err
	}
	i := 1 // past '{'
	for i < len(buf) && isSpace(buf[i]) {
		i++
	}
	if i >= len(buf) || buf[i] != '"' {
		return "", nil
	}
	end := bytes.IndexByte(buf[i+1:], '"')
	if end < 0 {
		return "", nil
	}
	return string(buf[i+1 : i+1+end]), nil
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("expected %q, found %v", want, tok)
	}
	return nil
}

// decodeRecords streams a {"Records":[...]} document, the form CloudTrail
// writes, through the element splitter.
func decodeRecords(br *bufio.Reader, fn func([]byte) error) error {
	// Consume {"Records": up to the array; firstKey has seen it.
	for _, want := range []byte{'{', '"'} {
		if err := skipTo(br, want); err != nil {
			return err
		}
	}
	if _, err := br.Discard(len(`Records"`)); err != nil {
		return err
	}
	if err := skipTo(br, ':'); err != nil {
		return err
	}
	sp := newElementSplitter(br, nil)
	if c, err := sp.skipSpace(); err != nil {
		return err
	} else if c == 'n' { // "Records": null
		return nil
	}
	if err := sp.open(); err != nil {
		return fmt.Errorf("value of Records: %w", err)
	}
	for n := 0; ; n++ {
		el, err := sp.next(n == 0)
		if err == io.EOF {
			break
		}
		if err != nil {
			if err == io.ErrUnexpectedEOF {
				return fmt.Errorf("element %d of Records: truncated: %w", n, err)
			}
			return fmt.Errorf("element %d of Records: %w", n, err)
		}
		if err := fn(el); err != nil {
			return fmt.Errorf("element %d of Records: %w", n, err)
		}
	}
	// What follows the array must close the document, perhaps after other
	// keys: a truncated or garbled tail is still an error.
	rest := bufio.NewReader(sp.rest())
	c, err := firstByte(rest)
	if err != nil {
		return fmt.Errorf("after Records: %w", io.ErrUnexpectedEOF)
	}
	switch c {
	case '}':
		rest.ReadByte() //nolint:errcheck // peeked
		if c, err := firstByte(rest); err == nil {
			return fmt.Errorf("after the document: unexpected %q", c)
		}
		return nil
	case ',':
		rest.ReadByte() //nolint:errcheck // peeked
		var tail map[string]json.RawMessage
		if err := json.NewDecoder(io.MultiReader(strings.NewReader("{"), rest)).Decode(&tail); err != nil {
			return fmt.Errorf("after Records: %w", err)
		}
		return nil
	}
	return fmt.Errorf("after Records: unexpected %q", c)
}

// skipTo skips white space and consumes the byte want.
func skipTo(br *bufio.Reader, want byte) error {
	c, err := firstByte(br)
	if err != nil {
		return err
	}
	if c != want {
		return fmt.Errorf("expected %q, found %q", want, c)
	}
	_, err = br.ReadByte()
	return err
}

// decodeWrapped streams an {"Events":[...]} document (a lookup-events
// response) element by element; Records arrays in it too, and other
// top-level keys are skipped.
func (d *decoder) decodeWrapped(dec *json.Decoder) error {
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if key != "Records" && key != "Events" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			continue
		}
		tok, err = dec.Token()
		if err != nil {
			return err
		}
		if tok == nil { // "Events": null
			continue
		}
		if dl, ok := tok.(json.Delim); !ok || dl != '[' {
			return fmt.Errorf("%s: expected an array, found %v", key, tok)
		}
		if _, err := decodeElements(dec, d.top); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
	}
	return expectDelim(dec, '}')
}

// decodeElements decodes array elements up to and including the closing
// ']', passing each to each.
func decodeElements(dec *json.Decoder, each func([]byte) error) (int, error) {
	n := 0
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return n, fmt.Errorf("element %d: %w", n, err)
		}
		if err := each(raw); err != nil {
			return n, fmt.Errorf("element %d: %w", n, err)
		}
		n++
	}
	if _, err := dec.Token(); err != nil { // ']'
		return n, err
	}
	return n, nil
}

// decodeLines decodes a sequence of top-level objects: one event per line,
// pretty-printed objects one after another, or a single event.
func decodeLines(dec *json.Decoder, each func([]byte) error) error {
	for n := 1; ; n++ {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("value %d: %w", n, err)
		}
		if err := each(raw); err != nil {
			return fmt.Errorf("value %d: %w", n, err)
		}
	}
}
