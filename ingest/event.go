package ingest

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-json"
)

// What a CloudTrail event is, once, for every form Decode reads: a JSON
// object with a non-empty eventName and eventSource string, each given
// once. Its time is eventTime, or when that is missing or not a time, the
// Logstash @timestamp (timeFields): the same fields, in the same order,
// as event_time in sql/insert_events.sql. A record whose fields hold no
// time at all (rule-test fixtures, "eventTime": "redacted") is still
// stored, without event_time, as the README says; one whose eventTime is
// a time is never stored without it (TestEventTimeAgrees, and `ctattrib
// check`). Anything else is not stored as an event: Decode rejects it,
// counted and named.

// timeFields are the members that give an event its time, in the order
// they are tried. insert_events.sql coalesces the same ones.
var timeFields = []string{"eventTime", "@timestamp"}

// timeLayouts are the forms of time an event may carry: CloudTrail's
// RFC 3339 (fractions of a second are read whatever the layout says),
// the space-separated form of re-shipped logs, with or without a zone,
// and the compact form of old creationDate values. DuckDB's ctattrib_time
// reads each of them (TestEventTimeAgrees).
var timeLayouts = []string{
	time.RFC3339,
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"20060102T150405Z",
}

// filled reports whether the raw JSON value v is a string, not empty.
func filled(v string) bool { return len(v) > 2 && v[0] == '"' }

// isTime reports whether the raw JSON value v is a string holding a time.
func isTime(v string) bool {
	s, ok := jsonString(v)
	return ok && parseEventTime(s)
}

// parseEventTime reports whether v is a time in one of timeLayouts.
func parseEventTime(v string) bool {
	if len(v) < 8 || len(v) > 64 {
		return false
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, v); err == nil {
			// DuckDB's TIMESTAMPTZ starts at year 1 and its casts read
			// four-digit years only.
			return t.Year() >= 1 && t.Year() <= 9999
		}
	}
	return false
}

// members is what Decode needs of an object's top-level members: the
// fields that make an event, and the keys of the wrappers that hold
// events. Values are raw JSON text.
type members struct {
	eventName, eventSource string
	times                  [2]string // the values of timeFields
	// eventKey is set when the object has any top-level member only a
	// CloudTrail event has: it is then judged as an event, not a wrapper.
	eventKey                         bool
	eventType                        string
	cloudTrailEvent, raw, message    string
	detail, records, events          string
	messageType, logEvents           string
	lookupEntry, digest, configItems bool
	timeOK                           bool             // eventTime is a time
	twice                            bool             // eventName, eventSource or eventTime given twice
	names                            [maxNames]string // the first few keys, for the reason
	nNames                           int
}

// eventKeys are the top-level members of a CloudTrail event (case
// matters: lookup-events entries spell EventName and EventTime).
var eventKeys = map[string]bool{
	"eventVersion": true, "eventName": true, "eventSource": true, "eventTime": true,
	"eventID": true, "userIdentity": true, "awsRegion": true, "recipientAccountId": true,
}

// maxNames bounds the keys a reason for an unknown shape lists.
const maxNames = 5

// set records a member, and reports whether the object is known to be an
// event with everything an event needs, so that the rest (mostly request
// parameters and response elements) need not be scanned.
func (m *members) set(name, value string) (done bool) {
	if m.nNames < maxNames {
		m.names[m.nNames] = name
		m.nNames++
	}
	if eventKeys[name] {
		m.eventKey = true
	}
	switch name {
	case "eventName":
		m.twice = m.twice || m.eventName != ""
		m.eventName = value
	case "eventSource":
		m.twice = m.twice || m.eventSource != ""
		m.eventSource = value
	case timeFields[0]:
		m.twice = m.twice || m.times[0] != ""
		m.times[0] = value
	case timeFields[1]:
		m.times[1] = value
	case "eventType":
		m.eventType = value
	case "CloudTrailEvent":
		m.cloudTrailEvent = value
	case "_raw":
		m.raw = value
	case "message":
		m.message = value
	case "detail":
		m.detail = value
	case "Records":
		m.records = value
	case "Events":
		m.events = value
	case "messageType":
		m.messageType = value
	case "logEvents":
		m.logEvents = value
	case "EventId", "EventName", "EventTime":
		m.lookupEntry = true
	case "digestS3Object", "logFiles", "digestStartTime", "digestSignatureAlgorithm":
		m.digest = true
	case "configurationItems", "configurationItem", "configSnapshotId":
		m.configItems = true
	}
	if name == timeFields[0] {
		m.timeOK = isTime(value)
	}
	// Only an eventTime that is a time ends the scan: otherwise a later
	// @timestamp may stand in, as it does in insert_events.sql.
	return m.eventKey && filled(m.eventName) && filled(m.eventSource) && m.timeOK && !m.twice
}

// readMembers reads the top-level members of the object raw. ok is false
// when raw is not a JSON object (or not valid JSON).
func readMembers(raw []byte) (m members, ok bool) {
	s := unsafeString(raw)
	if scanMembers(s, m.set) {
		return m, true
	}
	// Escaped key names, or JSON the scanner cannot follow: a real
	// parser decides. Keys are matched exactly.
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil || all == nil {
		return members{}, false
	}
	m = members{}
	for _, k := range slices.Sorted(mapKeys(all)) {
		m.set(k, string(all[k])) //nolint:errcheck // reports only that the rest may be skipped
	}
	return m, true
}

func mapKeys(m map[string]json.RawMessage) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// scanMembers calls fn with the name and raw value of each top-level
// member of the JSON object s, until fn returns true. It returns false
// when s is not an object it can follow, or a name holds escapes; fn may
// have been called by then. It does not validate what it skips.
func scanMembers(s string, fn func(name, value string) bool) bool {
	i := skipWS(s, 0)
	if i >= len(s) || s[i] != '{' {
		return false
	}
	i++
	for first := true; ; first = false {
		i = skipWS(s, i)
		if i >= len(s) {
			return false
		}
		if s[i] == '}' && first {
			return skipWS(s, i+1) == len(s)
		}
		if s[i] != '"' {
			return false
		}
		end, escaped := stringEnd(s, i)
		if end < 0 || escaped {
			return false
		}
		name := s[i+1 : end]
		i = skipWS(s, end+1)
		if i >= len(s) || s[i] != ':' {
			return false
		}
		i = skipWS(s, i+1)
		if i >= len(s) {
			return false
		}
		vend := skipValue(s, i)
		if vend < 0 || vend == i {
			return false
		}
		if fn(name, s[i:vend]) {
			return true
		}
		i = skipWS(s, vend)
		if i >= len(s) {
			return false
		}
		switch s[i] {
		case ',':
			i++
		case '}':
			return skipWS(s, i+1) == len(s)
		default:
			return false
		}
	}
}

// jsonString returns the string the raw JSON value v holds; ok is false
// when v is not a string.
func jsonString(v string) (string, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false
	}
	if !strings.ContainsRune(v, '\\') {
		return v[1 : len(v)-1], true
	}
	var out string
	if err := json.Unmarshal([]byte(v), &out); err != nil {
		return "", false
	}
	return out, true
}

// problem says why an object with event members is not an event, or ""
// when it is one. A time is not required of it: an event whose record
// carries no time (test fixtures, redacted exports: "eventTime":
// "redacted") is still an event, stored with no event_time; `ctattrib
// check` reports them apart from events that lost a time they had.
func (m *members) problem() string {
	if m.twice {
		// Which of the two a reader takes is the reader's choice.
		return "an event with eventName, eventSource or eventTime twice"
	}
	var missing []string
	for _, f := range []struct{ name, v string }{{"eventName", m.eventName}, {"eventSource", m.eventSource}} {
		switch s, ok := jsonString(f.v); {
		case f.v == "" || f.v == "null":
			missing = append(missing, f.name)
		case !ok:
			return fmt.Sprintf("an event whose %s is not a string", f.name)
		case s == "":
			missing = append(missing, f.name)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	what := "an event"
	if t, _ := jsonString(m.eventType); t == "AwsCloudTrailInsight" {
		what = "a CloudTrail Insight event"
	}
	return what + " without " + strings.Join(missing, ", ")
}

// shapeDigest is the shape of a digest record: an object of nothing else
// is skipped (ErrDigest), not failed.
const shapeDigest = "a CloudTrail digest"

// shape names what an object that is neither an event nor a wrapper of
// events looks like.
func (m *members) shape() string {
	switch {
	case m.digest:
		return shapeDigest
	case m.lookupEntry:
		return "a lookup-events entry without CloudTrailEvent"
	case m.configItems:
		return "an AWS Config file"
	case m.messageType != "":
		return "a CloudWatch Logs record without logEvents"
	case m.nNames == 0:
		return "an empty object"
	}
	return "an object of unknown shape (keys " + strings.Join(m.names[:m.nNames], ", ") + ")"
}

// describeText names what a value that is not a JSON object looks like.
func describeText(b []byte) string {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return "an empty value"
	case looksLikeFlowLog(b):
		return "a VPC flow log record"
	case b[0] == '[':
		return "a JSON array"
	case b[0] == '"':
		return "a JSON string"
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		if json.Valid(b) {
			return "a JSON number"
		}
	case b[0] == 't' || b[0] == 'f' || b[0] == 'n':
		if json.Valid(b) {
			return "a JSON " + map[byte]string{'t': "boolean", 'f': "boolean", 'n': "null"}[b[0]]
		}
	}
	return "text that is not JSON"
}

// looksLikeFlowLog reports whether b starts like a VPC flow log: its
// header, or a default-format record (version, account, interface).
func looksLikeFlowLog(b []byte) bool {
	line := b
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	f := strings.Fields(string(line))
	if len(f) >= 3 && f[0] == "version" && f[1] == "account-id" {
		return true
	}
	return len(f) >= 5 && len(f[0]) <= 2 && isDigits(f[0]) && len(f[1]) == 12 && isDigits(f[1]) &&
		(strings.HasPrefix(f[2], "eni-") || f[2] == "-")
}

func isDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
