package query

import (
	"context"

	"github.com/ctattrib/ctattrib/store"
)

// ComputeParams are the parameters of Compute.
type ComputeParams struct {
	Filter
}

var computeSQL = mustTemplate("compute.sql")

// Compute returns one row per lifetime of every SageMaker compute that
// runs with an execution role (notebook instances included): its kind,
// roles, account, region, lifetime and source, the calls attributed to it
// in the window, and whether and how calls of its kind are attributable
// (sql/compute.sql). The caller must Close the result.
func Compute(ctx context.Context, db *store.DB, p ComputeParams) (*Rows, error) {
	return run(ctx, db, computeSQL, p, p.args())
}
