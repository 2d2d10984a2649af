-- Add to assume_role_fields the successful calls that issue a role's
-- credentials (isAssumeRole in sql.go) among the rows of event_rows after rowid
-- $after: the role and session asked for, the key issued and when it
-- expires, and whom a federated session is for.
--
-- AssumeRoleWithWebIdentity: the token's subject and its OIDC provider.
-- AssumeRoleWithSAML: the SAML subject and issuer. EKS Pod Identity: the
-- cluster and the service account its agent asked for
-- (AssumeRoleForPodIdentity, whose request holds no session name: it is
-- the last part of the assumed-role ARN), or the session tags of the
-- AssumeRole EKS makes for it (requestParameters.tags, a list of key and
-- value), which name the pod too.
INSERT INTO assume_role_fields BY NAME
SELECT event_id,
	-- AssumeRoleForPodIdentity names the role only in the session ARN it
	-- returns (without the role's path).
	coalesce(ctj(rp)->>'$.roleArn', nullif(regexp_replace(ctj(re)->>'$.assumedRoleUser.arn',
		'^arn:([^:]+):sts::([0-9]+):assumed-role/([^/]+)/.*$', 'arn:\1:iam::\2:role/\3'), ctj(re)->>'$.assumedRoleUser.arn')) AS target_role_arn,
	coalesce(ctj(rp)->>'$.roleSessionName',
		nullif(regexp_extract(ctj(re)->>'$.assumedRoleUser.arn', '[^/]+$'), '')) AS target_session,
	ctj(re)->>'$.credentials.accessKeyId' AS issued_key,
	ctj(re)->>'$.credentials.expiration' AS expiration_text,
	CASE event_name
		WHEN 'AssumeRoleWithWebIdentity' THEN coalesce(ctj(re)->>'$.subjectFromWebIdentityToken', user_name)
		WHEN 'AssumeRoleWithSAML' THEN coalesce(CASE WHEN json_type(ctj(re), '$.subject') = 'VARCHAR'
			THEN ctj(re)->>'$.subject' END, user_name)
	END AS subject,
	CASE event_name
		WHEN 'AssumeRoleWithWebIdentity' THEN coalesce(ctj(re)->>'$.provider', idp)
		WHEN 'AssumeRoleWithSAML' THEN coalesce(ctj(re)->>'$.issuer', ctj(rp)->>'$.principalArn', idp)
	END AS provider,
	coalesce(CASE WHEN event_name = 'AssumeRoleForPodIdentity' THEN ctj(rp)->>'$.clusterName' END,
		list_filter(tags, lambda t: t->>'$.key' = 'eks-cluster-name')[1]->>'$.value') AS cluster,
	coalesce(CASE WHEN event_name = 'AssumeRoleForPodIdentity' THEN ctj(re)->>'$.subject.namespace' END,
		list_filter(tags, lambda t: t->>'$.key' = 'kubernetes-namespace')[1]->>'$.value') AS namespace,
	coalesce(CASE WHEN event_name = 'AssumeRoleForPodIdentity' THEN ctj(re)->>'$.subject.serviceAccount' END,
		list_filter(tags, lambda t: t->>'$.key' = 'kubernetes-service-account')[1]->>'$.value') AS service_account,
	list_filter(tags, lambda t: t->>'$.key' = 'kubernetes-pod-name')[1]->>'$.value' AS pod
FROM (SELECT *,
		-- Session tags, for EKS Pod Identity's AssumeRole only: other
		-- callers' tags say nothing attribution reads.
		CASE WHEN invoked_by = 'pods.eks.amazonaws.com' AND json_type(ctj(rp), '$.tags') = 'ARRAY'
			THEN json_extract(ctj(rp), '$.tags[*]') END AS tags
	FROM (SELECT event_id, event_name, user_name, invoked_by, {{ template "record_json" }},
			json_extract_string(record, '$.userIdentity.identityProvider') AS idp
		FROM event_rows
		WHERE rowid > $after AND {{ isAssumeRole }}
		  AND error_code IS NULL AND event_time IS NOT NULL))
