{{/*
classify attributes every event of .Subject (a relation with the events
columns): the rule that decides is the first that applies, in the order of
the precedence table in doc.go.
*/ -}}
{{ define "classify" -}}
WITH s AS (
	SELECT {{ template "subject_columns" }},
		-- The name a notebook lifetime may match, and when: an event
		-- without a time falls in the lifetimes whose start is unknown.
		CASE WHEN identity_type = 'AssumedRole' THEN session_name END AS assumed_session,
		coalesce(event_time, '-infinity'::TIMESTAMPTZ) AS live_at,
		-- A web identity session's own calls (AssumeRoleWithWebIdentity):
		-- the subject is the user name, the provider is in the principal id.
		CASE WHEN identity_type = 'WebIdentityUser' THEN web_identity(user_name, principal_id) END AS wi,
		-- The role of a call under its default SageMaker session, whose
		-- candidates are the compute alive on the role.
		CASE WHEN identity_type = 'AssumedRole' AND session_name = 'SageMaker' THEN lower(role_name) END AS default_role
	FROM {{ .Subject }}
), dk AS (
	-- The calls under a role's default SageMaker session, by what decides
	-- their candidates (comp_segs): an ASOF join finds each one's stretch
	-- of time on these few narrow rows, not on whole events. Read from
	-- the subject rather than s, and joined back by plain equality: with
	-- s read twice and the session test in the join's condition, the
	-- step took ten times as long.
	SELECT DISTINCT identity_account_id, lower(role_name) AS rn, coalesce(event_time, '-infinity'::TIMESTAMPTZ) AS live_at
	FROM {{ .Subject }}
	WHERE identity_type = 'AssumedRole' AND session_name = 'SageMaker'
		AND role_name IS NOT NULL AND identity_account_id IS NOT NULL
), ds AS (
	SELECT dk.identity_account_id, dk.rn, dk.live_at, cs.n, cs.sole, cs.candidates, cs.apart
	FROM dk ASOF JOIN comp_segs cs ON cs.account_id = dk.identity_account_id AND cs.role_name = dk.rn
		AND dk.live_at >= cs.seg_from
	WHERE dk.live_at < cs.seg_until
), j AS (
	SELECT s.*,
		coalesce(CASE WHEN i1.name IS NOT NULL THEN
			struct_pack(name := i1.name, account := i1.account_id, region := i1.region, role := i1.role_display,
				role_ok := coalesce(i1.role_name = lower(s.role_name), false), role_known := i1.role_name IS NOT NULL,
				same_region := i1.region = s.aws_region, evidence := i1.evidence) END, nb.m) AS m,
		k.access_key_id IS NOT NULL AND s.event_time < k.valid_to AS key_ok,
		k.link_kind AS k_link, k.actor_kind AS k_kind, k.actor AS k_actor, k.confidence AS k_conf,
		k.account_id AS k_account, k.region AS k_region, k.note AS k_note, k.evidence_event_id AS k_evidence,
		k.evidence AS k_chain, k.method AS k_method,
		ir.names AS role_notebooks,
		ds.n AS comp_n, ds.sole AS comp, ds.candidates AS comp_candidates, ds.apart AS comp_apart
	FROM s
	-- A name with one lifetime: at most one match, no grouping.
	LEFT JOIN inv_single i1 ON i1.account_id = s.identity_account_id AND i1.name = s.assumed_session
		AND s.live_at >= i1.live_from AND s.live_at < i1.live_until
	-- A reused name: the one best lifetime for the call's time, role
	-- and region (inv_multi_best).
	LEFT JOIN inv_multi_roles mr ON mr.account_id = s.identity_account_id AND mr.name = s.assumed_session
		AND mr.role_name = lower(s.role_name)
	LEFT JOIN inv_multi_regions mg ON mg.account_id = s.identity_account_id AND mg.name = s.assumed_session
		AND mg.region = s.aws_region
	LEFT JOIN inv_multi_best nb ON nb.account_id = s.identity_account_id AND nb.name = s.assumed_session
		AND nb.rk = coalesce(mr.role_name, '') AND nb.gk = coalesce(mg.region, '')
		AND s.live_at >= nb.seg_from AND s.live_at < nb.seg_until
	-- The key's link that starts last before the event: each link of a
	-- key runs until its next one starts (keys_spans), so at most one
	-- matches and a hash join finds it. An ASOF join gave the same answer
	-- but sorted the events, whole rows, and was the costliest step.
	LEFT JOIN keys_spans k ON k.access_key_id = s.access_key_id
		AND s.event_time >= k.valid_from AND s.event_time < k.next_from
	LEFT JOIN inv_roles ir ON ir.account_id = s.identity_account_id AND ir.role_name = lower(s.role_name)
	-- The compute alive on the role of a default-session call.
	LEFT JOIN ds ON ds.identity_account_id = s.identity_account_id AND ds.rn = s.default_role AND ds.live_at = s.live_at
), r AS (
	SELECT *,
		CASE
			-- AwsServiceEvent records name only the service.
			WHEN coalesce(identity_type, '') = '' AND invoked_by IS NOT NULL THEN 'aws-service'
			WHEN coalesce(identity_type, '') = '' THEN 'no-identity'
			WHEN identity_type = 'IAMUser' THEN 'iam-user'
			WHEN identity_type = 'Root' THEN 'root'
			WHEN identity_type = 'AWSService' THEN 'aws-service'
			WHEN identity_type = 'AWSAccount' THEN 'aws-account'
			WHEN identity_type = 'FederatedUser' THEN 'federated-user'
			WHEN identity_type = 'IdentityCenterUser' THEN 'identity-center'
			WHEN identity_type = 'WebIdentityUser' AND coalesce(user_name, principal_id) IS NOT NULL THEN 'web-identity'
			WHEN identity_type = 'SAMLUser' AND coalesce(user_name, principal_id) IS NOT NULL THEN 'saml'
			WHEN identity_type <> 'AssumedRole' THEN 'unknown-type'
			WHEN source_identity IS NOT NULL AND source_identity <> '' THEN 'source-identity'
			WHEN coalesce(key_ok, false) AND k_link = 'issued' THEN 'key'
			WHEN coalesce(m.role_ok, false) THEN 'session-name'
			WHEN coalesce(key_ok, false) AND k_link <> 'seen' THEN 'key'
			-- A HyperPod node that names its own session (ctattrib lifecycle
			-- hyperpod): hyperpod.CLUSTER.INSTANCE-ID. When the AssumeRole
			-- that named it is in the data, the key rule above has answered.
			WHEN regexp_full_match(session_name, {{ pattern "hyperpod" }}) THEN 'hyperpod'
			-- The role's default session, no chain and no sourceIdentity:
			-- the one compute alive on the role made it.
			WHEN comp_n = 1 AND comp.kind IS NOT NULL THEN 'sole-compute'
			WHEN regexp_full_match(session_name, {{ pattern "ec2" }}) THEN 'ec2'
			WHEN starts_with(role_name, 'AWSReservedSSO_') AND session_name IS NOT NULL THEN 'sso'
			WHEN m IS NOT NULL AND NOT m.role_known THEN 'session-name'
			WHEN user_agent LIKE '%exec-env/AWS\_Lambda%' ESCAPE '\' AND session_name IS NOT NULL THEN 'lambda'
			WHEN coalesce(key_ok, false) AND k_link = 'seen' AND k_kind = 'lambda-function' THEN 'lambda'
			WHEN regexp_full_match(session_name, {{ pattern "ecs" }})
				OR (user_agent LIKE '%exec-env/AWS\_ECS%' ESCAPE '\' AND session_name IS NOT NULL)
				OR (coalesce(key_ok, false) AND k_link = 'seen' AND k_kind = 'ecs-task') THEN 'ecs'
			-- The service is the actor unless the session's own calls used
			-- the key too: then it called on the session's behalf.
			WHEN invoked_by IS NOT NULL AND NOT (coalesce(key_ok, false) AND k_link = 'seen') THEN 'invoked-by'
			WHEN regexp_full_match(session_name, {{ pattern "email" }}) THEN 'email'
			ELSE 'unattributed'
		END AS rule
	FROM j
), o AS (
	SELECT event_id,
		CASE rule
			WHEN 'iam-user' THEN 'iam-user'
			WHEN 'root' THEN 'root'
			WHEN 'aws-service' THEN 'aws-service'
			WHEN 'invoked-by' THEN 'aws-service'
			WHEN 'aws-account' THEN 'aws-account'
			WHEN 'federated-user' THEN 'federated-user'
			WHEN 'identity-center' THEN 'sso-user'
			WHEN 'sso' THEN 'sso-user'
			WHEN 'web-identity' THEN coalesce(wi.kind, 'web-identity')
			WHEN 'saml' THEN 'saml-user'
			WHEN 'source-identity' THEN CASE WHEN session_name = 'SageMaker' OR role_name ILIKE '%sagemaker%'
					OR (coalesce(key_ok, false) AND k_kind = 'studio-user-profile')
				THEN 'studio-user-profile' ELSE 'source-identity' END
			WHEN 'key' THEN k_kind
			WHEN 'sole-compute' THEN comp.kind
			WHEN 'session-name' THEN 'notebook-instance'
			WHEN 'ec2' THEN 'ec2-instance'
			WHEN 'hyperpod' THEN 'hyperpod-node'
			WHEN 'lambda' THEN 'lambda-function'
			WHEN 'ecs' THEN 'ecs-task'
			WHEN 'email' THEN 'person'
			ELSE 'unattributed'
		END AS actor_kind,
		CASE rule
			WHEN 'iam-user' THEN coalesce(user_name, regexp_extract(principal_arn, '[^/]+$'), principal_id)
			WHEN 'root' THEN coalesce(identity_account_id, recipient_account_id)
			WHEN 'aws-service' THEN coalesce(invoked_by, principal_id, event_source)
			WHEN 'invoked-by' THEN invoked_by
			WHEN 'aws-account' THEN coalesce(identity_account_id, principal_id)
			WHEN 'federated-user' THEN coalesce(nullif(regexp_extract(principal_arn, 'federated-user/(.+)$', 1), ''), user_name, principal_id)
			WHEN 'identity-center' THEN coalesce(nullif(user_name, ''), principal_id)
			WHEN 'web-identity' THEN coalesce(wi.actor, principal_id)
			WHEN 'saml' THEN coalesce(user_name, principal_id)
			WHEN 'source-identity' THEN source_identity
			WHEN 'key' THEN k_actor
			WHEN 'sole-compute' THEN comp.name
			WHEN 'session-name' THEN m.name
			WHEN 'ec2' THEN session_name
			WHEN 'hyperpod' THEN {{ hyperPodActor "session_name" }}
			WHEN 'sso' THEN session_name
			WHEN 'lambda' THEN session_name
			WHEN 'ecs' THEN session_name
			WHEN 'email' THEN session_name
		END AS actor,
		CASE rule
			WHEN 'iam-user' THEN 'iam-user'
			WHEN 'root' THEN 'root'
			WHEN 'aws-service' THEN 'aws-service'
			WHEN 'invoked-by' THEN 'invoked-by'
			WHEN 'aws-account' THEN 'aws-account'
			WHEN 'federated-user' THEN 'federated-user'
			WHEN 'identity-center' THEN 'identity-center'
			WHEN 'web-identity' THEN 'web-identity'
			WHEN 'saml' THEN 'saml'
			WHEN 'source-identity' THEN 'source-identity'
			-- A key's chain that starts with a federated session keeps its
			-- method (web-identity, saml, pod-identity).
			WHEN 'key' THEN coalesce(k_method, 'access-key-chain')
			WHEN 'sole-compute' THEN 'sole-compute-on-role'
			WHEN 'session-name' THEN 'session-name'
			WHEN 'ec2' THEN 'ec2-instance-id'
			WHEN 'hyperpod' THEN 'hyperpod-session-name'
			WHEN 'sso' THEN 'sso-role-session'
			WHEN 'lambda' THEN 'lambda-function-name'
			WHEN 'ecs' THEN 'ecs-task-id'
			WHEN 'email' THEN 'email-session-name'
			ELSE 'none'
		END AS method,
		CASE rule
			WHEN 'key' THEN k_conf
			WHEN 'session-name' THEN CASE WHEN m.role_ok AND m.same_region THEN 'high' ELSE 'medium' END
			WHEN 'ec2' THEN CASE WHEN ec2_role_delivery IS NOT NULL THEN 'high' ELSE 'medium' END
			WHEN 'sole-compute' THEN 'medium'
			WHEN 'aws-account' THEN 'medium'
			WHEN 'web-identity' THEN CASE WHEN wi IS NULL THEN 'medium' ELSE 'high' END
			WHEN 'lambda' THEN 'medium'
			WHEN 'ecs' THEN 'medium'
			WHEN 'email' THEN 'medium'
			WHEN 'invoked-by' THEN 'medium'
			WHEN 'unattributed' THEN 'low'
			WHEN 'no-identity' THEN 'low'
			WHEN 'unknown-type' THEN 'low'
			ELSE 'high'
		END AS confidence,
		CASE rule WHEN 'key' THEN k_account WHEN 'session-name' THEN m.account WHEN 'sole-compute' THEN comp.account
			ELSE coalesce(identity_account_id, recipient_account_id) END AS account_id,
		CASE rule WHEN 'key' THEN k_region WHEN 'session-name' THEN m.region WHEN 'sole-compute' THEN comp.region
			ELSE aws_region END AS region,
		CASE rule
			WHEN 'no-identity' THEN 'the record has no userIdentity'
			WHEN 'unknown-type' THEN 'userIdentity.type ' || identity_type || ' names no principal ctattrib attributes'
			WHEN 'unattributed' THEN CASE
				WHEN m IS NOT NULL AND m.role_known AND NOT m.role_ok THEN
					printf('session name %s is notebook instance %s in %s/%s, but the call used role %s, not its execution role %s: a different caller reusing the name',
						session_name, m.name, m.account, m.region, role_name, m.role)
				-- Any SageMaker compute on the role may have made it, not only
				-- a notebook instance.
				WHEN session_name = 'SageMaker' AND comp_n > 1 THEN
					printf('default SageMaker session without sourceIdentity, and no AssumeRole in the data links key %s to one compute: %d SageMaker compute ran on role %s at the time, any of which could have made the call: %s; what would tell them apart: %s',
						coalesce(access_key_id, '(none)'), comp_n, role_name, comp_candidates, comp_apart)
				WHEN session_name = 'SageMaker' THEN
					'default SageMaker session without sourceIdentity: no AssumeRole in the data links key ' || coalesce(access_key_id, '(none)') ||
					' to a compute, and no SageMaker compute (notebook instance, HyperPod cluster, job, endpoint, Studio domain or user profile) ran on role ' ||
					coalesce(role_name, '?') || ' at the time as far as the inventory knows (CloudTrail, inventory sync, inventory import)' ||
					coalesce('; notebook instances on the role at other times: ' || role_notebooks, '')
				WHEN regexp_full_match(session_name, {{ pattern "botocore" }}) THEN
					'session name ' || session_name || ' is botocore''s default (the caller set no role_session_name) and no AssumeRole in the data issued key ' || coalesce(access_key_id, '(none)')
				WHEN regexp_full_match(session_name, {{ pattern "sdk" }}) THEN
					'session name ' || session_name || ' is an AWS SDK''s default (the caller set no session name) and no AssumeRole in the data issued key ' || coalesce(access_key_id, '(none)')
				WHEN session_name IS NULL THEN
					'assumed-role ARN ' || coalesce(principal_arn, '(none)') || ' has no session name'
				ELSE 'session name ' || session_name || ' on role ' || coalesce(role_name, '?') ||
					' matches no notebook instance, compute naming convention or AssumeRole in the data'
			END || CASE WHEN invoked_by IS NOT NULL
				THEN ' (' || invoked_by || ' made this call on the session''s behalf)' ELSE '' END
		END AS reason,
		-- Credentials used from an address a person also used are a finding
		-- (findings_30_off_compute.sql), not a note.
		CASE WHEN rule = 'key' THEN k_note WHEN rule = 'sole-compute' THEN comp.note
			-- The principal id holds the provider, but followed by the
			-- audience: only an EKS issuer or GitHub's is read from it.
			WHEN rule = 'web-identity' AND wi.kind <> 'web-identity' THEN wi.note END AS note,
		CASE WHEN rule = 'key' THEN k_evidence
			-- A call another service made with the session's key: the
			-- session's own call that shows what it is.
			WHEN rule IN ('lambda', 'ecs') AND invoked_by IS NOT NULL AND coalesce(key_ok, false) AND k_link = 'seen'
				THEN k_evidence END AS evidence_event_id,
		-- The events the answer rests on, from the compute outwards: the
		-- key's chain, or the lifetime a session name matched. A Lambda
		-- function's or ECS task's call that does not show the compute
		-- itself rests on the key's own call that does. Rules that read
		-- the call alone rest on nothing else.
		CASE WHEN rule = 'key' THEN k_chain
			WHEN rule = 'session-name' THEN [m.evidence]
			WHEN rule = 'sole-compute' THEN comp.evidence
			WHEN rule = 'lambda' AND coalesce(key_ok, false) AND k_link = 'seen'
				AND (invoked_by IS NOT NULL OR NOT coalesce(user_agent LIKE '%exec-env/AWS\_Lambda%' ESCAPE '\', false))
				THEN k_chain
			WHEN rule = 'ecs' AND coalesce(key_ok, false) AND k_link = 'seen'
				AND (invoked_by IS NOT NULL OR NOT coalesce(regexp_full_match(session_name, {{ pattern "ecs" }})
					OR user_agent LIKE '%exec-env/AWS\_ECS%' ESCAPE '\', false))
				THEN k_chain
			ELSE []::VARCHAR[] END AS evidence,
		event_time, event_source, event_name, error_code, identity_type, role_arn, session_name,
		recipient_account_id, aws_region
	FROM r
)
SELECT event_id, actor_kind, actor, method, confidence, account_id, region, reason, nullif(note, '') AS note, evidence_event_id,
	coalesce(evidence, []::VARCHAR[]) AS evidence,
	-- The event columns the reports filter and group by, carried along
	-- so that they need not join attributions to events whole.
	event_time, event_source, event_name, error_code, identity_type, role_arn, session_name,
	recipient_account_id, aws_region
FROM o
{{- end }}
