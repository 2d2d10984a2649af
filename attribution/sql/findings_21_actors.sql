-- fnd_actors: what each compute's calls look like over all its sessions:
-- how many session keys, how many of them a desktop client used, how many
-- carried a runtime marker (and which).
CREATE OR REPLACE TEMP TABLE fnd_actors AS
SELECT account_id, actor_kind, actor,
    count(DISTINCT access_key_id) AS keys,
    count(DISTINCT access_key_id) FILTER (WHERE NOT desktop) AS other_keys,
    count(DISTINCT access_key_id) FILTER (WHERE runtime <> '') AS runtime_keys,
    min(runtime) FILTER (WHERE runtime <> '') AS runtime
FROM fnd_groups
GROUP BY ALL
