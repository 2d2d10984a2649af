-- How many rows of event_rows notebook_events and assume_role_fields
-- covered when they were last filled, and the last rowid they read.
SELECT max(event_rows), max(last_rowid) FROM record_fields_state
