package attribution

import "strings"

// sqlText expands the placeholders the SQL below shares with the Go side:
// the session-name patterns (RE2, as in session.go) and the relation a
// classification reads.
func sqlText(q string, subject string) string {
	return strings.NewReplacer(
		"{{SUBJECT}}", subject,
		"{{EC2}}", ec2InstanceIDPattern,
		"{{ECS}}", ecsTaskIDPattern,
		"{{BOTOCORE}}", botocorePattern,
		"{{SDK}}", sdkDefaultPattern,
		"{{EMAIL}}", emailPattern,
	).Replace(q)
}

// ctjMacro reads a JSON column whether it holds the object or the object
// encoded as a JSON string (older ingests stored it that way).
const ctjMacro = `CREATE OR REPLACE TEMP MACRO ctj(x) AS CASE WHEN json_type(x) = 'VARCHAR' THEN json(x ->> '$') ELSE x END`

// recordFieldsSQL adds to notebook_events and assume_role_fields the
// events among the rows of event_rows after rowid $1. It reads event_rows
// rather than the events view so that only those rows are scanned; rp and
// re are the request and response as the view reads them (the eventID
// left out of stored records is not among them).
var recordFieldsSQL = []string{`INSERT INTO notebook_events
	SELECT event_id, event_name, event_time, recipient_account_id, aws_region,
		ctj(rp)->>'$.notebookInstanceName',
		ctj(rp)->>'$.roleArn',
		ctj(rp)->>'$.lifecycleConfigName',
		coalesce(ctj(rp)->>'$.disassociateLifecycleConfig', 'false') = 'true',
		ctj(rp)->>'$.instanceType',
		ctj(re)->>'$.notebookInstanceArn'
	FROM (SELECT event_id, event_name, event_time, recipient_account_id, aws_region, ` + recordJSON + `
		FROM event_rows
		WHERE rowid > $1 AND ` + isNotebookLifecycle + `
		  AND error_code IS NULL AND event_time IS NOT NULL)`,
	`INSERT INTO assume_role_fields
	SELECT event_id,
		ctj(rp)->>'$.roleArn',
		ctj(rp)->>'$.roleSessionName',
		ctj(re)->>'$.credentials.accessKeyId',
		ctj(re)->>'$.credentials.expiration'
	FROM (SELECT event_id, ` + recordJSON + `
		FROM event_rows
		WHERE rowid > $1 AND ` + isAssumeRole + `
		  AND error_code IS NULL AND event_time IS NOT NULL)`,
}

// The events attribution reads as evidence for other events: notebook
// lifecycle events (the inventory) and AssumeRole calls (key links).
// Prune keeps them.
const (
	isNotebookLifecycle = `event_source = 'sagemaker.amazonaws.com'
		AND event_name IN ('CreateNotebookInstance', 'UpdateNotebookInstance', 'DeleteNotebookInstance')`
	isAssumeRole = `event_source = 'sts.amazonaws.com' AND event_name = 'AssumeRole'`
)

const recordJSON = `nullif(json_extract(record, '$.requestParameters'), 'null') AS rp,
		nullif(json_extract(record, '$.responseElements'), 'null') AS re`

// inventorySQL rebuilds the CloudTrail part of notebook_instances: one row
// per lifetime of a name in an account and region. A lifetime starts at a
// CreateNotebookInstance and ends at the first DeleteNotebookInstance before
// the next create; updates and deletes seen before any create (the trail
// starts later than the instance) make a lifetime with an unknown start.
// It reads the lifecycle events from notebook_events.
var inventorySQL = []string{
	`DELETE FROM notebook_instances WHERE source = 'cloudtrail'`,
	`INSERT INTO notebook_instances (account_id, region, name, arn, role_arn, lifecycle_config_name,
		instance_type, created_at, deleted_at, source)
	WITH ev2 AS (
		SELECT * FROM notebook_events WHERE name IS NOT NULL AND account_id IS NOT NULL AND region IS NOT NULL
	), creates AS (
		SELECT *, lead(event_time) OVER (PARTITION BY account_id, region, name ORDER BY event_time, event_id) AS next_create
		FROM ev2 WHERE event_name = 'CreateNotebookInstance'
	), firsts AS (
		SELECT account_id, region, name, min(event_time) AS first_create FROM creates GROUP BY ALL
	), life AS (
		SELECT account_id, region, name, event_time AS created_at, next_create AS bound,
			arn, role_arn, lcc, instance_type
		FROM creates
		UNION ALL
		SELECT e.account_id, e.region, e.name, NULL, f.first_create, NULL, NULL, NULL, NULL
		FROM ev2 e LEFT JOIN firsts f USING (account_id, region, name)
		WHERE e.event_name <> 'CreateNotebookInstance' AND (f.first_create IS NULL OR e.event_time < f.first_create)
		GROUP BY e.account_id, e.region, e.name, f.first_create
	), within AS (
		SELECT l.account_id, l.region, l.name, l.created_at, e.*
		FROM life l JOIN ev2 e ON e.account_id = l.account_id AND e.region = l.region AND e.name = l.name
			AND (l.created_at IS NULL OR e.event_time >= l.created_at)
			AND (l.bound IS NULL OR e.event_time < l.bound)
		WHERE e.event_name <> 'CreateNotebookInstance'
	), dl AS (
		SELECT account_id, region, name, created_at, min(event_time) AS deleted_at
		FROM within WHERE event_name = 'DeleteNotebookInstance' GROUP BY ALL
	), up AS (
		SELECT account_id, region, name, created_at,
			arg_max(role_arn, (event_time, event_id)) FILTER (WHERE role_arn IS NOT NULL) AS role_arn,
			arg_max(CASE WHEN lcc_removed THEN '' ELSE lcc END, (event_time, event_id))
				FILTER (WHERE lcc IS NOT NULL OR lcc_removed) AS lcc,
			arg_max(instance_type, (event_time, event_id)) FILTER (WHERE instance_type IS NOT NULL) AS instance_type
		FROM within WHERE event_name = 'UpdateNotebookInstance' GROUP BY ALL
	)
	SELECT l.account_id, l.region, l.name, l.arn, coalesce(up.role_arn, l.role_arn),
		nullif(coalesce(up.lcc, l.lcc), ''), coalesce(up.instance_type, l.instance_type),
		l.created_at, CASE WHEN l.created_at IS NULL THEN coalesce(dl.deleted_at, l.bound) ELSE dl.deleted_at END,
		'cloudtrail'
	FROM life l
	LEFT JOIN dl ON dl.account_id = l.account_id AND dl.region = l.region AND dl.name = l.name
		AND dl.created_at IS NOT DISTINCT FROM l.created_at
	LEFT JOIN up ON up.account_id = l.account_id AND up.region = l.region AND up.name = l.name
		AND up.created_at IS NOT DISTINCT FROM l.created_at`,
}

// prepareSQL builds the small tables attribution joins events with: the
// inventory, the roles notebooks run as, the addresses people used, the
// AssumeRole events and the key links they make.
var prepareSQL = []string{
	`CREATE OR REPLACE TEMP TABLE inv AS
	SELECT account_id, region, name,
		CASE WHEN role_arn LIKE 'arn:%:role/%' THEN lower(regexp_extract(role_arn, '[^/]+$')) END AS role_name,
		CASE WHEN role_arn LIKE 'arn:%:role/%' THEN regexp_extract(role_arn, '[^/]+$') END AS role_display,
		lifecycle_config_name, created_at, deleted_at, source,
		-- The lifetime, widened by ten minutes each side, as the span
		-- [live_from, live_until): two plain comparisons that a hash join
		-- checks. With an OR in its condition a left join was a nested loop.
		coalesce(created_at - INTERVAL 10 MINUTE, '-infinity'::TIMESTAMPTZ) AS live_from,
		coalesce(deleted_at + INTERVAL 10 MINUTE, 'infinity'::TIMESTAMPTZ) AS live_until
	FROM notebook_instances`,

	// Most names have one lifetime in their account: an event matches it
	// or not, and a plain join finds it. Only reused names (inv_multi)
	// need the best of several matches, a grouping by event that cost
	// more than the rest of the classification on 10,000,000 events.
	`CREATE OR REPLACE TEMP TABLE inv_single AS
	SELECT * FROM inv QUALIFY count(*) OVER (PARTITION BY account_id, name) = 1`,

	`CREATE OR REPLACE TEMP TABLE inv_multi AS
	SELECT * FROM inv QUALIFY count(*) OVER (PARTITION BY account_id, name) > 1`,

	// A reused name's best lifetime for a call depends on the call's time,
	// role and region only, so it is decided here, once per time segment
	// (between consecutive lifetime bounds), role key and region key, and
	// not per event: choosing per event grouped every call on such a name
	// (740,000 of 2,000,000 generated events) and ran out of memory. A
	// role or region key is one of the name's lifetimes' own, or '' for
	// any other; a call finds its keys in inv_multi_roles and
	// inv_multi_regions, then its one row here.
	`CREATE OR REPLACE TEMP TABLE inv_multi_roles AS
	SELECT DISTINCT account_id, name, role_name FROM inv_multi WHERE role_name IS NOT NULL`,

	`CREATE OR REPLACE TEMP TABLE inv_multi_regions AS
	SELECT DISTINCT account_id, name, region FROM inv_multi`,

	`CREATE OR REPLACE TEMP TABLE inv_multi_best AS
	WITH bounds AS (
		SELECT account_id, name, live_from AS t FROM inv_multi
		UNION SELECT account_id, name, live_until FROM inv_multi
	), seg AS (
		SELECT account_id, name, t AS seg_from,
			lead(t) OVER (PARTITION BY account_id, name ORDER BY t) AS seg_until
		FROM bounds
	), rk AS (
		SELECT account_id, name, role_name AS rk FROM inv_multi_roles
		UNION SELECT account_id, name, '' FROM inv_multi
	), gk AS (
		SELECT account_id, name, region AS gk FROM inv_multi_regions
		UNION SELECT account_id, name, '' FROM inv_multi
	)
	SELECT seg.account_id, seg.name, seg.seg_from, seg.seg_until, rk.rk, gk.gk,
		arg_max(struct_pack(name := i.name, account := i.account_id, region := i.region, role := i.role_display,
				role_ok := rk.rk <> '' AND coalesce(i.role_name = rk.rk, false), role_known := i.role_name IS NOT NULL,
				same_region := gk.gk <> '' AND i.region = gk.gk),
			-- Best first: the call's role, then its region, then the latest
			-- lifetime (a struct compares field by field).
			(CASE WHEN rk.rk <> '' AND i.role_name = rk.rk THEN 4 WHEN i.role_name IS NULL THEN 1 ELSE 0 END
				+ CASE WHEN gk.gk <> '' AND i.region = gk.gk THEN 2 ELSE 0 END,
				i.region, coalesce(i.created_at, '-infinity'::TIMESTAMPTZ), i.source)) AS m
	FROM seg
	JOIN rk ON rk.account_id = seg.account_id AND rk.name = seg.name
	JOIN gk ON gk.account_id = seg.account_id AND gk.name = seg.name
	JOIN inv_multi i ON i.account_id = seg.account_id AND i.name = seg.name
		AND i.live_from <= seg.seg_from AND seg.seg_until <= i.live_until
	WHERE seg.seg_until IS NOT NULL
	GROUP BY seg.account_id, seg.name, seg.seg_from, seg.seg_until, rk.rk, gk.gk`,

	`CREATE OR REPLACE TEMP TABLE inv_roles AS
	SELECT account_id, role_name,
		string_agg(DISTINCT name || CASE WHEN lifecycle_config_name IS NULL THEN ' (no lifecycle config)'
			ELSE ' (lifecycle config ' || lifecycle_config_name || ')' END, ', ' ORDER BY name || CASE WHEN lifecycle_config_name IS NULL THEN ' (no lifecycle config)'
			ELSE ' (lifecycle config ' || lifecycle_config_name || ')' END) AS names
	FROM inv WHERE role_name IS NOT NULL GROUP BY ALL`,

	`CREATE OR REPLACE TEMP TABLE hip AS
	SELECT account_id, source_ip, min(person) AS person, count(DISTINCT person) AS people
	FROM (
		SELECT coalesce(identity_account_id, recipient_account_id) AS account_id, source_ip,
			CASE identity_type
				WHEN 'IAMUser' THEN 'iam-user ' || coalesce(user_name, principal_arn, principal_id, '?')
				WHEN 'Root' THEN 'root'
				WHEN 'IdentityCenterUser' THEN 'sso-user ' || coalesce(user_name, principal_id, '?')
				ELSE 'sso-user ' || coalesce(session_name, '?') END AS person
		FROM events
		WHERE (identity_type IN ('IAMUser', 'Root', 'IdentityCenterUser')
			OR (identity_type = 'AssumedRole' AND starts_with(role_name, 'AWSReservedSSO_')))
		  AND (regexp_full_match(source_ip, '[0-9]{1,3}(\.[0-9]{1,3}){3}') OR regexp_full_match(source_ip, '[0-9a-fA-F]*:[0-9a-fA-F:]+'))
	) GROUP BY ALL`,

	`CREATE OR REPLACE TEMP TABLE ar AS
	SELECT event_id, event_time, aws_region, recipient_account_id, identity_type, principal_id, principal_arn,
		identity_account_id, access_key_id, user_name, role_name, session_name, source_identity, invoked_by,
		ec2_role_delivery, user_agent, source_ip, event_source, event_name, role_arn,
		error_code, session_created_at
	FROM events
	WHERE ` + isAssumeRole + ` AND event_time IS NOT NULL`,

	// seen_keys: keys known from their own calls rather than from an
	// AssumeRole. A service that calls with a session's key on that
	// session's behalf (S3 decrypting with KMS for a GetObject: forward
	// access) sends its own name as invokedBy and user agent; the
	// session's direct calls with the same key say whose call it was: a
	// Lambda function's or ECS task's when their user agent names the
	// compute, else a session nothing attributes ('unattributed', the
	// session's ARN). A key only ever used with invokedBy is the service's
	// own session (CloudFormation with a stack's service role).
	`CREATE OR REPLACE TEMP TABLE seen_keys AS
	WITH direct AS (
		SELECT access_key_id, coalesce(session_created_at, event_time) AS t, event_time, event_id,
			CASE WHEN session_name IS NULL THEN 'unattributed'
				WHEN user_agent LIKE '%exec-env/AWS\_Lambda%' ESCAPE '\' THEN 'lambda-function'
				WHEN user_agent LIKE '%exec-env/AWS\_ECS%' ESCAPE '\' THEN 'ecs-task'
				ELSE 'unattributed' END AS actor_kind,
			session_name, principal_arn,
			coalesce(identity_account_id, recipient_account_id) AS account_id, aws_region AS region
		FROM events
		WHERE identity_type = 'AssumedRole' AND invoked_by IS NULL AND event_time IS NOT NULL
		  AND (user_agent LIKE '%exec-env/AWS\_Lambda%' ESCAPE '\' OR user_agent LIKE '%exec-env/AWS\_ECS%' ESCAPE '\'
			OR access_key_id IN (SELECT access_key_id FROM events WHERE identity_type = 'AssumedRole' AND invoked_by IS NOT NULL))
		  AND regexp_full_match(access_key_id, '[A-Z0-9]{16,128}')
	), per_key AS (
		SELECT access_key_id,
			min(t) - INTERVAL 1 MINUTE AS valid_from,
			max(t) + INTERVAL 12 HOUR AS valid_to,
			count(DISTINCT actor_kind || ' ' || session_name) FILTER (WHERE actor_kind <> 'unattributed') AS computes,
			min(actor_kind) FILTER (WHERE actor_kind <> 'unattributed') AS compute_kind,
			min(session_name) FILTER (WHERE actor_kind <> 'unattributed') AS compute,
			min(principal_arn) AS principal_arn,
			min(account_id) AS account_id, min(region) AS region,
			arg_min(event_id, (actor_kind = 'unattributed', event_time, event_id)) AS evidence_event_id
		FROM direct
		GROUP BY access_key_id
	)
	SELECT access_key_id, valid_from, valid_to,
		CASE WHEN computes = 1 THEN compute_kind ELSE 'unattributed' END AS actor_kind,
		CASE WHEN computes = 1 THEN compute ELSE coalesce(principal_arn, access_key_id) END AS actor,
		account_id, region, evidence_event_id
	FROM per_key`,

	`CREATE OR REPLACE TEMP TABLE links AS
	WITH l AS (
		SELECT event_id AS link_event_id, event_time AS t, aws_region AS region, recipient_account_id,
			f.target_role_arn, f.target_session, f.issued_key, f.expiration_text,
			identity_type AS caller_type, access_key_id AS caller_key, lower(role_name) AS caller_role,
			coalesce(invoked_by, CASE WHEN identity_type = 'AWSService' THEN user_agent END) AS service,
			session_created_at
		FROM ar JOIN assume_role_fields f USING (event_id) WHERE error_code IS NULL
	), l2 AS (
		SELECT *,
			nullif(split_part(target_role_arn, ':', 5), '') AS role_account,
			lower(regexp_extract(target_role_arn, '[^/]+$')) AS target_role,
			coalesce(try_strptime(expiration_text, '%b %d, %Y, %I:%M:%S %p')::TIMESTAMPTZ,
				try_cast(expiration_text AS TIMESTAMPTZ)) AS expires_at
		FROM l
	), nbm AS (
		SELECT l2.link_event_id,
			arg_max(struct_pack(name := i.name, account := i.account_id, region := i.region, role := i.role_name,
					role_ok := coalesce(i.role_name = l2.target_role, false), role_known := i.role_name IS NOT NULL),
				(CASE WHEN i.role_name = l2.target_role THEN 4 WHEN i.role_name IS NULL THEN 1 ELSE 0 END
					+ CASE WHEN i.region = l2.region THEN 2 ELSE 0 END,
					i.region, coalesce(i.created_at, '-infinity'::TIMESTAMPTZ), i.source)) AS m
		FROM l2 JOIN inv i ON i.account_id = coalesce(l2.role_account, l2.recipient_account_id) AND i.name = l2.target_session
			AND coalesce(l2.t, '-infinity'::TIMESTAMPTZ) >= i.live_from
			AND coalesce(l2.t, '-infinity'::TIMESTAMPTZ) < i.live_until
		GROUP BY l2.link_event_id
	), l3 AS (
		SELECT l2.*, nbm.m,
			coalesce(nbm.m.role_ok OR NOT nbm.m.role_known, false) AS is_notebook,
			coalesce(l2.service LIKE 'sagemaker.%', false) AS skip
		FROM l2 LEFT JOIN nbm USING (link_event_id)
	)
	SELECT link_event_id, t,
		-- Placeholders in redacted logs ("REDACTED", "SAMPLE_ACCESS_KEY") are not keys.
		CASE WHEN regexp_full_match(issued_key, '[A-Z0-9]{16,128}') THEN issued_key END AS issued_key,
		CASE WHEN regexp_full_match(caller_key, '[A-Z0-9]{16,128}') THEN caller_key END AS caller_key,
		t - INTERVAL 1 MINUTE AS valid_from,
		coalesce(expires_at, t + CASE WHEN service = 'ec2.amazonaws.com' THEN INTERVAL 7 HOUR ELSE INTERVAL 12 HOUR END) AS valid_to,
		coalesce(session_created_at, t - INTERVAL 12 HOUR) - INTERVAL 1 MINUTE AS caller_from,
		coalesce(session_created_at, t) + INTERVAL 12 HOUR AS caller_to,
		skip,
		CASE WHEN is_notebook THEN 'notebook-instance'
			WHEN skip THEN NULL
			WHEN service = 'ec2.amazonaws.com' AND regexp_full_match(target_session, '{{EC2}}') THEN 'ec2-instance'
			WHEN service = 'lambda.amazonaws.com' THEN 'lambda-function'
			WHEN service = 'ecs-tasks.amazonaws.com' THEN 'ecs-task'
			WHEN service IS NOT NULL THEN 'aws-service' END AS fix_kind,
		CASE WHEN is_notebook THEN m.name
			WHEN service IN ('ec2.amazonaws.com', 'lambda.amazonaws.com', 'ecs-tasks.amazonaws.com') THEN target_session
			ELSE service END AS fix_actor,
		CASE WHEN is_notebook AND NOT m.role_ok THEN 'medium' ELSE 'high' END AS fix_conf,
		CASE WHEN is_notebook THEN m.account ELSE coalesce(role_account, recipient_account_id) END AS fix_account,
		CASE WHEN is_notebook THEN m.region ELSE region END AS fix_region,
		is_notebook AND caller_type = 'AssumedRole' AND caller_key IS NOT NULL
			AND caller_role = coalesce(m.role, target_role) AS caller_link
	FROM l3
	WHERE issued_key IS NOT NULL OR is_notebook`,
}

// keysSQL resolves every linked access key for a round: keys AssumeRole
// issued (to a notebook-named session, to compute by an AWS service, or to
// whoever called it, as attributed so far) and the default-session keys
// that called AssumeRole for a notebook-named session. One row per key and
// start time; several actors for one key make a low-confidence row.
const keysSQL = `CREATE OR REPLACE TEMP TABLE keys_new AS
WITH linked AS (
	SELECT issued_key AS access_key_id, valid_from, valid_to, 'issued' AS link_kind, fix_kind AS actor_kind,
		fix_actor AS actor, fix_conf AS confidence, fix_account AS account_id, fix_region AS region,
		link_event_id AS evidence_event_id, 1 AS prio
	FROM links WHERE issued_key IS NOT NULL AND fix_kind IS NOT NULL AND fix_actor IS NOT NULL
	UNION ALL
	SELECT l.issued_key, l.valid_from, l.valid_to, 'issued', a.actor_kind, a.actor, a.confidence,
		a.account_id, a.region, l.link_event_id, 2
	FROM links l JOIN ar_att a ON a.event_id = l.link_event_id
	WHERE l.issued_key IS NOT NULL AND l.fix_kind IS NULL AND NOT l.skip
		AND a.actor_kind <> 'unattributed' AND a.actor IS NOT NULL
	UNION ALL
	SELECT caller_key, caller_from, caller_to, 'caller', 'notebook-instance', fix_actor, fix_conf,
		fix_account, fix_region, link_event_id, 3
	FROM links WHERE caller_link
), cand AS (
	SELECT * FROM linked
	UNION ALL
	-- Keys known from their own calls, when no AssumeRole links them: an
	-- AssumeRole link is the stronger evidence, and a row of each would
	-- hide one another in the time-ordered lookup.
	SELECT access_key_id, valid_from, valid_to, 'seen', actor_kind, actor, 'medium',
		account_id, region, evidence_event_id, 4
	FROM seen_keys
	WHERE access_key_id NOT IN (SELECT access_key_id FROM linked WHERE access_key_id IS NOT NULL)
)
SELECT access_key_id, valid_from, max(valid_to) AS valid_to,
	arg_min(link_kind, (prio, actor_kind, actor, evidence_event_id)) AS link_kind,
	arg_min(actor_kind, (prio, actor_kind, actor, evidence_event_id)) AS actor_kind,
	arg_min(actor, (prio, actor_kind, actor, evidence_event_id)) AS actor,
	CASE WHEN count(DISTINCT actor_kind || ':' || actor) > 1 THEN 'low'
		ELSE arg_min(confidence, (prio, actor_kind, actor, evidence_event_id)) END AS confidence,
	arg_min(account_id, (prio, actor_kind, actor, evidence_event_id)) AS account_id,
	arg_min(region, (prio, actor_kind, actor, evidence_event_id)) AS region,
	CASE WHEN count(DISTINCT actor_kind || ':' || actor) > 1 THEN
		'key ' || access_key_id || ' is linked to several actors: ' ||
		string_agg(DISTINCT actor_kind || ' ' || actor, ', ' ORDER BY actor_kind || ' ' || actor) END AS note,
	arg_min(evidence_event_id, (prio, actor_kind, actor, evidence_event_id)) AS evidence_event_id
FROM cand
GROUP BY access_key_id, valid_from`

// subjectColumns are the event columns classifySQL reads.
const subjectColumns = `event_id, event_time, aws_region, recipient_account_id, identity_type, principal_id, principal_arn,
		identity_account_id, access_key_id, user_name, role_name, session_name, source_identity, invoked_by,
		ec2_role_delivery, user_agent, source_ip, event_source, event_name, error_code, role_arn`

// classifySQL attributes every event of {{SUBJECT}} (a relation with the
// events columns): the rule that decides is the first that applies, in the
// order of the precedence table in doc.go.
const classifySQL = `WITH s AS (
	SELECT ` + subjectColumns + `,
		-- The name a notebook lifetime may match, and when: an event
		-- without a time falls in the lifetimes whose start is unknown.
		CASE WHEN identity_type = 'AssumedRole' THEN session_name END AS assumed_session,
		coalesce(event_time, '-infinity'::TIMESTAMPTZ) AS live_at
	FROM {{SUBJECT}}
), j AS (
	SELECT s.*,
		coalesce(CASE WHEN i1.name IS NOT NULL THEN
			struct_pack(name := i1.name, account := i1.account_id, region := i1.region, role := i1.role_display,
				role_ok := coalesce(i1.role_name = lower(s.role_name), false), role_known := i1.role_name IS NOT NULL,
				same_region := i1.region = s.aws_region) END, nb.m) AS m,
		k.access_key_id IS NOT NULL AND s.event_time < k.valid_to AS key_ok,
		k.link_kind AS k_link, k.actor_kind AS k_kind, k.actor AS k_actor, k.confidence AS k_conf,
		k.account_id AS k_account, k.region AS k_region, k.note AS k_note, k.evidence_event_id AS k_evidence,
		h.person, h.people, ir.names AS role_notebooks
	FROM s
	-- A name with one lifetime: at most one match, no grouping.
	LEFT JOIN inv_single i1 ON i1.account_id = s.identity_account_id AND i1.name = s.assumed_session
		AND s.live_at >= i1.live_from AND s.live_at < i1.live_until
	-- A reused name: the one best lifetime for the call's time, role
	-- and region (inv_multi_best).
	LEFT JOIN inv_multi_roles mr ON mr.account_id = s.identity_account_id AND mr.name = s.assumed_session
		AND mr.role_name = lower(s.role_name)
	LEFT JOIN inv_multi_regions mg ON mg.account_id = s.identity_account_id AND mg.name = s.assumed_session
		AND mg.region = s.aws_region
	LEFT JOIN inv_multi_best nb ON nb.account_id = s.identity_account_id AND nb.name = s.assumed_session
		AND nb.rk = coalesce(mr.role_name, '') AND nb.gk = coalesce(mg.region, '')
		AND s.live_at >= nb.seg_from AND s.live_at < nb.seg_until
	-- The key's link that starts last before the event: each link of a
	-- key runs until its next one starts (keys_spans), so at most one
	-- matches and a hash join finds it. An ASOF join gave the same answer
	-- but sorted the events, whole rows, and was the costliest step.
	LEFT JOIN keys_spans k ON k.access_key_id = s.access_key_id
		AND s.event_time >= k.valid_from AND s.event_time < k.next_from
	LEFT JOIN hip h ON h.account_id = coalesce(s.identity_account_id, s.recipient_account_id) AND h.source_ip = s.source_ip
	LEFT JOIN inv_roles ir ON ir.account_id = s.identity_account_id AND ir.role_name = lower(s.role_name)
), r AS (
	SELECT *,
		CASE
			WHEN coalesce(identity_type, '') = '' THEN 'no-identity'
			WHEN identity_type = 'IAMUser' THEN 'iam-user'
			WHEN identity_type = 'Root' THEN 'root'
			WHEN identity_type = 'AWSService' THEN 'aws-service'
			WHEN identity_type = 'AWSAccount' THEN 'aws-account'
			WHEN identity_type = 'FederatedUser' THEN 'federated-user'
			WHEN identity_type = 'IdentityCenterUser' THEN 'identity-center'
			WHEN identity_type IN ('SAMLUser', 'WebIdentityUser') THEN 'federation'
			WHEN identity_type <> 'AssumedRole' THEN 'unknown-type'
			WHEN source_identity IS NOT NULL AND source_identity <> '' THEN 'source-identity'
			WHEN coalesce(key_ok, false) AND k_link = 'issued' THEN 'key'
			WHEN coalesce(m.role_ok, false) THEN 'session-name'
			WHEN coalesce(key_ok, false) AND k_link <> 'seen' THEN 'key'
			WHEN regexp_full_match(session_name, '{{EC2}}') THEN 'ec2'
			WHEN starts_with(role_name, 'AWSReservedSSO_') AND session_name IS NOT NULL THEN 'sso'
			WHEN m IS NOT NULL AND NOT m.role_known THEN 'session-name'
			WHEN user_agent LIKE '%exec-env/AWS\_Lambda%' ESCAPE '\' AND session_name IS NOT NULL THEN 'lambda'
			WHEN coalesce(key_ok, false) AND k_link = 'seen' AND k_kind = 'lambda-function' THEN 'lambda'
			WHEN regexp_full_match(session_name, '{{ECS}}')
				OR (user_agent LIKE '%exec-env/AWS\_ECS%' ESCAPE '\' AND session_name IS NOT NULL)
				OR (coalesce(key_ok, false) AND k_link = 'seen' AND k_kind = 'ecs-task') THEN 'ecs'
			-- The service is the actor unless the session's own calls used
			-- the key too: then it called on the session's behalf.
			WHEN invoked_by IS NOT NULL AND NOT (coalesce(key_ok, false) AND k_link = 'seen') THEN 'invoked-by'
			WHEN regexp_full_match(session_name, '{{EMAIL}}') THEN 'email'
			ELSE 'unattributed'
		END AS rule
	FROM j
), o AS (
	SELECT event_id,
		CASE rule
			WHEN 'iam-user' THEN 'iam-user'
			WHEN 'root' THEN 'root'
			WHEN 'aws-service' THEN 'aws-service'
			WHEN 'invoked-by' THEN 'aws-service'
			WHEN 'aws-account' THEN 'aws-account'
			WHEN 'federated-user' THEN 'federated-user'
			WHEN 'identity-center' THEN 'sso-user'
			WHEN 'sso' THEN 'sso-user'
			WHEN 'federation' THEN CASE identity_type WHEN 'SAMLUser' THEN 'saml-user' ELSE 'web-identity-user' END
			WHEN 'source-identity' THEN CASE WHEN session_name = 'SageMaker' OR role_name ILIKE '%sagemaker%'
					OR (coalesce(key_ok, false) AND k_kind = 'studio-user-profile')
				THEN 'studio-user-profile' ELSE 'source-identity' END
			WHEN 'key' THEN k_kind
			WHEN 'session-name' THEN 'notebook-instance'
			WHEN 'ec2' THEN 'ec2-instance'
			WHEN 'lambda' THEN 'lambda-function'
			WHEN 'ecs' THEN 'ecs-task'
			WHEN 'email' THEN 'person'
			ELSE 'unattributed'
		END AS actor_kind,
		CASE rule
			WHEN 'iam-user' THEN coalesce(user_name, regexp_extract(principal_arn, '[^/]+$'), principal_id)
			WHEN 'root' THEN coalesce(identity_account_id, recipient_account_id)
			WHEN 'aws-service' THEN coalesce(invoked_by, principal_id, event_source)
			WHEN 'invoked-by' THEN invoked_by
			WHEN 'aws-account' THEN coalesce(identity_account_id, principal_id)
			WHEN 'federated-user' THEN coalesce(nullif(regexp_extract(principal_arn, 'federated-user/(.+)$', 1), ''), user_name, principal_id)
			WHEN 'identity-center' THEN coalesce(nullif(user_name, ''), principal_id)
			WHEN 'federation' THEN coalesce(user_name, principal_id)
			WHEN 'source-identity' THEN source_identity
			WHEN 'key' THEN k_actor
			WHEN 'session-name' THEN m.name
			WHEN 'ec2' THEN session_name
			WHEN 'sso' THEN session_name
			WHEN 'lambda' THEN session_name
			WHEN 'ecs' THEN session_name
			WHEN 'email' THEN session_name
		END AS actor,
		CASE rule
			WHEN 'iam-user' THEN 'iam-user'
			WHEN 'root' THEN 'root'
			WHEN 'aws-service' THEN 'aws-service'
			WHEN 'invoked-by' THEN 'invoked-by'
			WHEN 'aws-account' THEN 'aws-account'
			WHEN 'federated-user' THEN 'federated-user'
			WHEN 'identity-center' THEN 'identity-center'
			WHEN 'federation' THEN 'federation'
			WHEN 'source-identity' THEN 'source-identity'
			WHEN 'key' THEN 'access-key-chain'
			WHEN 'session-name' THEN 'session-name'
			WHEN 'ec2' THEN 'ec2-instance-id'
			WHEN 'sso' THEN 'sso-role-session'
			WHEN 'lambda' THEN 'lambda-function-name'
			WHEN 'ecs' THEN 'ecs-task-id'
			WHEN 'email' THEN 'email-session-name'
			ELSE 'none'
		END AS method,
		CASE rule
			WHEN 'key' THEN k_conf
			WHEN 'session-name' THEN CASE WHEN m.role_ok AND m.same_region THEN 'high' ELSE 'medium' END
			WHEN 'ec2' THEN CASE WHEN ec2_role_delivery IS NOT NULL THEN 'high' ELSE 'medium' END
			WHEN 'aws-account' THEN 'medium'
			WHEN 'federation' THEN 'medium'
			WHEN 'lambda' THEN 'medium'
			WHEN 'ecs' THEN 'medium'
			WHEN 'email' THEN 'medium'
			WHEN 'invoked-by' THEN 'medium'
			WHEN 'unattributed' THEN 'low'
			WHEN 'no-identity' THEN 'low'
			WHEN 'unknown-type' THEN 'low'
			ELSE 'high'
		END AS confidence,
		CASE rule WHEN 'key' THEN k_account WHEN 'session-name' THEN m.account
			ELSE coalesce(identity_account_id, recipient_account_id) END AS account_id,
		CASE rule WHEN 'key' THEN k_region WHEN 'session-name' THEN m.region ELSE aws_region END AS region,
		CASE rule
			WHEN 'no-identity' THEN 'the record has no userIdentity'
			WHEN 'unknown-type' THEN 'userIdentity.type ' || identity_type || ' names no principal ctattrib attributes'
			WHEN 'unattributed' THEN CASE
				WHEN m IS NOT NULL AND m.role_known AND NOT m.role_ok THEN
					printf('session name %s is notebook instance %s in %s/%s, but the call used role %s, not its execution role %s: a different caller reusing the name',
						session_name, m.name, m.account, m.region, role_name, m.role)
				WHEN session_name = 'SageMaker' THEN
					'default SageMaker session: no AssumeRole in the data links key ' || coalesce(access_key_id, '(none)') ||
					' to an instance, so the notebook instance has no session-name lifecycle config (or the call came from a Studio app without sourceIdentity)' ||
					coalesce('; notebook instances on role ' || role_name || ': ' || role_notebooks, '')
				WHEN regexp_full_match(session_name, '{{BOTOCORE}}') THEN
					'session name ' || session_name || ' is botocore''s default (the caller set no role_session_name) and no AssumeRole in the data issued key ' || coalesce(access_key_id, '(none)')
				WHEN regexp_full_match(session_name, '{{SDK}}') THEN
					'session name ' || session_name || ' is an AWS SDK''s default (the caller set no session name) and no AssumeRole in the data issued key ' || coalesce(access_key_id, '(none)')
				WHEN session_name IS NULL THEN
					'assumed-role ARN ' || coalesce(principal_arn, '(none)') || ' has no session name'
				ELSE 'session name ' || session_name || ' on role ' || coalesce(role_name, '?') ||
					' matches no notebook instance, compute naming convention or AssumeRole in the data'
			END || CASE WHEN invoked_by IS NOT NULL
				THEN ' (' || invoked_by || ' made this call on the session''s behalf)' ELSE '' END
		END AS reason,
		concat_ws('; ',
			CASE WHEN rule = 'key' THEN k_note END,
			CASE WHEN person IS NOT NULL AND rule IN ('key', 'session-name', 'ec2', 'lambda', 'ecs')
				AND (CASE rule WHEN 'key' THEN k_kind WHEN 'session-name' THEN 'notebook-instance' ELSE 'compute' END)
					IN ('notebook-instance', 'ec2-instance', 'lambda-function', 'ecs-task', 'compute')
				THEN 'compute credentials used from ' || source_ip || ', an address ' || person ||
					CASE WHEN people > 1 THEN ' (and ' || (people - 1) || ' more people)' ELSE '' END ||
					' also used: possibly stolen credentials' END
		) AS note,
		CASE WHEN rule = 'key' THEN k_evidence
			-- A call another service made with the session's key: the
			-- session's own call that shows what it is.
			WHEN rule IN ('lambda', 'ecs') AND invoked_by IS NOT NULL AND coalesce(key_ok, false) AND k_link = 'seen'
				THEN k_evidence END AS evidence_event_id,
		event_time, event_source, event_name, error_code, identity_type, role_arn, session_name,
		recipient_account_id, aws_region
	FROM r
)
SELECT event_id, actor_kind, actor, method, confidence, account_id, region, reason, nullif(note, '') AS note, evidence_event_id,
	-- The event columns the reports filter and group by, carried along
	-- so that they need not join attributions to events whole.
	event_time, event_source, event_name, error_code, identity_type, role_arn, session_name,
	recipient_account_id, aws_region
FROM o`
