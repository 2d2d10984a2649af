-- The key links AssumeRole events make: the key issued, valid from the
-- call to its expiration, and whose it is when the call alone says so (a
-- federated session's subject, a notebook-named session, compute an AWS
-- service assumed a role for); and
-- the caller's key, a notebook's default SageMaker key, when the session
-- it asked for is named after a notebook instance on the same role (or a
-- HyperPod node's, when it names the node's session).
CREATE OR REPLACE TEMP TABLE links AS
WITH l AS (
	SELECT event_id AS link_event_id, event_time AS t, aws_region AS region, recipient_account_id,
		f.target_role_arn, f.target_session, f.issued_key, f.expiration_text, event_name,
		f.subject, f.provider, f.cluster, f.namespace, f.service_account, f.pod,
		identity_type AS caller_type, access_key_id AS caller_key, lower(role_name) AS caller_role,
		coalesce(invoked_by, CASE WHEN identity_type = 'AWSService' THEN user_agent END) AS service,
		session_created_at
	FROM ar JOIN assume_role_fields f USING (event_id) WHERE error_code IS NULL
), l2 AS (
	SELECT *,
		nullif(split_part(target_role_arn, ':', 5), '') AS role_account,
		lower(regexp_extract(target_role_arn, '[^/]+$')) AS target_role,
		coalesce(try_strptime(expiration_text, '%b %d, %Y, %I:%M:%S %p')::TIMESTAMPTZ,
			try_cast(expiration_text AS TIMESTAMPTZ),
			-- EKS Pod Identity's response gives seconds since the epoch.
			CASE WHEN regexp_full_match(expiration_text, '[0-9]{9,10}(\.[0-9]+)?')
				THEN to_timestamp(expiration_text::DOUBLE) END) AS expires_at,
		CASE WHEN event_name = 'AssumeRoleWithWebIdentity' THEN web_identity(subject, provider) END AS wi
	FROM l
), nbm AS (
	SELECT l2.link_event_id,
		arg_max(struct_pack(name := i.name, account := i.account_id, region := i.region, role := i.role_name,
				role_ok := coalesce(i.role_name = l2.target_role, false), role_known := i.role_name IS NOT NULL,
				evidence := i.evidence),
			(CASE WHEN i.role_name = l2.target_role THEN 4 WHEN i.role_name IS NULL THEN 1 ELSE 0 END
				+ CASE WHEN i.region = l2.region THEN 2 ELSE 0 END,
				i.region, coalesce(i.created_at, '-infinity'::TIMESTAMPTZ), i.source)) AS m
	FROM l2 JOIN inv i ON i.account_id = coalesce(l2.role_account, l2.recipient_account_id) AND i.name = l2.target_session
		AND coalesce(l2.t, '-infinity'::TIMESTAMPTZ) >= i.live_from
		AND coalesce(l2.t, '-infinity'::TIMESTAMPTZ) < i.live_until
	GROUP BY l2.link_event_id
), fed AS (
	-- Whom a federated session is for: the web identity token's subject
	-- (web_identity), the SAML subject, or the service account EKS Pod
	-- Identity asked for (its AssumeRoleForPodIdentity, or the session tags
	-- of the AssumeRole it makes).
	SELECT *,
		CASE WHEN event_name = 'AssumeRoleWithWebIdentity' THEN wi.kind
			WHEN event_name = 'AssumeRoleWithSAML' AND subject <> '' THEN 'saml-user'
			WHEN (event_name = 'AssumeRoleForPodIdentity' OR service = 'pods.eks.amazonaws.com')
				AND namespace <> '' AND service_account <> '' THEN 'kubernetes-service-account' END AS fed_kind,
		CASE WHEN event_name = 'AssumeRoleWithWebIdentity' THEN wi.actor
			WHEN event_name = 'AssumeRoleWithSAML' THEN subject
			ELSE namespace || '/' || service_account END AS fed_actor,
		CASE WHEN event_name = 'AssumeRoleWithWebIdentity' THEN wi.note
			WHEN event_name = 'AssumeRoleWithSAML' THEN 'SAML' || coalesce(', issuer ' || provider, '')
			ELSE 'EKS Pod Identity' || coalesce(', cluster ' || cluster, '')
				-- The pod's name is in the tags of EKS's AssumeRole, which
				-- issues the key AssumeRoleForPodIdentity hands over; else
				-- in the session name, maybe cut short.
				|| coalesce(', pod ' || coalesce(pod, CASE WHEN issued_key IS NOT NULL THEN max(pod) OVER (PARTITION BY issued_key) END,
					pod_of_session(target_session, cluster)), '') END AS fed_note,
		CASE event_name WHEN 'AssumeRoleWithWebIdentity' THEN 'web-identity' WHEN 'AssumeRoleWithSAML' THEN 'saml'
			ELSE 'pod-identity' END AS fed_method
	FROM l2
), l3 AS (
	SELECT fed.*, nbm.m,
		fed_kind IS NULL AND coalesce(nbm.m.role_ok OR NOT nbm.m.role_known, false) AS is_notebook,
		-- SageMaker's own deliveries of the default session name no
		-- instance; EKS's AssumeRole without the pod's tags names no pod
		-- (its AssumeRoleForPodIdentity may).
		fed_kind IS NULL AND coalesce(service LIKE 'sagemaker.%' OR service = 'pods.eks.amazonaws.com', false) AS skip,
		-- A HyperPod node naming its own session (ctattrib lifecycle
		-- hyperpod): the cluster role assuming itself as
		-- hyperpod.CLUSTER.INSTANCE-ID. Anyone else who picks such a name
		-- stays the key's owner through the caller's attribution.
		fed_kind IS NULL AND coalesce(caller_type = 'AssumedRole' AND caller_role = target_role
			AND regexp_full_match(target_session, {{ pattern "hyperpod" }}), false) AS is_hyperpod
	FROM fed LEFT JOIN nbm USING (link_event_id)
)
SELECT link_event_id, t,
	-- Placeholders in redacted logs ("REDACTED", "SAMPLE_ACCESS_KEY") are not keys.
	CASE WHEN regexp_full_match(issued_key, {{ pattern "accesskey" }}) THEN issued_key END AS issued_key,
	CASE WHEN regexp_full_match(caller_key, {{ pattern "accesskey" }}) THEN caller_key END AS caller_key,
	t - INTERVAL 1 MINUTE AS valid_from,
	coalesce(expires_at, t + CASE WHEN service = 'ec2.amazonaws.com' THEN INTERVAL 7 HOUR ELSE INTERVAL 12 HOUR END) AS valid_to,
	coalesce(session_created_at, t - INTERVAL 12 HOUR) - INTERVAL 1 MINUTE AS caller_from,
	coalesce(session_created_at, t) + INTERVAL 12 HOUR AS caller_to,
	skip,
	CASE WHEN fed_kind IS NOT NULL THEN fed_kind
		WHEN is_notebook THEN 'notebook-instance'
		WHEN skip THEN NULL
		WHEN is_hyperpod THEN 'hyperpod-node'
		WHEN service = 'ec2.amazonaws.com' AND regexp_full_match(target_session, {{ pattern "ec2" }}) THEN 'ec2-instance'
		WHEN service = 'lambda.amazonaws.com' THEN 'lambda-function'
		WHEN service = 'ecs-tasks.amazonaws.com' THEN 'ecs-task'
		WHEN service IS NOT NULL THEN 'aws-service' END AS fix_kind,
	CASE WHEN fed_kind IS NOT NULL THEN fed_actor
		WHEN is_notebook THEN m.name
		WHEN is_hyperpod THEN {{ hyperPodActor "target_session" }}
		WHEN service IN ('ec2.amazonaws.com', 'lambda.amazonaws.com', 'ecs-tasks.amazonaws.com') THEN target_session
		ELSE service END AS fix_actor,
	CASE WHEN is_notebook AND NOT m.role_ok THEN 'medium' ELSE 'high' END AS fix_conf,
	CASE WHEN is_notebook THEN m.account ELSE coalesce(role_account, recipient_account_id) END AS fix_account,
	CASE WHEN is_notebook THEN m.region ELSE region END AS fix_region,
	-- A notebook-named session's chain starts at the notebook's lifetime.
	CASE WHEN is_notebook THEN m.evidence END AS nb_evidence,
	CASE WHEN fed_kind IS NOT NULL THEN fed_note END AS fix_note,
	CASE WHEN fed_kind IS NOT NULL THEN fed_method END AS fix_method,
	-- A caller key that is no access-key id (an odd length, a redaction)
	-- links nothing: the key column above is NULL for it.
	-- A HyperPod node's default key is the node's in the same way.
	(is_notebook OR is_hyperpod) AND caller_type = 'AssumedRole' AND regexp_full_match(caller_key, {{ pattern "accesskey" }})
		AND caller_role = coalesce(m.role, target_role) AS caller_link
FROM l3
WHERE issued_key IS NOT NULL OR is_notebook OR is_hyperpod;
