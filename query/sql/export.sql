-- export: every event joined with its attribution, as zstd Parquet files
-- partitioned Hive-style (account_id=…/region=…/day=…), which Athena, Spark
-- and Trino read as partitions. File names carry a random part, so appended
-- exports never overwrite each other. COPY binds the folder like any value.
COPY ({{template "export_select"}}) TO $dir (FORMAT parquet, COMPRESSION zstd,
	PARTITION_BY (account_id, region, day), FILENAME_PATTERN 'events_{uuid}', APPEND)

{{- define "export_select"}}
SELECT e.* EXCLUDE (record, recipient_account_id, aws_region),
	a.actor_kind, a.actor, a.method, a.confidence, a.reason,
	e.record,
	{{template "export_partitions"}}
FROM events e
LEFT JOIN attributions a USING (event_id)
WHERE ($since::TIMESTAMPTZ IS NULL OR e.event_time >= $since::TIMESTAMPTZ)
	AND ($until::TIMESTAMPTZ IS NULL OR e.event_time < $until::TIMESTAMPTZ)
{{- end}}

{{- /* The partition columns of an exported event e; they come last. */ -}}
{{- define "export_partitions" -}}
coalesce(e.recipient_account_id, e.identity_account_id, 'unknown') AS account_id,
	coalesce(e.aws_region, 'unknown') AS region,
	coalesce(strftime(e.event_time, '%Y-%m-%d'), 'unknown') AS day
{{- end}}
