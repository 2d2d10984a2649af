-- The source addresses people (IAM users, root, Identity Center users)
-- used, per account: compute credentials used from one of them were
-- probably copied off the machine.
CREATE OR REPLACE TEMP TABLE hip AS
SELECT account_id, source_ip, min(person) AS person, count(DISTINCT person) AS people
FROM (
	SELECT coalesce(identity_account_id, recipient_account_id) AS account_id, source_ip,
		CASE identity_type
			WHEN 'IAMUser' THEN 'iam-user ' || coalesce(user_name, principal_arn, principal_id, '?')
			WHEN 'Root' THEN 'root'
			WHEN 'IdentityCenterUser' THEN 'sso-user ' || coalesce(user_name, principal_id, '?')
			ELSE 'sso-user ' || coalesce(session_name, '?') END AS person
	FROM events
	WHERE (identity_type IN ('IAMUser', 'Root', 'IdentityCenterUser')
		OR (identity_type = 'AssumedRole' AND starts_with(role_name, 'AWSReservedSSO_')))
	  AND (regexp_full_match(source_ip, '[0-9]{1,3}(\.[0-9]{1,3}){3}') OR regexp_full_match(source_ip, '[0-9a-fA-F]*:[0-9a-fA-F:]+'))
) GROUP BY ALL;
