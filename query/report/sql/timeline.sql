-- timeline: the assumed-role calls per bucket of $width seconds
-- (time_bucket's buckets start at midnight UTC of a Monday; the
-- session's time zone is UTC) and method, unattributed calls as
-- their own method. One row per bucket and method: a few thousand at
-- most, however many the calls.
SELECT time_bucket(to_seconds($width), a.event_time) AS bucket,
	CASE WHEN a.actor_kind = 'unattributed' THEN 'unattributed' ELSE a.method END AS method,
	count(*) AS calls
FROM attributions a
WHERE a.identity_type = 'AssumedRole' AND a.event_time IS NOT NULL
{{- template "filter" on "a" .Filter}}
GROUP BY ALL
ORDER BY bucket, method
