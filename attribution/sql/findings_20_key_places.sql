-- fnd_key_places: where each session key of a compute was used, and when.
CREATE OR REPLACE TEMP TABLE fnd_key_places AS
SELECT account_id, actor_kind, actor, access_key_id, place,
    min(first_at) AS first_at, max(last_at) AS last_at, sum(calls) AS calls
FROM fnd_groups
GROUP BY ALL
