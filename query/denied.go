package query

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/ctattrib/ctattrib/internal/denial"
	"github.com/ctattrib/ctattrib/store"
)

// DeniedParams are the parameters of Denied.
type DeniedParams struct {
	Filter
	// Actor keeps one attributed actor's denials.
	Actor string
	// EventSource and EventName keep one service and one eventName.
	EventSource, EventName string
}

var deniedSQL = mustTemplate("denied.sql")

// Denied returns the access denials grouped by account_id, actor,
// principal, action, resource and reason, most frequent first, with
// policy_type, count, first_seen, last_seen, and what to do about them
// (suggested_policy, checks) as package denial explains them. The caller
// must Close the result.
func Denied(ctx context.Context, db *store.DB, p DeniedParams) (*Rows, error) {
	r, err := run(ctx, db, deniedSQL, p, p.args())
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return explainDenials(ctx, r)
}

func (p DeniedParams) args() []any {
	return append(p.Filter.args(),
		sql.Named("actor", p.Actor),
		sql.Named("event_source", eventSourceArg(p.EventSource)),
		sql.Named("event_name", p.EventName))
}

// deniedColumns are the columns of the denied query.
var deniedColumns = []Column{
	{Name: "account_id"}, {Name: "actor"}, {Name: "principal"},
	{Name: "action"}, {Name: "resource"}, {Name: "reason"}, {Name: "policy_type"},
	{Name: "count", Kind: Int}, {Name: "first_seen", Kind: Time}, {Name: "last_seen", Kind: Time},
	{Name: "suggested_policy"}, {Name: "checks"},
}

// explainDenials explains each group's message, then merges the groups that
// come out the same (one action on one resource for one reason, whatever the
// message's wording), most frequent first.
func explainDenials(ctx context.Context, r *Rows) (*Rows, error) {
	type key struct{ account, actor, principal, action, resource, reason, policyType string }
	type agg struct {
		key
		n           int64
		first, last time.Time
		policy      string
		checks      string
	}
	idx := map[string]int{}
	for i, c := range r.Columns {
		idx[c.Name] = i
	}
	str := func(row []any, name string) string { s, _ := row[idx[name]].(string); return s }
	groups := map[key]*agg{}
	_, err := each(ctx, r, func(row []any) error {
		ev := denial.Event{
			EventSource:    str(row, "event_source"),
			EventName:      str(row, "event_name"),
			Region:         str(row, "region"),
			Account:        str(row, "account_id"),
			ErrorCode:      str(row, "error_code"),
			ErrorMessage:   str(row, "error_message"),
			Bucket:         str(row, "bucket"),
			ObjectKey:      str(row, "object_key"),
			KMSKey:         str(row, "kms_key"),
			ResourceARN:    str(row, "resource_arn"),
			ViaVPCEndpoint: row[idx["via_vpc_endpoint"]] == true,
		}
		ex := denial.Explain(ev)
		k := key{ev.Account, str(row, "actor"), str(row, "principal"), ex.Action, ex.Resource, ex.Reason, ex.PolicyType}
		g := groups[k]
		if g == nil {
			g = &agg{key: k, policy: ex.SuggestedPolicy, checks: strings.Join(ex.Checks, "; ")}
			groups[k] = g
		}
		n, _ := row[idx["n"]].(int64)
		g.n += n
		if t, ok := row[idx["first_seen"]].(time.Time); ok && (g.first.IsZero() || t.Before(g.first)) {
			g.first = t
		}
		if t, ok := row[idx["last_seen"]].(time.Time); ok && t.After(g.last) {
			g.last = t
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	list := make([]*agg, 0, len(groups))
	for _, g := range groups {
		list = append(list, g)
	}
	slices.SortFunc(list, func(a, b *agg) int {
		return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.account, b.account), cmp.Compare(a.actor, b.actor),
			cmp.Compare(a.action, b.action), cmp.Compare(a.resource, b.resource), cmp.Compare(a.reason, b.reason),
			cmp.Compare(a.principal, b.principal))
	})
	rows := make([][]any, len(list))
	for i, g := range list {
		rows[i] = []any{nullable(g.account), nullable(g.actor), nullable(g.principal), g.action, g.resource,
			g.reason, g.policyType, g.n, g.first, g.last, nullable(g.policy), nullable(g.checks)}
	}
	return NewRows(deniedColumns, rows), nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
