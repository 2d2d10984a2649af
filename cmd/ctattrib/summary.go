package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/ctattrib/ctattrib/attribution"
	"github.com/ctattrib/ctattrib/ingest"
)

// runSummary is the --summary-json file of ingest, attribute and prune:
// the run's outcome for schedulers and monitoring, the same counts as the
// text summary. docs/operations.md documents every field; a field is
// added, never renamed or removed.
type runSummary struct {
	Command string `json:"command"`
	// ExitCode is the status the command exits with (see root.go).
	ExitCode int    `json:"exit_code"`
	Error    string `json:"error,omitempty"`
	// StartedAt and FinishedAt are the run's wall-clock bounds, UTC.
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// Phases are the run's steps in order, with their duration.
	Phases      []summaryPhase      `json:"phases"`
	Ingest      *summaryIngest      `json:"ingest,omitempty"`
	Attribution *summaryAttribution `json:"attribution,omitempty"`
	Prune       *summaryPrune       `json:"prune,omitempty"`
}

type summaryPhase struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
}

type summaryIngest struct {
	Objects struct {
		Listed    int `json:"listed"`
		Loaded    int `json:"loaded"`
		Unchanged int `json:"unchanged"`
		Skipped   int `json:"skipped"`
		Failed    int `json:"failed"`
	} `json:"objects"`
	Events struct {
		New       int64 `json:"new"`
		Duplicate int64 `json:"duplicate"`
	} `json:"events"`
	Bytes          int64 `json:"bytes"`
	FoldersResumed int   `json:"folders_resumed"`
	ListingsFailed int   `json:"listings_failed"`
	// Failures are the objects and folders that failed, with why; at most
	// as many as the text summary lists. FailuresNotListed are the rest
	// (SELECT uri, error FROM objects WHERE status = 'failed').
	Failures          []summaryFailure `json:"failures"`
	FailuresNotListed int              `json:"failures_not_listed"`
	// Records counts the records of loaded objects that were not events
	// (rejected, in ObjectsRejecting objects; Rejections names each such
	// object with its first reason) and the CloudWatch Logs control
	// messages skipped.
	Records struct {
		Rejected         int64 `json:"rejected"`
		ObjectsRejecting int   `json:"objects_rejecting"`
		ControlMessages  int64 `json:"control_messages"`
	} `json:"records"`
	Rejections []summaryFailure `json:"rejections"`
}

type summaryFailure struct {
	URI    string `json:"uri"`
	Reason string `json:"reason"`
}

type summaryAttribution struct {
	Events       int64 `json:"events"`
	Recomputed   int64 `json:"recomputed"`
	Unattributed int64 `json:"unattributed"`
	// AttributedShare is (events - unattributed) / events, 0 without
	// events: the coverage a dashboard plots.
	AttributedShare float64        `json:"attributed_share"`
	Full            bool           `json:"full"`
	Counts          []summaryCount `json:"counts"`
	// Findings counts the credential-misuse findings by kind, and the
	// calls they hold, after the run.
	Findings []summaryFindings `json:"findings"`
}

type summaryFindings struct {
	Kind     string `json:"kind"`
	Findings int64  `json:"findings"`
	Events   int64  `json:"events"`
}

type summaryCount struct {
	ActorKind  string `json:"actor_kind"`
	Method     string `json:"method"`
	Confidence string `json:"confidence"`
	Events     int64  `json:"events"`
}

type summaryPrune struct {
	Before             time.Time `json:"before"`
	DryRun             bool      `json:"dry_run"`
	Deleted            int64     `json:"deleted"`
	KeptNotebookEvents int64     `json:"kept_notebook_events"`
	KeptAssumeRole     int64     `json:"kept_assume_role"`
	Remaining          int64     `json:"remaining"`
}

// bindSummaryJSON adds --summary-json to cmd and wraps its RunE so that,
// when the flag is given, the command collects its summary in a.summary
// and writes it once the exit code is known, whatever the outcome.
func bindSummaryJSON(a *app, cmd *cobra.Command) {
	var path string
	cmd.Flags().StringVar(&path, "summary-json", "", "also write the run's summary as JSON to `FILE`, for schedulers and monitoring (fields: docs/operations.md)")
	run := cmd.RunE
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if path == "" {
			return run(cmd, args)
		}
		a.summary = &runSummary{Command: cmd.Name(), StartedAt: a.Now().UTC(), Phases: []summaryPhase{}}
		defer func() { a.summary = nil }()
		err := run(cmd, args)
		s := a.summary
		s.FinishedAt = a.Now().UTC()
		// As main will see it: a full disk stops a run by cancelling it.
		final := a.diskFull(err)
		s.ExitCode = exitCode(final)
		if final != nil {
			s.Error = final.Error()
		}
		if werr := writeSummaryJSON(path, s); werr != nil {
			if err == nil {
				return werr
			}
			a.Log.Error("Cannot write the summary", "err", werr)
		}
		return err
	}
}

func writeSummaryJSON(path string, s *runSummary) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("summary: %w", err)
	}
	out, err := createOutput(path)
	if err != nil {
		return fmt.Errorf("summary: %w", err)
	}
	defer out.abort()
	if _, err := out.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("summary: %w", err)
	}
	if err := os.Chmod(out.Name(), 0o644); err != nil {
		return fmt.Errorf("summary: %w", err)
	}
	return out.commit()
}

// ingested records an ingest's counts (all sources together) and its
// load phase. It is called with the running total each time the text
// summary is printed, which happens once per run.
func (s *runSummary) ingested(sum ingest.Summary) {
	if s == nil {
		return
	}
	in := &summaryIngest{Bytes: sum.Bytes, FoldersResumed: sum.FoldersResumed, ListingsFailed: sum.ListingsFailed,
		Failures: []summaryFailure{}}
	in.Objects.Listed, in.Objects.Loaded, in.Objects.Unchanged = sum.ObjectsListed, sum.ObjectsLoaded, sum.ObjectsUnchanged
	in.Objects.Skipped, in.Objects.Failed = sum.ObjectsSkipped, sum.ObjectsFailed
	in.Events.New, in.Events.Duplicate = sum.EventsNew, sum.EventsDuplicate
	for _, f := range sum.Failures {
		in.Failures = append(in.Failures, summaryFailure{URI: f.URI, Reason: f.Err})
	}
	in.Records.Rejected, in.Records.ObjectsRejecting = sum.RecordsRejected, sum.ObjectsRejecting
	in.Records.ControlMessages = sum.ControlMessages
	in.Rejections = []summaryFailure{}
	for _, f := range sum.Rejections {
		in.Rejections = append(in.Rejections, summaryFailure{URI: f.URI, Reason: f.Err})
	}
	in.FailuresNotListed = max(sum.ObjectsFailed-len(sum.Failures), 0)
	s.Ingest = in
	// Loading comes first, though the text summary (and so this call)
	// comes after the attribution that follows it.
	s.phase("load", sum.Elapsed)
	if n := len(s.Phases); n > 1 && s.Phases[n-1].Name == "load" {
		s.Phases = append([]summaryPhase{s.Phases[n-1]}, s.Phases[:n-1]...)
	}
}

// attributed records an attribution run.
func (s *runSummary) attributed(sum attribution.Summary) {
	if s == nil {
		return
	}
	at := &summaryAttribution{Events: sum.Events, Recomputed: sum.Recomputed, Unattributed: sum.Unattributed,
		Full: sum.Full, Counts: []summaryCount{}}
	if sum.Events > 0 {
		at.AttributedShare = float64(sum.Events-sum.Unattributed) / float64(sum.Events)
	}
	for _, c := range sum.Counts {
		at.Counts = append(at.Counts, summaryCount{c.ActorKind, c.Method, c.Confidence, c.Events})
	}
	at.Findings = []summaryFindings{}
	for _, f := range sum.Findings.Counts {
		at.Findings = append(at.Findings, summaryFindings{f.Kind, f.Findings, f.Events})
	}
	s.Attribution = at
	s.phase("attribute", sum.Elapsed)
}

// pruned records a prune, and how long it took since the run started.
func (s *runSummary) pruned(sum attribution.PruneSummary, dryRun bool, elapsed time.Duration) {
	if s == nil {
		return
	}
	s.Prune = &summaryPrune{Before: sum.Before.UTC(), DryRun: dryRun, Deleted: sum.Deleted,
		KeptNotebookEvents: sum.KeptNotebookEvents, KeptAssumeRole: sum.KeptAssumeRole, Remaining: sum.Remaining}
	s.phase("prune", elapsed)
}

// phase records a phase's duration; a phase recorded again (the ingest
// summary printed on an error path after a first print) is replaced.
func (s *runSummary) phase(name string, d time.Duration) {
	for i := range s.Phases {
		if s.Phases[i].Name == name {
			s.Phases[i].Seconds = d.Seconds()
			return
		}
	}
	s.Phases = append(s.Phases, summaryPhase{Name: name, Seconds: d.Seconds()})
}
