package query

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/ctattrib/ctattrib/store"
)

var findingsSQL = mustTemplate("findings.sql")

// FindingsParams are the parameters of Findings. Its Filter applies to a
// finding as a whole: Since and Until keep findings whose calls overlap
// the window, Account the findings on credentials of that account's
// compute, Region those with a call recorded in that region.
type FindingsParams struct {
	Filter
	// Kind keeps one kind of finding, such as credentials-used-off-compute.
	Kind string
	// Actor keeps findings on one actor's credentials.
	Actor string
}

func (p FindingsParams) args() []any {
	return append(p.Filter.args(), sql.Named("kind", p.Kind), sql.Named("actor", p.Actor))
}

// Findings returns the credential-misuse findings of the last attribution
// run, most severe first: kind, severity, account_id, actor_kind, actor,
// access_key_id, first_seen, last_seen, source_ips, user_agents, events,
// event_ids, reason. source_ips, user_agents and event_ids are Lists: a
// JSON array in json and jsonl; in the text formats, IDs and addresses are
// separated by spaces and user agents (which contain spaces) by " | ".
// The caller must Close the result.
func Findings(ctx context.Context, db *store.DB, p FindingsParams) (*Rows, error) {
	r, err := run(ctx, db, findingsSQL, p, p.args())
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
