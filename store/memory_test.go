package store

import (
	"path/filepath"
	"slices"
	"testing"
)

func TestSetMemoryLimit(t *testing.T) {
	db, err := OpenWith(t.Context(), filepath.Join(t.TempDir(), "x.duckdb"), ReadWrite, Options{MemoryLimit: "256MB"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tests := []struct {
		limit   string
		want    []string // DuckDB prints decimal and binary units as MiB
		wantErr bool
	}{
		{limit: "1GiB", want: []string{"1.0 GiB"}},
		{limit: "512MB", want: []string{"488.2 MiB"}},
		{limit: "lots", wantErr: true},
		{limit: "1GB'; SET threads = 1; --", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.limit, func(t *testing.T) {
			before, err := db.MemoryLimit(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			err = db.SetMemoryLimit(t.Context(), tt.limit)
			got, gerr := db.MemoryLimit(t.Context())
			if gerr != nil {
				t.Fatal(gerr)
			}
			if tt.wantErr {
				if err == nil || got != before {
					t.Errorf("SetMemoryLimit(%q) = %v, limit %q; want an error and %q kept", tt.limit, err, got, before)
				}
				return
			}
			if err != nil {
				t.Fatalf("SetMemoryLimit(%q) = %v", tt.limit, err)
			}
			if !slices.Contains(tt.want, got) {
				t.Errorf("MemoryLimit after SetMemoryLimit(%q) = %q, want one of %q", tt.limit, got, tt.want)
			}
		})
	}
}
