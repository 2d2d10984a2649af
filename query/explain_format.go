package query

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteExplanationsText writes xs for a person: each call, its answer and
// one line per evidence event (time, account, event name, event ID and
// what it proves), with a blank line between calls.
func WriteExplanationsText(w io.Writer, xs []Explanation) error {
	for i, x := range xs {
		if i > 0 {
			if _, err := io.WriteString(w, "\n"); err != nil {
				return err
			}
		}
		if err := writeExplanationText(w, x); err != nil {
			return err
		}
	}
	return nil
}

func writeExplanationText(w io.Writer, x Explanation) error {
	c := x.Call
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	line := func(label, value string) {
		if value != "" {
			fmt.Fprintf(tw, "  %s\t%s\n", label, value)
		}
	}
	fmt.Fprintf(tw, "event %s\n", c.EventID)
	line("time", timeText(c.EventTime))
	line("account", strings.TrimSpace(c.AccountID+" "+c.Region))
	call := strings.TrimSpace(c.EventSource + " " + c.EventName)
	if c.ErrorCode != "" {
		call += " (failed: " + c.ErrorCode + ")"
	}
	line("call", call)
	line("principal", c.Principal)
	line("access key", c.AccessKeyID)
	line("source IP", c.SourceIP)
	line("user agent", c.UserAgent)
	a := x.Answer
	if a == nil {
		line("answer", "not attributed yet: run ctattrib attribute")
		return tw.Flush()
	}
	answer := a.ActorKind
	if a.Actor != "" {
		answer += " " + a.Actor
	}
	if where := strings.TrimSpace(a.AccountID + " " + a.Region); where != "" && where != strings.TrimSpace(c.AccountID+" "+c.Region) {
		answer += " (" + where + ")"
	}
	line("answer", answer)
	line("method", a.Method+", confidence "+a.Confidence)
	line("reason", a.Reason)
	line("note", a.Note)
	finding := firstOf(a.Finding, "none")
	if a.FindingReason != "" {
		finding += ": " + a.FindingReason
	}
	line("finding", finding)
	switch n := len(x.Evidence); {
	case n == 0 && a.ActorKind == "unattributed":
		line("evidence", "none")
		return tw.Flush()
	case n == 0:
		line("evidence", "none: the call itself says who made it")
		return tw.Flush()
	case n == 1:
		line("evidence", "1 event")
	default:
		line("evidence", fmt.Sprintf("%d events, from the compute to the key that made the call", n))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// The chain in its own columns, so that the event names line up.
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, e := range x.Evidence {
		fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\t%s\n",
			firstOf(timeText(e.EventTime), "-"), firstOf(e.AccountID, "-"),
			firstOf(e.EventName, "(inventory)"), e.EventID, e.Proves)
	}
	return tw.Flush()
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// explanationJSON is one call in --format json. Empty values are null.
type explanationJSON struct {
	EventID        string         `json:"event_id"`
	EventTime      *string        `json:"event_time"`
	AccountID      *string        `json:"account_id"`
	Region         *string        `json:"region"`
	EventSource    *string        `json:"event_source"`
	EventName      *string        `json:"event_name"`
	Principal      *string        `json:"principal"`
	AccessKeyID    *string        `json:"access_key_id"`
	SourceIP       *string        `json:"source_ip"`
	UserAgent      *string        `json:"user_agent"`
	ErrorCode      *string        `json:"error_code"`
	ActorKind      *string        `json:"actor_kind"`
	Actor          *string        `json:"actor"`
	ActorAccountID *string        `json:"actor_account_id"`
	ActorRegion    *string        `json:"actor_region"`
	Method         *string        `json:"method"`
	Confidence     *string        `json:"confidence"`
	Reason         *string        `json:"reason"`
	Note           *string        `json:"note"`
	Finding        *string        `json:"finding"`
	FindingReason  *string        `json:"finding_reason"`
	Evidence       []evidenceJSON `json:"evidence"`
}

type evidenceJSON struct {
	EventID   string  `json:"event_id"`
	EventTime *string `json:"event_time"`
	EventName *string `json:"event_name"`
	AccountID *string `json:"account_id"`
	Region    *string `json:"region"`
	Proves    string  `json:"proves"`
}

// WriteExplanationsJSON writes xs as a JSON array, one object per call
// ([] when empty); a call not attributed yet has null answer fields.
func WriteExplanationsJSON(w io.Writer, xs []Explanation) error {
	out := make([]explanationJSON, 0, len(xs))
	for _, x := range xs {
		c := x.Call
		j := explanationJSON{
			EventID: c.EventID, EventTime: nullString(timeText(c.EventTime)),
			AccountID: nullString(c.AccountID), Region: nullString(c.Region),
			EventSource: nullString(c.EventSource), EventName: nullString(c.EventName),
			Principal: nullString(c.Principal), AccessKeyID: nullString(c.AccessKeyID),
			SourceIP: nullString(c.SourceIP), UserAgent: nullString(c.UserAgent),
			ErrorCode: nullString(c.ErrorCode),
			Evidence:  make([]evidenceJSON, 0, len(x.Evidence)),
		}
		if a := x.Answer; a != nil {
			j.ActorKind, j.Actor = nullString(a.ActorKind), nullString(a.Actor)
			j.ActorAccountID, j.ActorRegion = nullString(a.AccountID), nullString(a.Region)
			j.Method, j.Confidence = nullString(a.Method), nullString(a.Confidence)
			j.Reason, j.Note, j.Finding = nullString(a.Reason), nullString(a.Note), nullString(a.Finding)
			j.FindingReason = nullString(a.FindingReason)
		}
		for _, e := range x.Evidence {
			j.Evidence = append(j.Evidence, evidenceJSON{
				EventID: e.EventID, EventTime: nullString(timeText(e.EventTime)),
				EventName: nullString(e.EventName), AccountID: nullString(e.AccountID),
				Region: nullString(e.Region), Proves: e.Proves,
			})
		}
		out = append(out, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
