-- A notebook's credentials used more than $grace after it was stopped or
-- deleted, before it ran again: the instance was gone, so someone else
-- held its keys (they stay valid until they expire).
INSERT INTO fnd_flags
WITH late AS (
    -- The keys of the notebooks' groups of calls that overlap a time the
    -- notebook was not running: only their calls are read.
    SELECT DISTINCT g.access_key_id FROM fnd_groups g
    JOIN fnd_ended s ON s.account_id = g.account_id AND s.region = g.region AND s.name = g.actor
        AND g.last_at >= s.ended_at + $grace::INTERVAL AND g.first_at < s.resumed_at
    WHERE g.actor_kind = 'notebook-instance'
)
SELECT c.event_id, 'credentials-used-after-compute-ended', 1, 'high',
    arg_min('after the instance was ' || s.how || ' at ' || strftime(s.ended_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ'), s.ended_at)
FROM ({{template "call_rows" "e.access_key_id IN (SELECT access_key_id FROM late)"}}) c
JOIN fnd_ended s ON s.account_id = c.account_id AND s.region = c.region AND s.name = c.actor
    AND c.event_time >= s.ended_at + $grace::INTERVAL AND c.event_time < s.resumed_at
WHERE c.actor_kind = 'notebook-instance'
GROUP BY c.event_id
