// Command ctattrib loads CloudTrail logs into an embedded DuckDB file and
// attributes every assumed-role call to the notebook instance, Studio user
// profile or other compute that made it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ctattrib/ctattrib/store"
)

func main() {
	os.Exit(run())
}

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	a := &app{
		Out:       os.Stdout,
		Err:       os.Stderr,
		In:        os.Stdin,
		Now:       time.Now,
		IsTTY:     term.IsTerminal(int(os.Stderr.Fd())),
		OutTTY:    term.IsTerminal(int(os.Stdout.Fd())),
		Getenv:    os.Getenv,
		AWSConfig: loadAWSConfig,
		logLevel:  new(slog.LevelVar),
	}
	a.logLevel.Set(slog.LevelWarn)
	a.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: a.logLevel}))

	// CTATTRIB_CPUPROFILE=FILE writes a Go CPU profile of the run, for
	// go tool pprof (DuckDB's own threads show as cgo calls).
	if path := os.Getenv("CTATTRIB_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintf(a.Err, "ctattrib: CTATTRIB_CPUPROFILE: %v\n", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(a.Err, "ctattrib: CTATTRIB_CPUPROFILE: %v\n", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}

	root := newRootCmd(a)
	err := a.diskFull(root.ExecuteContext(ctx))
	if err != nil {
		printError(a.Err, err)
	}
	return exitCode(err)
}

// printError prints err once, with a hint for errors we recognise.
func printError(w io.Writer, err error) {
	var ue *usageError
	if errors.As(err, &ue) && ue.usage != "" {
		fmt.Fprintf(w, "ctattrib: %v\n\n%s", err, ue.usage)
		return
	}
	fmt.Fprintf(w, "ctattrib: %v\n", err)
	if hint := hintFor(err); hint != "" {
		fmt.Fprintln(w, hint)
	}
}

// writingCommands change the database: a full disk stops them (see
// watchDisk). They are named by their path below the root.
var writingCommands = map[string]bool{"ingest": true, "attribute": true, "prune": true, "compact": true,
	"inventory import": true, "inventory sync": true}

// watchDisk makes cmd's context end, with a *store.DiskFullError as its
// cause, when the disk of --db runs short while cmd writes to it:
// DuckDB aborts the whole process on some failed writes, and a run
// stopped while there is room left ends with an error and a database as
// its last commit left it. CTATTRIB_MIN_FREE_MIB sets how much room
// (default store.DefaultMinFree; 0 turns the watch off).
func (a *app) watchDisk(cmd *cobra.Command) error {
	_, name, _ := strings.Cut(cmd.CommandPath(), " ")
	if !writingCommands[name] {
		return nil
	}
	minFree := uint64(store.DefaultMinFree)
	if v := a.Getenv("CTATTRIB_MIN_FREE_MIB"); v != "" {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return usageErrorf("CTATTRIB_MIN_FREE_MIB=%q: want a whole number of MiB", v)
		}
		minFree = n << 20
	}
	ctx, stop := store.WatchDisk(cmd.Context(), a.DBPath, minFree)
	a.watched, a.stopWatch = ctx, stop
	cmd.SetContext(ctx)
	return nil
}

// diskFull returns the disk-full error that stopped the command, in place
// of the cancellation err it caused (which would exit 130, as if
// interrupted).
func (a *app) diskFull(err error) error {
	if a.stopWatch != nil {
		defer a.stopWatch()
	}
	if err == nil || a.watched == nil {
		return err
	}
	if cause := context.Cause(a.watched); store.IsDiskFull(cause) {
		return cause
	}
	return err
}
