-- fnd_calls: every call made with a compute's credentials, with where it
-- came from (place: the VPC endpoint, 'private', or the public address)
-- and what made it (a desktop OS in the user agent, the runtime marker).
-- AWS services calling on the session's behalf are never findings and are
-- left out: invokedBy set, or an address that is not an IP address
-- ('AWS Internal', a service host name).
CREATE OR REPLACE TEMP TABLE fnd_calls AS
SELECT a.event_id, e.event_time, a.actor_kind, a.actor, a.account_id, a.region, e.access_key_id,
    e.source_ip, coalesce(e.user_agent, '') AS user_agent,
    coalesce(e.identity_account_id, e.recipient_account_id) AS caller_account,
    CASE WHEN coalesce(e.vpc_endpoint_id, '') <> '' THEN 'vpce ' || e.vpc_endpoint_id
        WHEN {{template "private" "e.source_ip"}} THEN 'private'
        ELSE e.source_ip END AS place,
    coalesce({{template "desktop" "e.user_agent"}}, false) AS desktop,
    coalesce({{template "runtime" "e.user_agent"}}, '') AS runtime,
    e.event_name, e.event_source
FROM (SELECT * FROM attributions WHERE actor_kind IN ({{template "compute"}}) AND actor IS NOT NULL) a
JOIN event_rows e ON e.event_id = a.event_id
WHERE e.identity_type = 'AssumedRole' AND e.invoked_by IS NULL AND e.event_time IS NOT NULL
  AND coalesce(e.access_key_id, '') <> ''
  AND ({{template "ipv4" "e.source_ip"}} OR {{template "ipv6" "e.source_ip"}})
