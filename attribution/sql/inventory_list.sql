-- The inventory, all sources, ordered by account, region, name and
-- creation time.
SELECT account_id, region, name, coalesce(arn, ''), coalesce(role_arn, ''),
	coalesce(lifecycle_config_name, ''), coalesce(instance_type, ''), created_at, deleted_at,
	coalesce(status, ''), source
FROM notebook_instances
ORDER BY account_id, region, name, created_at NULLS FIRST, source
