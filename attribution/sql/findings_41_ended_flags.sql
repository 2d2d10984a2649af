-- A compute's credentials used more than $grace after it was stopped,
-- deleted or ended (fnd_ended), before it ran again: the compute was gone,
-- so someone else held its keys (they stay valid until they expire).
INSERT INTO fnd_flags
WITH late AS (
    -- The keys of the groups of calls that overlap a time the compute was
    -- not running: only their calls are read.
    SELECT DISTINCT g.access_key_id FROM fnd_groups g
    JOIN fnd_ended s ON s.actor_kind = g.actor_kind AND s.account_id = g.account_id AND s.region = g.region
        AND s.name = g.actor AND g.last_at >= s.ended_at + $grace::INTERVAL AND g.first_at < s.resumed_at
)
SELECT c.event_id, 'credentials-used-after-compute-ended', 1, 'high',
    arg_min('after the ' || CASE c.actor_kind WHEN 'notebook-instance' THEN 'instance' ELSE replace(c.actor_kind, '-', ' ') END
        || ' was ' || s.how || ' at ' || strftime(s.ended_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ'), s.ended_at)
FROM ({{template "call_rows" "e.access_key_id IN (SELECT access_key_id FROM late)"}}) c
JOIN fnd_ended s ON s.actor_kind = c.actor_kind AND s.account_id = c.account_id AND s.region = c.region AND s.name = c.actor
    AND c.event_time >= s.ended_at + $grace::INTERVAL AND c.event_time < s.resumed_at
GROUP BY c.event_id
