package store

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// CrashEnv names the environment variable of the crash-test hook: set to
// PHASE or PHASE#N, it makes the process kill itself with SIGKILL the
// first (or Nth) time it reaches CrashPoint(PHASE), as the OOM killer or a
// power cut would. The crash tests in cmd/ctattrib use it to stop a run at
// each phase deterministically; it is never set in normal use.
const CrashEnv = "CTATTRIB_TEST_CRASH_AT"

// The phases, in the order a run reaches them.
const (
	// PhaseCreate is a new database migrated in its temporary file, not
	// yet renamed into place.
	PhaseCreate = "create"
	// PhaseMigrated is a migration committed, not yet checkpointed.
	PhaseMigrated = "migrated"
	// PhaseBatch is an ingest batch committed.
	PhaseBatch = "batch"
	// PhaseAttribute is attribution computed, not yet committed.
	PhaseAttribute = "attribute"
	// PhasePruneDeleted is prune's delete done, not yet committed.
	PhasePruneDeleted = "prune-deleted"
	// PhasePruned is prune's delete committed, attribution not yet run.
	PhasePruned = "pruned"
	// PhaseCompactCopied is compact's copy complete, not yet renamed
	// over the database.
	PhaseCompactCopied = "compact-copied"
)

var crash struct {
	once  sync.Once
	phase string
	at    int
	mu    sync.Mutex
	seen  int
}

// CrashPoint kills the process with SIGKILL when CrashEnv names phase
// (see CrashEnv); otherwise it does nothing.
func CrashPoint(phase string) {
	crash.once.Do(func() {
		v := os.Getenv(CrashEnv)
		p, n, found := strings.Cut(v, "#")
		crash.phase, crash.at = p, 1
		if found {
			if at, err := strconv.Atoi(n); err == nil && at > 0 {
				crash.at = at
			}
		}
	})
	if crash.phase == "" || crash.phase != phase {
		return
	}
	crash.mu.Lock()
	crash.seen++
	hit := crash.seen == crash.at
	crash.mu.Unlock()
	if hit {
		syscall.Kill(os.Getpid(), syscall.SIGKILL) //nolint:errcheck // the process ends here
		select {}
	}
}
