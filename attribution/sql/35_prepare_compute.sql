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

-- One row per resource, role and stretch of time it ran on the role: its
-- parts' spans on the role merged, so that a cluster whose groups share a
-- role counts once. rid numbers the resources.
CREATE OR REPLACE TEMP TABLE comp_rid AS
SELECT *, dense_rank() OVER (ORDER BY account_id, region, kind, parent, name) AS rid FROM comp;

CREATE OR REPLACE TEMP TABLE comp_res AS
WITH g AS (
	SELECT *, max(live_until) OVER (PARTITION BY account_id, role_name, rid ORDER BY live_from, live_until
		ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_until
	FROM comp_rid
), isl AS (
	SELECT *, sum(CASE WHEN prev_until >= live_from THEN 0 ELSE 1 END) OVER (PARTITION BY account_id, role_name, rid
		ORDER BY live_from, live_until ROWS UNBOUNDED PRECEDING) AS island
	FROM g
)
SELECT account_id, role_name, rid, island, any_value(region) AS region, any_value(kind) AS kind,
	any_value(name) AS name, any_value(parent) AS parent, min(live_from) AS live_from, max(live_until) AS live_until,
	string_agg(DISTINCT part, ', ' ORDER BY part) AS parts,
	list(DISTINCT evidence ORDER BY evidence) AS evidence
FROM isl GROUP BY account_id, role_name, rid, island;

-- The candidates on each role, per stretch of time between consecutive
-- bounds, so that a call finds its one row by role and time: how many
-- resources were alive, the one when there is one, and for a few (at most
-- ten) which ones and what would tell their kinds apart. A sweep over the
-- bounds counts them (n) and, where one is left, names it (the running sum
-- of resource numbers is its number): listing every stretch's candidates
-- joined each stretch with every resource on its role and ran out of
-- memory on roles that hundreds of jobs share.
CREATE OR REPLACE TEMP TABLE comp_segs AS
WITH d AS (
	SELECT account_id, role_name, live_from AS t, 1 AS dn, rid AS drid FROM comp_res
	UNION ALL
	SELECT account_id, role_name, live_until, -1, -rid FROM comp_res
	-- Every span's bounds too, so that each stretch lies within the
	-- spans it overlaps and its evidence is theirs.
	UNION ALL
	SELECT account_id, role_name, live_from, 0, 0 FROM comp_rid
	UNION ALL
	SELECT account_id, role_name, live_until, 0, 0 FROM comp_rid
), pts AS (
	SELECT account_id, role_name, t, sum(dn) AS dn, sum(drid) AS drid FROM d GROUP BY ALL
), sw AS (
	SELECT account_id, role_name, t AS seg_from,
		lead(t) OVER (PARTITION BY account_id, role_name ORDER BY t) AS seg_until,
		sum(dn) OVER (PARTITION BY account_id, role_name ORDER BY t ROWS UNBOUNDED PRECEDING) AS n,
		sum(drid) OVER (PARTITION BY account_id, role_name ORDER BY t ROWS UNBOUNDED PRECEDING) AS sole_rid
	FROM pts
), segs AS (
	SELECT * FROM sw WHERE n > 0 AND seg_until IS NOT NULL
), few AS (
	SELECT s.account_id, s.role_name, s.seg_from, c.region, c.kind, c.name, c.parent, c.parts,
		CASE
			WHEN c.kind = 'notebook-instance' THEN 'a session-name lifecycle config on each notebook instance (ctattrib lifecycle apply)'
			WHEN c.kind = 'hyperpod-cluster' THEN 'node session names on each cluster (ctattrib lifecycle hyperpod)'
			WHEN c.kind LIKE 'studio-%' THEN 'sourceIdentity from the Studio domain (ctattrib lifecycle studio)'
			ELSE 'an execution role of its own for each job and endpoint' END AS apart
	FROM (SELECT * FROM segs WHERE n BETWEEN 2 AND 10) s
	JOIN comp_res c ON c.account_id = s.account_id AND c.role_name = s.role_name
		AND c.live_from <= s.seg_from AND s.seg_until <= c.live_until
), sole AS (
	-- The one resource's spans that hold the stretch: its parts then, and
	-- the events that put them on the role.
	SELECT s.account_id, s.role_name, s.seg_from,
		any_value(c.kind) AS kind, any_value(c.name) AS name, any_value(c.region) AS region, any_value(c.parent) AS parent,
		string_agg(DISTINCT c.part, ', ' ORDER BY c.part) AS parts,
		list(DISTINCT c.evidence ORDER BY c.evidence) AS evidence
	FROM (SELECT * FROM segs WHERE n = 1) s
	JOIN comp_rid c ON c.rid = s.sole_rid AND c.account_id = s.account_id AND c.role_name = s.role_name
		AND c.live_from <= s.seg_from AND s.seg_until <= c.live_until
	GROUP BY ALL
), listed AS (
	SELECT account_id, role_name, seg_from,
		string_agg(kind || ' ' || CASE WHEN parent <> '' THEN parent || '/' ELSE '' END || name || ' (' || region
			|| CASE WHEN coalesce(parts, '') <> '' THEN ', ' || parts ELSE '' END || ')', ', '
			ORDER BY kind, parent, name, region) AS candidates,
		string_agg(DISTINCT apart, '; ' ORDER BY apart) AS apart
	FROM few GROUP BY ALL
)
SELECT s.account_id, s.role_name, s.seg_from, s.seg_until, s.n,
	CASE WHEN s.n = 1 THEN struct_pack(kind := c.kind, name := c.name, account := c.account_id, region := c.region,
		note := CASE WHEN c.kind = 'studio-user-profile' THEN 'domain ' || c.parent
			WHEN c.kind <> 'notebook-instance' AND c.parts <> '' THEN c.parts END,
		evidence := c.evidence) END AS sole,
	coalesce(l.candidates, 'too many to list here; ctattrib query compute --account ' || s.account_id || ' lists them') AS candidates,
	coalesce(l.apart, 'an execution role of its own for each kind of work, a session-name lifecycle config on notebook instances, node session names on HyperPod clusters, sourceIdentity from Studio') AS apart
FROM segs s
LEFT JOIN sole c ON c.account_id = s.account_id AND c.role_name = s.role_name AND c.seg_from = s.seg_from
LEFT JOIN listed l ON l.account_id = s.account_id AND l.role_name = s.role_name AND l.seg_from = s.seg_from;
