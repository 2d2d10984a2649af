-- A sync replaces the rows an earlier sync stored for the instances the
-- API lists now.
DELETE FROM notebook_instances WHERE source = 'api'
	AND account_id = $account_id AND region = $region AND name = $name AND deleted_at IS NULL
