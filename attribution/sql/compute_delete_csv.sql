-- A CSV file is authoritative for the compute it lists: its rows replace
-- earlier CSV rows for the same account, region, kind and name.
DELETE FROM compute_resources WHERE source = 'csv'
	AND account_id = $account_id AND region = $region AND kind = $kind AND name = $name
