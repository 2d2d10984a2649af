package query

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ctattrib/ctattrib/store"
)

// Params are the filters and arguments of a named query. The zero value
// means "no filter".
type Params struct {
	// Since and Until bound event_time: Since <= event_time < Until.
	Since, Until time.Time
	// Account and Region keep only events of one account ID and region.
	Account, Region string

	// EventName (required by whodid) is the CloudTrail eventName.
	EventName string
	// EventSource keeps one service: "sagemaker.amazonaws.com" or just
	// "sagemaker".
	EventSource string
	// Resource keeps events whose request, response or resources mention
	// this text (case-insensitive).
	Resource string
	// Actor (required by activity) is an attributed actor's name.
	Actor string
	// ErrorsOnly keeps only failed calls (activity).
	ErrorsOnly bool

	// pending is set by Run when some events have no attribution yet
	// (ingest --no-attribute, or attribute not run since an upgrade):
	// coverage then also reads those events, as unattributed calls.
	pending bool
}

// Spec is a named query.
type Spec struct {
	Name  string
	Short string
	// build returns the SQL and its bound arguments for p.
	build func(p Params) (string, []any, error)
	// post, when set, turns the SQL result into the query's result (denied
	// explains each distinct error message in Go).
	post func(ctx context.Context, r *Rows) (*Rows, error)
	// readsPending says that the SQL depends on Params.pending.
	readsPending bool
}

// ErrUnknownQuery is returned by Run for a name that is not a named query.
var ErrUnknownQuery = errors.New("unknown query")

// ErrMissingParam is returned by Run when a required parameter is empty.
var ErrMissingParam = errors.New("missing parameter")

// Specs returns the named queries, in the order help text lists them.
func Specs() []Spec {
	return []Spec{
		{Name: "whodid", Short: "which actor made the calls to an API (--event-name)", build: whodidSQL},
		{Name: "activity", Short: "the timeline of one actor's calls, newest first (--actor)", build: activitySQL},
		{Name: "instances", Short: "one row per notebook instance: calls, errors, lifecycle config in effect", build: instancesSQL},
		{Name: "denied", Short: "access denials by actor, action and resource, with the policy that would fix them", build: deniedSQL, post: explainDenials},
		{Name: "coverage", Short: "attributed and unattributed calls per account and execution role", build: coverageSQL, readsPending: true},
	}
}

// Lookup returns the named query called name.
func Lookup(name string) (Spec, error) {
	i := slices.IndexFunc(Specs(), func(s Spec) bool { return s.Name == name })
	if i < 0 {
		return Spec{}, fmt.Errorf("%w %q", ErrUnknownQuery, name)
	}
	return Specs()[i], nil
}

// Build returns the SQL and bound arguments that Run would execute on a
// database where every event has its attribution; it is exported for tests
// and --explain style debugging.
func (s Spec) Build(p Params) (string, []any, error) { return s.build(p) }

// Run runs the named query name on db with p. The caller must Close the
// result.
func Run(ctx context.Context, db *store.DB, name string, p Params) (*Rows, error) {
	spec, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	if spec.readsPending {
		if p.pending, err = pendingEvents(ctx, db); err != nil {
			return nil, fmt.Errorf("query %s: %w", name, err)
		}
	}
	text, args, err := spec.build(p)
	if err != nil {
		return nil, err
	}
	rs, err := db.SQL.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", name, err)
	}
	r, err := fromSQL(rs)
	if err != nil {
		return nil, err
	}
	if spec.post != nil {
		defer r.Close()
		return spec.post(ctx, r)
	}
	return r, nil
}

// pendingEvents reports whether some events have no attribution: every
// attribute run leaves exactly one per event, so the two counts, which
// DuckDB answers from its row counts, differ only then.
func pendingEvents(ctx context.Context, db *store.DB) (bool, error) {
	var events, attributed int64
	err := db.SQL.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM event_rows), (SELECT count(*) FROM attributions)`).
		Scan(&events, &attributed)
	return events != attributed, err
}

// filter collects WHERE conditions and their bound arguments. Conditions
// are fixed text from this package; user input only ever travels as an
// argument.
type filter struct {
	conds []string
	args  []any
}

func (f *filter) add(cond string, args ...any) {
	f.conds = append(f.conds, cond)
	f.args = append(f.args, args...)
}

// and returns the conditions joined with AND, or "true".
func (f *filter) and() string {
	if len(f.conds) == 0 {
		return "true"
	}
	return strings.Join(f.conds, " AND ")
}

// rfc3339 passes times as text with an explicit offset, so the comparison
// with TIMESTAMPTZ does not depend on the session's TimeZone.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// eventFilter adds the common filters on the events table aliased e.
func eventFilter(f *filter, p Params) { eventFilterOn(f, "e", p) }

// eventFilterOn adds the common filters on alias, events or attributions
// (which carry the same event_time, recipient_account_id and aws_region).
func eventFilterOn(f *filter, alias string, p Params) {
	if !p.Since.IsZero() {
		f.add(alias+".event_time >= CAST(? AS TIMESTAMPTZ)", rfc3339(p.Since))
	}
	if !p.Until.IsZero() {
		f.add(alias+".event_time < CAST(? AS TIMESTAMPTZ)", rfc3339(p.Until))
	}
	if p.Account != "" {
		f.add(alias+".recipient_account_id = ?", p.Account)
	}
	if p.Region != "" {
		f.add(alias+".aws_region = ?", p.Region)
	}
}

// deniedCodes are the errorCode values AWS uses for an authorization
// failure. deniedCond also catches service-specific variants by pattern.
var deniedCodes = []string{
	"AccessDenied", "AccessDeniedException", "Client.UnauthorizedOperation",
	"UnauthorizedOperation", "Client.UnauthorizedAccess", "UnauthorizedAccess",
	"AuthorizationError", "AuthorizationErrorException", "NotAuthorized",
	"NotAuthorizedException", "Forbidden", "ForbiddenException",
}

// deniedCond is true for events (aliased e) that failed authorization.
var deniedCond = deniedOn("e")

// deniedOn is deniedCond on alias, events or attributions.
func deniedOn(alias string) string {
	c := alias + ".error_code"
	return "(" + c + " IN ('" + strings.Join(deniedCodes, "', '") + "')" +
		" OR " + c + " LIKE '%AccessDenied%' OR " + c + " LIKE '%Unauthorized%')"
}

// eventSourceArg accepts "sagemaker" for "sagemaker.amazonaws.com".
func eventSourceArg(s string) string {
	if s != "" && !strings.Contains(s, ".") {
		return s + ".amazonaws.com"
	}
	return s
}

func whodidSQL(p Params) (string, []any, error) {
	if p.EventName == "" {
		return "", nil, fmt.Errorf("whodid needs --event-name: %w", ErrMissingParam)
	}
	var f filter
	f.add("e.event_name = ?", p.EventName)
	if p.EventSource != "" {
		f.add("e.event_source = ?", eventSourceArg(p.EventSource))
	}
	if p.Resource != "" {
		f.add(`contains(lower(concat_ws(' ', CAST(e.request_parameters AS VARCHAR),
			CAST(e.response_elements AS VARCHAR), CAST(e.resources AS VARCHAR))), lower(?))`, p.Resource)
	}
	eventFilter(&f, p)
	// Attributions are filtered by the event name they carry before the
	// join: joining them whole reads every event_id of the table.
	return `SELECT e.event_time, e.event_name,
	coalesce(a.actor_kind, 'unattributed') AS actor_kind, a.actor, a.method, a.confidence,
	e.recipient_account_id AS account_id, e.aws_region AS region, e.event_id
FROM events e LEFT JOIN (SELECT * FROM attributions WHERE event_name = ?) a ON a.event_id = e.event_id
WHERE ` + f.and() + `
ORDER BY e.event_time DESC, e.event_id`, append([]any{p.EventName}, f.args...), nil
}

func activitySQL(p Params) (string, []any, error) {
	if p.Actor == "" {
		return "", nil, fmt.Errorf("activity needs --actor: %w", ErrMissingParam)
	}
	var f filter
	f.add("a.actor = ?", p.Actor)
	if p.ErrorsOnly {
		f.add("e.error_code IS NOT NULL")
	}
	if p.EventSource != "" {
		f.add("e.event_source = ?", eventSourceArg(p.EventSource))
	}
	if p.EventName != "" {
		f.add("e.event_name = ?", p.EventName)
	}
	eventFilter(&f, p)
	return `SELECT e.event_time, e.event_source, e.event_name, a.actor_kind, a.actor,
	e.error_code, e.error_message, e.session_name, e.source_ip,
	e.recipient_account_id AS account_id, e.aws_region AS region, e.event_id
FROM attributions a JOIN events e ON e.event_id = a.event_id
WHERE ` + f.and() + `
ORDER BY e.event_time DESC, e.event_id`, f.args, nil
}
