package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

func (r result) cells() []string {
	wall, rate, mbs, rss := "", "", "", ""
	if r.Wall > 0 {
		wall = r.Wall.Round(10 * time.Millisecond).String()
	}
	if r.Events > 0 && r.Wall > 0 {
		rate = fmt.Sprintf("%.0fk", float64(r.Events)/r.Wall.Seconds()/1000)
	}
	if r.Bytes > 0 && r.Wall > 0 {
		mbs = fmt.Sprintf("%.1f", float64(r.Bytes)/r.Wall.Seconds()/1e6)
	}
	if r.RSS > 0 {
		rss = mib(r.RSS)
	}
	return []string{r.Step, wall, rate, mbs, rss, r.Compare, r.Target, r.Met}
}

var header = []string{"step", "wall", "events/s", "gzip MB/s", "peak RSS", "compared", "target", ""}

func (b *bench) command() string {
	return "go run ./cmd/ctbench " + strings.Join(os.Args[1:], " ")
}

func (b *bench) print(w io.Writer) {
	fmt.Fprintf(w, "ctbench: %d events (%d-event files), queries on %d; %s\n$ %s\n\n",
		b.cfg.Events, eventsPerFile, b.cfg.QueryEvents, machine(), strings.TrimSpace(b.command()))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range b.results {
		fmt.Fprintln(tw, strings.Join(r.cells(), "\t"))
	}
	tw.Flush()
}

func (b *bench) markdown(w io.Writer) {
	fmt.Fprintf(w, "Measured with `%s` on %s; %d events in %d-event gzip files, queries and `attribute` on %d events.\n\n",
		strings.TrimSpace(b.command()), machine(), b.cfg.Events, eventsPerFile, b.cfg.QueryEvents)
	fmt.Fprintln(w, "| "+strings.Join(header[:len(header)-1], " | ")+" | |")
	fmt.Fprintln(w, strings.Repeat("|---", len(header))+"|")
	for _, r := range b.results {
		c := r.cells()
		for i := range c {
			c[i] = strings.ReplaceAll(c[i], "|", `\|`)
		}
		fmt.Fprintln(w, "| "+strings.Join(c, " | ")+" |")
	}
}
