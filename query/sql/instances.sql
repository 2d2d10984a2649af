-- instances: one row per notebook instance per account and region.
--
-- The inventory row of an instance is its current lifetime: the one with the
-- latest created_at (names are reused after deletion). Its calls are the
-- events attributed to it (actor_kind notebook-instance) in the window;
-- instances with no calls in the window are listed with zeros, and instances
-- seen only in calls appear with an unknown lifecycle_config_attached.
--
-- session_name_in_effect looks at calls made since the instance last started
-- (last_started_at, else created_at; all calls for instances not in the
-- inventory). A call carries the name when its session name is the instance
-- name or attribution matched it by session name:
--
--   yes                   every call since the start carries the name
--   partial               some do
--   no                    none do (they were attributed by other means)
--   no calls since start  nothing to judge by
--
-- A lifecycle config that is attached but not in effect (no) is a finding:
-- usually the config was attached while the instance ran and it has not been
-- restarted, or the script failed. partial is a smaller one: the script
-- works, but some process (one that does not read ec2-user's ~/.aws/config,
-- or passes the instance credentials explicitly) still calls with the
-- default session key.
--
-- findings counts the instance's calls that are credential-misuse findings
-- (query findings): its credentials used from elsewhere or after it ended.
--
-- Attributions carry the event columns this needs: it reads no events. The
-- calls since the instance last started are counted as all calls less those
-- before the start, so that only the second scan joins the inventory, and
-- only to keep the calls before the start: joining every call to its
-- instance to compare the times costs as much as the rest.
WITH inv AS (
	SELECT account_id, region, name, lifecycle_config_name,
		coalesce(last_started_at, created_at) AS started_at
	FROM notebook_instances
	WHERE true
	{{- template "current_lifetime" .Filter}}
), per_action AS (
	-- Aggregating per action first keeps distinct_actions a plain count.
	SELECT a.account_id, a.region, a.actor AS name, a.event_source, a.event_name,
		count(*) AS calls,
		count(a.error_code) AS errors,
		count(*) FILTER (WHERE {{template "denied" "a"}}) AS denied,
		count(a.finding) AS findings,
		min(a.event_time) AS first_seen,
		max(a.event_time) AS last_seen,
		count(*) FILTER (WHERE a.session_name = a.actor OR a.method = 'session-name') AS named
	FROM attributions a
	WHERE a.actor_kind = 'notebook-instance'
	{{- template "filter" on "a" .Filter}}
	GROUP BY ALL
), before_start AS (
	SELECT a.account_id, a.region, a.actor AS name,
		count(*) AS calls,
		count(*) FILTER (WHERE a.session_name = a.actor OR a.method = 'session-name') AS named
	FROM attributions a
	SEMI JOIN inv i ON i.account_id = a.account_id AND i.region = a.region AND i.name = a.actor
		AND a.event_time < i.started_at
	WHERE a.actor_kind = 'notebook-instance'
	{{- template "filter" on "a" .Filter}}
	GROUP BY ALL
), totals AS (
	SELECT account_id, region, name,
		sum(calls)::BIGINT AS calls, sum(errors)::BIGINT AS errors, sum(denied)::BIGINT AS denied,
		sum(findings)::BIGINT AS findings,
		count(*) AS distinct_actions,
		min(first_seen) AS first_seen, max(last_seen) AS last_seen,
		sum(named)::BIGINT AS named
	FROM per_action
	GROUP BY account_id, region, name
), stats AS (
	SELECT t.*,
		t.calls - coalesce(b.calls, 0) AS since_start,
		t.named - coalesce(b.named, 0) AS named_since_start
	FROM totals t LEFT JOIN before_start b
		ON b.account_id = t.account_id AND b.region = t.region AND b.name = t.name
), joined AS (
	SELECT coalesce(i.account_id, s.account_id) AS account_id,
		coalesce(i.region, s.region) AS region,
		coalesce(i.name, s.name) AS instance,
		coalesce(s.calls, 0) AS calls,
		coalesce(s.errors, 0) AS errors,
		coalesce(s.denied, 0) AS denied,
		coalesce(s.findings, 0) AS findings,
		coalesce(s.distinct_actions, 0) AS distinct_actions,
		s.first_seen, s.last_seen,
		CASE WHEN i.name IS NOT NULL THEN i.lifecycle_config_name IS NOT NULL END AS lifecycle_config_attached,
		CASE
			WHEN coalesce(s.since_start, 0) = 0 THEN 'no calls since start'
			WHEN s.named_since_start = s.since_start THEN 'yes'
			WHEN s.named_since_start = 0 THEN 'no'
			ELSE 'partial'
		END AS session_name_in_effect,
		coalesce(s.since_start, 0) AS calls_since_start,
		coalesce(s.named_since_start, 0) AS named_since_start,
		i.name IS NULL AS not_in_inventory
	FROM inv i FULL JOIN stats s
		ON i.account_id = s.account_id AND i.region = s.region AND i.name = s.name
)
SELECT account_id, region, instance, calls, errors, denied, findings, distinct_actions,
	first_seen, last_seen, lifecycle_config_attached, session_name_in_effect,
	calls_since_start, named_since_start,
	CASE
		WHEN not_in_inventory THEN 'not in inventory'
		WHEN lifecycle_config_attached AND session_name_in_effect = 'no'
			THEN 'lifecycle config attached but not in effect'
		WHEN lifecycle_config_attached AND session_name_in_effect = 'partial'
			THEN (calls_since_start - named_since_start) || ' calls since start bypassed the named profile (made with the default SageMaker session key)'
		WHEN NOT lifecycle_config_attached THEN 'no lifecycle config'
	END AS finding
FROM joined
ORDER BY account_id, region, instance
