-- Add to compute_events the lifecycle events of SageMaker compute other
-- than notebook instances among the rows of event_rows after rowid $after:
-- what each says of a resource's name, execution role and parts. Every
-- field may be missing or of another type: json_transform reads what it
-- can and leaves the rest NULL.
INSERT INTO compute_events
WITH e AS (
	SELECT event_id, event_name, event_time, recipient_account_id, aws_region, ctj(rp) AS p, ctj(re) AS r
	FROM (SELECT event_id, event_name, event_time, recipient_account_id, aws_region, {{ template "record_json" }}
		FROM event_rows
		WHERE rowid > $after AND {{ isComputeLifecycle }}
		  AND error_code IS NULL AND event_time IS NOT NULL)
), k AS (
	SELECT *,
		CASE
			WHEN event_name LIKE '%Cluster' THEN 'hyperpod-cluster'
			WHEN event_name LIKE '%TrainingJob' THEN 'training-job'
			WHEN event_name LIKE '%ProcessingJob' THEN 'processing-job'
			WHEN event_name LIKE '%TransformJob' THEN 'transform-job'
			WHEN event_name LIKE '%EndpointConfig' THEN 'endpoint-config'
			WHEN event_name LIKE '%Endpoint' THEN 'endpoint'
			WHEN event_name LIKE '%Model' THEN 'model'
			WHEN event_name LIKE '%Domain' THEN 'studio-domain'
			WHEN event_name LIKE '%UserProfile' THEN 'studio-user-profile'
		END AS kind,
		CASE WHEN starts_with(event_name, 'Create') THEN 'create'
			WHEN starts_with(event_name, 'Update') THEN 'update'
			ELSE 'end' END AS op
	FROM e
)
SELECT event_id, event_name, event_time, recipient_account_id, aws_region, kind, op,
	CASE kind
		WHEN 'hyperpod-cluster' THEN p->>'$.clusterName'
		WHEN 'training-job' THEN p->>'$.trainingJobName'
		WHEN 'processing-job' THEN p->>'$.processingJobName'
		WHEN 'transform-job' THEN p->>'$.transformJobName'
		WHEN 'endpoint-config' THEN p->>'$.endpointConfigName'
		WHEN 'endpoint' THEN p->>'$.endpointName'
		WHEN 'model' THEN p->>'$.modelName'
		-- Later calls name a domain by its id, which only the response
		-- to CreateDomain shows (in its ARN).
		WHEN 'studio-domain' THEN coalesce(p->>'$.domainId',
			nullif(regexp_extract(r->>'$.domainArn', ':domain/([^/]+)$', 1), ''))
		WHEN 'studio-user-profile' THEN p->>'$.userProfileName'
	END AS name,
	CASE WHEN kind = 'studio-user-profile' THEN coalesce(p->>'$.domainId', '') ELSE '' END AS parent,
	CASE kind
		WHEN 'training-job' THEN p->>'$.roleArn'
		WHEN 'processing-job' THEN p->>'$.roleArn'
		WHEN 'model' THEN p->>'$.executionRoleArn'
	END AS role_arn,
	CASE kind
		WHEN 'transform-job' THEN p->>'$.modelName'
		WHEN 'endpoint' THEN p->>'$.endpointConfigName'
	END AS ref,
	-- A managed spot training job may wait for capacity: its wall-clock
	-- maximum is maxWaitTimeInSeconds.
	CASE WHEN kind IN ('training-job', 'processing-job') THEN coalesce(
		try_cast(p->>'$.stoppingCondition.maxWaitTimeInSeconds' AS BIGINT),
		try_cast(p->>'$.stoppingCondition.maxRuntimeInSeconds' AS BIGINT)) END AS max_runtime_s,
	CASE kind
		WHEN 'hyperpod-cluster' THEN list_transform(
			CASE WHEN json_type(p->'$.instanceGroups') = 'ARRAY' THEN json_transform(p->'$.instanceGroups',
				'[{"instanceGroupName": "VARCHAR", "executionRole": "VARCHAR", "instanceCount": "BIGINT"}]') END,
			g -> struct_pack(part := g.instanceGroupName, role := g.executionRole, count := g.instanceCount, model := NULL::VARCHAR))
		WHEN 'endpoint-config' THEN list_transform(
			CASE WHEN json_type(p->'$.productionVariants') = 'ARRAY' THEN json_transform(p->'$.productionVariants',
				'[{"variantName": "VARCHAR", "modelName": "VARCHAR"}]') END,
			v -> struct_pack(part := v.variantName, role := NULL::VARCHAR, count := NULL::BIGINT, model := v.modelName))
		-- A domain's apps run as its default user or space execution role
		-- unless a user profile (or space) sets its own.
		WHEN 'studio-domain' THEN list_filter([
			struct_pack(part := 'default user settings', role := p->>'$.defaultUserSettings.executionRole', count := NULL::BIGINT, model := NULL::VARCHAR),
			struct_pack(part := 'default space settings', role := p->>'$.defaultSpaceSettings.executionRole', count := NULL::BIGINT, model := NULL::VARCHAR)],
			s -> s.role IS NOT NULL)
		WHEN 'studio-user-profile' THEN list_filter([
			struct_pack(part := '', role := p->>'$.userSettings.executionRole', count := NULL::BIGINT, model := NULL::VARCHAR)],
			s -> s.role IS NOT NULL)
	END AS parts,
	CASE WHEN kind = 'hyperpod-cluster' AND json_type(p->'$.instanceGroupsToDelete') = 'ARRAY'
		THEN json_transform(p->'$.instanceGroupsToDelete', '["VARCHAR"]') END AS deleted_parts,
	CASE kind
		WHEN 'hyperpod-cluster' THEN r->>'$.clusterArn'
		WHEN 'training-job' THEN r->>'$.trainingJobArn'
		WHEN 'processing-job' THEN r->>'$.processingJobArn'
		WHEN 'transform-job' THEN r->>'$.transformJobArn'
		WHEN 'endpoint' THEN r->>'$.endpointArn'
		WHEN 'studio-domain' THEN r->>'$.domainArn'
		WHEN 'studio-user-profile' THEN r->>'$.userProfileArn'
	END AS arn
FROM k
WHERE kind IS NOT NULL
