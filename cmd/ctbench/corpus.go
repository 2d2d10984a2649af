package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ctattrib/ctattrib/internal/corpus"
)

// corpusInfo is a generated corpus in the cache.
type corpusInfo struct {
	Dir       string // the folder ingest reads; also an S3 bucket below Root
	Root      string // the folder holding the bucket folders
	Bucket    string
	Events    int
	GzipBytes int64
	RawBytes  int64
	Generator string // hash of the generator's source
}

// eventsPerFile matches the shape the targets are stated for: 1,000,000
// events in about 100 files.
const eventsPerFile = 10_000

// corpus returns the corpus of n events, generating it unless the cache
// holds one made by the same generator source with the same settings.
func (b *bench) corpus(ctx context.Context, n int) (corpusInfo, error) {
	return b.corpusFrom(ctx, n, b.cfg.Seed, corpus.DefaultStart, "")
}

// laterCorpus returns a corpus of n events that starts a month after the
// others, with another seed: the next night's delivery, as it were.
func (b *bench) laterCorpus(ctx context.Context, n int) (corpusInfo, error) {
	return b.corpusFrom(ctx, n, b.cfg.Seed+1, corpus.DefaultStart.AddDate(0, 1, 0), "-later")
}

func (b *bench) corpusFrom(ctx context.Context, n int, seed uint64, start time.Time, suffix string) (corpusInfo, error) {
	gen, err := generatorHash(ctx)
	if err != nil {
		return corpusInfo{}, err
	}
	c := corpusInfo{
		Root:      filepath.Join(b.cfg.Cache, "buckets"),
		Bucket:    fmt.Sprintf("ct-%d-s%d%s", n, seed, suffix),
		Events:    n,
		Generator: gen,
	}
	c.Dir = filepath.Join(c.Root, c.Bucket)
	stamp := filepath.Join(b.cfg.Cache, c.Bucket+".json")
	if data, err := os.ReadFile(stamp); err == nil {
		var cached corpusInfo
		if json.Unmarshal(data, &cached) == nil && cached.Generator == gen && cached.Events == n && cached.Dir == c.Dir {
			b.progress("corpus of %d events: cached in %s", n, c.Dir)
			return cached, nil
		}
	}
	b.progress("generating %d events into %s (once; cached)", n, c.Dir)
	if err := os.RemoveAll(c.Dir); err != nil {
		return c, err
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return c, err
	}
	began := time.Now()
	// In a child: generating 4,000,000 events takes ctbench to about 200
	// MiB, and every child started after that would report at least as
	// much peak RSS (see runChild).
	stats := stamp + ".stats"
	defer os.Remove(stats)
	if err := b.helper(ctx, "generate", c.Dir, strconv.Itoa(n), strconv.FormatUint(seed, 10), start.Format(time.RFC3339), stats); err != nil {
		return c, err
	}
	data, err := os.ReadFile(stats)
	if err != nil {
		return c, err
	}
	var st corpus.Stats
	if err := json.Unmarshal(data, &st); err != nil {
		return c, fmt.Errorf("generate corpus: %w", err)
	}
	c.GzipBytes, c.RawBytes = st.Bytes, st.RawBytes
	b.progress("generated %d events in %d files (%s gzip) in %v", st.Events, st.Files, mib(st.Bytes), time.Since(began).Round(time.Millisecond))
	if data, err = json.Marshal(c); err != nil {
		return c, err
	}
	return c, os.WriteFile(stamp, data, 0o644)
}

// generatorHash identifies the generator's source, so that a changed
// generator makes a new corpus.
func generatorHash(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "list", "-f", "{{.Dir}}", "github.com/ctattrib/ctattrib/internal/corpus").Output()
	if err != nil {
		return "", fmt.Errorf("find the corpus generator (run ctbench inside the repository): %w", err)
	}
	dir := strings.TrimSpace(string(out))
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", filepath.Base(f), len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// runGenerate is the child that writes a corpus: ctbench generate DIR
// EVENTS SEED START STATS. It writes the generator's stats to STATS as
// JSON.
func runGenerate(args []string) error {
	if len(args) != 5 {
		return fmt.Errorf("usage: ctbench generate DIR EVENTS SEED START STATS")
	}
	n, err := strconv.Atoi(args[1])
	if err != nil {
		return err
	}
	seed, err := strconv.ParseUint(args[2], 10, 64)
	if err != nil {
		return err
	}
	start, err := time.Parse(time.RFC3339, args[3])
	if err != nil {
		return err
	}
	st, err := corpus.Generate(context.Background(), corpus.Config{
		Seed: seed, Start: start, Events: n,
		EventsPerFile: eventsPerFile, Scenario: corpus.ScenarioBench,
	}, corpus.DirWriter(args[0]), nil)
	if err != nil {
		return err
	}
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return os.WriteFile(args[4], data, 0o644)
}
