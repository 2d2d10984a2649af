-- The evidence that changed since the last run: access key links,
-- notebook lifetimes and the compute on each role. (The addresses people were seen at feed the findings,
-- which are recomputed whole each run.)
CREATE OR REPLACE TEMP TABLE changed_keys AS
	SELECT access_key_id FROM (SELECT * FROM keys EXCEPT SELECT * FROM attribution_keys)
	UNION SELECT access_key_id FROM (SELECT * FROM attribution_keys EXCEPT SELECT * FROM keys);

CREATE OR REPLACE TEMP TABLE changed_inv AS
	WITH inv_now AS (
		SELECT account_id, region, name, role_name, lifecycle_config_name, created_at, deleted_at, source, evidence FROM inv
	)
	SELECT * FROM (SELECT * FROM inv_now EXCEPT SELECT * FROM attribution_seen_inventory)
	UNION ALL SELECT * FROM (SELECT * FROM attribution_seen_inventory EXCEPT SELECT * FROM inv_now);

CREATE OR REPLACE TEMP TABLE changed_comp AS
	SELECT * FROM (SELECT * FROM comp EXCEPT SELECT * FROM attribution_seen_compute)
	UNION ALL SELECT * FROM (SELECT * FROM attribution_seen_compute EXCEPT SELECT * FROM comp);
