package query

import (
	"context"

	"github.com/ctattrib/ctattrib/store"
)

// InstancesParams are the parameters of Instances.
type InstancesParams struct {
	Filter
}

var instancesSQL = mustTemplate("instances.sql")

// Instances returns one row per notebook instance per account and region:
// its calls, errors, denials and distinct actions in the window, whether a
// lifecycle config is attached and whether the session name is in effect,
// and a finding (sql/instances.sql says how each is judged). The caller
// must Close the result.
func Instances(ctx context.Context, db *store.DB, p InstancesParams) (*Rows, error) {
	return run(ctx, db, instancesSQL, p, p.args())
}
