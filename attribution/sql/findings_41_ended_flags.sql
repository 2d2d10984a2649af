-- A notebook's credentials used more than $grace after it was stopped or
-- deleted, before it ran again: the instance was gone, so someone else
-- held its keys (they stay valid until they expire).
INSERT INTO fnd_flags
SELECT c.event_id, 'credentials-used-after-compute-ended', 1, 'high',
    arg_min('after the instance was ' || s.how || ' at ' || strftime(s.ended_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ'), s.ended_at)
FROM fnd_calls c
JOIN fnd_ended s ON s.account_id = c.account_id AND s.region = c.region AND s.name = c.actor
    AND c.event_time >= s.ended_at + $grace::INTERVAL AND c.event_time < s.resumed_at
WHERE c.actor_kind = 'notebook-instance'
GROUP BY c.event_id
