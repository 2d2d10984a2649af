SELECT count(*) FROM event_rows
