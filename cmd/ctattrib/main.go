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
	"syscall"
	"time"

	"golang.org/x/term"
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
	err := root.ExecuteContext(ctx)
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
