-- fnd_spread: one session key used from distant networks (other /16s of
-- IPv4, other /32s of IPv6) within $window of each other. Calls through a
-- VPC endpoint or from private addresses say nothing of distance; Lambda
-- functions call from many AWS addresses and are left out. The calls
-- flagged are those from networks other than the key's first. Only keys
-- used from more than one address are looked at closer: most sessions
-- call from one.
CREATE OR REPLACE TEMP TABLE fnd_spread AS
WITH cand AS (
    SELECT access_key_id FROM event_rows
    WHERE identity_type = 'AssumedRole' AND invoked_by IS NULL AND event_time IS NOT NULL
      AND coalesce(vpc_endpoint_id, '') = '' AND access_key_id IS NOT NULL
    GROUP BY access_key_id HAVING count(DISTINCT source_ip) > 1
), e AS MATERIALIZED (
    SELECT event_id, event_time, access_key_id, source_ip, principal_arn, coalesce(user_agent, '') AS user_agent
    FROM event_rows
    WHERE identity_type = 'AssumedRole' AND invoked_by IS NULL AND event_time IS NOT NULL
      AND coalesce(vpc_endpoint_id, '') = ''
      AND access_key_id IN (SELECT access_key_id FROM cand)
      -- Calls already found off the compute are the copy, not the
      -- session's own places: counted here, a NAT gateway's new address
      -- during a theft looked like a second copy.
      AND event_id NOT IN (SELECT event_id FROM fnd_flags)
      AND regexp_full_match(access_key_id, {{ pattern "accesskey" }})
), ips AS (
    SELECT source_ip,
        CASE WHEN {{template "ipv4" "source_ip"}} THEN regexp_extract(source_ip, '^[0-9]+\.[0-9]+')
            ELSE array_to_string(string_split(lower(source_ip), ':')[1:2], ':') END AS net
    FROM (SELECT DISTINCT source_ip FROM e)
    WHERE ({{template "ipv4" "source_ip"}} OR {{template "ipv6" "source_ip"}})
      AND NOT {{template "private" "source_ip"}}
), c AS (
    SELECT e.event_id, e.event_time, e.access_key_id, e.source_ip, e.principal_arn, ips.net
    FROM e JOIN ips ON ips.source_ip = e.source_ip
    WHERE e.user_agent NOT LIKE '%exec-env/AWS\_Lambda%' ESCAPE '\'
), multi AS (
    -- A key seen with several principals is not one session but sample
    -- data reusing a documentation key (ASIAIOSFODNN7EXAMPLE).
    SELECT access_key_id FROM c GROUP BY access_key_id
    HAVING count(DISTINCT net) > 1 AND count(DISTINCT coalesce(principal_arn, '')) = 1
), seq AS (
    SELECT c.*, lag(net) OVER w AS prev_net, lag(event_time) OVER w AS prev_time, first_value(net) OVER w AS first_net
    FROM c WHERE access_key_id IN (SELECT access_key_id FROM multi)
    WINDOW w AS (PARTITION BY access_key_id ORDER BY event_time, event_id)
), jumps AS (
    -- A jump within the window, and the key used from its first network
    -- again after it left it: a copy is used beside the original, a NAT
    -- gateway's new address replaces the old one.
    SELECT access_key_id FROM seq
    GROUP BY access_key_id
    HAVING count(*) FILTER (WHERE net <> prev_net AND event_time - prev_time <= $window::INTERVAL) > 0
       AND max(event_time) FILTER (WHERE net = first_net) > min(event_time) FILTER (WHERE net <> first_net)
)
SELECT s.event_id, s.source_ip, s.net, s.first_net
FROM seq s JOIN jumps j USING (access_key_id)
WHERE s.net <> s.first_net
