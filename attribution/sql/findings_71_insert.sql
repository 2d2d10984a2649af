-- One finding per kind, owner and session key. finding_id is stable across
-- runs so that a note or a ticket can refer to it.
INSERT INTO findings (finding_id, kind, severity, account_id, actor_kind, actor, access_key_id,
    first_seen, last_seen, source_ips, user_agents, events, event_ids, home_places, reason)
WITH g AS (
    SELECT kind, account_id, actor_kind, actor, access_key_id,
        min(severity) AS severity, min(event_time) AS first_seen, max(event_time) AS last_seen,
        list(DISTINCT source_ip ORDER BY source_ip) FILTER (WHERE source_ip IS NOT NULL) AS source_ips,
        list(DISTINCT user_agent ORDER BY user_agent) FILTER (WHERE user_agent IS NOT NULL) AS user_agents,
        count(*) AS events,
        list(event_id ORDER BY event_time, event_id) AS event_ids,
        list_sort(list_distinct(flatten(list(signals)))) AS signals
    FROM fnd_events
    GROUP BY ALL
), h AS (
    SELECT account_id, actor_kind, actor, list(place ORDER BY place) AS home_places
    FROM fnd_home JOIN fnd_actors USING (account_id, actor_kind, actor)
    -- As the network signal does: with one session there is nothing to
    -- learn a home from.
    WHERE fnd_actors.keys >= 2
    GROUP BY ALL
)
SELECT md5(concat_ws('|', kind, g.account_id, g.actor_kind, g.actor, access_key_id)),
    kind, severity, g.account_id, g.actor_kind, g.actor, access_key_id, first_seen, last_seen,
    source_ips, user_agents, events, event_ids, h.home_places,
    CASE kind
        WHEN 'credentials-used-off-compute' THEN
            'calls with the credentials of ' || g.actor_kind || ' ' || g.actor || ' came from somewhere the compute itself does not call from: '
        WHEN 'credentials-used-after-compute-ended' THEN
            'calls with the credentials of ' || g.actor_kind || ' ' || g.actor || ' were made after it stopped running: '
        ELSE 'session key ' || coalesce(access_key_id, '?') || ' of ' || g.actor_kind || coalesce(' ' || g.actor, '') || ' was used from distant networks at once: '
    END || array_to_string(signals, '; ') ||
    CASE WHEN kind = 'one-session-many-places' THEN '; the credentials were probably copied'
        ELSE '; the credentials were probably copied off it: revoke the role''s sessions and find where they leaked' END
FROM g LEFT JOIN h ON h.account_id IS NOT DISTINCT FROM g.account_id AND h.actor_kind = g.actor_kind AND h.actor = g.actor
