package ingest

import (
	"bytes"
	"os"
	"strings"
	"testing"
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
