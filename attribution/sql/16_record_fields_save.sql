-- The rows of event_rows the record fields now cover.
DELETE FROM record_fields_state;
INSERT INTO record_fields_state VALUES ($rows, $last_rowid);
