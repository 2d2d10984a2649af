-- fnd_home: the compute's own places. A compute calls from the same places
-- session after session (its NAT gateway's address, its VPC endpoint); a
-- thief uses one stolen session, or a few. A place is home when at least
-- $home_keys of the compute's session keys (all of them, when it had
-- fewer) were used from it: a NAT gateway's new address becomes home as
-- the compute's later sessions use it. Notebooks moving between subnets
-- keep their VPC endpoint, which is the place of such calls.
CREATE OR REPLACE TEMP TABLE fnd_home AS
SELECT kp.account_id, kp.actor_kind, kp.actor, kp.place, count(DISTINCT kp.access_key_id) AS keys
FROM fnd_key_places kp
JOIN fnd_actors a USING (account_id, actor_kind, actor)
GROUP BY kp.account_id, kp.actor_kind, kp.actor, kp.place, a.keys
HAVING count(DISTINCT kp.access_key_id) >= least($home_keys, a.keys)
