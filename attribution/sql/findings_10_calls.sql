-- fnd_groups: the calls made with a compute's credentials, grouped by
-- compute, session key, address, user agent, VPC endpoint and caller
-- account: a compute makes many calls with one key from one place by one
-- client, and every signal but the time-bound ones reads the groups, not
-- the calls. The calls of the groups that turn out to be findings are
-- read again by key (call_rows in _findings_defs.sql, in
-- findings_31_calls.sql and the steps after it), which costs far less than
-- keeping every call. The groups are classified as call_rows classifies
-- calls (place, desktop, runtime), once per address and user agent.
CREATE OR REPLACE TEMP TABLE fnd_groups AS
WITH raw AS MATERIALIZED (
    SELECT a.account_id, a.actor_kind, a.actor, a.region, e.access_key_id, e.source_ip,
        coalesce(e.user_agent, '') AS user_agent,
        coalesce(e.identity_account_id, e.recipient_account_id) AS caller_account,
        nullif(e.vpc_endpoint_id, '') AS vpce,
        min(e.event_time) AS first_at, max(e.event_time) AS last_at, count(*) AS calls
    FROM (SELECT event_id, actor_kind, actor, account_id, region FROM attributions
        WHERE actor_kind IN ({{template "compute"}}) AND actor IS NOT NULL) a
    JOIN event_rows e ON e.event_id = a.event_id
    WHERE e.identity_type = 'AssumedRole' AND e.invoked_by IS NULL AND e.event_time IS NOT NULL
      AND coalesce(e.access_key_id, '') <> ''
    GROUP BY ALL
), ips AS (
    SELECT source_ip, {{template "private" "source_ip"}} AS private
    FROM (SELECT DISTINCT source_ip FROM raw)
    WHERE {{template "ipv4" "source_ip"}} OR {{template "ipv6" "source_ip"}}
), uas AS (
    SELECT user_agent,
        coalesce({{template "desktop" "user_agent"}}, false) AS desktop,
        coalesce({{template "runtime" "user_agent"}}, '') AS runtime
    FROM (SELECT DISTINCT user_agent FROM raw)
)
SELECT raw.account_id, raw.actor_kind, raw.actor, raw.region, raw.access_key_id,
    CASE WHEN raw.vpce IS NOT NULL THEN 'vpce ' || raw.vpce
        WHEN ips.private THEN 'private'
        ELSE raw.source_ip END AS place,
    raw.source_ip, raw.user_agent, raw.caller_account, uas.desktop, uas.runtime,
    raw.first_at, raw.last_at, raw.calls
FROM raw
JOIN ips ON ips.source_ip = raw.source_ip
JOIN uas ON uas.user_agent = raw.user_agent
