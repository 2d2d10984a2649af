package query

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ctattrib/ctattrib/store"
)

var findingsSQL = mustExplainTemplate("findings.sql")

// FindingsParams narrow the findings query. The zero value means "all".
type FindingsParams struct {
	// Since and Until keep findings whose calls overlap
	// [Since, Until).
	Since, Until time.Time
	// Account keeps findings on the credentials of one account's compute.
	Account string
	// Region keeps findings with a call recorded in that region.
	Region string
	// Kind keeps one kind of finding, such as credentials-used-off-compute.
	Kind string
	// Actor keeps findings on one actor's credentials.
	Actor string
}

// Findings lists the credential-misuse findings of the last attribution
// run, most severe first. source_ips, user_agents and event_ids are
// Lists: a JSON array in json and jsonl; in the text formats, IDs and
// addresses are separated by spaces and user agents (which contain
// spaces) by " | ".
func Findings(ctx context.Context, db *store.DB, p FindingsParams) (*Rows, error) {
	text, err := renderSQL(findingsSQL, p)
	if err != nil {
		return nil, err
	}
	var args []any
	for name, v := range map[string]string{"account": p.Account, "region": p.Region, "kind": p.Kind, "actor": p.Actor} {
		if v != "" {
			args = append(args, sql.Named(name, v))
		}
	}
	if !p.Since.IsZero() {
		args = append(args, sql.Named("since", p.Since.UTC().Format(time.RFC3339Nano)))
	}
	if !p.Until.IsZero() {
		args = append(args, sql.Named("until", p.Until.UTC().Format(time.RFC3339Nano)))
	}
	rs, err := db.SQL.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, fmt.Errorf("query findings: %w", err)
	}
	r, err := fromSQL(rs)
	if err != nil {
		return nil, err
	}
	asLists(r, map[string]string{"source_ips": " ", "user_agents": " | ", "event_ids": " "})
	return r, nil
}

// List is a list column's value: the formats write it as a JSON array in
// json and jsonl, and its items joined with Sep elsewhere.
type List struct {
	Items []string
	Sep   string
}

// String joins the items with Sep.
func (l List) String() string { return strings.Join(l.Items, l.Sep) }

// MarshalJSON writes the items as a JSON array of strings.
func (l List) MarshalJSON() ([]byte, error) {
	if l.Items == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(l.Items)
}

// asLists turns the list columns of r named in seps into List values, with
// the separator given, as rows are read.
func asLists(r *Rows, seps map[string]string) {
	idx := map[int]string{}
	for i, c := range r.Columns {
		if sep, ok := seps[c.Name]; ok {
			idx[i] = sep
		}
	}
	next := r.next
	r.next = func() ([]any, error) {
		row, err := next()
		if err != nil {
			return row, err
		}
		for i, sep := range idx {
			row[i] = toList(row[i], sep)
		}
		return row, nil
	}
}

// toList reads a list value as the normalised row holds it, the JSON text
// of the list (see stringOf); NULL items are left out.
func toList(v any, sep string) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	var items []*string
	if err := json.Unmarshal([]byte(s), &items); err != nil {
		return v
	}
	l := List{Items: make([]string, 0, len(items)), Sep: sep}
	for _, x := range items {
		if x != nil {
			l.Items = append(l.Items, *x)
		}
	}
	return l
}
