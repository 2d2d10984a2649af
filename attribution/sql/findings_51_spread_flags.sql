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
  -- A spread call's place is its address: calls through a VPC endpoint
  -- or from private addresses are no spread.
  AND NOT EXISTS (SELECT 1 FROM fnd_home h JOIN fnd_actors fa USING (account_id, actor_kind, actor)
        WHERE h.account_id = a.account_id AND h.actor_kind = a.actor_kind AND h.actor = a.actor
          AND h.place = s.source_ip AND fa.keys >= $home_keys)
