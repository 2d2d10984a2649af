{{- /*
An event's key, over the record column named by the template's data: its
eventID, or for the events CloudTrail (or a re-shipper) left without one,
a hash of the record. recordKey (key.go) tells the same key in Go; it must
agree with this (TestRecordKeyAgrees).
*/ -}}
{{ define "event_id" }}coalesce(nullif(json_extract_string({{ . }}, '$.eventID'), ''), 'ctattrib:' || md5({{ . }})){{ end }}
