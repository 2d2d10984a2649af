-- Instances an earlier sync stored that the API no longer lists were
-- deleted since.
UPDATE notebook_instances SET deleted_at = $now, status = 'Deleted'
WHERE source = 'api' AND account_id = $account_id AND region = $region AND deleted_at IS NULL
	AND NOT list_contains($names::VARCHAR[], name)
