{{- /*
"filter" adds the shared filters on a table alias (events or attributions)
as AND conditions; "denied" is true for calls that failed authorization on
a table alias: the errorCode values AWS uses for an authorization failure,
and service-specific variants by pattern.
*/ -}}
{{- define "filter"}}
{{- if not .Since.IsZero}}
	AND {{.Alias}}.event_time >= CAST($since AS TIMESTAMPTZ)
{{- end}}
{{- if not .Until.IsZero}}
	AND {{.Alias}}.event_time < CAST($until AS TIMESTAMPTZ)
{{- end}}
{{- if .Account}}
	AND {{.Alias}}.recipient_account_id = $account
{{- end}}
{{- if .Region}}
	AND {{.Alias}}.aws_region = $region
{{- end}}
{{- end}}

{{- /*
"current_lifetime" keeps, of the rows of notebook_instances in the
--account and --region asked for, each instance's current lifetime: the
latest created (names are reused after deletion). It follows a WHERE.
*/ -}}
{{- define "current_lifetime"}}
	{{- if .Account}}
		AND account_id = $account
	{{- end}}
	{{- if .Region}}
		AND region = $region
	{{- end}}
	QUALIFY row_number() OVER (PARTITION BY account_id, region, name
		ORDER BY created_at DESC NULLS LAST, last_started_at DESC NULLS LAST) = 1
{{- end}}

{{- define "denied" -}}
({{.}}.error_code IN ('AccessDenied', 'AccessDeniedException', 'Client.UnauthorizedOperation',
		'UnauthorizedOperation', 'Client.UnauthorizedAccess', 'UnauthorizedAccess',
		'AuthorizationError', 'AuthorizationErrorException', 'NotAuthorized',
		'NotAuthorizedException', 'Forbidden', 'ForbiddenException')
	OR {{.}}.error_code LIKE '%AccessDenied%' OR {{.}}.error_code LIKE '%Unauthorized%')
{{- end}}
