-- athena_partitions: the accounts and regions export would write, as
-- comma-separated lists, and its first day.
SELECT coalesce(string_agg(DISTINCT account_id, ',' ORDER BY account_id), 'unknown'),
	coalesce(string_agg(DISTINCT region, ',' ORDER BY region), 'unknown'),
	min(day) FILTER (WHERE day <> 'unknown')
FROM (SELECT {{template "export_partitions"}} FROM events e)
