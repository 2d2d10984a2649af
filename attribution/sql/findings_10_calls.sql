-- fnd_calls: every call made with a compute's credentials, with where it
-- came from (place: the VPC endpoint, 'private', or the public address)
-- and what made it (a desktop OS in the user agent, the runtime marker).
-- AWS services calling on the session's behalf are never findings and are
-- left out: invokedBy set, or an address that is not an IP address
-- ('AWS Internal', a service host name). Addresses and user agents are
-- classified once each, not once per call: there are few of them, and the
-- patterns cost more than the join.
CREATE OR REPLACE TEMP TABLE fnd_calls AS
WITH c AS MATERIALIZED (
    SELECT a.event_id, e.event_time, a.actor_kind, a.actor, a.account_id, a.region, e.access_key_id,
        e.source_ip, coalesce(e.user_agent, '') AS user_agent,
        coalesce(e.identity_account_id, e.recipient_account_id) AS caller_account,
        nullif(e.vpc_endpoint_id, '') AS vpce
    FROM (SELECT event_id, actor_kind, actor, account_id, region FROM attributions
        WHERE actor_kind IN ({{template "compute"}}) AND actor IS NOT NULL) a
    JOIN event_rows e ON e.event_id = a.event_id
    WHERE e.identity_type = 'AssumedRole' AND e.invoked_by IS NULL AND e.event_time IS NOT NULL
      AND coalesce(e.access_key_id, '') <> ''
), ips AS (
    SELECT source_ip, {{template "private" "source_ip"}} AS private
    FROM (SELECT DISTINCT source_ip FROM c)
    WHERE {{template "ipv4" "source_ip"}} OR {{template "ipv6" "source_ip"}}
), uas AS (
    SELECT user_agent,
        coalesce({{template "desktop" "user_agent"}}, false) AS desktop,
        coalesce({{template "runtime" "user_agent"}}, '') AS runtime
    FROM (SELECT DISTINCT user_agent FROM c)
)
SELECT c.event_id, c.event_time, c.actor_kind, c.actor, c.account_id, c.region, c.access_key_id,
    c.source_ip, c.caller_account,
    CASE WHEN c.vpce IS NOT NULL THEN 'vpce ' || c.vpce
        WHEN ips.private THEN 'private'
        ELSE c.source_ip END AS place,
    uas.desktop, uas.runtime
FROM c
JOIN ips ON ips.source_ip = c.source_ip
JOIN uas ON uas.user_agent = c.user_agent
