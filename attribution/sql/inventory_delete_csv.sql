-- A CSV file is authoritative for the names it lists: its rows replace
-- earlier CSV rows for the same account, region and name.
DELETE FROM notebook_instances WHERE source = 'csv'
	AND account_id = $account_id AND region = $region AND name = $name
