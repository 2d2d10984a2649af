{{ define "subject_columns" -}}
event_id, event_time, aws_region, recipient_account_id, identity_type, principal_id, principal_arn,
		identity_account_id, access_key_id, user_name, role_name, session_name, source_identity, invoked_by,
		ec2_role_delivery, user_agent, source_ip, event_source, event_name, error_code, role_arn
{{- end }}
