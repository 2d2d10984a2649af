INSERT INTO notebook_instances (account_id, region, name, arn, role_arn,
	lifecycle_config_name, instance_type, created_at, deleted_at, status, source)
VALUES ($account_id, $region, $name, $arn, $role_arn, $lifecycle_config_name, $instance_type,
	$created_at, $deleted_at, $status, $source)
