-- unattributed: the unattributed calls by the case their reason names
-- (attribution/sql/_classify.sql writes the reasons; report.go gives each
-- case its fix), with the roles that make most of them and one reason as
-- it was written. A reason names a key or an address, so grouping by the
-- text alone would give one row per session.
WITH r AS (
	SELECT CASE
			WHEN a.reason LIKE 'default SageMaker session without sourceIdentity, and %' THEN 'default-session-several-compute'
			WHEN a.reason LIKE 'default SageMaker session without sourceIdentity: %' THEN 'default-session-no-compute'
			WHEN a.reason LIKE 'default SageMaker session:%' THEN 'default-sagemaker-session'
			WHEN a.reason LIKE '%a different caller reusing the name%' THEN 'notebook-name-on-other-role'
			WHEN a.reason LIKE '%is botocore''s default%' OR a.reason LIKE '%is an AWS SDK''s default%' THEN 'sdk-default-session-name'
			WHEN a.reason LIKE '%has no session name%' THEN 'no-session-name'
			WHEN a.reason LIKE '%matches no notebook instance%' THEN 'unknown-session-name'
			WHEN a.reason = 'the record has no userIdentity' THEN 'no-identity'
			WHEN a.reason LIKE 'userIdentity.type %' THEN 'unknown-identity-type'
			ELSE 'other'
		END AS kind,
		coalesce(a.role_arn, '') AS role_arn,
		count(*) AS calls,
		min(a.reason) AS example
	FROM attributions a
	WHERE a.actor_kind = 'unattributed'
	{{- template "filter" on "a" .Filter}}
	GROUP BY ALL
)
SELECT kind, sum(calls)::BIGINT AS calls, count(*) FILTER (WHERE role_arn <> '') AS roles,
	to_json((list(role_arn ORDER BY calls DESC, role_arn) FILTER (WHERE role_arn <> ''))[1:3])::VARCHAR AS top_roles,
	min(example) AS example
FROM r
GROUP BY kind
ORDER BY calls DESC, kind
