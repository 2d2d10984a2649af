package corpus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Scenarios.
const (
	// ScenarioDemo is a small hand-made world: two accounts (one behind an
	// organisation trail), two regions, four notebook instances and one of
	// every actor and denied-call form.
	ScenarioDemo = "demo"
	// ScenarioBench scales the same actors to many accounts and notebooks.
	ScenarioBench = "bench"
)

// Config describes a corpus. The zero value of each field selects its
// default; Seed 0 is a valid seed.
type Config struct {
	Seed uint64
	// Start is when the first log window opens. Default 2026-11-01T00:00:00Z.
	Start time.Time
	// Events is the number of distinct events. Scheduled events (inventory
	// calls, AssumeRole) may push the total slightly above it when files
	// are very small. Default 10000.
	Events int
	// EventsPerFile is the average number of events per log file. Default
	// 1000 for the bench scenario and 25 for the demo.
	EventsPerFile int
	// Window is the time one log file covers. Default 5 minutes.
	Window time.Duration
	// Scenario is ScenarioDemo or ScenarioBench. Default ScenarioBench.
	Scenario string
	// Prefix is the trail's S3 key prefix, placed above AWSLogs/.
	Prefix string
	// DuplicateRate is the share of events CloudTrail delivers a second
	// time, in the next file of the same account and region. Default
	// 0.001 (0.005 for the demo); negative disables duplicates.
	DuplicateRate float64
	// GovCloud adds an aws-us-gov account in us-gov-west-1.
	GovCloud bool
	// Accounts, Regions and Notebooks size the bench scenario: commercial
	// accounts (every second one behind an organisation trail), regions
	// per account and notebook instances per account and region.
	// Defaults 3, us-east-1/us-west-2/eu-west-1, and 6.
	Accounts  int
	Regions   []string
	Notebooks int
	// Digests is the number of hourly digest objects written per account
	// and region. Default 2; negative writes none.
	Digests int
	// Workers is the number of files built at once. Default GOMAXPROCS.
	// It does not change the output.
	Workers int
	// Level is the gzip compression level. Default gzip.DefaultCompression.
	Level int
	// Misuse injects stolen credentials of every kind of compute used
	// elsewhere, and decoys that must not look stolen, and adds the
	// finding column to the truth (see TruthHeaderMisuse). Without it the
	// corpus is what it always was.
	Misuse bool
	// Federated adds callers that get their credentials through a
	// federation call in the corpus: Kubernetes pods through IRSA and EKS
	// Pod Identity, a GitHub Actions workflow, a SAML user, and a role in
	// the second account a pod assumes (see webidentity.go). Without it
	// the corpus is what it always was.
	Federated bool
	// Compute adds to every stream of the bench scenario a training job
	// and a HyperPod cluster, each the one compute on an execution role of
	// its own, calling under its default SageMaker session (truth kinds
	// training-job and hyperpod-cluster). Without it the corpus is what it
	// always was.
	Compute bool
}

// DefaultStart is the start time used when Config.Start is zero.
var DefaultStart = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func (c *Config) setDefaults() error {
	if c.Start.IsZero() {
		c.Start = DefaultStart
	}
	c.Start = c.Start.UTC().Truncate(time.Second)
	if c.Scenario == "" {
		c.Scenario = ScenarioBench
	}
	if c.Events == 0 {
		c.Events = 10000
	}
	if c.EventsPerFile == 0 {
		c.EventsPerFile = 1000
		if c.Scenario == ScenarioDemo {
			c.EventsPerFile = 25
		}
	}
	if c.Window == 0 {
		c.Window = 5 * time.Minute
	}
	if c.DuplicateRate == 0 {
		c.DuplicateRate = 0.001
		if c.Scenario == ScenarioDemo {
			c.DuplicateRate = 0.005
		}
	}
	if c.Accounts == 0 {
		c.Accounts = 3
	}
	if len(c.Regions) == 0 {
		c.Regions = []string{"us-east-1", "us-west-2", "eu-west-1"}
	}
	if c.Notebooks == 0 {
		c.Notebooks = 6
	}
	if c.Digests == 0 {
		c.Digests = 2
	}
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.Level == 0 {
		c.Level = gzip.DefaultCompression
	}
	switch {
	case c.Events < 0:
		return errors.New("events must not be negative")
	case c.EventsPerFile < 0:
		return errors.New("events per file must not be negative")
	case c.Window < time.Minute || c.Window%time.Second != 0:
		return fmt.Errorf("window %v must be whole seconds and at least a minute", c.Window)
	case c.DuplicateRate >= 1:
		return fmt.Errorf("duplicate rate %v must be below 1", c.DuplicateRate)
	}
	return nil
}

// WriteFunc stores one object under key. Generate calls it from several
// goroutines at once, and data is only valid until it returns.
type WriteFunc func(key string, data []byte) error

// DirWriter returns a WriteFunc that writes objects as files under dir,
// creating folders as needed.
func DirWriter(dir string) WriteFunc {
	var made sync.Map
	return func(key string, data []byte) error {
		path := filepath.Join(dir, filepath.FromSlash(key))
		d := filepath.Dir(path)
		if _, ok := made.Load(d); !ok {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return err
			}
			made.Store(d, true)
		}
		return os.WriteFile(path, data, 0o644)
	}
}

// Stats summarises a generated corpus.
type Stats struct {
	Files      int   // log files, not counting digests
	Digests    int   // digest objects
	Events     int   // distinct events
	Duplicates int   // extra deliveries of events already in another file
	Bytes      int64 // gzip'd size of the log files
	RawBytes   int64 // uncompressed size of the log files
}

// TruthHeader is the first line of the ground-truth CSV.
const TruthHeader = "event_id,account_id,region,actor_kind,actor\n"

// fileSpec is one log file: a stream and a time window.
type fileSpec struct {
	index  int
	s      *stream
	win    int
	t0, t1 int64
	n      int // events, counting scheduled ones
	seed   uint64
	sched  []sched
}

func (w *world) files() int { return w.windows * len(w.streams) }

// file plans file f. Files are numbered window by window, so file f+S is
// the next file of the same stream.
func (w *world) file(f int) fileSpec {
	s := w.streams[f%len(w.streams)]
	win := f / len(w.streams)
	fs := fileSpec{
		index: f,
		s:     s,
		win:   win,
		t0:    w.start + int64(win)*w.window,
		seed:  hash2(w.seed, uint64(f)),
	}
	fs.t1 = fs.t0 + w.window
	fs.n = s.events / w.windows
	if win < s.events%w.windows {
		fs.n++
	}
	fs.sched = w.schedule(s, fs.t0, fs.t1)
	fs.n = max(fs.n, len(fs.sched))
	return fs
}

// schedule lists the events of s that must fall in [t0, t1).
func (w *world) schedule(s *stream, t0, t1 int64) []sched {
	var out []sched
	for _, sc := range s.static {
		if sc.t >= t0 && sc.t < t1 {
			out = append(out, sc)
		}
	}
	// every yields the times base+k*period in [t0, t1) and [lo, hi).
	every := func(base, period, lo, hi int64, fn func(k, t int64)) {
		lo, hi = max(lo, t0), min(hi, t1)
		for k := floorDiv(lo-base+period-1, period); base+k*period < hi; k++ {
			fn(k, base+k*period)
		}
	}
	for _, a := range s.actors {
		switch a.kind {
		case kindNotebook:
			for i, iv := range a.intervals {
				every(iv.start, defaultPeriod, iv.start, iv.end, func(k, t int64) {
					out = append(out, sched{t: t, kind: schedSageMakerIssue, actor: a, iv: i, n: k})
				})
				if iv.configured {
					every(iv.start+chainOffset, chainPeriod, iv.start, iv.end, func(k, t int64) {
						out = append(out, sched{t: t, kind: schedNotebookAssumeRole, actor: a, iv: i, n: k})
					})
				}
			}
		case kindEC2:
			every(a.phase, defaultPeriod, w.start, w.end, func(k, t int64) {
				out = append(out, sched{t: t, kind: schedEC2Issue, actor: a, n: k})
			})
		case kindStudioChain:
			every(a.phase%studioPeriod, studioPeriod, w.start, w.end, func(k, t int64) {
				out = append(out, sched{t: t, kind: schedStudioChain, actor: a, n: k})
			})
		default:
			out = w.scheduleFederated(a, every, out)
		}
	}
	slices.SortStableFunc(out, func(a, b sched) int { return int(a.t - b.t) })
	return out
}

// duplicated reports whether event j of file f is delivered again in the
// stream's next file.
func (w *world) duplicated(f *fileSpec, j int) bool {
	if w.cfg.DuplicateRate <= 0 || f.win == w.windows-1 {
		return false
	}
	return float64(hash2(f.seed^0x6475706c, uint64(j))>>11)/(1<<53) < w.cfg.DuplicateRate
}

// fileResult is what a worker hands back for one file.
type fileResult struct {
	index int
	truth []byte
	err   error
}

// Generate writes the corpus cfg describes through write, and the ground
// truth as CSV to truth when it is not nil. It returns once every object
// is written.
func Generate(ctx context.Context, cfg Config, write WriteFunc, truth io.Writer) (Stats, error) {
	if err := cfg.setDefaults(); err != nil {
		return Stats{}, err
	}
	w, err := buildWorld(cfg)
	if err != nil {
		return Stats{}, err
	}
	var st Stats
	nfiles := w.files()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var next atomic.Int64
	var files, events, dups atomic.Int64
	var zbytes, rawBytes atomic.Int64
	results := make(chan fileResult, cfg.Workers*2)
	var wg sync.WaitGroup
	for range cfg.Workers {
		wg.Go(func() {
			fw := newFileWriter(w, cfg.Level)
			for {
				f := int(next.Add(1) - 1)
				if f >= nfiles || ctx.Err() != nil {
					return
				}
				res, err := fw.write(f, write, truth != nil)
				if err != nil {
					results <- fileResult{index: f, err: err}
					return
				}
				files.Add(1)
				events.Add(int64(res.events))
				dups.Add(int64(res.dups))
				zbytes.Add(res.zbytes)
				rawBytes.Add(res.raw)
				results <- fileResult{index: f, truth: res.truth}
			}
		})
	}
	go func() { wg.Wait(); close(results) }()

	// Truth rows go out in file order whatever order workers finish in.
	var firstErr error
	pending := map[int][]byte{}
	want := 0
	header := TruthHeader
	if cfg.Misuse {
		header = TruthHeaderMisuse
	}
	if truth != nil {
		if _, err := io.WriteString(truth, header); err != nil {
			firstErr = err
			cancel()
		}
	}
	for res := range results {
		if res.err != nil {
			if firstErr == nil {
				firstErr = res.err
			}
			cancel()
			continue
		}
		if truth == nil || firstErr != nil {
			continue
		}
		pending[res.index] = res.truth
		for {
			b, ok := pending[want]
			if !ok {
				break
			}
			delete(pending, want)
			want++
			if _, err := truth.Write(b); err != nil {
				firstErr = err
				cancel()
				break
			}
		}
	}
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		return Stats{}, firstErr
	}
	nd, err := w.writeDigests(write)
	if err != nil {
		return Stats{}, err
	}
	st.Files = int(files.Load())
	st.Digests = nd
	st.Events = int(events.Load())
	st.Duplicates = int(dups.Load())
	st.Bytes = zbytes.Load()
	st.RawBytes = rawBytes.Load()
	return st, nil
}

// fileWriter builds, compresses and writes files; one per worker.
type fileWriter struct {
	w     *world
	g     *gen
	buf   []byte  // uncompressed events
	offs  []evRef // events in buf
	zbuf  bytes.Buffer
	zw    *gzip.Writer
	truth []byte
}

type evRef struct {
	t          int64
	j          int
	start, end int
}

type writeResult struct {
	events, dups int
	zbytes, raw  int64
	truth        []byte
}

func newFileWriter(w *world, level int) *fileWriter {
	zw, _ := gzip.NewWriterLevel(io.Discard, level)
	return &fileWriter{w: w, g: newGen(w), zw: zw}
}

func (fw *fileWriter) write(f int, write WriteFunc, withTruth bool) (writeResult, error) {
	w, g := fw.w, fw.g
	spec := w.file(f)
	fw.buf = fw.buf[:0]
	fw.offs = fw.offs[:0]
	fw.truth = fw.truth[:0]
	var res writeResult
	// Late duplicates of the previous file of this stream come first.
	if spec.win > 0 {
		prev := w.file(f - len(w.streams))
		for j := range prev.n {
			if !w.duplicated(&prev, j) {
				continue
			}
			g.build(&prev, j)
			start := len(fw.buf)
			fw.buf = g.appendEvent(fw.buf)
			fw.offs = append(fw.offs, evRef{t: g.e.t, j: -1 - j, start: start, end: len(fw.buf)})
			res.dups++
		}
	}
	acct, region := spec.s.acct.id, spec.s.region
	for j := range spec.n {
		g.build(&spec, j)
		start := len(fw.buf)
		fw.buf = g.appendEvent(fw.buf)
		fw.offs = append(fw.offs, evRef{t: g.e.t, j: j, start: start, end: len(fw.buf)})
		if withTruth {
			fw.truth = append(fw.truth, g.eventID...)
			fw.truth = append(fw.truth, ',')
			fw.truth = append(fw.truth, acct...)
			fw.truth = append(fw.truth, ',')
			fw.truth = append(fw.truth, region...)
			fw.truth = append(fw.truth, ',')
			fw.truth = append(fw.truth, g.e.kind...)
			fw.truth = append(fw.truth, ',')
			fw.truth = appendCSV(fw.truth, g.e.actor)
			if w.cfg.Misuse {
				fw.truth = append(fw.truth, ',')
				fw.truth = append(fw.truth, g.e.finding...)
			}
			fw.truth = append(fw.truth, '\n')
		}
	}
	res.events = spec.n
	slices.SortFunc(fw.offs, func(a, b evRef) int {
		if a.t != b.t {
			return int(a.t - b.t)
		}
		return a.j - b.j
	})
	fw.zbuf.Reset()
	fw.zw.Reset(&fw.zbuf)
	if _, err := fw.zw.Write([]byte(`{"Records":[`)); err != nil {
		return res, err
	}
	raw := int64(len(`{"Records":[]}`))
	for i, o := range fw.offs {
		if i > 0 {
			if _, err := fw.zw.Write([]byte{','}); err != nil {
				return res, err
			}
			raw++
		}
		if _, err := fw.zw.Write(fw.buf[o.start:o.end]); err != nil {
			return res, err
		}
		raw += int64(o.end - o.start)
	}
	if _, err := fw.zw.Write([]byte(`]}`)); err != nil {
		return res, err
	}
	if err := fw.zw.Close(); err != nil {
		return res, err
	}
	key := w.logKey(&spec)
	if err := write(key, fw.zbuf.Bytes()); err != nil {
		return res, fmt.Errorf("write %s: %w", key, err)
	}
	res.zbytes = int64(fw.zbuf.Len())
	res.raw = raw
	if withTruth {
		res.truth = append([]byte(nil), fw.truth...)
	}
	return res, nil
}

func appendCSV(b []byte, s string) []byte {
	if !strings.ContainsAny(s, ",\"\n") {
		return append(b, s...)
	}
	b = append(b, '"')
	b = append(b, strings.ReplaceAll(s, `"`, `""`)...)
	return append(b, '"')
}
