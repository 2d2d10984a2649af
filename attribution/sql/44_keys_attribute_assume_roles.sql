-- Attribute the AssumeRole events with the keys resolved so far: the key
-- an AssumeRole returns belongs to whoever called it, which may itself be
-- known only through an earlier key, so the next round follows one more
-- hop of a role chain.
DELETE FROM ar_att;
INSERT INTO ar_att (event_id, actor_kind, actor, method, confidence,
	account_id, region, reason, note, evidence_event_id, evidence)
SELECT event_id, actor_kind, actor, method, confidence, account_id, region, reason, note, evidence_event_id, evidence
FROM ({{ template "classify" . }});
