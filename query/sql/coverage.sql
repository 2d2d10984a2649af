-- coverage: per account and execution role, how many assumed-role calls
-- attribution explained. A call counts as attributed when it has an
-- attribution whose actor_kind is not 'unattributed'; calls attribution has
-- not seen yet count as unattributed. Roles that only appear in the
-- inventory (instances that made no call in the window) are listed too, so
-- the rollout list is complete. findings counts the calls that are
-- credential-misuse findings (query findings).
WITH calls AS (
	-- One row per role and reason: few, however many the calls.
	SELECT account_id, role_arn,
		coalesce(actor_kind <> 'unattributed', false) AS attributed,
		CASE WHEN actor_kind IS NULL OR actor_kind = 'unattributed'
			THEN coalesce(reason, 'not attributed yet') END AS reason,
		count(*) AS n,
		count(finding) AS findings
	FROM (
		-- Attributions carry the event columns: only when some events have
		-- none yet are the events read, for those events alone.
		SELECT a.recipient_account_id AS account_id, a.role_arn, a.actor_kind, a.reason, a.finding
		FROM attributions a
		WHERE a.identity_type = 'AssumedRole'
		{{- template "filter" on "a" .Filter}}
		{{- if .Pending}}
		UNION ALL
		SELECT e.recipient_account_id, e.role_arn, NULL, NULL, NULL
		FROM events e
		WHERE e.identity_type = 'AssumedRole'
		{{- template "filter" on "e" .Filter}}
			AND NOT EXISTS (SELECT 1 FROM attributions x WHERE x.event_id = e.event_id)
		{{- end}}
	)
	GROUP BY ALL
), ev AS (
	SELECT account_id, role_arn,
		sum(n)::BIGINT AS calls,
		coalesce(sum(n) FILTER (WHERE attributed), 0)::BIGINT AS attributed,
		sum(findings)::BIGINT AS findings,
		-- The most frequent reason; of equally frequent ones, the first in
		-- text order, so that the answer does not depend on row order.
		arg_min(reason, (-n, reason)) FILTER (WHERE NOT attributed) AS top_unattributed_reason
	FROM calls
	GROUP BY account_id, role_arn
), inv AS (
	SELECT account_id, region, name, role_arn, lifecycle_config_name
	FROM notebook_instances
	WHERE deleted_at IS NULL
	{{- template "current_lifetime" .Filter}}
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
	coalesce(ev.findings, 0) AS findings,
	coalesce(r.instances, 0) AS instances,
	r.instances_without_config,
	ev.top_unattributed_reason
FROM ev FULL JOIN roles r ON r.account_id = ev.account_id AND r.role_arn = ev.role_arn
ORDER BY unattributed DESC, account_id, role_arn NULLS LAST
