package report

import (
	"cmp"
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/ctattrib/ctattrib/query"
	"github.com/ctattrib/ctattrib/store"
)

// The report's own SQL, one statement per file, rendered with the query
// package's template set: the same "filter" and "denied" definitions as
// every named query.

//go:embed sql/*.sql
var sqlFS embed.FS

var sqlTemplates = template.Must(query.Templates().ParseFS(sqlFS, "sql/*.sql"))

func mustTemplate(name string) *template.Template {
	if t := sqlTemplates.Lookup(name); t != nil {
		return t
	}
	panic("no SQL template " + name)
}

var (
	headlineSQL     = mustTemplate("headline.sql")
	methodsSQL      = mustTemplate("methods.sql")
	timelineSQL     = mustTemplate("timeline.sql")
	accountsSQL     = mustTemplate("accounts.sql")
	stripsSQL       = mustTemplate("strips.sql")
	unattributedSQL = mustTemplate("unattributed.sql")
	roleTimelineSQL = mustTemplate("role_timeline.sql")
)

// DefaultTop is how many notebook instances, other computes, roles and
// denials a report lists when Params.Top is 0: enough to act on, few
// enough that the file stays small whatever the database holds.
const DefaultTop = 25

// Params are the parameters of Build.
type Params struct {
	query.Filter
	// Top caps the rows of each list; 0 means DefaultTop.
	Top int
	// Log gets each step's time at debug level; nil logs nothing.
	Log *slog.Logger
}

// Unattributed is the method name the report gives unattributed calls,
// and Pending the one of events attribution has not processed yet.
const (
	Unattributed = "unattributed"
	Pending      = "not attributed yet"
)

// Report is what the HTML file shows: every figure of every chart, as the
// database gave it. Build fills it; Write draws it.
type Report struct {
	Filter query.Filter
	// Unit names the width of the time buckets ("10 minutes", "day"),
	// chosen from the span so that a chart has at most a few hundred.
	Unit string
	// Width is the buckets' width.
	Width time.Duration
	// Buckets are the starts of every bucket from the first event's to
	// the last's, empty ones included.
	Buckets []time.Time
	// StripUnit, StripWidth and StripBuckets are the same for the small
	// per-compute, per-role and per-account strips, which have fewer
	// buckets: there are many of them, and the file must stay small.
	StripUnit    string
	StripWidth   time.Duration
	StripBuckets []time.Time
	Headline     Headline
	// Methods are all events by method, unattributed and pending
	// included, most first.
	Methods []Count
	// MethodSeries are the series the methods chart draws Methods as,
	// chosen as Series are, with Pending last when there are such events.
	MethodSeries []string
	// Series are the methods the coverage charts draw, in order: the
	// most frequent ones by name, the rest as OtherMethods, unattributed
	// last.
	Series   []string
	Timeline []Stack // assumed-role calls per bucket
	Accounts []Stack // assumed-role calls per account, most first
	// AccountShares are each account's calls per bucket, in the order
	// of Accounts.
	AccountShares [][]Share
	// AccountsMore is how many accounts the report leaves out.
	AccountsMore int
	Roles        []Role
	// RolesMore is how many roles the report leaves out.
	RolesMore    int
	Instances    []Compute
	Others       []Compute
	Findings     []Finding
	Denials      []Denial
	DenialsMore  int
	Unattributed []Reason

	seriesOf, methodOf map[string]string
}

// Headline holds the answers at the top of the report.
type Headline struct {
	Events, Accounts         int64
	First, Last              time.Time
	Attributed, Unattributed int64
	Pending                  int64
	// AssumedRole are the assumed-role calls, of which attribution
	// explained AssumedRoleAttributed.
	AssumedRole, AssumedRoleAttributed int64
	Findings                           int
	Denials                            int64
	// Instances are the notebook instances in the inventory, of which
	// WithoutConfig have no lifecycle config in effect: none attached, or
	// attached but their calls do not carry the session name.
	Instances, WithoutConfig int
}

// Count is a number of events for one name.
type Count struct {
	Name string
	N    int64
}

// Stack is one bar of a stacked chart: its label (a bucket's start in
// RFC 3339, or an account) and its calls per series.
type Stack struct {
	Key    string
	Counts map[string]int64
}

// Total is the sum of the stack's counts.
func (s Stack) Total() int64 {
	var n int64
	for _, c := range s.Counts {
		n += c
	}
	return n
}

// Role is one execution role's coverage, as query.Coverage gives it.
type Role struct {
	Account, ARN                string
	Calls, Attributed, Findings int64
	Instances                   int64
	// InstancesWithoutConfig names the role's notebook instances with no
	// lifecycle config, and Top the most common reason calls stay
	// unattributed.
	InstancesWithoutConfig, Top string
	// Shares are the role's calls per bucket of Report.StripBuckets.
	Shares []Share
}

// Share is the assumed-role calls of a bucket and how many are attributed.
type Share struct {
	Calls, Attributed int64
}

// Compute is a notebook instance or other compute and its calls.
type Compute struct {
	Kind, Account, Region, Name     string
	Calls, Errors, Denied, Findings int64
	// Strip is the compute's calls per bucket of Report.StripBuckets.
	Strip []Point
	// Lifecycle says whether a notebook's lifecycle config is in effect,
	// and Finding what is wrong with it (query.Instances's finding).
	Lifecycle, Finding string
}

// Point is a compute's calls, errors and denials in one bucket.
type Point struct {
	Calls, Errors, Denied int64
}

// Finding is a credential-misuse finding with its evidence.
type Finding struct {
	Kind, Severity, Account, ActorKind, Actor, AccessKey string
	First, Last                                          time.Time
	Events                                               int64
	SourceIPs, UserAgents, EventIDs                      []string
	Reason                                               string
}

// Denial is a group of access denials, as query.Denied explains them.
type Denial struct {
	Account, Actor, Principal, Action, Resource, Reason, PolicyType string
	Count                                                           int64
	First, Last                                                     time.Time
	SuggestedPolicy, Checks                                         string
}

// Reason is one case of unattributed calls, with what would fix it.
type Reason struct {
	Kind     string
	Calls    int64
	Roles    int64
	TopRoles []string
	Example  string
	Fix      string
}

// OtherMethods is the series the coverage charts draw the less frequent
// methods as: more colours than this are hard to tell apart.
const OtherMethods = "other methods"

// maxSeries is how many methods the coverage charts name.
const maxSeries = 5

// Build runs the report's queries on db. Everything is aggregated in
// DuckDB; Go holds only the top rows of each list.
func Build(ctx context.Context, db *store.DB, p Params) (*Report, error) {
	if p.Top <= 0 {
		p.Top = DefaultTop
	}
	if p.Log == nil {
		p.Log = slog.New(slog.DiscardHandler)
	}
	r := &Report{Filter: p.Filter}
	b := builder{ctx: ctx, db: db, p: p, r: r}
	for _, step := range []struct {
		name string
		run  func() error
	}{
		{"headline", b.headline}, {"methods", b.methods}, {"timeline", b.timeline}, {"accounts", b.accounts},
		{"roles", b.roles}, {"role timeline", b.roleTimeline}, {"instances", b.instances}, {"strips", b.strips}, {"findings", b.findings},
		{"denials", b.denials}, {"unattributed", b.unattributed},
	} {
		start := time.Now()
		if err := step.run(); err != nil {
			return nil, err
		}
		p.Log.Debug("Report step done", "step", step.name, "elapsed", time.Since(start))
	}
	return r, nil
}

// builder runs one report's queries, each step filling its part of r.
type builder struct {
	ctx context.Context
	db  *store.DB
	p   Params
	r   *Report
}

// widthArg binds $width, the timeline's bucket width in seconds, and
// stripWidthArg the strips'.
func (b *builder) widthArg() any      { return sql.Named("width", int64(b.r.Width/time.Second)) }
func (b *builder) stripWidthArg() any { return sql.Named("width", int64(b.r.StripWidth/time.Second)) }

// data is what the report's SQL renders from.
type data struct {
	Filter query.Filter
}

// query runs the named template with the filter's arguments and extra,
// calling fn for each row.
func (b *builder) query(t *template.Template, extra []any, fn func(rs *sql.Rows) error) error {
	var text strings.Builder
	if err := t.Execute(&text, data{b.p.Filter}); err != nil {
		return fmt.Errorf("render %s: %w", t.Name(), err)
	}
	rs, err := b.db.SQL.QueryContext(b.ctx, text.String(), append(b.p.Args(), extra...)...)
	if err != nil {
		return fmt.Errorf("report %s: %w", t.Name(), err)
	}
	defer rs.Close()
	for rs.Next() {
		if err := fn(rs); err != nil {
			return fmt.Errorf("report %s: %w", t.Name(), err)
		}
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("report %s: %w", t.Name(), err)
	}
	return nil
}

func (b *builder) headline() error {
	h := &b.r.Headline
	err := b.query(headlineSQL, nil, func(rs *sql.Rows) error {
		var first, last sql.NullTime
		if err := rs.Scan(&h.Events, &h.Accounts, &first, &last); err != nil {
			return err
		}
		h.First, h.Last = first.Time.UTC(), last.Time.UTC()
		return nil
	})
	if err != nil {
		return err
	}
	b.r.Width, b.r.Unit, b.r.Buckets = buckets(h.First, h.Last, h.Events > 0, maxBuckets)
	b.r.StripWidth, b.r.StripUnit, b.r.StripBuckets = buckets(h.First, h.Last, h.Events > 0, maxStripBuckets)
	return nil
}

// widths are the bucket widths a report chooses from, narrowest first,
// with the name the page gives them.
var widths = []struct {
	d    time.Duration
	name string
}{
	{5 * time.Minute, "5 minutes"}, {10 * time.Minute, "10 minutes"}, {30 * time.Minute, "30 minutes"},
	{time.Hour, "hour"}, {3 * time.Hour, "3 hours"}, {6 * time.Hour, "6 hours"},
	{24 * time.Hour, "day"}, {7 * 24 * time.Hour, "week"},
	// Wider widths do not line up: DuckDB counts from 3 January 2000, Go
	// from 1 January of year 1, 21 days apart modulo 28.
}

// maxBuckets is how many buckets the timeline has at most, and
// maxStripBuckets a strip, unless the span is longer than that many weeks.
const (
	maxBuckets      = 168
	maxStripBuckets = 36
)

// buckets chooses the narrowest bucket width that splits the span into at
// most most buckets, and lists the buckets from the first event's to the
// last's. Buckets start at multiples of their width since midnight UTC of
// a Monday, in Go's Truncate (counted from Monday 1 January of year 1) as
// in DuckDB's time_bucket (from Monday 3 January 2000).
func buckets(first, last time.Time, some bool, most int) (time.Duration, string, []time.Time) {
	w := widths[len(widths)-1]
	for _, c := range widths {
		if last.Sub(first) < time.Duration(most)*c.d {
			w = c
			break
		}
	}
	if !some {
		return w.d, w.name, nil
	}
	var list []time.Time
	for t := first.Truncate(w.d); !t.After(last); t = t.Add(w.d) {
		list = append(list, t)
	}
	return w.d, w.name, list
}

func (b *builder) methods() error {
	h := &b.r.Headline
	var attributions int64
	err := b.query(methodsSQL, nil, func(rs *sql.Rows) error {
		var c Count
		var assumed int64
		if err := rs.Scan(&c.Name, &c.N, &assumed); err != nil {
			return err
		}
		attributions += c.N
		h.AssumedRole += assumed
		if c.Name == Unattributed {
			h.Unattributed = c.N
		} else {
			h.Attributed += c.N
			h.AssumedRoleAttributed += assumed
		}
		b.r.Methods = append(b.r.Methods, c)
		return nil
	})
	if err != nil {
		return err
	}
	totals := map[string]int64{}
	for _, m := range b.r.Methods {
		totals[m.Name] = m.N
	}
	b.r.MethodSeries, b.r.methodOf = series(totals)
	// Events without an attribution row: ingest --no-attribute, or an
	// upgrade that dropped the attributions for attribute to redo.
	if h.Pending = h.Events - attributions; h.Pending > 0 {
		b.r.Methods = append(b.r.Methods, Count{Name: Pending, N: h.Pending})
		slices.SortStableFunc(b.r.Methods, func(x, y Count) int { return cmp.Compare(y.N, x.N) })
		b.r.MethodSeries = append(b.r.MethodSeries, Pending)
		b.r.methodOf[Pending] = Pending
	}
	return nil
}

func (b *builder) timeline() error {
	byBucket := map[string]map[string]int64{}
	totals := map[string]int64{}
	err := b.query(timelineSQL, []any{b.widthArg()}, func(rs *sql.Rows) error {
		var t time.Time
		var method string
		var n int64
		if err := rs.Scan(&t, &method, &n); err != nil {
			return err
		}
		k := bucketKey(t)
		if byBucket[k] == nil {
			byBucket[k] = map[string]int64{}
		}
		byBucket[k][method] += n
		totals[method] += n
		return nil
	})
	if err != nil {
		return err
	}
	b.r.Series, b.r.seriesOf = series(totals)
	for _, t := range b.r.Buckets {
		b.r.Timeline = append(b.r.Timeline, Stack{Key: bucketKey(t), Counts: b.r.group(byBucket[bucketKey(t)])})
	}
	return nil
}

// bucketKey names a bucket by its start, in RFC 3339 UTC.
func bucketKey(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// series picks the methods the coverage charts name: the maxSeries most
// frequent, the rest as OtherMethods, unattributed last. seriesOf maps a
// method to its series.
func series(totals map[string]int64) ([]string, map[string]string) {
	var methods []Count
	for m, n := range totals {
		if m != Unattributed {
			methods = append(methods, Count{m, n})
		}
	}
	slices.SortFunc(methods, func(x, y Count) int { return cmp.Or(cmp.Compare(y.N, x.N), cmp.Compare(x.Name, y.Name)) })
	of := map[string]string{Unattributed: Unattributed}
	var names []string
	for i, m := range methods {
		if i < maxSeries {
			names = append(names, m.Name)
			of[m.Name] = m.Name
		} else {
			of[m.Name] = OtherMethods
		}
	}
	if len(names) < len(methods) {
		names = append(names, OtherMethods)
	}
	if _, ok := totals[Unattributed]; ok {
		names = append(names, Unattributed)
	}
	return names, of
}

// group sums counts by method into counts by series.
func (r *Report) group(counts map[string]int64) map[string]int64 {
	return regroup(counts, r.seriesOf)
}

// regroup sums counts by method into counts by the series of maps them
// to; methods it does not know are OtherMethods.
func regroup(counts map[string]int64, of map[string]string) map[string]int64 {
	out := map[string]int64{}
	for m, n := range counts {
		s, ok := of[m]
		if !ok {
			s = OtherMethods
		}
		out[s] += n
	}
	return out
}

func (b *builder) accounts() error {
	byAccount := map[string]map[string]int64{}
	var order []string
	err := b.query(accountsSQL, nil, func(rs *sql.Rows) error {
		var account, method string
		var n int64
		if err := rs.Scan(&account, &method, &n); err != nil {
			return err
		}
		if byAccount[account] == nil {
			byAccount[account] = map[string]int64{}
			order = append(order, account)
		}
		byAccount[account][method] += n
		return nil
	})
	if err != nil {
		return err
	}
	for _, a := range order {
		b.r.Accounts = append(b.r.Accounts, Stack{Key: a, Counts: b.r.group(byAccount[a])})
	}
	slices.SortStableFunc(b.r.Accounts, func(x, y Stack) int { return cmp.Compare(y.Total(), x.Total()) })
	if len(b.r.Accounts) > b.p.Top {
		b.r.AccountsMore = len(b.r.Accounts) - b.p.Top
		b.r.Accounts = b.r.Accounts[:b.p.Top]
	}
	return nil
}

// row reads a query.Rows row by column name.
type row struct {
	cols map[string]int
	vals []any
}

func (r row) str(name string) string { s, _ := r.vals[r.cols[name]].(string); return s }
func (r row) int(name string) int64  { n, _ := r.vals[r.cols[name]].(int64); return n }
func (r row) time(name string) time.Time {
	t, _ := r.vals[r.cols[name]].(time.Time)
	return t
}
func (r row) bool(name string) (value, known bool) {
	v, ok := r.vals[r.cols[name]].(bool)
	return v, ok
}
func (r row) list(name string) []string {
	l, _ := r.vals[r.cols[name]].(query.List)
	return l.Items
}

// each reads every row of a named query's result.
func each(ctx context.Context, rows *query.Rows, err error, fn func(row) error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	cols := map[string]int{}
	for i, c := range rows.Columns {
		cols[c.Name] = i
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		vals, err := rows.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(row{cols, vals}); err != nil {
			return err
		}
	}
}

func (b *builder) roles() error {
	rows, err := query.Coverage(b.ctx, b.db, query.CoverageParams{Filter: b.p.Filter})
	var all []Role
	err = each(b.ctx, rows, err, func(r row) error {
		all = append(all, Role{
			Account: r.str("account_id"), ARN: r.str("role_arn"),
			Calls: r.int("calls"), Attributed: r.int("attributed"), Findings: r.int("findings"),
			Instances: r.int("instances"), InstancesWithoutConfig: r.str("instances_without_config"),
			Top: r.str("top_unattributed_reason"),
		})
		return nil
	})
	if err != nil {
		return err
	}
	// The roles with most calls; coverage lists those with most
	// unattributed first, which the chart shows as the share.
	slices.SortStableFunc(all, func(x, y Role) int { return cmp.Compare(y.Calls, x.Calls) })
	if len(all) > b.p.Top {
		b.r.RolesMore = len(all) - b.p.Top
		all = all[:b.p.Top]
	}
	b.r.Roles = all
	return nil
}

// roleTimeline fills the roles' and accounts' calls per bucket.
func (b *builder) roleTimeline() error {
	index := map[string]int{}
	for i, t := range b.r.StripBuckets {
		index[bucketKey(t)] = i
	}
	roles := map[string][]Share{}
	accounts := map[string][]Share{}
	add := func(m map[string][]Share, k string, i int, calls, attributed int64) {
		if m[k] == nil {
			m[k] = make([]Share, len(b.r.StripBuckets))
		}
		m[k][i].Calls += calls
		m[k][i].Attributed += attributed
	}
	err := b.query(roleTimelineSQL, []any{b.stripWidthArg()}, func(rs *sql.Rows) error {
		var account, role string
		var t time.Time
		var calls, attributed int64
		if err := rs.Scan(&account, &role, &t, &calls, &attributed); err != nil {
			return err
		}
		i, ok := index[bucketKey(t)]
		if !ok {
			return nil
		}
		add(roles, account+"|"+role, i, calls, attributed)
		add(accounts, cmp.Or(account, "(none)"), i, calls, attributed)
		return nil
	})
	if err != nil {
		return err
	}
	for i, r := range b.r.Roles {
		b.r.Roles[i].Shares = roles[r.Account+"|"+r.ARN]
	}
	for _, a := range b.r.Accounts {
		b.r.AccountShares = append(b.r.AccountShares, accounts[a.Key])
	}
	return nil
}

func (b *builder) instances() error {
	rows, err := query.Instances(b.ctx, b.db, query.InstancesParams{Filter: b.p.Filter})
	h := &b.r.Headline
	err = each(b.ctx, rows, err, func(r row) error {
		c := Compute{
			Kind: "notebook-instance", Account: r.str("account_id"), Region: r.str("region"), Name: r.str("instance"),
			Calls: r.int("calls"), Errors: r.int("errors"), Denied: r.int("denied"), Findings: r.int("findings"),
			Finding: r.str("finding"),
		}
		attached, known := r.bool("lifecycle_config_attached")
		effect := r.str("session_name_in_effect")
		switch {
		case !known:
			c.Lifecycle = "not in inventory"
		case !attached:
			c.Lifecycle = "no lifecycle config"
		case effect == "yes":
			c.Lifecycle = "in effect"
		case effect == "partial":
			c.Lifecycle = "partly in effect"
		case effect == "no":
			c.Lifecycle = "attached, not in effect"
		default:
			c.Lifecycle = "attached, no calls since start"
		}
		if known {
			h.Instances++
			if !attached || effect == "no" || effect == "partial" {
				h.WithoutConfig++
			}
		}
		b.r.Instances = append(b.r.Instances, c)
		return nil
	})
	if err != nil {
		return err
	}
	// Those needing attention first, then the busiest.
	slices.SortStableFunc(b.r.Instances, func(x, y Compute) int {
		return cmp.Or(cmp.Compare(y.Findings, x.Findings), cmp.Compare(attention(x), attention(y)), cmp.Compare(y.Calls, x.Calls))
	})
	if len(b.r.Instances) > b.p.Top {
		b.r.Instances = b.r.Instances[:b.p.Top]
	}
	return nil
}

// attention orders lifecycle statuses, the most urgent first.
func attention(c Compute) int {
	switch c.Lifecycle {
	case "attached, not in effect":
		return 0
	case "partly in effect":
		return 1
	case "no lifecycle config":
		return 2
	case "not in inventory":
		return 3
	}
	return 4
}

func (b *builder) strips() error {
	index := map[string]int{}
	for i, t := range b.r.StripBuckets {
		index[bucketKey(t)] = i
	}
	type id struct{ kind, account, region, name string }
	strips := map[id][]Point{}
	others := map[id]*Compute{}
	var order []id
	err := b.query(stripsSQL, []any{b.stripWidthArg(), sql.Named("top", b.p.Top)}, func(rs *sql.Rows) error {
		var k id
		var t time.Time
		var pt Point
		var findings int64
		if err := rs.Scan(&k.kind, &k.account, &k.region, &k.name, &t, &pt.Calls, &pt.Errors, &pt.Denied, &findings); err != nil {
			return err
		}
		i, ok := index[bucketKey(t)]
		if !ok {
			return nil
		}
		if strips[k] == nil {
			strips[k] = make([]Point, len(b.r.StripBuckets))
		}
		strips[k][i] = pt
		if k.kind != "notebook-instance" {
			c := others[k]
			if c == nil {
				c = &Compute{Kind: k.kind, Account: k.account, Region: k.region, Name: k.name}
				others[k] = c
				order = append(order, k)
			}
			c.Calls += pt.Calls
			c.Errors += pt.Errors
			c.Denied += pt.Denied
			c.Findings += findings
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, c := range b.r.Instances {
		s := strips[id{c.Kind, c.Account, c.Region, c.Name}]
		if s == nil {
			s = make([]Point, len(b.r.StripBuckets))
		}
		b.r.Instances[i].Strip = s
	}
	for _, k := range order {
		c := others[k]
		c.Strip = strips[k]
		b.r.Others = append(b.r.Others, *c)
	}
	slices.SortStableFunc(b.r.Others, func(x, y Compute) int {
		return cmp.Or(cmp.Compare(y.Findings, x.Findings), cmp.Compare(y.Calls, x.Calls))
	})
	return nil
}

func (b *builder) findings() error {
	rows, err := query.Findings(b.ctx, b.db, query.FindingsParams{Filter: b.p.Filter})
	err = each(b.ctx, rows, err, func(r row) error {
		b.r.Headline.Findings++
		if len(b.r.Findings) >= b.p.Top {
			return nil
		}
		b.r.Findings = append(b.r.Findings, Finding{
			Kind: r.str("kind"), Severity: r.str("severity"), Account: r.str("account_id"),
			ActorKind: r.str("actor_kind"), Actor: r.str("actor"), AccessKey: r.str("access_key_id"),
			First: r.time("first_seen"), Last: r.time("last_seen"), Events: r.int("events"),
			SourceIPs: r.list("source_ips"), UserAgents: r.list("user_agents"), EventIDs: r.list("event_ids"),
			Reason: r.str("reason"),
		})
		return nil
	})
	return err
}

func (b *builder) denials() error {
	rows, err := query.Denied(b.ctx, b.db, query.DeniedParams{Filter: b.p.Filter})
	err = each(b.ctx, rows, err, func(r row) error {
		b.r.Headline.Denials += r.int("count")
		if len(b.r.Denials) >= b.p.Top {
			b.r.DenialsMore++
			return nil
		}
		b.r.Denials = append(b.r.Denials, Denial{
			Account: r.str("account_id"), Actor: r.str("actor"), Principal: r.str("principal"),
			Action: r.str("action"), Resource: r.str("resource"), Reason: r.str("reason"),
			PolicyType: r.str("policy_type"), Count: r.int("count"),
			First: r.time("first_seen"), Last: r.time("last_seen"),
			SuggestedPolicy: r.str("suggested_policy"), Checks: r.str("checks"),
		})
		return nil
	})
	return err
}

// fixes says what each case of unattributed call needs (the cases are
// the kinds of sql/unattributed.sql).
var fixes = map[string]string{
	"default-sagemaker-session": "The notebook instances on these roles call with the default SageMaker session, which names no instance. " +
		"Attach the session-name lifecycle config and restart them: ctattrib lifecycle apply --instance NAME --restart " +
		"(Studio: ctattrib lifecycle studio --domain-id D --apply).",
	"default-session-several-compute": "Several SageMaker compute (notebook instances, jobs, HyperPod clusters, endpoints, Studio) ran on these roles " +
		"when the calls were made under the default SageMaker session: give each kind of work an execution role of its own, " +
		"attach the session-name lifecycle config to the notebook instances (ctattrib lifecycle apply --instance NAME --restart), " +
		"name HyperPod nodes' sessions (ctattrib lifecycle hyperpod) and use Studio's sourceIdentity; ctattrib query compute lists them.",
	"default-session-no-compute": "No SageMaker compute ctattrib knows ran on these roles at the time: load the inventory " +
		"(ctattrib inventory sync, or inventory import FILE.csv) or ingest the trail from when the compute was created.",
	"notebook-name-on-other-role": "Another caller names its sessions after a notebook instance on a role that is not the instance's: " +
		"give that caller a session name of its own.",
	"sdk-default-session-name": "The caller set no session name, so the SDK made one up: pass RoleSessionName " +
		"(boto3: role_session_name) naming the job, host or person.",
	"no-session-name":       "The assumed-role ARN has no session name: look at one event with ctattrib explain EVENT-ID.",
	"unknown-session-name":  "The session name matches no notebook instance ctattrib knows: load the inventory (ctattrib inventory sync, or inventory import FILE.csv), or name sessions after the compute.",
	"no-identity":           "CloudTrail recorded no caller: nothing to fix.",
	"unknown-identity-type": "CloudTrail names a kind of caller ctattrib does not attribute: nothing to fix.",
	"other":                 "See the reason; ctattrib explain EVENT-ID shows the evidence.",
}

func (b *builder) unattributed() error {
	err := b.query(unattributedSQL, nil, func(rs *sql.Rows) error {
		var u Reason
		var roles sql.NullString
		if err := rs.Scan(&u.Kind, &u.Calls, &u.Roles, &roles, &u.Example); err != nil {
			return err
		}
		if roles.Valid {
			if err := json.Unmarshal([]byte(roles.String), &u.TopRoles); err != nil {
				return err
			}
		}
		u.Fix = fixes[u.Kind]
		b.r.Unattributed = append(b.r.Unattributed, u)
		return nil
	})
	if err != nil {
		return err
	}
	if n := b.r.Headline.Pending; n > 0 {
		b.r.Unattributed = append(b.r.Unattributed, Reason{Kind: "not-attributed-yet", Calls: n,
			Example: "attribution has not processed these events yet",
			Fix:     "Run ctattrib attribute (ingest does at the end of every run unless --no-attribute)."})
	}
	return nil
}
