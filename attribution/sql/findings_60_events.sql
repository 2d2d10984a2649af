-- fnd_events: each flagged call once, with the finding it belongs to (a
-- compute that ended outranks off-compute, which outranks spread) and the
-- attribution and event columns a finding reports.
CREATE OR REPLACE TEMP TABLE fnd_events AS
WITH f AS (
    SELECT event_id, arg_min(kind, prio) AS kind FROM fnd_flags GROUP BY event_id
)
SELECT f.event_id, f.kind, a.account_id, a.actor_kind, a.actor, e.access_key_id, e.event_time,
    e.source_ip, e.user_agent,
    list(DISTINCT fl.signal ORDER BY fl.signal) AS signals,
    min(fl.severity) AS severity  -- 'high' < 'medium'
FROM f
JOIN fnd_flags fl ON fl.event_id = f.event_id AND fl.kind = f.kind
JOIN attributions a ON a.event_id = f.event_id
JOIN event_rows e ON e.event_id = f.event_id
GROUP BY ALL
