package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestWatchDisk(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.duckdb")
	free, err := freeBytes(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		minFree uint64
		stopped bool
	}{
		{"room", 1, false},
		{"off", 0, false},
		{"short", free + 1<<30, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, stop := WatchDisk(t.Context(), path, tt.minFree)
			defer stop()
			cause := context.Cause(ctx)
			if got := cause != nil; got != tt.stopped {
				t.Fatalf("WatchDisk(minFree %d) with %d free: cause %v, want stopped = %v", tt.minFree, free, cause, tt.stopped)
			}
			if !tt.stopped {
				return
			}
			var dfe *DiskFullError
			if !errors.As(cause, &dfe) || !errors.Is(cause, ErrDiskFull) || !IsDiskFull(cause) {
				t.Errorf("cause = %#v, want a *DiskFullError matching ErrDiskFull", cause)
			}
			if !strings.Contains(cause.Error(), filepath.Dir(path)) {
				t.Errorf("cause %q does not name %s", cause, filepath.Dir(path))
			}
		})
	}
}
