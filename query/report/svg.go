package report

import (
	"fmt"
	"html"
	"html/template"
	"strings"
	"time"
)

// The charts are SVG drawn here, as text: html/template would escape an
// SVG built from its own templates just as well, but the geometry reads
// better as Go. Every piece of text from the database goes through
// html.EscapeString (esc); numbers and class names are ours.

func esc(s string) string { return html.EscapeString(s) }

// colourClass is the CSS class of a series: the Okabe-Ito colours in the
// style sheet, in the order of the legend, with fixed ones for the other
// methods, unattributed and pending events.
func colourClass(series string, i int) string {
	switch series {
	case Unattributed:
		return "c-unattributed"
	case OtherMethods:
		return "c-other"
	case Pending:
		return "c-pending"
	case "attributed":
		return "c0"
	}
	return fmt.Sprintf("c%d", i%maxSeries)
}

// legend is the key of a chart: a swatch and the name of every series,
// with its total when totals is not nil.
func legend(series []string, totals map[string]int64) template.HTML {
	var b strings.Builder
	b.WriteString(`<ul class="legend">`)
	for i, s := range series {
		fmt.Fprintf(&b, `<li><span class="swatch %s"></span>%s`, colourClass(s, i), esc(s))
		if totals != nil {
			fmt.Fprintf(&b, ` <span class="num">%s</span>`, human(totals[s]))
		}
		b.WriteString(`</li>`)
	}
	b.WriteString(`</ul>`)
	return template.HTML(b.String())
}

// columns draws stacks as stacked columns over time, one per bucket, with
// the share of the first series' complement (the attributed share) below.
func columns(chart string, stacks []Stack, series []string, unit string) template.HTML {
	const height, top, bottom, left = 180.0, 10.0, 24.0, 44.0
	n := len(stacks)
	if n == 0 {
		return ""
	}
	// The width stays the same whatever the buckets, so that text keeps
	// its size when the page scales the chart.
	const width = 720.0
	bar := min((width-left-4)/float64(n), 48)
	var most int64
	for _, s := range stacks {
		most = max(most, s.Total())
	}
	scale := 0.0
	if most > 0 {
		scale = (height - top - bottom) / float64(most)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, width, height, esc(chart))
	base := height - bottom
	fmt.Fprintf(&b, `<line class="axis" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, left, base, width-2, base)
	fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%.1f" text-anchor="end">%s</text>`, left-4, top+8, human(most))
	fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%.1f" text-anchor="end">0</text>`, left-4, base)
	for i, s := range stacks {
		x := left + float64(i)*bar
		y := base
		for j, name := range series {
			v := s.Counts[name]
			if v == 0 {
				continue
			}
			h := float64(v) * scale
			y -= h
			fmt.Fprintf(&b, `<rect class="%s" x="%.2f" y="%.2f" width="%.2f" height="%.2f" data-chart="%s" data-key="%s" data-series="%s" data-n="%d"><title>%s %s: %s %s</title></rect>`,
				colourClass(name, j), x+0.5, y, max(bar-1, 0.5), h, esc(chart), esc(s.Key), esc(name), v,
				esc(bucketLabel(s.Key, unit)), esc(name), human(v), plural(v, "call"))
		}
	}
	for _, i := range labelled(n) {
		x := left + float64(i)*bar + bar/2
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x, height-6, esc(bucketLabel(stacks[i].Key, unit)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// labelled picks the buckets whose label the axis shows: the first, the
// last and up to three between.
func labelled(n int) []int {
	if n <= 5 {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	return []int{0, n / 4, n / 2, 3 * n / 4, n - 1}
}

// bucketLabel names a bucket for people: "01 Nov 13:00" for buckets
// shorter than a day, "01 Nov 2026" for a day, "w/c 02 Nov 2026" for
// weeks.
func bucketLabel(key, unit string) string {
	t, err := time.Parse(time.RFC3339, key)
	if err != nil {
		return key
	}
	switch unit {
	case "day":
		return t.Format("02 Jan 2006")
	case "week":
		return "w/c " + t.Format("02 Jan 2006")
	}
	return t.Format("02 Jan 15:04")
}

// bars draws each stack as a horizontal bar of its shares, labelled with
// its key on the left and its total and attributed share on the right.
func bars(chart string, stacks []Stack, series []string, label func(string) string) template.HTML {
	if len(stacks) == 0 {
		return ""
	}
	const row, left, barW, right = 22.0, 230.0, 360.0, 170.0
	height := row * float64(len(stacks))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, left+barW+right, height, esc(chart))
	for i, s := range stacks {
		y := float64(i) * row
		total := s.Total()
		fmt.Fprintf(&b, `<text class="label" x="%.1f" y="%.1f" text-anchor="end">%s<title>%s</title></text>`,
			left-6, y+15, esc(shorten(label(s.Key), 34)), esc(strings.Replace(s.Key, "|", ": ", 1)))
		x := left
		for j, name := range series {
			v := s.Counts[name]
			if v == 0 || total == 0 {
				continue
			}
			w := barW * float64(v) / float64(total)
			fmt.Fprintf(&b, `<rect class="%s" x="%.2f" y="%.1f" width="%.2f" height="%.1f" data-chart="%s" data-key="%s" data-series="%s" data-n="%d"><title>%s %s: %s of %s (%s)</title></rect>`,
				colourClass(name, j), x, y+3, w, row-6, esc(chart), esc(s.Key), esc(name), v,
				esc(label(s.Key)), esc(name), human(v), human(total), pct(v, total))
			x += w
		}
		fmt.Fprintf(&b, `<text class="label" x="%.1f" y="%.1f">%s, %s attributed</text>`,
			left+barW+6, y+15, esc(human(total)+" "+plural(total, "call")), pct(total-s.Counts[Unattributed], total))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// strip draws a compute's calls per bucket as columns scaled to its own
// busiest bucket, its errors as a darker column inside them and its
// denials as a mark above. Strips are many: their shapes carry no
// tooltip, and the chart and key are on the svg element, once.
func strip(c Compute, keys []string) template.HTML {
	const height, mark = 34.0, 6.0
	n := len(c.Strip)
	var most int64
	for _, p := range c.Strip {
		most = max(most, p.Calls)
	}
	if most == 0 {
		return template.HTML(`<span class="muted">no calls in the window</span>`)
	}
	bar := 240.0 / float64(n)
	w := max(bar-0.5, 0.3)
	scale := (height - mark - 2) / float64(most)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="strip" viewBox="0 0 %.0f %.0f" role="img" data-chart="strip" data-key="%s"><title>calls, errors and denials of %s</title>`,
		bar*float64(n), height, esc(c.Kind+"/"+c.Account+"/"+c.Region+"/"+c.Name), esc(c.Name))
	fmt.Fprintf(&b, `<line class="axis" x1="0" y1="%.1f" x2="%.1f" y2="%.1f"/>`, height-0.5, bar*float64(n), height-0.5)
	for i, p := range c.Strip {
		if p.Calls == 0 {
			continue
		}
		x := float64(i) * bar
		h := float64(p.Calls) * scale
		fmt.Fprintf(&b, `<rect class="c-calls" x="%.1f" y="%.1f" width="%.1f" height="%.1f" data-b="%s" data-series="calls" data-n="%d"/>`,
			x, height-h, w, h, esc(keys[i]), p.Calls)
		if p.Errors > 0 {
			he := float64(p.Errors) * scale
			fmt.Fprintf(&b, `<rect class="c-errors" x="%.1f" y="%.1f" width="%.1f" height="%.1f" data-b="%s" data-series="errors" data-n="%d"/>`,
				x, height-he, w, he, esc(keys[i]), p.Errors)
		}
		if p.Denied > 0 {
			fmt.Fprintf(&b, `<path class="c-denied" d="M%.1f 0h%.1fl%.1f %.0fz" data-b="%s" data-series="denied" data-n="%d"/>`,
				x, max(w, 3), -max(w, 3)/2, mark, esc(keys[i]), p.Denied)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// shorten cuts s to n characters, keeping its end (an ARN's role name).
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return "…" + string(r[len(r)-n+1:])
}

// human writes a count for people: 950, 12.3k, 4.5M.
func human(n int64) string {
	f := float64(n)
	switch {
	case n < 0:
		return "-" + human(-n)
	case n < 1000:
		return fmt.Sprint(n)
	case n < 1_000_000:
		return trim(f/1e3) + "k"
	case n < 1_000_000_000:
		return trim(f/1e6) + "M"
	}
	return trim(f/1e9) + "G"
}

// trim writes f with one decimal, or none at 100 and above, and drops a
// trailing ".0".
func trim(f float64) string {
	s := fmt.Sprintf("%.1f", f)
	if f >= 99.95 {
		s = fmt.Sprintf("%.0f", f)
	}
	return strings.TrimSuffix(s, ".0")
}

// pct writes a share for people: 45%, 99.6%, 0.4%; never 100% or 0% for
// a share that is neither.
func pct(a, b int64) string {
	if b == 0 {
		return "–"
	}
	p := 100 * float64(a) / float64(b)
	switch {
	case a == b:
		return "100%"
	case a == 0:
		return "0%"
	case p > 99.9:
		return ">99.9%"
	case p < 0.1:
		return "<0.1%"
	case p >= 10 && p <= 90:
		return fmt.Sprintf("%.0f%%", p)
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", p), ".0") + "%"
}

// plural is noun for n, with an s unless n is 1.
func plural(n int64, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// shareStrip draws calls per bucket as columns scaled to the busiest
// bucket, attributed at the bottom and unattributed on top: whether the
// unattributed part shrinks over time. Like strip, its shapes carry no
// tooltip.
func shareStrip(chart, key string, shares []Share, keys []string) template.HTML {
	const height = 30.0
	var most int64
	for _, s := range shares {
		most = max(most, s.Calls)
	}
	if most == 0 {
		return template.HTML(`<span class="muted">no calls in the window</span>`)
	}
	bar := 240.0 / float64(len(shares))
	w := max(bar-0.5, 0.3)
	scale := (height - 1) / float64(most)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="strip" viewBox="0 0 %.0f %.0f" role="img" data-chart="%s" data-key="%s"><title>attributed and unattributed calls over time</title>`,
		bar*float64(len(shares)), height, esc(chart), esc(key))
	for i, s := range shares {
		if s.Calls == 0 {
			continue
		}
		x := float64(i) * bar
		ha := float64(s.Attributed) * scale
		hu := float64(s.Calls-s.Attributed) * scale
		if s.Attributed > 0 {
			fmt.Fprintf(&b, `<rect class="c0" x="%.1f" y="%.1f" width="%.1f" height="%.1f" data-b="%s" data-series="attributed" data-n="%d"/>`,
				x, height-ha, w, ha, esc(keys[i]), s.Attributed)
		}
		if s.Calls > s.Attributed {
			fmt.Fprintf(&b, `<rect class="c-unattributed" x="%.1f" y="%.1f" width="%.1f" height="%.1f" data-b="%s" data-series="unattributed" data-n="%d"/>`,
				x, height-ha-hu, w, hu, esc(keys[i]), s.Calls-s.Attributed)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
