-- Rebuild the CloudTrail part of compute_resources from compute_events:
-- one row per span of time a resource, or one of its parts, ran on one
-- execution role.
--
-- A resource's lifetime starts at its Create and ends at the first
-- Delete or Stop before its next Create (a name reused after deletion is
-- a new lifetime); a job's lifetime ends at the latest when its stopping
-- condition stops it (a day when the request sets none, the API's
-- default; transform jobs have none, and a day is assumed). Updates and
-- deletes before any Create (the trail starts later than the resource)
-- make a lifetime with an unknown start.
--
-- Within a lifetime, each Create or Update starts a span per part it
-- sets: a HyperPod instance group (UpdateCluster lists the groups it
-- changes; the others keep running; instanceGroupsToDelete ends
-- some; a group scaled to 0 instances runs nothing), a Studio domain's
-- default user and space settings, a user profile's own settings. An
-- endpoint's span runs from a Create or Update to the next, on the roles
-- of the models its endpoint config serves; a transform job runs as its
-- model's role. A span ends at the next event that sets or deletes its
-- part, or at the end of the lifetime.
DELETE FROM compute_resources WHERE source = 'cloudtrail';
INSERT INTO compute_resources (account_id, region, kind, name, parent, part, arn, role_arn,
	created_at, ended_at, ended_by, source, event_id, life_from)
WITH ce AS (
	SELECT * FROM compute_events
	WHERE account_id IS NOT NULL AND region IS NOT NULL AND coalesce(name, '') <> ''
), cluster_arns AS (
	-- UpdateCluster and DeleteCluster may name a cluster by its ARN,
	-- which holds the cluster's id rather than its name.
	SELECT account_id, region, arn, arg_max(name, (event_time, event_id)) AS cluster_name
	FROM ce WHERE kind = 'hyperpod-cluster' AND op = 'create' AND arn IS NOT NULL GROUP BY ALL
), ev AS (
	SELECT ce.* REPLACE (CASE WHEN ce.kind = 'hyperpod-cluster' AND starts_with(ce.name, 'arn:')
		THEN coalesce(ca.cluster_name, regexp_extract(ce.name, '[^/]+$')) ELSE ce.name END AS name)
	FROM ce LEFT JOIN cluster_arns ca ON ce.kind = 'hyperpod-cluster' AND ca.account_id = ce.account_id
		AND ca.region = ce.region AND ca.arn = ce.name
	WHERE ce.kind NOT IN ('model', 'endpoint-config')
), creates AS (
	SELECT *, lead(event_time) OVER (PARTITION BY kind, account_id, region, parent, name
		ORDER BY event_time, event_id) AS next_create
	FROM ev WHERE op = 'create'
), firsts AS (
	SELECT kind, account_id, region, parent, name, min(event_time) AS first_create FROM creates GROUP BY ALL
), life AS (
	SELECT kind, account_id, region, parent, name, event_time AS created_at, next_create AS bound, arn,
		CASE WHEN kind IN ('training-job', 'processing-job', 'transform-job')
			THEN event_time + to_seconds(least(greatest(coalesce(max_runtime_s, 86400), 1), 315360000)) END AS max_end,
		CASE WHEN kind IN ('training-job', 'processing-job') AND max_runtime_s IS NOT NULL THEN 'stopping-condition'
			WHEN kind IN ('training-job', 'processing-job', 'transform-job') THEN 'assumed-maximum' END AS max_by
	FROM creates
	UNION ALL
	-- A job's Stop alone says nothing of its role: no lifetime.
	SELECT e.kind, e.account_id, e.region, e.parent, e.name, NULL, f.first_create, NULL, NULL, NULL
	FROM ev e LEFT JOIN firsts f USING (kind, account_id, region, parent, name)
	WHERE e.op <> 'create' AND e.kind NOT IN ('training-job', 'processing-job', 'transform-job')
		AND (f.first_create IS NULL OR e.event_time < f.first_create)
	GROUP BY ALL
), within AS (
	SELECT l.kind, l.account_id, l.region, l.parent, l.name, l.created_at, e.event_id, e.event_time,
		e.event_name, e.op, e.role_arn, e.ref, e.parts, e.deleted_parts
	FROM life l JOIN ev e ON e.kind = l.kind AND e.account_id = l.account_id AND e.region = l.region
		AND e.parent = l.parent AND e.name = l.name
		AND (l.created_at IS NULL OR e.event_time >= l.created_at)
		AND (l.bound IS NULL OR e.event_time < l.bound)
), ends AS (
	SELECT kind, account_id, region, parent, name, created_at,
		arg_min(struct_pack(t := event_time, by := event_name), (event_time, event_id)) AS e
	FROM within WHERE op = 'end' GROUP BY ALL
), lives AS (
	SELECT l.*, least(ends.e.t, l.max_end, l.bound) AS ended_at,
		CASE WHEN least(ends.e.t, l.max_end, l.bound) IS NULL THEN NULL
			WHEN least(ends.e.t, l.max_end, l.bound) = ends.e.t THEN ends.e.by
			WHEN least(ends.e.t, l.max_end, l.bound) = l.max_end THEN l.max_by
			ELSE 'recreated' END AS ended_by
	FROM life l LEFT JOIN ends ON ends.kind = l.kind AND ends.account_id = l.account_id
		AND ends.region = l.region AND ends.parent = l.parent AND ends.name = l.name
		AND ends.created_at IS NOT DISTINCT FROM l.created_at
), models AS (
	SELECT account_id, region, name AS model, event_time, role_arn
	FROM compute_events WHERE kind = 'model' AND op = 'create' AND name IS NOT NULL AND account_id IS NOT NULL AND region IS NOT NULL
), configs AS (
	SELECT account_id, region, name AS config, event_time, parts
	FROM compute_events WHERE kind = 'endpoint-config' AND op = 'create' AND name IS NOT NULL AND account_id IS NOT NULL AND region IS NOT NULL
), endpoint_gens AS (
	SELECT w.*, c.parts AS variants
	FROM (SELECT * FROM within WHERE kind = 'endpoint' AND op IN ('create', 'update')) w
	ASOF LEFT JOIN configs c ON c.account_id = w.account_id AND c.region = w.region AND c.config = w.ref
		AND c.event_time <= w.event_time
), endpoint_models AS (
	SELECT * EXCLUDE (v), v.model AS model
	FROM (SELECT *, unnest(CASE WHEN len(variants) > 0 THEN variants
		ELSE [struct_pack(part := NULL::VARCHAR, role := NULL::VARCHAR, count := NULL::BIGINT, model := NULL::VARCHAR)] END) AS v
		FROM endpoint_gens)
), sets AS (
	-- Instance groups and Studio settings: each part a Create or Update sets.
	SELECT w.kind, w.account_id, w.region, w.parent, w.name, w.created_at, w.event_id, w.event_time, w.event_name,
		p.part AS part_key, p.part, p.role AS role_arn, p.count
	FROM (SELECT *, unnest(parts) AS p FROM within
		WHERE kind IN ('hyperpod-cluster', 'studio-domain', 'studio-user-profile') AND op IN ('create', 'update')) w
	WHERE p.part IS NOT NULL
	UNION ALL
	SELECT kind, account_id, region, parent, name, created_at, event_id, event_time, event_name, '', NULL, role_arn, NULL
	FROM within WHERE kind IN ('training-job', 'processing-job') AND op = 'create'
	UNION ALL
	-- A transform job runs as the role of the model it names, as created
	-- last before the job.
	SELECT w.kind, w.account_id, w.region, w.parent, w.name, w.created_at, w.event_id, w.event_time, w.event_name,
		'', 'model ' || w.ref, m.role_arn, NULL
	FROM (SELECT * FROM within WHERE kind = 'transform-job' AND op = 'create') w
	ASOF LEFT JOIN models m ON m.account_id = w.account_id AND m.region = w.region AND m.model = w.ref
		AND m.event_time <= w.event_time
	UNION ALL
	-- An endpoint runs the models of its endpoint config, each as its
	-- model's role.
	SELECT w.kind, w.account_id, w.region, w.parent, w.name, w.created_at, w.event_id, w.event_time, w.event_name,
		'', 'model ' || coalesce(w.model, '?'), m.role_arn, NULL
	FROM endpoint_models w
	ASOF LEFT JOIN models m ON m.account_id = w.account_id AND m.region = w.region AND m.model = w.model
		AND m.event_time <= w.event_time
), touches AS (
	-- What ends a span: the next event that sets or deletes its part.
	SELECT DISTINCT kind, account_id, region, parent, name, created_at, part_key, event_time FROM sets
	UNION
	SELECT kind, account_id, region, parent, name, created_at, unnest(deleted_parts), event_time
	FROM within WHERE op = 'update' AND deleted_parts IS NOT NULL
	UNION
	-- An endpoint's Update replaces what it ran, even when its config
	-- is not in the data.
	SELECT kind, account_id, region, parent, name, created_at, '', event_time
	FROM within WHERE kind = 'endpoint' AND op IN ('create', 'update')
), spans AS (
	SELECT s.*, (SELECT min(t.event_time) FROM touches t
		WHERE t.kind = s.kind AND t.account_id = s.account_id AND t.region = s.region AND t.parent = s.parent
			AND t.name = s.name AND t.created_at IS NOT DISTINCT FROM s.created_at
			AND t.part_key = s.part_key AND t.event_time > s.event_time) AS next_touch
	FROM sets s
)
SELECT s.account_id, s.region, s.kind, s.name, s.parent, s.part, l.arn, s.role_arn,
	s.event_time,
	least(s.next_touch, l.ended_at),
	CASE WHEN s.next_touch IS NOT NULL AND s.next_touch <= coalesce(l.ended_at, 'infinity'::TIMESTAMPTZ)
		THEN 'update' ELSE l.ended_by END,
	'cloudtrail', s.event_id, s.created_at
FROM spans s
JOIN lives l ON l.kind = s.kind AND l.account_id = s.account_id AND l.region = s.region
	AND l.parent = s.parent AND l.name = s.name AND l.created_at IS NOT DISTINCT FROM s.created_at
-- A group scaled to no instances runs nothing.
WHERE coalesce(s.count, 1) > 0;
