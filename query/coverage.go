package query

import (
	"context"

	"github.com/ctattrib/ctattrib/attribution"
	"github.com/ctattrib/ctattrib/store"
)

// CoverageParams are the parameters of Coverage.
type CoverageParams struct {
	Filter
}

var coverageSQL = mustTemplate("coverage.sql")

// coverageData is what coverage.sql renders from.
type coverageData struct {
	CoverageParams
	// Pending is set when some events have no attribution yet (ingest
	// --no-attribute, or attribute not run since an upgrade): the query
	// then also reads those events, as unattributed calls.
	Pending bool
}

// Coverage returns, per account and execution role, the assumed-role calls
// in the window: calls, attributed, unattributed, attributed_share, the
// notebook instances on the role, instances_without_config and the most
// common reason calls stay unattributed. Calls attribution has not
// processed yet count as unattributed. The caller must Close the result.
func Coverage(ctx context.Context, db *store.DB, p CoverageParams) (*Rows, error) {
	pending, err := attribution.Pending(ctx, db)
	if err != nil {
		return nil, err
	}
	return run(ctx, db, coverageSQL, coverageData{p, pending}, p.args())
}
