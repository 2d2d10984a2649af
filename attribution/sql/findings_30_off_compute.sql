-- fnd_flag_groups: the groups of calls (fnd_groups) that are findings, one
-- row per reason (signal); findings_31_calls.sql turns them into calls.
-- Here: calls made with a compute's credentials off the compute. Signals:
--   desktop  a macOS or Windows client: notebooks, Studio, Lambda, ECS and
--            SageMaker jobs run Linux; an EC2 instance only when its own
--            sessions show another client (Windows instances exist);
--   runtime  a Lambda function's or ECS task's credentials without the
--            exec-env marker its own calls carry (Lambda calls from many
--            AWS addresses, so for it the address says nothing);
--   network  a place that is not home, used with a key while the compute
--            used the same key from a home place of the same type (an
--            address, an endpoint) before and after: stolen
--            credentials are used concurrently with the compute's own calls
--            (a NAT gateway's address change is not: the old address stops
--            before the new one starts);
--   person   an address an IAM user, the root user or an Identity Center
--            user of the account also used, unless it is the compute's
--            learned home (a person working on the machine itself).
CREATE OR REPLACE TEMP TABLE fnd_flag_groups AS
WITH g AS (
    -- Calls alike for every signal, once each (fnd_groups tells regions
    -- and user agents apart too, which no signal reads).
    SELECT account_id, actor_kind, actor, access_key_id, place, source_ip, caller_account, desktop, runtime
    FROM fnd_groups GROUP BY ALL
), c AS (
    SELECT g.*, a.keys AS actor_keys, a.other_keys, a.runtime_keys, a.runtime AS actor_runtime,
        h.place IS NOT NULL AS at_home, ip.person, ip.people
    FROM g
    JOIN fnd_actors a ON a.account_id IS NOT DISTINCT FROM g.account_id AND a.actor_kind = g.actor_kind AND a.actor = g.actor
    LEFT JOIN fnd_home h ON h.account_id IS NOT DISTINCT FROM g.account_id AND h.actor_kind = g.actor_kind
        AND h.actor = g.actor AND h.place = g.place
    LEFT JOIN attribution_seen_ips ip ON ip.account_id = g.caller_account AND ip.source_ip = g.source_ip
), away AS (
    -- Places off home used with a key while the compute used the same key
    -- from a home place of the same type (VPC endpoint or address) before
    -- and after, and those home places. A compute may call S3 through a
    -- gateway endpoint and everything else through its NAT gateway: the
    -- endpoint says nothing of where its addresses should be.
    SELECT kp.account_id, kp.actor_kind, kp.actor, kp.access_key_id, kp.place,
        string_agg(DISTINCT hk.place, ', ' ORDER BY hk.place) AS home_places
    FROM fnd_key_places kp
    JOIN fnd_key_places hk ON hk.account_id IS NOT DISTINCT FROM kp.account_id AND hk.actor_kind = kp.actor_kind
        AND hk.actor = kp.actor AND hk.access_key_id = kp.access_key_id
        AND hk.place <> kp.place AND hk.first_at < kp.first_at AND hk.last_at > kp.last_at
        AND starts_with(hk.place, 'vpce ') = starts_with(kp.place, 'vpce ')
    JOIN fnd_home h ON h.account_id IS NOT DISTINCT FROM hk.account_id AND h.actor_kind = hk.actor_kind
        AND h.actor = hk.actor AND h.place = hk.place
    WHERE NOT EXISTS (SELECT 1 FROM fnd_home h2 WHERE h2.account_id IS NOT DISTINCT FROM kp.account_id
        AND h2.actor_kind = kp.actor_kind AND h2.actor = kp.actor AND h2.place = kp.place)
    GROUP BY ALL
), s AS (
    SELECT c.account_id, c.actor_kind, c.actor, c.access_key_id, c.place, c.source_ip, c.caller_account, c.desktop, c.runtime,
        CASE WHEN c.desktop AND (c.actor_kind <> 'ec2-instance' OR c.other_keys > 0)
            THEN 'made by a desktop (macOS or Windows) client, which the compute does not run' END AS s_desktop,
        CASE WHEN c.actor_kind IN ('lambda-function', 'ecs-task') AND c.runtime = '' AND c.runtime_keys > 0
            THEN 'without the exec-env/' || c.actor_runtime || ' marker its own calls carry' END AS s_runtime,
        CASE WHEN w.place IS NOT NULL AND c.actor_keys >= 2 AND c.actor_kind <> 'lambda-function'
            THEN 'from ' || c.place || ' while the compute itself was calling with the same key from ' || w.home_places END AS s_network,
        CASE WHEN c.person IS NOT NULL AND NOT (c.at_home AND c.actor_keys >= $home_keys)
            THEN 'from ' || c.source_ip || ', an address ' || c.person ||
                CASE WHEN c.people > 1 THEN ' (and ' || (c.people - 1) || ' more people)' ELSE '' END || ' also used' END AS s_person
    FROM c
    LEFT JOIN away w ON w.account_id IS NOT DISTINCT FROM c.account_id AND w.actor_kind = c.actor_kind AND w.actor = c.actor
        AND w.access_key_id = c.access_key_id AND w.place = c.place
    -- Most calls are the compute's own, from home, by its own client.
    WHERE c.desktop OR (c.runtime = '' AND c.actor_kind IN ('lambda-function', 'ecs-task'))
        OR NOT c.at_home OR c.person IS NOT NULL
), f AS (
    SELECT s.* EXCLUDE (s_desktop, s_runtime, s_network, s_person), sig
    FROM s, unnest([s_desktop, s_runtime, s_network, s_person]) AS t(sig)
    WHERE sig IS NOT NULL
)
SELECT f.account_id, f.actor_kind, f.actor, f.access_key_id, f.place, f.source_ip, f.caller_account,
    f.desktop, f.runtime, 'credentials-used-off-compute' AS kind, 2 AS prio,
    CASE WHEN f.sig LIKE 'from % while %' THEN 'medium' ELSE 'high' END AS severity, f.sig AS signal
FROM f
