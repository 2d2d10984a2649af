-- Every SageMaker compute that runs with an execution role, notebook
-- instances included, as spans on its role: the candidates for a call
-- under the role's default SageMaker session. Widened by ten minutes each
-- side, as notebook lifetimes are.
CREATE OR REPLACE TEMP TABLE comp AS
SELECT account_id, region, kind, name, parent, part,
	lower(regexp_extract(role_arn, '[^/]+$')) AS role_name,
	coalesce(created_at - INTERVAL 10 MINUTE, '-infinity'::TIMESTAMPTZ) AS live_from,
	coalesce(ended_at + INTERVAL 10 MINUTE, 'infinity'::TIMESTAMPTZ) AS live_until,
	CASE source WHEN 'cloudtrail' THEN coalesce(event_id, 'inventory:cloudtrail') ELSE 'inventory:' || source END AS evidence
FROM compute_resources
WHERE role_arn LIKE 'arn:%:role/%' AND (created_at IS NULL OR ended_at IS NULL OR ended_at >= created_at)
UNION ALL
SELECT account_id, region, 'notebook-instance', name, '',
	CASE WHEN lifecycle_config_name IS NULL THEN 'no lifecycle config' ELSE 'lifecycle config ' || lifecycle_config_name END,
	role_name, live_from, live_until, evidence
FROM inv WHERE role_name IS NOT NULL;

-- The candidates on each role, per stretch of time between consecutive
-- span bounds, so that a call finds its one row by role and time: how
-- many resources were alive, which ones (a reason names them all), what
-- would tell their kinds apart, and the one resource when there is one.
CREATE OR REPLACE TEMP TABLE comp_segs AS
WITH b AS (
	SELECT account_id, role_name, live_from AS t FROM comp
	UNION SELECT account_id, role_name, live_until FROM comp
), seg AS (
	SELECT account_id, role_name, t AS seg_from,
		lead(t) OVER (PARTITION BY account_id, role_name ORDER BY t) AS seg_until
	FROM b
), alive AS (
	SELECT seg.*, c.region, c.kind, c.name, c.parent, c.part, c.evidence
	FROM seg JOIN comp c ON c.account_id = seg.account_id AND c.role_name = seg.role_name
		AND c.live_from <= seg.seg_from AND seg.seg_until <= c.live_until
	WHERE seg.seg_until IS NOT NULL
), res AS (
	-- One row per resource: a cluster's groups on one role are one
	-- candidate.
	SELECT account_id, role_name, seg_from, seg_until, region, kind, name, parent,
		string_agg(DISTINCT part, ', ' ORDER BY part) AS parts,
		list(DISTINCT evidence ORDER BY evidence) AS evidence,
		-- What would tell this kind apart from the others.
		CASE
			WHEN kind = 'notebook-instance' THEN 'a session-name lifecycle config on each notebook instance (ctattrib lifecycle apply)'
			WHEN kind = 'hyperpod-cluster' THEN 'node session names on each cluster (ctattrib lifecycle hyperpod)'
			WHEN kind LIKE 'studio-%' THEN 'sourceIdentity from the Studio domain (ctattrib lifecycle studio)'
			ELSE 'an execution role of its own for each job and endpoint' END AS apart
	FROM alive GROUP BY ALL
)
SELECT account_id, role_name, seg_from, seg_until, count(*) AS n,
	arg_min(struct_pack(kind := kind, name := name, account := account_id, region := region,
		note := CASE WHEN kind = 'studio-user-profile' THEN 'domain ' || parent
			WHEN kind <> 'notebook-instance' AND parts <> '' THEN parts END,
		evidence := evidence), (kind, name)) AS sole,
	string_agg(kind || ' ' || CASE WHEN parent <> '' THEN parent || '/' ELSE '' END || name || ' (' || region
		|| CASE WHEN coalesce(parts, '') <> '' THEN ', ' || parts ELSE '' END || ')', ', '
		ORDER BY kind, parent, name, region) AS candidates,
	string_agg(DISTINCT apart, '; ' ORDER BY apart) AS apart
FROM res
GROUP BY account_id, role_name, seg_from, seg_until;
