-- methods: the window's attributions by method, unattributed calls as
-- their own method; assumed_role counts those made under an assumed role,
-- the calls the lifecycle roll-out is about (every other identity type
-- names its principal). Events attribution has not processed yet have no
-- row here: the report counts them as the events less these.
SELECT CASE WHEN a.actor_kind = 'unattributed' THEN 'unattributed' ELSE a.method END AS method,
	count(*) AS events,
	count(*) FILTER (WHERE a.identity_type = 'AssumedRole') AS assumed_role
FROM attributions a
WHERE true
{{- template "filter" on "a" .Filter}}
GROUP BY 1
ORDER BY events DESC, method
