-- fnd_key_places: where each session key of a compute was used, and when.
CREATE OR REPLACE TEMP TABLE fnd_key_places AS
SELECT account_id, actor_kind, actor, access_key_id, place,
    min(event_time) AS first_at, max(event_time) AS last_at, count(*) AS calls
FROM fnd_calls
GROUP BY ALL
