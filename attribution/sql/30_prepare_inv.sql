-- The notebook inventory as attribution joins it: role names, and each
-- lifetime as a span of time.
CREATE OR REPLACE TEMP TABLE inv AS
SELECT account_id, region, name,
	CASE WHEN role_arn LIKE 'arn:%:role/%' THEN lower(regexp_extract(role_arn, '[^/]+$')) END AS role_name,
	CASE WHEN role_arn LIKE 'arn:%:role/%' THEN regexp_extract(role_arn, '[^/]+$') END AS role_display,
	lifecycle_config_name, created_at, deleted_at, source,
	-- What a call that matches the lifetime rests on: the event that
	-- defines it, or where the row came from.
	CASE source WHEN 'cloudtrail' THEN coalesce(event_id, 'inventory:cloudtrail') ELSE 'inventory:' || source END AS evidence,
	-- The lifetime, widened by ten minutes each side, as the span
	-- [live_from, live_until): two plain comparisons that a hash join
	-- checks. With an OR in its condition a left join was a nested loop.
	coalesce(created_at - INTERVAL 10 MINUTE, '-infinity'::TIMESTAMPTZ) AS live_from,
	coalesce(deleted_at + INTERVAL 10 MINUTE, 'infinity'::TIMESTAMPTZ) AS live_until
FROM notebook_instances;

-- Most names have one lifetime in their account: an event matches it or
-- not, and a plain join finds it. Only reused names (inv_multi) need the
-- best of several matches, a grouping by event that costs more than the
-- rest of the classification.
CREATE OR REPLACE TEMP TABLE inv_single AS
SELECT * FROM inv QUALIFY count(*) OVER (PARTITION BY account_id, name) = 1;

CREATE OR REPLACE TEMP TABLE inv_multi AS
SELECT * FROM inv QUALIFY count(*) OVER (PARTITION BY account_id, name) > 1;

-- A reused name's best lifetime for a call depends on the call's time,
-- role and region only, so it is decided here, once per time segment
-- (between consecutive lifetime bounds), role key and region key, and not
-- per event: choosing per event grouped every call on such a name and
-- ran out of memory on large corpora. A role or region key is one of the
-- name's lifetimes' own, or '' for any other; a call finds its keys in
-- inv_multi_roles and inv_multi_regions, then its one row here.
CREATE OR REPLACE TEMP TABLE inv_multi_roles AS
SELECT DISTINCT account_id, name, role_name FROM inv_multi WHERE role_name IS NOT NULL;

CREATE OR REPLACE TEMP TABLE inv_multi_regions AS
SELECT DISTINCT account_id, name, region FROM inv_multi;

CREATE OR REPLACE TEMP TABLE inv_multi_best AS
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
			same_region := gk.gk <> '' AND i.region = gk.gk, evidence := i.evidence),
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
GROUP BY seg.account_id, seg.name, seg.seg_from, seg.seg_until, rk.rk, gk.gk;

-- The notebooks on each role, which the reason of an unattributed default
-- SageMaker session lists.
CREATE OR REPLACE TEMP TABLE inv_roles AS
SELECT account_id, role_name,
	string_agg(DISTINCT name || CASE WHEN lifecycle_config_name IS NULL THEN ' (no lifecycle config)'
		ELSE ' (lifecycle config ' || lifecycle_config_name || ')' END, ', ' ORDER BY name || CASE WHEN lifecycle_config_name IS NULL THEN ' (no lifecycle config)'
		ELSE ' (lifecycle config ' || lifecycle_config_name || ')' END) AS names
FROM inv WHERE role_name IS NOT NULL GROUP BY ALL;
