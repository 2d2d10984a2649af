package ingest

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/ctattrib/ctattrib/store"
)

// ReadJSONBaseline loads every *.json.gz log file below dir with DuckDB's
// own read_json and unnest(Records), into a table with an explicit schema
// of the same identity and event columns. It is the baseline ingest
// performance is measured against (make bench), not a way to load data.
func ReadJSONBaseline(ctx context.Context, db *store.DB, dir string) error {
	glob := filepath.Join(dir, "**", "*.json.gz")
	q := fmt.Sprintf(`CREATE OR REPLACE TABLE baseline_events AS
		SELECT r.eventID AS event_id, r.eventTime::TIMESTAMPTZ AS event_time, r.eventSource AS event_source,
		       r.eventName AS event_name, r.awsRegion AS aws_region, r.recipientAccountId AS recipient_account_id,
		       r.sourceIPAddress AS source_ip, r.userAgent AS user_agent,
		       r.userIdentity.type AS identity_type, r.userIdentity.arn AS principal_arn,
		       r.userIdentity.accessKeyId AS access_key_id,
		       r.userIdentity.sessionContext.sessionIssuer.arn AS role_arn,
		       r.errorCode AS error_code, r.errorMessage AS error_message,
		       r.requestParameters AS request_parameters, r.responseElements AS response_elements
		FROM (SELECT unnest(Records) AS r FROM read_json('%s', format = 'auto', maximum_object_size = 1073741824,
			columns = {Records: 'STRUCT(eventID VARCHAR, eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR,
				awsRegion VARCHAR, recipientAccountId VARCHAR, sourceIPAddress VARCHAR, userAgent VARCHAR,
				userIdentity STRUCT(type VARCHAR, arn VARCHAR, accessKeyId VARCHAR,
					sessionContext STRUCT(sessionIssuer STRUCT(arn VARCHAR))),
				errorCode VARCHAR, errorMessage VARCHAR, requestParameters JSON, responseElements JSON)[]'}))`,
		strings.ReplaceAll(glob, "'", "''"))
	_, err := db.SQL.ExecContext(ctx, q)
	return err
}
