package main

import (
	"fmt"
	"time"

	"github.com/ctattrib/ctattrib/ingest"
)

// progress draws one status line on stderr when it is a terminal, at most
// every 200ms; elsewhere it stays silent (logs are for -v).
type progress struct {
	a     *app
	name  string
	last  time.Time
	drawn bool
}

func newProgress(a *app, name string) *progress { return &progress{a: a, name: name} }

func (p *progress) update(pr ingest.Progress) {
	if !p.a.IsTTY {
		return
	}
	now := time.Now()
	if now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	elapsed := now.Sub(pr.Started).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(pr.Events) / elapsed
	}
	frac := 0.0
	if pr.ObjectsListed > 0 {
		frac = float64(pr.ObjectsDone) / float64(pr.ObjectsListed)
	}
	const width = 24
	filled := min(width, int(frac*width))
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = ' '
		if i < filled {
			bar[i] = '='
		}
	}
	fmt.Fprintf(p.a.Err, "\r[%s] %d/%d objects  %d events  %.0f events/s  %.1f MB ",
		bar, pr.ObjectsDone, pr.ObjectsListed, pr.Events, rate, float64(pr.Bytes)/1e6)
	p.drawn = true
}

func (p *progress) finish() {
	if p.drawn {
		fmt.Fprint(p.a.Err, "\r\033[K")
	}
}
