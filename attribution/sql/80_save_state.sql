-- What this run's attributions were computed from, which the next
-- incremental run compares with.
DELETE FROM attribution_keys;
INSERT INTO attribution_keys SELECT * FROM keys;
DELETE FROM attribution_seen_inventory;
INSERT INTO attribution_seen_inventory SELECT account_id, region, name, role_name, lifecycle_config_name,
	created_at, deleted_at, source, evidence FROM inv;
DELETE FROM attribution_seen_compute;
INSERT INTO attribution_seen_compute SELECT * FROM comp;
DELETE FROM attribution_seen_ips;
INSERT INTO attribution_seen_ips SELECT account_id, source_ip, person, people FROM hip;
