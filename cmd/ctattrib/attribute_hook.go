package main

import (
	"context"

	"github.com/ctattrib/ctattrib/attribution"
	"github.com/ctattrib/ctattrib/store"
)

// attributeAfterIngest attributes what an ingest added, incrementally: new
// events, and older events that the new ones give evidence about.
func attributeAfterIngest(ctx context.Context, a *app, db *store.DB) error {
	sum, err := attribution.Run(ctx, db, attribution.Options{Log: a.Log, Now: a.Now})
	if err != nil {
		return err
	}
	a.summary.attributed(sum)
	a.Log.Info("Attributed", "events", sum.Events, "recomputed", sum.Recomputed,
		"unattributed", sum.Unattributed, "elapsed", sum.Elapsed)
	return nil
}
