-- Every attribute run leaves exactly one attribution per event, so the two
-- counts differ only while some events have none. DuckDB answers both from
-- its row counts, without reading the tables.
SELECT (SELECT count(*) FROM event_rows) <> (SELECT count(*) FROM attributions) AS pending
