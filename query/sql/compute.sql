-- compute: one row per lifetime of every SageMaker compute that runs with
-- an execution role (notebook instances, HyperPod clusters, training,
-- processing and transform jobs, endpoints, Studio domains and user
-- profiles), from every inventory source, with the calls attributed to it
-- in the window.
--
-- A lifetime's spans (compute_resources: one per part and role) are one
-- row: its roles and parts, when it started and ended (ended_at is NULL
-- while any part still runs; ended_by says what ended it: the event, the
-- job's stopping condition, an assumed maximum, or an update). Its calls
-- are the attributions to it between its start and end, widened by the
-- ten minutes attribution allows.
--
-- attributable and how say whether a call of each kind can be tied to
-- the one resource and by what: a notebook instance and a Studio user
-- profile name their calls (a session-name lifecycle config, sourceIdentity);
-- the others are known only while they are the one compute on their role.
WITH res AS (
	SELECT kind, account_id, region, parent, name, life_from,
		-- A role that is no role ARN (a malformed request) is no role.
		string_agg(DISTINCT regexp_extract(role_arn, ':role/(?:.*/)?([^/]+)$', 1), ', '
			ORDER BY regexp_extract(role_arn, ':role/(?:.*/)?([^/]+)$', 1)) FILTER (WHERE role_arn LIKE 'arn:%:role/%') AS role,
		string_agg(DISTINCT part, ', ' ORDER BY part) AS parts,
		min(created_at) AS started_at,
		CASE WHEN bool_or(ended_at IS NULL) THEN NULL ELSE max(ended_at) END AS ended_at,
		CASE WHEN NOT bool_or(ended_at IS NULL) THEN arg_max(ended_by, ended_at) END AS ended_by,
		string_agg(DISTINCT source, ', ' ORDER BY source) AS source
	FROM compute_resources
	WHERE true
	{{- if .Account}}
		AND account_id = $account
	{{- end}}
	{{- if .Region}}
		AND region = $region
	{{- end}}
	GROUP BY kind, account_id, region, parent, name, life_from
	UNION ALL
	SELECT 'notebook-instance', account_id, region, '', name, created_at,
		CASE WHEN role_arn LIKE 'arn:%:role/%' THEN regexp_extract(role_arn, '[^/]+$') END,
		CASE WHEN lifecycle_config_name IS NULL THEN 'no lifecycle config' ELSE 'lifecycle config ' || lifecycle_config_name END,
		created_at, deleted_at, CASE WHEN deleted_at IS NOT NULL THEN 'DeleteNotebookInstance' END, source
	FROM notebook_instances
	WHERE true
	{{- if .Account}}
		AND account_id = $account
	{{- end}}
	{{- if .Region}}
		AND region = $region
	{{- end}}
), calls AS (
	SELECT a.actor_kind, a.account_id, a.region, a.actor, a.event_time, a.method
	FROM attributions a
	WHERE a.actor_kind IN ('notebook-instance', 'hyperpod-cluster', 'training-job', 'processing-job',
		'transform-job', 'endpoint', 'studio-domain', 'studio-user-profile')
	{{- template "filter" on "a" .Filter}}
)
SELECT r.kind, CASE WHEN r.parent <> '' THEN r.parent || '/' ELSE '' END || r.name AS name,
	r.account_id, r.region, r.role, r.parts, r.started_at, r.ended_at, r.ended_by, r.source,
	count(c.event_time) AS calls,
	count(c.event_time) FILTER (WHERE c.method = 'sole-compute-on-role') AS calls_sole_on_role,
	max(c.event_time) AS last_seen,
	CASE WHEN r.kind IN ('notebook-instance', 'studio-user-profile') THEN 'yes' ELSE 'when alone on its role' END AS attributable,
	CASE r.kind
		WHEN 'notebook-instance' THEN 'session-name with a session-name lifecycle config (ctattrib lifecycle apply), its default key''s AssumeRole; else sole-compute-on-role'
		WHEN 'studio-user-profile' THEN 'source-identity (ctattrib lifecycle studio); else sole-compute-on-role'
		WHEN 'studio-domain' THEN 'sole-compute-on-role; sourceIdentity (ctattrib lifecycle studio) names each user profile instead'
		WHEN 'hyperpod-cluster' THEN 'sole-compute-on-role; node session names (ctattrib lifecycle hyperpod) name each node'
		ELSE 'sole-compute-on-role: give it an execution role no other compute runs with'
	END AS how
FROM res r
LEFT JOIN calls c ON c.actor_kind = r.kind AND c.account_id = r.account_id AND c.region = r.region AND c.actor = r.name
	AND (r.started_at IS NULL OR c.event_time >= r.started_at - INTERVAL 10 MINUTE)
	AND (r.ended_at IS NULL OR c.event_time < r.ended_at + INTERVAL 10 MINUTE)
GROUP BY ALL
ORDER BY r.account_id, r.region, r.kind, name, r.started_at NULLS FIRST
