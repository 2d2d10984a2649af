-- Role chains: the calls made with a key that an AssumeRole issued, when
-- that AssumeRole is itself a finding (made with stolen credentials, off
-- the compute). Run once per hop.
INSERT INTO fnd_flags
WITH hop AS MATERIALIZED (
    SELECT access_key_id, valid_from, valid_to, evidence_event_id FROM attribution_keys
    WHERE link_kind = 'issued'
      AND evidence_event_id IN (SELECT event_id FROM fnd_flags WHERE kind = 'credentials-used-off-compute')
)
SELECT DISTINCT c.event_id, 'credentials-used-off-compute', 2, 'high',
    'with key ' || c.access_key_id || ', which AssumeRole event ' || k.evidence_event_id || ' issued to the stolen credentials'
FROM ({{template "call_rows" "e.access_key_id IN (SELECT access_key_id FROM hop)"}}) c
JOIN hop k ON k.access_key_id = c.access_key_id AND c.event_time >= k.valid_from AND c.event_time < k.valid_to
-- Once per call, even when it is a finding for other reasons too: the
-- chain is what an analyst follows back.
WHERE NOT EXISTS (SELECT 1 FROM fnd_flags f WHERE f.event_id = c.event_id AND starts_with(f.signal, 'with key '))
