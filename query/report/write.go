package report

import (
	"bufio"
	"embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

var page = template.Must(template.New("").
	Option("missingkey=error").
	Funcs(template.FuncMap{
		"human": human, "pct": pct, "plural": plural, "legend": legend,
		"columns": columns, "bars": bars, "strip": strip, "shorten": shorten, "shareStrip": shareStrip,
		"date":      func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
		"join":      strings.Join,
		"roleLabel": roleLabel,
		"int64":     func(n int) int64 { return int64(n) },
		"first": func(n int, s []string) []string {
			return s[:min(n, len(s))]
		},
	}).
	ParseFS(templateFS, "templates/*.tmpl"))

// Write draws r as one HTML page to w.
func Write(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	if err := page.ExecuteTemplate(bw, "report.html.tmpl", view{r}); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return bw.Flush()
}

// view is what the page template reads: the report and what it derives
// from it for people.
type view struct{ *Report }

// Span names the window the events cover.
func (v view) Span() string {
	h := v.Headline
	if h.Events == 0 {
		return "no events"
	}
	d := h.Last.Sub(h.First)
	switch {
	case d < 90*time.Minute:
		return fmt.Sprintf("%.0f minutes", d.Minutes())
	case d < 72*time.Hour:
		return trim(d.Hours()) + " hours"
	}
	return trim(d.Hours()/24) + " days"
}

// Scope says which events the report covers, as the flags narrowed them.
func (v view) Scope() string {
	f := v.Filter
	var parts []string
	if f.Account != "" {
		parts = append(parts, "account "+f.Account)
	}
	if f.Region != "" {
		parts = append(parts, "region "+f.Region)
	}
	if !f.Since.IsZero() {
		parts = append(parts, "from "+f.Since.UTC().Format(time.RFC3339))
	}
	if !f.Until.IsZero() {
		parts = append(parts, "before "+f.Until.UTC().Format(time.RFC3339))
	}
	if len(parts) == 0 {
		return "every event in the database"
	}
	return "events of " + strings.Join(parts, ", ")
}

// methodTotals are the events of each series of the methods chart.
func (v view) methodTotals() map[string]int64 {
	counts := map[string]int64{}
	for _, m := range v.Methods {
		counts[m.Name] = m.N
	}
	return regroup(counts, v.methodOf)
}

// MethodStack is every event of the window by method, as one bar.
func (v view) MethodStack() template.HTML {
	return bars("methods", []Stack{{Key: "all events", Counts: v.methodTotals()}}, v.MethodSeries, func(s string) string { return s })
}

// MethodLegend is the key of MethodStack.
func (v view) MethodLegend() template.HTML {
	return legend(v.MethodSeries, v.methodTotals())
}

// OtherMethods lists the methods the methods chart draws as one, with
// their events.
func (v view) OtherMethods() string {
	var parts []string
	for _, m := range v.Methods {
		if v.methodOf[m.Name] == OtherMethods {
			parts = append(parts, m.Name+" "+human(m.N))
		}
	}
	return strings.Join(parts, ", ")
}

// SeriesTotals are the coverage charts' calls per series.
func (v view) SeriesTotals() map[string]int64 {
	t := map[string]int64{}
	for _, s := range v.Timeline {
		for k, n := range s.Counts {
			t[k] += n
		}
	}
	return t
}

// TimelineChart draws the assumed-role calls per bucket by method.
func (v view) TimelineChart() template.HTML {
	return columns("timeline", v.Timeline, v.Series, v.Unit)
}

// AccountChart draws each account's assumed-role calls by method.
func (v view) AccountChart() template.HTML {
	return bars("accounts", v.Accounts, v.Series, func(s string) string { return "account " + s })
}

// RoleChart draws each role's attributed and unattributed calls.
func (v view) RoleChart() template.HTML {
	stacks := make([]Stack, 0, len(v.Roles))
	for _, r := range v.Roles {
		stacks = append(stacks, Stack{Key: r.Account + "|" + r.ARN, Counts: map[string]int64{"attributed": r.Attributed, Unattributed: r.Calls - r.Attributed}})
	}
	return bars("roles", stacks, []string{"attributed", Unattributed}, v.roleName)
}

// roleName labels a role chart's key, ACCOUNT|ARN, by the role's name,
// and its account when roles of several accounts share the name
// (ReadOnlyAuditRole in each).
func (v view) roleName(key string) string {
	account, arn, _ := strings.Cut(key, "|")
	name, n := roleLabel(arn), 0
	for _, r := range v.Roles {
		if roleLabel(r.ARN) == name {
			n++
		}
	}
	if n > 1 && account != "" {
		return name + " (" + account + ")"
	}
	return name
}

// Trend compares the attributed share of the first and last buckets with
// assumed-role calls: whether the roll-out is working.
func (v view) Trend() string {
	var first, last *Stack
	for i := range v.Timeline {
		if v.Timeline[i].Total() > 0 {
			if first == nil {
				first = &v.Timeline[i]
			}
			last = &v.Timeline[i]
		}
	}
	if first == nil {
		return ""
	}
	share := func(s *Stack) string { return pct(s.Total()-s.Counts[Unattributed], s.Total()) }
	if first == last {
		return fmt.Sprintf("In the one %s with calls, %s of assumed-role calls were attributed.", v.Unit, share(first))
	}
	return fmt.Sprintf("%s of assumed-role calls were attributed in the first %s (%s) and %s in the last (%s).",
		share(first), v.Unit, bucketLabel(first.Key, v.Unit), share(last), bucketLabel(last.Key, v.Unit))
}

// AccountTimes pairs each account of the chart with its calls per bucket.
func (v view) AccountTimes() []struct {
	Account string
	Shares  []Share
} {
	out := make([]struct {
		Account string
		Shares  []Share
	}, 0, len(v.Accounts))
	for i, a := range v.Accounts {
		if i < len(v.AccountShares) && v.AccountShares[i] != nil {
			out = append(out, struct {
				Account string
				Shares  []Share
			}{a.Key, v.AccountShares[i]})
		}
	}
	return out
}

// StripKeys are the labels of the buckets, for the strips' tooltips.
func (v view) StripKeys() []string {
	keys := make([]string, len(v.StripBuckets))
	for i, t := range v.StripBuckets {
		keys[i] = bucketLabel(bucketKey(t), v.StripUnit)
	}
	return keys
}

// AttributedShare is the share of all events attribution explained.
func (v view) AttributedShare() string {
	return pct(v.Headline.Attributed, v.Headline.Events)
}

// AssumedRoleShare is the share of assumed-role calls it explained.
func (v view) AssumedRoleShare() string {
	return pct(v.Headline.AssumedRoleAttributed, v.Headline.AssumedRole)
}

// UnattributedTotal is the calls the last section explains.
func (v view) UnattributedTotal() int64 {
	var n int64
	for _, u := range v.Unattributed {
		n += u.Calls
	}
	return n
}

// LifecycleClass is the badge style of a lifecycle status.
func (v view) LifecycleClass(status string) string {
	switch status {
	case "in effect":
		return "ok"
	case "attached, no calls since start":
		return "muted"
	}
	return "warn"
}

// roleLabel is a role ARN's last part, the name people know it by.
func roleLabel(arn string) string {
	if arn == "" {
		return "(no role in the record)"
	}
	if i := strings.LastIndex(arn, "/"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// Sections are the ids of the sections the page has, in order: the
// coverage, compute, denial and unattributed sections need events, and
// the findings section is there only when there are findings.
func (r *Report) Sections() []string {
	if r.Headline.Events == 0 {
		return []string{"headline"}
	}
	s := []string{"headline", "coverage", "computes"}
	if len(r.Findings) > 0 {
		s = append(s, "findings")
	}
	return append(s, "denials", "unattributed")
}
