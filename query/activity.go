package query

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ctattrib/ctattrib/store"
)

// ActivityParams are the parameters of Activity.
type ActivityParams struct {
	Filter
	// Actor (required) is an attributed actor's name, as Whodid shows it.
	Actor string
	// ErrorsOnly keeps only failed calls.
	ErrorsOnly bool
	// EventSource and EventName keep one service and one eventName.
	EventSource, EventName string
}

var activitySQL = mustTemplate("activity.sql")

// Activity returns the timeline of one actor's calls, newest first:
// event_time, event_source, event_name, actor_kind, actor, error_code,
// error_message, session_name, source_ip, account_id, region, event_id.
// The caller must Close the result.
func Activity(ctx context.Context, db *store.DB, p ActivityParams) (*Rows, error) {
	if p.Actor == "" {
		return nil, fmt.Errorf("activity needs an actor: %w", ErrMissingParam)
	}
	return run(ctx, db, activitySQL, p, p.args())
}

func (p ActivityParams) args() []any {
	return append(p.Filter.args(),
		sql.Named("actor", p.Actor),
		sql.Named("event_source", eventSourceArg(p.EventSource)),
		sql.Named("event_name", p.EventName))
}
