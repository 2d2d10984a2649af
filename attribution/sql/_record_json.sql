{{ define "record_json" -}}
nullif(json_extract(record, '$.requestParameters'), 'null') AS rp,
		nullif(json_extract(record, '$.responseElements'), 'null') AS re
{{- end }}
