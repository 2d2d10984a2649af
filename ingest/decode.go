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
	// ErrNotCloudTrail marks JSON that holds no CloudTrail events.
	ErrNotCloudTrail = errors.New("not CloudTrail: no Records, Events or event fields")
)

// Format is the shape an object's events came in.
type Format string

// The forms Decode understands. They are detected from content, never from
// the object's name.
const (
	FormatRecords      Format = "records"       // {"Records":[...]}, what CloudTrail writes to S3
	FormatLookupEvents Format = "lookup-events" // aws cloudtrail lookup-events: {"Events":[{"CloudTrailEvent":"..."}]}
	FormatArray        Format = "array"         // a JSON array of events (or of wrappers)
	FormatLines        Format = "lines"         // JSON lines or concatenated objects: Lake exports, EventBridge captures
)

// maxPeek bounds how much of an object Decode looks at to choose a form.
const maxPeek = 512

// Decode reads one log object, gzip-compressed or plain, and calls fn with
// the raw JSON of each event in order. It streams: memory stays bounded by
// the largest single event, whatever the object's size. The raw slice is
// only valid during the call.
//
// Wrapped events are unwrapped: lookup-events' CloudTrailEvent strings,
// EventBridge's "detail", and log shippers' "_raw" or "message" strings.
func Decode(r io.Reader, fn func(raw []byte) error) (Format, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return "", fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 64<<10)
	}
	first, err := firstByte(br)
	if err != nil {
		return "", err
	}
	dec := json.NewDecoder(br)
	dec.UseNumber()
	switch first {
	case '[':
		if err := expectDelim(dec, '['); err != nil {
			return FormatArray, err
		}
		n, err := decodeElements(dec, unwrap, fn)
		if err == nil && n == 0 {
			// An empty array is a valid, empty export.
			return FormatArray, nil
		}
		return FormatArray, err
	case '{':
		key, err := firstKey(br)
		if err != nil {
			return "", err
		}
		switch key {
		case "Records":
			return FormatRecords, decodeRecords(br, fn)
		case "Events":
			return decodeWrapped(dec, fn)
		}
		return FormatLines, decodeLines(dec, fn)
	}
	return "", ErrNotJSON
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

// decodeWrapped streams {"Records":[...]} and {"Events":[...]} documents
// element by element; other top-level keys are skipped.
func decodeWrapped(dec *json.Decoder, fn func([]byte) error) (Format, error) {
	format := FormatRecords
	if err := expectDelim(dec, '{'); err != nil {
		return format, err
	}
	found := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return format, err
		}
		key, _ := tok.(string)
		if key != "Records" && key != "Events" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return format, fmt.Errorf("%s: %w", key, err)
			}
			continue
		}
		if key == "Events" {
			format = FormatLookupEvents
		}
		found = true
		tok, err = dec.Token()
		if err != nil {
			return format, err
		}
		if tok == nil { // "Records": null
			continue
		}
		if d, ok := tok.(json.Delim); !ok || d != '[' {
			return format, fmt.Errorf("%s: expected an array, found %v", key, tok)
		}
		// Records hold events as they are; only lookup-events wraps them.
		each := unwrap
		if key == "Records" {
			each = asEvent
		}
		if _, err := decodeElements(dec, each, fn); err != nil {
			return format, fmt.Errorf("%s: %w", key, err)
		}
	}
	if !found {
		return format, ErrNotCloudTrail
	}
	return format, expectDelim(dec, '}')
}

// decodeElements decodes array elements up to and including the closing
// ']', passing each to each(raw, fn).
func decodeElements(dec *json.Decoder, each func([]byte, func([]byte) error) error, fn func([]byte) error) (int, error) {
	n := 0
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return n, fmt.Errorf("element %d: %w", n, err)
		}
		if err := each(raw, fn); err != nil {
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
func decodeLines(dec *json.Decoder, fn func([]byte) error) error {
	for n := 1; ; n++ {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("value %d: %w", n, err)
		}
		if err := unwrap(raw, fn); err != nil {
			return fmt.Errorf("value %d: %w", n, err)
		}
	}
}

// envelope lists the keys that tell an event from its wrappers. Fields of
// the event itself are left raw: they are decoded once, by parseRecord.
type envelope struct {
	EventVersion   json.RawMessage `json:"eventVersion"`
	EventName      json.RawMessage `json:"eventName"`
	EventSource    json.RawMessage `json:"eventSource"`
	EventID        json.RawMessage `json:"eventID"`
	UserIdentity   json.RawMessage `json:"userIdentity"`
	Records        json.RawMessage `json:"Records"`
	CloudTrailEvt  *string         `json:"CloudTrailEvent"`
	Raw            *string         `json:"_raw"`
	Message        *string         `json:"message"`
	Detail         json.RawMessage `json:"detail"`
	DetailType     string          `json:"detail-type"`
	DigestS3Object json.RawMessage `json:"digestS3Object"`
	LogFiles       json.RawMessage `json:"logFiles"`
}

// maxUnwrap bounds nested wrappers (a string holding a wrapper holding ...).
const maxUnwrap = 4

// asEvent passes an element of a Records array on as it is: CloudTrail
// writes events there, so the envelope need not be parsed.
func asEvent(raw []byte, fn func([]byte) error) error {
	if len(raw) == 0 || raw[0] != '{' {
		return fmt.Errorf("%w: element is not an object", ErrNotCloudTrail)
	}
	return fn(raw)
}

func unwrap(raw []byte, fn func([]byte) error) error {
	return unwrapDepth(raw, fn, 0)
}

func unwrapDepth(raw []byte, fn func([]byte) error, depth int) error {
	if depth > maxUnwrap {
		return ErrNotCloudTrail
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return fmt.Errorf("%w: element is not an object", ErrNotCloudTrail)
	}
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return err
	}
	switch {
	case env.EventName != nil || env.EventSource != nil || (env.EventVersion != nil && (env.EventID != nil || env.UserIdentity != nil)):
		return fn(raw)
	case env.CloudTrailEvt != nil:
		return unwrapDepth([]byte(*env.CloudTrailEvt), fn, depth+1)
	case env.Raw != nil:
		return unwrapDepth([]byte(*env.Raw), fn, depth+1)
	case len(env.Detail) > 0 && env.Detail[0] == '{':
		return unwrapDepth(env.Detail, fn, depth+1)
	case env.Message != nil:
		return unwrapDepth([]byte(*env.Message), fn, depth+1)
	case env.Records != nil:
		var records []json.RawMessage
		if err := json.Unmarshal(env.Records, &records); err != nil {
			return fmt.Errorf("value of Records: %w", err)
		}
		for _, r := range records {
			if err := unwrapDepth(r, fn, depth+1); err != nil {
				return err
			}
		}
		return nil
	case env.DigestS3Object != nil || env.LogFiles != nil:
		return ErrDigest
	}
	return ErrNotCloudTrail
}
