-- The spread calls that are no other finding, and that are not a
-- compute's call from its own home (a NAT gateway's new address) nor an
-- AWS service's, a Lambda function's or an unknown caller's.
INSERT INTO fnd_flags
SELECT s.event_id, 'one-session-many-places', 3, 'medium',
    'from network ' || s.net || ' within minutes of calls with the same key from network ' || s.first_net
FROM fnd_spread s
JOIN attributions a ON a.event_id = s.event_id
WHERE a.actor_kind NOT IN ('aws-service', 'lambda-function')
  AND s.event_id NOT IN (SELECT event_id FROM fnd_flags)
  AND NOT EXISTS (SELECT 1 FROM fnd_calls c JOIN fnd_home h USING (account_id, actor_kind, actor, place)
        JOIN fnd_actors fa USING (account_id, actor_kind, actor)
        WHERE c.event_id = s.event_id AND fa.keys >= $home_keys)
