{{- /* record_has_time: whether an event_rows row's record holds a time
       in one of the fields event_time is read from (timeFields in
       event.go): a date and a time of day at its start. */ -}}
{{ define "record_has_time" -}}
coalesce(regexp_matches(coalesce(json_extract_string(record, '$.eventTime'), '') || ' ' ||
    coalesce(json_extract_string(record, '$."@timestamp"'), ''), '(^|\s)[0-9]{4}-?[0-9]{2}-?[0-9]{2}[T ][0-9]{2}:?[0-9]{2}'), false)
{{- end }}
