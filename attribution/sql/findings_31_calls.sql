-- fnd_flags: the calls that are findings, one row per reason (signal):
-- first the calls of the groups findings_30_off_compute.sql flagged, read
-- again from the events of their session keys only.
CREATE OR REPLACE TEMP TABLE fnd_flags AS
WITH calls AS (
    {{template "call_rows" "e.access_key_id IN (SELECT access_key_id FROM fnd_flag_groups)"}}
)
SELECT c.event_id, g.kind, g.prio, g.severity, g.signal
FROM calls c
JOIN fnd_flag_groups g ON g.account_id IS NOT DISTINCT FROM c.account_id AND g.actor_kind = c.actor_kind
    AND g.actor = c.actor AND g.access_key_id = c.access_key_id AND g.place = c.place
    AND g.source_ip = c.source_ip AND g.caller_account IS NOT DISTINCT FROM c.caller_account
    AND g.desktop = c.desktop AND g.runtime = c.runtime
