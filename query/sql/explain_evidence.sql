-- The evidence of the calls explain was asked about ($ids), one row per
-- link of each chain, in chain order (pos), with the fields the "proves"
-- sentences are built from.
WITH chain AS (
	SELECT a.event_id AS explained_id, a.event_time AS explained_time,
		a.account_id AS actor_account_id, a.region AS actor_region, a.actor, a.actor_kind,
		unnest(a.evidence) AS evidence_id,
		generate_subscripts(a.evidence, 1) AS pos
	FROM attributions a
	WHERE list_contains($ids, a.event_id)
), ev AS (
	-- Only the evidence events: a handful, whatever the size of the table.
	SELECT e.*
	FROM events e
	WHERE e.event_id IN (SELECT evidence_id FROM chain)
	QUALIFY row_number() OVER (PARTITION BY e.event_id ORDER BY e.event_time) = 1
), life AS (
	-- The notebook lifetime a link rests on: for a lifecycle event, the
	-- CloudTrail lifetime of its instance that holds the event; for the
	-- pseudo-ids inventory:api, inventory:csv and inventory:cloudtrail, the
	-- actor's lifetime from that inventory that holds the explained call.
	SELECT c.explained_id, c.pos, n.name, n.role_arn, n.lifecycle_config_name,
		n.created_at, n.deleted_at, n.source
	FROM chain c
	LEFT JOIN notebook_events ne ON ne.event_id = c.evidence_id
	JOIN notebook_instances n ON CASE
		WHEN c.evidence_id IN ('inventory:api', 'inventory:csv', 'inventory:cloudtrail') THEN
			n.source = substr(c.evidence_id, 11)
			AND n.account_id = c.actor_account_id AND n.region = c.actor_region AND n.name = c.actor
			AND (n.created_at IS NULL OR n.created_at <= c.explained_time)
			AND (n.deleted_at IS NULL OR n.deleted_at >= c.explained_time)
		ELSE
			n.source = 'cloudtrail'
			AND n.account_id = ne.account_id AND n.region = ne.region AND n.name = ne.name
			AND (n.created_at IS NULL OR n.created_at <= ne.event_time)
			AND (n.deleted_at IS NULL OR n.deleted_at >= ne.event_time)
		END
	QUALIFY row_number() OVER (PARTITION BY c.explained_id, c.pos
		ORDER BY n.created_at DESC NULLS LAST, n.deleted_at DESC NULLS FIRST) = 1
), comp AS (
	-- The SageMaker compute spans a link rests on (compute_resources): the
	-- spans a Create or Update event started, or for inventory:api and
	-- inventory:csv the actor's spans from that source that hold the call.
	SELECT c.explained_id, c.pos,
		string_agg(cr.kind || ' ' || cr.name || coalesce(' (' || cr.part || ')', '') || ' on role ' || coalesce(cr.role_arn, '(unknown)')
			|| ', ' || coalesce(strftime(cr.created_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ'), 'from before the trail starts')
			|| CASE WHEN cr.ended_at IS NULL THEN ', still running'
				ELSE ' to ' || strftime(cr.ended_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') || coalesce(' (' || cr.ended_by || ')', '') END,
			'; ' ORDER BY cr.part) AS compute_words
	FROM chain c
	JOIN compute_resources cr ON CASE
		WHEN c.evidence_id IN ('inventory:api', 'inventory:csv') THEN
			cr.source = substr(c.evidence_id, 11) AND cr.kind = c.actor_kind
			AND cr.account_id = c.actor_account_id AND cr.region = c.actor_region AND cr.name = c.actor
			AND (cr.created_at IS NULL OR cr.created_at <= c.explained_time + INTERVAL 10 MINUTE)
			AND (cr.ended_at IS NULL OR cr.ended_at >= c.explained_time - INTERVAL 10 MINUTE)
		ELSE cr.source = 'cloudtrail' AND cr.event_id = c.evidence_id
		END
	GROUP BY c.explained_id, c.pos
)
SELECT c.explained_id, c.pos, c.evidence_id, c.actor_account_id, c.actor_region,
	e.event_id IS NOT NULL AS found,
	e.event_time, e.recipient_account_id AS account_id, e.aws_region AS region,
	e.event_source, e.event_name, e.identity_type, e.principal_arn, e.user_name,
	e.access_key_id, e.session_name, e.role_arn, e.invoked_by, e.source_ip,
	e.user_agent, e.ec2_role_delivery, e.error_code,
	ar.target_role_arn, ar.target_session, ar.issued_key, ar.expiration_text,
	ar.subject, ar.provider, ar.cluster, ar.namespace, ar.service_account, ar.pod,
	ne.name AS notebook, ne.role_arn AS notebook_role_arn, ne.lcc AS notebook_lcc,
	ne.lcc_removed AS notebook_lcc_removed, ne.instance_type AS notebook_instance_type,
	l.name AS life_name, l.role_arn AS life_role_arn, l.lifecycle_config_name AS life_lcc,
	l.created_at AS life_created_at, l.deleted_at AS life_deleted_at,
	l.source AS life_source, l.name IS NOT NULL AS life_found,
	cm.compute_words
FROM chain c
LEFT JOIN ev e ON e.event_id = c.evidence_id
LEFT JOIN (SELECT * FROM assume_role_fields WHERE event_id IN (SELECT evidence_id FROM chain)
	QUALIFY row_number() OVER (PARTITION BY event_id) = 1) ar ON ar.event_id = c.evidence_id
LEFT JOIN (SELECT * FROM notebook_events WHERE event_id IN (SELECT evidence_id FROM chain)
	QUALIFY row_number() OVER (PARTITION BY event_id) = 1) ne ON ne.event_id = c.evidence_id
LEFT JOIN life l ON l.explained_id = c.explained_id AND l.pos = c.pos
LEFT JOIN comp cm ON cm.explained_id = c.explained_id AND cm.pos = c.pos
ORDER BY c.explained_id, c.pos
