package query

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ctattrib/ctattrib/store"
)

// WhodidParams are the parameters of Whodid.
type WhodidParams struct {
	Filter
	// EventName (required) is the CloudTrail eventName, exactly.
	EventName string
	// EventSource keeps one service: "sagemaker.amazonaws.com" or just
	// "sagemaker".
	EventSource string
	// Resource keeps events whose request, response or resources mention
	// this text (case-insensitive).
	Resource string
}

var whodidSQL = mustTemplate("whodid.sql")

// Whodid returns which actor made the calls named p.EventName, newest first:
// event_time, event_name, actor_kind, actor, method, confidence,
// account_id, region, event_id. Calls attribution could not explain have
// actor_kind unattributed. The caller must Close the result.
func Whodid(ctx context.Context, db *store.DB, p WhodidParams) (*Rows, error) {
	if p.EventName == "" {
		return nil, fmt.Errorf("whodid needs an event name: %w", ErrMissingParam)
	}
	return run(ctx, db, whodidSQL, p, p.args())
}

func (p WhodidParams) args() []any {
	return append(p.Filter.args(),
		sql.Named("event_name", p.EventName),
		sql.Named("event_source", eventSourceArg(p.EventSource)),
		sql.Named("resource", p.Resource))
}
