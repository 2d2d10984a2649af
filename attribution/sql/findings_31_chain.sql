-- Role chains: the calls made with a key that an AssumeRole issued, when
-- that AssumeRole is itself a finding (made with stolen credentials, off
-- the compute). Run once per hop.
INSERT INTO fnd_flags
SELECT DISTINCT c.event_id, 'credentials-used-off-compute', 2, 'high',
    'with key ' || c.access_key_id || ', which AssumeRole event ' || k.evidence_event_id || ' issued to the stolen credentials'
FROM fnd_calls c
JOIN attribution_keys k ON k.access_key_id = c.access_key_id AND k.link_kind = 'issued'
    AND c.event_time >= k.valid_from AND c.event_time < k.valid_to
WHERE k.evidence_event_id IN (SELECT event_id FROM fnd_flags WHERE kind = 'credentials-used-off-compute')
  AND c.event_id NOT IN (SELECT event_id FROM fnd_flags)
