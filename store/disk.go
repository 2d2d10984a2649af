package store

import (
	"context"
	"path/filepath"
	"syscall"
	"time"
)

// DefaultMinFree is the free space WatchDisk keeps on the database's file
// system by default. DuckDB does not survive running out of disk in every
// place: a write that fails while it spills from inside a Go callback
// aborts the process. Stopping the run while this much is still free
// leaves room for the writes in flight and for rolling back.
const DefaultMinFree = 64 << 20

// diskPoll is how often WatchDisk looks at the free space: a statfs call,
// cheap next to the writes it guards.
const diskPoll = 100 * time.Millisecond

// WatchDisk returns a context that is cancelled, with a *DiskFullError as
// its cause (context.Cause), as soon as the file system holding the
// database at path has less than minFree bytes free, and stop, which ends
// the watch. A run that uses the context then ends with an error while
// DuckDB can still roll back, instead of failing halfway through a write.
// When the free space cannot be read (the folder is missing, say) nothing
// is watched: opening the database reports that better.
func WatchDisk(ctx context.Context, path string, minFree uint64) (context.Context, context.CancelFunc) {
	dir := filepath.Dir(path)
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	ctx, cancel := context.WithCancelCause(ctx)
	if _, err := freeBytes(dir); err != nil || minFree == 0 {
		return ctx, func() { cancel(context.Canceled) }
	}
	check := func() bool {
		free, err := freeBytes(dir)
		if err == nil && free < minFree {
			cancel(&DiskFullError{Dir: dir, Free: free, Need: minFree})
			return true
		}
		return false
	}
	if check() {
		return ctx, func() {}
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(diskPoll)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				if check() {
					return
				}
			}
		}
	}()
	return ctx, func() {
		close(done)
		cancel(context.Canceled)
	}
}

// freeBytes is the space an unprivileged process may still use in dir's
// file system.
func freeBytes(dir string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return st.Bavail * uint64(st.Bsize), nil
}
