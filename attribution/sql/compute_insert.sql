-- One span of compute from inventory sync or import; its lifetime starts
-- when it does.
INSERT INTO compute_resources (account_id, region, kind, name, parent, part, arn, role_arn,
	created_at, ended_at, ended_by, status, source, life_from)
VALUES ($account_id, $region, $kind, $name, $parent, $part, $arn, $role_arn, $created_at, $ended_at,
	CASE WHEN $ended_at IS NOT NULL THEN 'api' END, $status, $source, $created_at)
