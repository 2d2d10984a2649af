-- The objects holding events that are not valid JSON, each with the number
-- (from 1) of its first such event. DuckDB refuses a whole batch for one
-- of them; these objects fail and the rest is written.
CREATE OR REPLACE TEMP TABLE batch_bad AS
SELECT source_uri, min(n) AS n FROM (
    SELECT source_uri, record, row_number() OVER (PARTITION BY source_uri ORDER BY rid) AS n
    FROM ctattrib_batch($batch, false))
WHERE NOT json_valid(record)
GROUP BY source_uri
