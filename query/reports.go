package query

// instancesSQL: one row per notebook instance per account and region.
//
// The inventory row of an instance is its current lifetime: the one with
// the latest created_at (names are reused after deletion). Its calls are
// the events attributed to it (actor_kind notebook-instance), within the
// --since/--until window; instances with no calls in the window are listed
// with zeros, and instances seen only in calls appear with an unknown
// lifecycle_config_attached.
//
// session_name_in_effect looks at calls made since the instance last
// started (last_started_at, else created_at; all calls for instances not
// in the inventory). A call carries the name when its session name is the
// instance name or attribution matched it by session name:
//
//	yes                  every call since the start carries the name
//	partial              some do
//	no                   none do (they were attributed by other means)
//	no calls since start nothing to judge by
//
// A lifecycle config that is attached but not in effect (no) is a finding:
// usually the config was attached while the instance ran and it has not
// been restarted, or the script failed. partial is a smaller one: the
// script works, but some process (one that does not read ec2-user's
// ~/.aws/config, or passes the instance credentials explicitly) still
// calls with the default session key.
func instancesSQL(p Params) (string, []any, error) {
	var inv filter
	if p.Account != "" {
		inv.add("account_id = ?", p.Account)
	}
	if p.Region != "" {
		inv.add("region = ?", p.Region)
	}
	var ev filter
	ev.add("e.actor_kind = 'notebook-instance'")
	eventFilter(&ev, p)
	args := append(append([]any{}, inv.args...), ev.args...)
	return `WITH inv AS (
	SELECT account_id, region, name, lifecycle_config_name,
		coalesce(last_started_at, created_at) AS started_at
	FROM notebook_instances
	WHERE ` + inv.and() + `
	QUALIFY row_number() OVER (PARTITION BY account_id, region, name
		ORDER BY created_at DESC NULLS LAST, last_started_at DESC NULLS LAST) = 1
), per_action AS (
	-- Aggregating per action first keeps distinct_actions a plain count.
	SELECT e.account_id, e.region, e.actor AS name, e.event_source, e.event_name,
		count(*) AS calls,
		count(e.error_code) AS errors,
		count(*) FILTER (WHERE ` + deniedCond + `) AS denied,
		min(e.event_time) AS first_seen,
		max(e.event_time) AS last_seen,
		count(*) FILTER (WHERE e.event_time >= coalesce(i.started_at, '-infinity'::TIMESTAMPTZ)) AS since_start,
		count(*) FILTER (WHERE e.event_time >= coalesce(i.started_at, '-infinity'::TIMESTAMPTZ)
			AND (e.session_name = e.actor OR e.method = 'session-name')) AS named_since_start
	-- Attributions carry the event columns this needs: no join to events.
	FROM (SELECT *, account_id AS recipient_account_id, region AS aws_region FROM attributions) e
	LEFT JOIN inv i ON i.account_id = e.account_id AND i.region = e.region AND i.name = e.actor
	WHERE ` + ev.and() + `
	GROUP BY ALL
), stats AS (
	SELECT account_id, region, name,
		sum(calls)::BIGINT AS calls, sum(errors)::BIGINT AS errors, sum(denied)::BIGINT AS denied,
		count(*) AS distinct_actions,
		min(first_seen) AS first_seen, max(last_seen) AS last_seen,
		sum(since_start)::BIGINT AS since_start, sum(named_since_start)::BIGINT AS named_since_start
	FROM per_action
	GROUP BY account_id, region, name
), joined AS (
	SELECT coalesce(i.account_id, s.account_id) AS account_id,
		coalesce(i.region, s.region) AS region,
		coalesce(i.name, s.name) AS instance,
		coalesce(s.calls, 0) AS calls,
		coalesce(s.errors, 0) AS errors,
		coalesce(s.denied, 0) AS denied,
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
SELECT account_id, region, instance, calls, errors, denied, distinct_actions,
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
ORDER BY account_id, region, instance`, args, nil
}

// coverageSQL: per account and execution role, how many assumed-role calls
// attribution explained. A call counts as attributed when it has an
// attribution whose actor_kind is not 'unattributed'; calls that attribution
// has not seen yet count as unattributed. Roles that only appear in the
// inventory (instances that made no call in the window) are listed too, so
// the rollout list is complete.
func coverageSQL(p Params) (string, []any, error) {
	var ev filter
	ev.add("e.identity_type = 'AssumedRole'")
	eventFilter(&ev, p)
	var inv filter
	inv.add("deleted_at IS NULL")
	if p.Account != "" {
		inv.add("account_id = ?", p.Account)
	}
	if p.Region != "" {
		inv.add("region = ?", p.Region)
	}
	args := append(append([]any{}, ev.args...), inv.args...)
	return `WITH ev_reasons AS (
	SELECT e.recipient_account_id AS account_id, e.role_arn,
		count(*) AS calls,
		count(*) FILTER (WHERE a.actor_kind IS NOT NULL AND a.actor_kind <> 'unattributed') AS attributed,
		-- The most frequent reason; of equally frequent ones, the first in
		-- text order, so that the answer does not depend on row order.
		(list(coalesce(a.reason, 'not attributed yet') ORDER BY coalesce(a.reason, 'not attributed yet'))
			FILTER (WHERE a.actor_kind IS NULL OR a.actor_kind = 'unattributed')) AS unattributed_reasons
	FROM events e LEFT JOIN attributions a ON a.event_id = e.event_id
	WHERE ` + ev.and() + `
	GROUP BY e.recipient_account_id, e.role_arn
), ev AS (
	SELECT account_id, role_arn, calls, attributed,
		(SELECT r FROM (SELECT unnest(unattributed_reasons) AS r) GROUP BY r ORDER BY count(*) DESC, r LIMIT 1)
			AS top_unattributed_reason
	FROM ev_reasons
), inv AS (
	SELECT account_id, region, name, role_arn, lifecycle_config_name
	FROM notebook_instances
	WHERE ` + inv.and() + `
	QUALIFY row_number() OVER (PARTITION BY account_id, region, name
		ORDER BY created_at DESC NULLS LAST, last_started_at DESC NULLS LAST) = 1
), roles AS (
	SELECT account_id, role_arn,
		count(*) AS instances,
		string_agg(name, ', ' ORDER BY name) FILTER (WHERE lifecycle_config_name IS NULL) AS instances_without_config
	FROM inv
	WHERE role_arn IS NOT NULL
	GROUP BY account_id, role_arn
)
SELECT coalesce(ev.account_id, r.account_id) AS account_id,
	coalesce(ev.role_arn, r.role_arn) AS role_arn,
	coalesce(ev.calls, 0) AS calls,
	coalesce(ev.attributed, 0) AS attributed,
	coalesce(ev.calls - ev.attributed, 0) AS unattributed,
	CASE WHEN ev.calls > 0 THEN round(ev.attributed / ev.calls, 4) END AS attributed_share,
	coalesce(r.instances, 0) AS instances,
	r.instances_without_config,
	ev.top_unattributed_reason
FROM ev FULL JOIN roles r ON r.account_id = ev.account_id AND r.role_arn = ev.role_arn
ORDER BY unattributed DESC, account_id, role_arn NULLS LAST`, args, nil
}
