package ingest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctattrib/ctattrib/store"
)

// benchLogFile is a 1,000-event gzip'd log file built from a realistic
// notebook event, each copy with its own eventID.
func benchLogFile(b *testing.B) (data []byte, events int) {
	b.Helper()
	ev, err := os.ReadFile("testdata/record/notebook-session.json")
	if err != nil {
		b.Fatal(err)
	}
	const n = 1000
	var sb strings.Builder
	sb.WriteString(`{"Records":[`)
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(strings.Replace(strings.TrimSpace(string(ev)), "0b5c7d1e-1111-4222-8333-444455556666", "0b5c7d1e-1111-4222-8333-"+pad12(i), 1))
	}
	sb.WriteString(`]}`)
	return gz(b, sb.String()), n
}

func pad12(i int) string {
	s := strings.Repeat("0", 12) + itoa(i)
	return s[len(s)-12:]
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var d []byte
	for ; i > 0; i /= 10 {
		d = append([]byte{byte('0' + i%10)}, d...)
	}
	return string(d)
}

// BenchmarkDecode measures gunzip and JSON tokenising alone.
func BenchmarkDecode(b *testing.B) {
	data, n := benchLogFile(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		got := 0
		if _, err := Decode(bytes.NewReader(data), func([]byte) error { got++; return nil }); err != nil {
			b.Fatal(err)
		}
		if got != n {
			b.Fatalf("decoded %d events, want %d", got, n)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// benchTree writes files log files of 1,000 events each, every event with
// its own eventID, and returns the folder and the event count.
func benchTree(b *testing.B, files int) (string, int) { return benchTreeAny(b, files) }

func benchTreeAny(b testing.TB, files int) (string, int) {
	b.Helper()
	ev, err := os.ReadFile("testdata/record/notebook-session.json")
	if err != nil {
		b.Fatal(err)
	}
	tmpl := strings.TrimSpace(string(ev))
	root := b.TempDir()
	n := 0
	for f := range files {
		var sb strings.Builder
		sb.WriteString(`{"Records":[`)
		for i := range 1000 {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(strings.Replace(tmpl, "0b5c7d1e-1111-4222-8333-444455556666", fmt.Sprintf("0b5c7d1e-1111-4222-%04d-%012d", f, i), 1))
			n++
		}
		sb.WriteString(`]}`)
		key := ctKey("111122223333", "us-east-1", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), f)
		p := filepath.Join(root, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, gz(b, sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return root, n
}

// BenchmarkLoad measures a whole ingest from a local folder into a new
// database, and DuckDB's own read_json over the same files as the baseline
// to compare with (run both in one invocation: machines here are noisy).
func BenchmarkLoad(b *testing.B) {
	root, n := benchTree(b, 50)
	b.Run("impl=ctattrib", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			db, err := store.Open(b.Context(), filepath.Join(b.TempDir(), "b.duckdb"), store.ReadWrite)
			if err != nil {
				b.Fatal(err)
			}
			src, err := OpenSource(b.Context(), root, SourceOptions{})
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			sum, err := Load(b.Context(), db, src, Options{})
			if err != nil || sum.EventsNew != int64(n) {
				b.Fatalf("Load() = %+v, %v", sum, err)
			}
			b.StopTimer()
			db.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
	b.Run("impl=duckdb-read_json", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			db, err := store.Open(b.Context(), filepath.Join(b.TempDir(), "b.duckdb"), store.ReadWrite)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if err := ReadJSONBaseline(b.Context(), db, root); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			db.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
}
