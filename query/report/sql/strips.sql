-- strips: the calls, errors, denials and findings of each compute per
-- bucket of $width seconds, for the $top computes of each group (notebook
-- instances; other compute) with the most calls in the window. Ties go to
-- the first in account, region and name order, so the answer does not
-- depend on row order.
WITH per AS (
	SELECT a.actor_kind AS kind, coalesce(a.account_id, '') AS account_id,
		coalesce(a.region, '') AS region, a.actor,
		time_bucket(to_seconds($width), a.event_time) AS bucket,
		count(*) AS calls,
		count(a.error_code) AS errors,
		count(*) FILTER (WHERE {{template "denied" "a"}}) AS denied,
		count(a.finding) AS findings
	FROM attributions a
	WHERE a.actor_kind IN ('notebook-instance', 'studio-user-profile', 'ec2-instance', 'lambda-function', 'ecs-task')
		AND a.actor IS NOT NULL AND a.event_time IS NOT NULL
	{{- template "filter" on "a" .Filter}}
	GROUP BY ALL
), ranked AS (
	SELECT kind, account_id, region, actor,
		row_number() OVER (PARTITION BY kind = 'notebook-instance'
			ORDER BY sum(calls) DESC, account_id, region, kind, actor) AS rank
	FROM per
	GROUP BY kind, account_id, region, actor
)
SELECT p.kind, p.account_id, p.region, p.actor, p.bucket, p.calls, p.errors, p.denied, p.findings
FROM per p JOIN ranked r USING (kind, account_id, region, actor)
WHERE r.rank <= $top
ORDER BY p.kind, p.account_id, p.region, p.actor, p.bucket
