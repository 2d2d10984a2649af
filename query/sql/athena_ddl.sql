{{- /*
athena_ddl: the Athena table over an export copied to .Location. Its
columns are those export writes; partitions are found by projection (no
MSCK REPAIR TABLE): the accounts and regions in the database as enums, and
days from the first one on. This is output for Athena, not SQL ctattrib
runs, so values are quoted literals rather than parameters.
*/ -}}
CREATE EXTERNAL TABLE IF NOT EXISTS {{.Table}} (
{{- range $i, $c := .Columns}}{{if $i}},{{end}}
  `{{$c.Name}}` {{$c.Type}}
{{- end}}
)
PARTITIONED BY (`account_id` string, `region` string, `day` string)
STORED AS PARQUET
LOCATION {{literal .Location}}
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.account_id.type' = 'enum',
  'projection.account_id.values' = {{literal .Accounts}},
  'projection.region.type' = 'enum',
  'projection.region.values' = {{literal .Regions}},
  'projection.day.type' = 'date',
  'projection.day.range' = {{literal (print .FirstDay ",NOW")}},
  'projection.day.format' = 'yyyy-MM-dd',
  'projection.day.interval' = '1',
  'projection.day.interval.unit' = 'DAYS',
  'storage.location.template' = {{literal (print .Location "account_id=${account_id}/region=${region}/day=${day}/")}}
);
